// Signature pads: each <input type="file" data-signature> becomes a canvas drawn on with a finger, a pen
// or a mouse (pointer events). After each stroke the drawing is put into the input as a PNG file, so the
// offline form queues it like any photo and the server checks it through the photo pipeline.
(function () {
  "use strict";

  function blank(canvas) {
    const ctx = canvas.getContext("2d");
    // White, not transparent: the page re-encodes images as JPEG, where transparency turns black.
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.strokeStyle = "#111";
    ctx.lineWidth = 3;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
  }

  function point(canvas, event) {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * (canvas.width / box.width), (event.clientY - box.top) * (canvas.height / box.height)];
  }

  function store(canvas, input) {
    canvas.toBlob((blob) => {
      if (!blob) return;
      const transfer = new DataTransfer();
      transfer.items.add(new File([blob], `${input.name}.png`, { type: "image/png" }));
      input.files = transfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }, "image/png");
  }

  function clear(canvas, input) {
    blank(canvas);
    input.value = "";
    canvas.closest(".signature-pad").classList.remove("signed");
  }

  function enhance(input) {
    const pad = document.createElement("div");
    pad.className = "signature-pad";
    const canvas = document.createElement("canvas");
    canvas.width = 600;
    canvas.height = 220;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", input.labels && input.labels[0] ? input.labels[0].textContent.trim() : input.name);
    canvas.dataset.signatureFor = input.name;
    const again = document.createElement("button");
    again.type = "button";
    again.className = "btn btn-small";
    again.textContent = input.dataset.clearLabel || "重写";  // the checklist form's pads have no label of their own
    pad.append(canvas, again);
    input.insertAdjacentElement("beforebegin", pad);
    input.classList.add("signature-input");  // kept for the form (and its `required`), hidden by the stylesheet
    // Correcting a refused outbox entry (?outbox=<id>) keeps the signatures and photos it holds unless new
    // ones are made: a mistyped password is fixed without signing again.
    if (new URLSearchParams(location.search).has("outbox")) input.required = false;
    blank(canvas);

    // One pen at a time: the pointer that started the stroke. A second finger or the palm resting on a
    // phone's screen fires its own pointer events, which would otherwise be joined to the stroke.
    let active = null;
    canvas.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      if (active !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
      active = event.pointerId;
      try {
        canvas.setPointerCapture(event.pointerId);  // keep the stroke when the finger slides off the pad
      } catch (error) {
        // a pointer the browser no longer tracks: draw without capture
      }
      const [x, y] = point(canvas, event);
      const ctx = canvas.getContext("2d");
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + 0.1, y + 0.1);  // a dot is a mark too
      ctx.stroke();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (event.pointerId !== active) return;
      const [x, y] = point(canvas, event);
      const ctx = canvas.getContext("2d");
      ctx.lineTo(x, y);
      ctx.stroke();
      event.preventDefault();
    });
    const end = (event) => {
      if (event.pointerId !== active) return;
      active = null;
      pad.classList.add("signed");
      store(canvas, input);
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    again.addEventListener("click", () => clear(canvas, input));
    // The offline form empties itself once queued: the pads follow.
    if (input.form) input.form.addEventListener("reset", () => clear(canvas, input));
  }

  document.querySelectorAll('input[type="file"][data-signature]').forEach(enhance);
})();
