// The handover's category index: a category is marked checked with one tap, which folds it away when all
// its items are 齐全 at their full count and brings the next unchecked category up under the index; "next
// unchecked" jumps there from anywhere, and to the signatures once every category is checked. Without
// script the index is a list of plain anchors and every category stays open.
(function () {
  "use strict";

  const nav = document.getElementById("handover-index");
  if (!nav) return;
  const sections = [...document.querySelectorAll("[data-category]")];
  const progress = document.getElementById("handover-progress");
  const next = document.getElementById("next-unchecked");
  const nextLabel = next.textContent;

  const allPresent = (section) => [...section.querySelectorAll(".handover-line")].every((line) => {
    const found = line.querySelector('input[type="number"]');
    return line.querySelector('input[value="present"]').checked && found.value === found.max;
  });

  function fold(section, folded) {
    section.querySelector(".category-lines").hidden = folded;
    section.querySelector(".category-folded").hidden = !folded;
  }

  function bringUp(target) {
    target.scrollIntoView({ block: "start" });
    const heading = target.querySelector("h2, legend");
    if (heading) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); }
  }

  function firstUnchecked() {
    return sections.find((section) => !section.classList.contains("checked"));
  }

  function update() {
    const done = sections.filter((section) => section.classList.contains("checked")).length;
    progress.textContent = nav.dataset.progress.replace("{done}", done).replace("{total}", sections.length);
    for (const section of sections) {
      nav.querySelector(`[data-category-link="${section.id}"]`).classList.toggle("done", section.classList.contains("checked"));
    }
    next.textContent = firstUnchecked() ? nextLabel : next.dataset.doneLabel;
  }

  for (const section of sections) {
    const done = section.querySelector("[data-category-done]");
    done.hidden = false;
    done.addEventListener("click", () => {
      section.classList.add("checked");
      if (allPresent(section)) fold(section, true);
      update();
      bringUp(firstUnchecked() || document.getElementById("handover-signatures"));
    });
    section.querySelector("[data-category-open]").addEventListener("click", () => fold(section, false));
    // A change inside a checked category makes it to be checked again.
    section.addEventListener("change", () => { section.classList.remove("checked"); update(); });
  }
  // An item the phone's rules point at must be in sight: unfold its category.
  document.getElementById("handover-form").addEventListener("invalid", (event) => {
    const section = event.target.closest("[data-category]");
    if (section) fold(section, false);
  }, true);
  next.hidden = false;
  next.addEventListener("click", () => bringUp(firstUnchecked() || document.getElementById("handover-signatures")));
  update();
})();
