// The rules a form's server would apply, checked on the phone before an entry is queued, so a refusal
// comes while the user still stands at the checkpoint, not hours later. The rules and their messages
// come from the server in the page (app/checklists/rules.py: phone_rules) — one source, no second copy
// of the messages here. What only the server can know (a password, a state changed by someone else)
// stays the server's to refuse.
(function (global) {
  "use strict";

  function fill(template, vars) {
    return template.replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? ""));
  }

  // One item: the problem's message, or null (mirrors services._answer).
  function problemOf(rules, item, raw, photos) {
    const m = rules.messages;
    const kind = item.type;
    if (kind === "photo" || kind === "signature") {
      return photos === 0 && item.required ? m[kind] : null;
    }
    if (raw === "") return item.required ? m.required : null;
    if (rules.answers[kind]) {
      if (!rules.answers[kind].includes(raw)) return m[kind];
      const failed = raw === "fail" || raw === "no";
      return failed && item.photo_when_failed && photos === 0 ? m.fail_photo : null;
    }
    if (kind === "number") {
      if (raw === "na" && item.na_allowed) return null;
      const text = raw.normalize("NFKC").replace(/ /g, "");
      const ok = new RegExp(`^(?:${rules.number_pattern})$`).test(text) && Number.isFinite(Number(text));
      return ok ? null : m.number;
    }
    if (kind === "choice") return (item.options || []).includes(raw) ? null : m.choice;
    return [...raw].length > rules.max_text ? fill(m.too_long, { n: rules.max_text }) : null;
  }

  // A filled checklist: null when it passes, else {message, fields} as the server would refuse it.
  // `answers`: item key → raw string; `photos`: item key → number of photos chosen.
  function checkChecklist(rules, answers, photos) {
    const fields = {};
    const messages = [];
    for (const item of rules.items) {
      const raw = answers[item.key] == null ? "" : String(answers[item.key]).trim();
      const problem = problemOf(rules, item, raw, Number(photos[item.key] || 0));
      if (!problem) continue;
      fields[item.key] = problem;
      messages.push(fill(rules.messages.item, { n: item.number, label: item.label, problem }));
    }
    if (!messages.length) return null;
    const more = messages.length > 1 ? fill(rules.messages.more, { n: messages.length - 1 }) : "";
    return { message: messages[0] + more, fields };
  }

  // The checklists of a form (each embedded as <script type="application/json" class="checklist-rules">),
  // checked against what is typed and chosen. Returns null, or {message, fields: {input id → problem}}.
  function checkForm(form) {
    const data = new FormData(form);
    for (const source of form.querySelectorAll("script.checklist-rules")) {
      const rules = JSON.parse(source.textContent);
      const prefix = source.dataset.prefix || "";
      const answers = {};
      const photos = {};
      for (const item of rules.items) {
        const value = data.get(`${prefix}item-${item.key}`);
        answers[item.key] = typeof value === "string" ? value : "";
        const input = form.elements.namedItem(`${prefix}photo-${item.key}`);
        photos[item.key] = input && input.files ? input.files.length : 0;
      }
      const refusal = checkChecklist(rules, answers, photos);
      if (refusal) {
        const fields = {};
        for (const [key, problem] of Object.entries(refusal.fields)) {
          const item = rules.items.find((i) => i.key === key);
          const photoFirst = ["photo", "signature"].includes(item.type) || problem === rules.messages.fail_photo;
          fields[`${prefix}${photoFirst ? "photo" : "item"}-${key}`] = problem;
        }
        return { message: refusal.message, fields };
      }
    }
    return null;
  }

  global.WuyeRules = { checkChecklist, checkForm };
})(self);
