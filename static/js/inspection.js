// Scoring a site on a tablet: the running score of each sheet (the same arithmetic as
// app/inspections/scoring.py), a photo required for every deduction, sheets switched on and off,
// last time's items feeding their sheet, and a jump to the next unanswered item. Submitting goes
// through the outbox (offline-forms.js): the whole visit is one record with its photos.
(function () {
  "use strict";

  const form = document.getElementById("inspection-form");
  if (!form) return;
  // Correcting a visit the server refused (?outbox=<id>; offline-forms.js fills the form in): its photos
  // stay with the outbox entry, so no deduction asks for its photo again (the server still checks).
  const correcting = new URLSearchParams(location.search).get("outbox");

  // Each question once, with the name of its answer and its area: a tap re-reads every answer.
  const question = (box, name) => ({ box, name, section: box.closest(".checklist-section")?.id });
  const sheets = [...form.querySelectorAll(".inspect-sheet")].map((el) => ({
    el, id: el.dataset.sheet, template: el.dataset.template,
    definition: JSON.parse(el.querySelector(".sheet-definition").textContent),
    questions: [...el.querySelectorAll(".inspect-item:not([data-last-time])")]
      .map((box) => question(box, `v${el.dataset.sheet}-item-${box.dataset.key}`)),
  }));
  const priors = [...form.querySelectorAll(".prior-item")]
    .map((box) => ({ ...question(box, box.querySelector("input[type=radio]").name), template: box.dataset.template }));

  // Every answer given, in one pass over the checked radios: a RadioNodeList per item (namedItem) walked
  // the whole form each time, 110 times a tap.
  function answers() {
    const given = new Map();
    for (const input of form.querySelectorAll("input[type=radio]:checked")) given.set(input.name, input.value);
    return given;
  }

  function enabled(sheet) {
    const toggle = form.querySelector(`[data-sheet-toggle="${sheet.id}"]`);
    return !toggle || toggle.checked;
  }

  function notClosed(sheet, given) {
    return priors.filter((prior) => prior.template === sheet.template && given.get(prior.name) === "open").length;
  }

  function itemsOf(definition) {
    return definition.sections.flatMap((section) => section.items);
  }

  function maxCount(item) {
    return item.repeatable ? Math.max(1, Math.ceil(item.points / item.per_occurrence)) : 1;
  }

  // Score = base − Σ category deductions (each at most its cap), never below 0; a failed veto item
  // leaves at most the veto ceiling. Unanswered and N/A items deduct nothing.
  function score(sheet, given) {
    const d = sheet.definition;
    const byCategory = {};
    let vetoed = false;
    for (const item of itemsOf(d)) {
      let count = 0;
      if (item.last_time) {
        count = Math.min(notClosed(sheet, given), maxCount(item));
      } else if (given.get(`v${sheet.id}-item-${item.key}`) === "fail") {
        const input = form.elements.namedItem(`v${sheet.id}-count-${item.key}`);
        count = input ? Math.max(1, Math.min(Number(input.value) || 1, maxCount(item))) : 1;
      }
      if (!count) continue;
      const amount = item.repeatable ? Math.min(item.points, item.per_occurrence * count) : item.points;
      byCategory[item.category] = (byCategory[item.category] || 0) + amount;
      if (item.veto) vetoed = true;
    }
    const caps = d.category_caps || {};
    let total = 0;
    for (const [category, amount] of Object.entries(byCategory)) {
      total += category in caps ? Math.min(amount, caps[category]) : amount;
    }
    let result = Math.max(0, d.base_score - total);
    if (vetoed) result = Math.min(result, d.veto_ceiling || 0);
    return Math.round(result * 100) / 100;
  }

  // An item's deduction fields (places found, photo, note) are made when it is first marked 扣分, from one
  // <template>: rendered for all 110 items, their hidden inputs made the browser lay out every area of the
  // sheet again after the page had loaded (issue 15). Once made they stay, hidden again if the item passes.
  const deductionFields = document.getElementById("deduction-fields");
  function withDeductionFields(box) {
    if (!box || box.querySelector(".when-failed")) return;
    const sheet = sheets.find((s) => s.el.contains(box));
    const item = itemsOf(sheet.definition).find((i) => i.key === box.dataset.key);
    const pre = `v${sheet.id}-`;
    const fields = deductionFields.content.firstElementChild.cloneNode(true);
    for (const input of fields.querySelectorAll("[data-field]")) {
      const field = input.closest(".field");
      if (input.dataset.field === "count" && !item.repeatable) { field.remove(); continue; }
      const label = field.querySelector("label");
      input.id = input.name = `${pre}${input.dataset.field}-${item.key}`;
      label.htmlFor = input.id;
      label.id = `${input.id}-label`;
      input.setAttribute("aria-labelledby", `${label.id} ${pre}legend-${item.key}`);
      if (input.dataset.field === "count") input.max = maxCount(item);
    }
    box.append(fields);
  }

  function unanswered(given) {
    return [...priors, ...sheets.filter(enabled).flatMap((sheet) => sheet.questions)]
      .filter((q) => !given.has(q.name));
  }

  // Writes only what changed: a tap re-scores the whole sheet, and rewriting 2,000 nodes' text, disabled and
  // required states on every tap made the browser restyle and lay out the page each time.
  function put(el, property, value) {
    if (el[property] !== value) el[property] = value;
  }

  function refresh() {
    const given = answers();
    const waiting = unanswered(given);
    for (const sheet of sheets) {
      const on = enabled(sheet);
      if (sheet.on !== on) {
        sheet.on = on;
        sheet.el.hidden = !on;
        for (const field of sheet.el.querySelectorAll("input, textarea")) put(field, "disabled", !on);
        const nav = form.querySelector(`[data-sheet-nav="${sheet.id}"]`);
        if (nav) nav.hidden = !on;
        sheet.chip = form.querySelector(`[data-score-for="${sheet.id}"]`);
        sheet.chip.hidden = !on;
      }
      const value = score(sheet, given);
      put(sheet.chip.querySelector(".score-value"), "textContent", String(value));
      put(sheet.chip.querySelector(".score-percent"), "textContent",
        String(Math.round(value * 1000 / sheet.definition.base_score) / 10));
      for (const output of sheet.el.querySelectorAll(".last-time-count")) {
        put(output, "textContent", String(notClosed(sheet, given)));
      }
      // Every deduction needs its photo: the photo field is required while the item is marked 扣分.
      for (const photo of sheet.el.querySelectorAll(".deduction-photo")) {
        const key = photo.closest(".inspect-item").dataset.key;
        put(photo, "required", on && !correcting && given.get(`v${sheet.id}-item-${key}`) === "fail");
      }
    }
    const left = new Map();
    for (const { section } of waiting) {
      if (section) left.set(section, (left.get(section) || 0) + 1);
    }
    for (const link of form.querySelectorAll("[data-section-link]")) {
      const count = left.get(link.dataset.sectionLink) || 0;
      put(link.querySelector(".nav-left"), "textContent", count ? ` ${count}` : " ✓");
      link.classList.toggle("done", !count);
    }
    put(document.getElementById("unanswered-count"), "textContent", String(waiting.length));
  }

  document.getElementById("jump-unanswered").addEventListener("click", () => {
    const [first] = unanswered(answers());
    if (!first) return;
    first.box.scrollIntoView({ block: "center" });
    first.box.querySelector("input").focus({ preventScroll: true });
  });
  // An 80-item sheet: after the deductions of an area, the rest of it passes with one tap.
  form.addEventListener("click", (event) => {
    const button = event.target.closest("[data-pass-rest]");
    if (!button) return;
    for (const box of button.closest(".checklist-section").querySelectorAll(".inspect-item")) {
      const pass = box.querySelector('input[value="pass"]');
      if (pass && !box.querySelector("input[type=radio]:checked")) pass.checked = true;
    }
    refresh();
  });
  form.addEventListener("change", (event) => {
    const input = event.target;
    if (input.type === "radio" && input.value === "fail" && input.checked) withDeductionFields(input.closest(".inspect-item"));
    refresh();
  });
  // A visit filled in again (a refused one corrected, or a save that failed): its deductions' fields first.
  // Filling in sets values, not checkboxes: the sheets the entry scored are switched on and the others off
  // here, from the entry's own data, and the page counts again once the values are in (the fill is synchronous).
  form.addEventListener("outbox:filling", (event) => {
    for (const [name, value] of Object.entries(event.detail)) {
      const field = value === "fail" && form.elements.namedItem(name);
      const fail = field instanceof RadioNodeList && [...field].find((el) => el.value === "fail");
      if (fail) withDeductionFields(fail.closest(".inspect-item"));
    }
    for (const toggle of form.querySelectorAll("[data-sheet-toggle]")) toggle.checked = toggle.name in event.detail;
    setTimeout(refresh);
  });
  // Typing a note or a name changes no score: only the number of places found does, while it is typed.
  form.addEventListener("input", (event) => { if (event.target.matches(".count-input")) refresh(); });
  form.addEventListener("reset", () => setTimeout(refresh));
  // The top bar and the score bar stick over the top of the page: whatever is scrolled to (an area chosen
  // on the left, the browser's "please answer this" on submit) must stop below them, not under them. The
  // bar's height follows the width, so the stylesheet's scroll margin reads it from one property, set
  // through the CSSOM (the CSP forbids style attributes, not this).
  const bar = document.getElementById("score-bar");
  function clearOfBar() {
    const clear = Math.ceil(bar.getBoundingClientRect().height + (parseFloat(getComputedStyle(bar).top) || 0)) + 8;
    form.style.setProperty("--clear-of-score-bar", `${clear}px`);
  }
  window.addEventListener("resize", clearOfBar);
  // Sections off screen are laid out only when near (content-visibility): after a jump to an area, those
  // between render at their real height and move it. Once they have, the area is put at the top again.
  window.addEventListener("hashchange", () => {
    const target = location.hash && document.getElementById(location.hash.slice(1));
    if (target) requestAnimationFrame(() => requestAnimationFrame(() => target.scrollIntoView({ block: "start" })));
  });
  // The area list on the left is taller than a tablet's screen and scrolls on its own: it follows the sheet
  // being scored (the one crossing the upper third of the screen), so the sales sheet's areas show under it.
  const nav = form.querySelector(".inspect-nav");
  let followed = null, following = false;
  function followSheet() {
    following = false;
    const line = innerHeight / 3;
    const shown = sheets.filter((sheet) => !sheet.el.hidden);
    const current = shown.filter((sheet) => sheet.el.getBoundingClientRect().top < line).pop() || shown[0];
    if (!nav || !current || current === followed) return;
    followed = current;
    const block = nav.querySelector(`[data-sheet-nav="${current.id}"]`);
    if (block) nav.scrollTop = block.offsetTop - nav.firstElementChild.offsetTop;
  }
  window.addEventListener("scroll", () => {
    if (!following) { following = true; requestAnimationFrame(followSheet); }
  }, { passive: true });
  // An item marked 扣分 before this script ran (a tap on a slow phone while the page was still loading, or the
  // browser restoring the form on going back) fired no change here: its deduction fields are made now.
  for (const fail of form.querySelectorAll('.inspect-item input[value="fail"]:checked')) {
    withDeductionFields(fail.closest(".inspect-item"));
  }
  // The first count in a task of its own, not in the one running every deferred script and DOMContentLoaded
  // (htmx's start-up): two shorter tasks block less. The bar is read once it has written: one layout, not two.
  setTimeout(() => {
    refresh();
    requestAnimationFrame(clearOfBar);
  });
})();
