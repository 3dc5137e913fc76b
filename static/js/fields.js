// Form fields that help as you type: a counter under every box with a maxlength (and a word when pasted
// text was cut to it), and the 不适用 box of a number item, which takes the reading out of the form.
(function () {
  "use strict";
  const say = (key, vars) => (window.wuyeText ? window.wuyeText(key, vars) : key);
  const length = (value) => [...value].length;

  function counterOf(box) {
    let counter = box.nextElementSibling;
    if (counter && counter.classList.contains("char-count")) return counter;
    counter = document.createElement("p");
    counter.className = "hint char-count";
    counter.setAttribute("aria-live", "polite");
    box.after(counter);
    return counter;
  }

  function count(box, cut) {
    const limit = box.maxLength;
    const used = length(box.value);
    const counter = counterOf(box);
    counter.textContent = say("char_count", { n: used, max: limit }) + (cut ? " " + say("paste_cut", { max: limit }) : "");
    counter.classList.toggle("char-count-full", used >= limit || cut);
  }

  // Only boxes long enough to be cut unnoticed get a counter; a 6-digit code box does not need one.
  const counted = (el) => el.matches && el.matches("textarea[maxlength], input[maxlength]:not([type=hidden])")
    && el.maxLength >= 40;

  function onPaste(event) {
    const box = event.target;
    if (!counted(box)) return;
    const pasted = (event.clipboardData && event.clipboardData.getData("text")) || "";
    const room = box.maxLength - (length(box.value) - length(box.value.slice(box.selectionStart, box.selectionEnd)));
    if (length(pasted) > room) setTimeout(() => count(box, true));  // after the browser has cut it
  }

  function syncNa(toggle) {
    const reading = document.getElementById(toggle.dataset.naFor);
    if (!reading) return;
    reading.disabled = toggle.checked;
    if (toggle.checked) reading.value = "";
  }

  // Boxes inside [data-counter-on-focus] (hidden until needed, a hundred on the inspection sheet) get their
  // counter when first focused, not all at load.
  function setUp(root) {
    root.querySelectorAll("textarea[maxlength], input[maxlength]").forEach((box) => {
      if (counted(box) && !box.closest("[data-counter-on-focus]")) count(box);
    });
    root.querySelectorAll("input[data-na-for]").forEach(syncNa);
  }

  document.addEventListener("input", (event) => { if (counted(event.target)) count(event.target, false); });
  document.addEventListener("focusin", (event) => {
    const box = event.target;
    if (counted(box) && !(box.nextElementSibling && box.nextElementSibling.classList.contains("char-count"))) count(box, false);
  });
  document.addEventListener("paste", onPaste);
  document.addEventListener("change", (event) => { if (event.target.matches("input[data-na-for]")) syncNa(event.target); });
  document.addEventListener("htmx:load", (event) => setUp(event.detail.elt));
  setUp(document);
})();
