// The front desk's intake form: a unit chosen in the type-ahead (frontdesk/_lookup.html) fills the form, typing
// again forgets the choice, and the fields of a category (预约时间 for a repair, 当场答复 for an enquiry) show
// only when it is chosen.
(function () {
  "use strict";

  function set(form, name, value) {
    const field = form.elements.namedItem(name);
    if (field) field.value = value;
  }

  document.addEventListener("click", (event) => {
    const choice = event.target.closest("[data-pick-unit]");
    if (!choice) return;
    const form = choice.closest("form");
    set(form, "unit", choice.dataset.label);
    set(form, "unit_id", choice.dataset.pickUnit);
    set(form, "occupant_id", choice.dataset.occupant);
    if (choice.dataset.name) set(form, "caller_name", choice.dataset.name);
    if (choice.dataset.phone) set(form, "caller_phone", choice.dataset.phone);
    choice.closest(".unit-choices").replaceChildren();
    form.elements.namedItem("unit").focus();
  });

  document.addEventListener("input", (event) => {
    if (!event.target.matches("[data-unit-lookup]")) return;
    set(event.target.form, "unit_id", "");
    set(event.target.form, "occupant_id", "");
  });

  function showCategory(form) {
    const chosen = form.querySelector('input[name="category"]:checked');
    for (const part of form.querySelectorAll("[data-for-category]")) {
      part.hidden = !chosen || part.dataset.forCategory !== chosen.value;
    }
  }

  for (const form of document.querySelectorAll("form[data-outbox-kind='frontdesk_intake']")) {
    showCategory(form);
    form.addEventListener("change", (event) => {
      if (event.target.name === "category") showCategory(form);
    });
    form.addEventListener("reset", () => setTimeout(() => showCategory(form)));
  }
})();
