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

  // What must not be empty, in the server's order (app/core/validation.py: needs): the first missing refuses.
  // `values`: field → text, or the number of photos / drawn signatures.
  function checkNeeds(needs, values) {
    for (const rule of needs) {
      const value = values[rule.field];
      if (!(typeof value === "string" ? value.trim() : value)) {
        return { message: rule.message, fields: { [rule.field]: rule.problem } };
      }
    }
    return null;
  }

  // One counted item: the problem's message, or null (mirrors handovers.services.parse_count).
  function countProblem(rules, item, count, photos) {
    const m = rules.messages;
    const status = String(count.status ?? "").trim();
    if (!rules.statuses.includes(status)) return m.status;
    let raw = String(count.found ?? "").trim();
    if (raw === "" && (status === "present" || status === "moved")) raw = String(item.quantity);
    const number = whole(raw);
    if (number === null) return m.whole;
    const qty = item.quantity;
    if (number < 0) return m.negative;
    if (number > qty) return fill(m.above, { found: number, qty });
    if (status === "present" && number !== qty) return fill(m.present, { qty });
    if (status === "missing" && number >= qty) return fill(m.missing, { qty });
    if (rules.needs_photo.includes(status) && photos === 0) return m.photo;
    const note = String(count.note ?? "").trim();
    return [...note].length > rules.max_note ? fill(m.note, { n: rules.max_note }) : null;
  }

  // A whole handover, in the server's order (services.receive): the incoming attendant chosen, every item
  // counted (services.check_counts), both signatures. `values`: form field → text, `photos`: field → count.
  function checkHandover(rules, values, photos) {
    const incoming = checkNeeds(rules.incoming, values);
    if (incoming) return incoming;
    const fields = {};
    const messages = [];
    rules.items.forEach((item, i) => {
      const count = { status: values[`status-${item.key}`], found: values[`found-${item.key}`],
                      note: values[`note-${item.key}`] };
      const problem = countProblem(rules, item, count, Number(photos[`photo-${item.key}`] || 0));
      if (!problem) return;
      fields[`status-${item.key}`] = problem;
      messages.push(fill(rules.messages.item, { n: i + 1, name: item.name, problem }));
    });
    if (messages.length) {
      const more = messages.length > 1 ? fill(rules.messages.more, { n: messages.length - 1 }) : "";
      return { message: messages[0] + more, fields };
    }
    return checkNeeds(rules.signatures, photos);
  }

  // Python's int() of a stripped string, or null (full-width digits, a sign and 1_000 are numbers).
  function whole(raw) {
    const text = raw.normalize("NFKC");
    return /^[+-]?\d+(?:_\d+)*$/.test(text) ? Number(text.replace(/_/g, "")) : null;
  }

  // One score sheet (mirrors inspections.services._read_sheet and scoring.check_answer): field → message.
  // `values`: form field → text, `photos`: field → number of photos; `prefix` names the sheet's fields.
  function checkSheet(rules, prefix, values, photos) {
    const m = rules.messages;
    const problems = {};
    for (const item of rules.items) {
      const field = `${prefix}item-${item.key}`;
      const result = String(values[field] ?? "").trim();
      const raw = String(values[`${prefix}count-${item.key}`] ?? "1").trim() || "1";
      const count = item.repeatable ? (whole(raw) ?? 0) : 1;
      let problem = null;
      if (!["pass", "fail", "na"].includes(result)) problem = m.result;
      else if (result === "na" && !item.na_allowed) problem = m.na;
      else if (result === "fail" && count < 1) problem = m.count;
      else if (result === "fail" && count > item.max_count) problem = fill(m.most, { points: item.points, n: item.max_count });
      else if (result === "fail" && !photos[`${prefix}photo-${item.key}`]) problem = m.photo;
      if (problem) problems[field] = rules.prefix + fill(m.item, { n: item.number, label: item.label, problem });
    }
    return problems;
  }

  // The sheets chosen on an inspection form (<script class="sheet-rules">), refused as the server would.
  function checkSheets(form) {
    const sources = [...form.querySelectorAll("script.sheet-rules")].filter((source) => {
      const toggle = form.querySelector(`[data-sheet-toggle="${source.dataset.sheet}"]`);
      return !toggle || toggle.checked;
    });
    if (!sources.length) return null;
    const problems = {};
    let messages = null;
    for (const source of sources) {
      const rules = JSON.parse(source.textContent);
      const prefix = source.dataset.prefix;
      messages = rules.messages;
      // Only the fields the sheet reads (a whole FormData of ~80 items and their file inputs costs more).
      const values = {};
      const photos = {};
      for (const item of rules.items) {
        for (const name of [`${prefix}item-${item.key}`, `${prefix}count-${item.key}`]) {
          const field = form.elements.namedItem(name);
          if (field) values[name] = field.value;
        }
        photos[`${prefix}photo-${item.key}`] = photoCount(form, `${prefix}photo-${item.key}`);
      }
      Object.assign(problems, checkSheet(rules, prefix, values, photos));
    }
    return sheetsRefusal(problems, messages);
  }

  function sheetsRefusal(problems, m) {
    const messages = Object.values(problems);
    if (!messages.length) return null;
    const more = messages.length > 1 ? fill(m.more, { n: messages.length - 1 }) : "";
    return { message: messages[0] + more, fields: problems };
  }

  // The photos of a field: those chosen now, else those kept with the refused entry being corrected
  // (offline-forms.js sets form.keptPhotos; a photo chosen again replaces that field's kept ones).
  function photoCount(form, name) {
    const input = form.elements.namedItem(name);
    const chosen = input && input.files ? input.files.length : 0;
    return chosen || (form.keptPhotos && form.keptPhotos[name]) || 0;
  }

  // What is typed (field → text) and chosen (file field → number of files) in a form.
  function formValues(form) {
    const values = {};
    const photos = {};
    for (const [name, value] of new FormData(form)) {
      if (typeof value === "string") values[name] = value;
    }
    for (const input of form.querySelectorAll('input[type="file"]')) photos[input.name] = photoCount(form, input.name);
    return { values, photos };
  }

  // An intake at the front desk (mirrors frontdesk.services.take, in its order): the text, a way to call back
  // for a repair or a follow-up (a phone typed or an occupant chosen), an appointment not in the past.
  function checkIntake(rules, values, now) {
    const m = rules.messages;
    if (!(values.description || "").trim()) return { message: m.description, fields: { description: m.description_problem } };
    const reachable = rules.reachable.includes(values.category) || ["1", "on", "true"].includes(values.follow_up);
    if (reachable && !(values.caller_phone || "").trim() && !(values.occupant_id || "").trim()) {
      return { message: m.phone, fields: { caller_phone: m.phone_problem } };
    }
    if (values.category === "repair" && values.appointment) {
      const when = new Date(values.appointment);
      if (!isNaN(when) && when.getTime() < (now || Date.now()) - rules.slack_minutes * 60000) {
        return { message: m.past, fields: { appointment: m.past_problem } };
      }
    }
    return null;
  }

  // A ticket's finish (<script class="form-needs">), a handover (<script class="handover-rules">), an intake
  // (<script class="intake-rules">).
  function checkNeedsForm(form) {
    const needs = form.querySelector("script.form-needs");
    const handover = form.querySelector("script.handover-rules");
    const intake = form.querySelector("script.intake-rules");
    if (!needs && !handover && !intake) return null;
    const { values, photos } = formValues(form);
    if (intake) return checkIntake(JSON.parse(intake.textContent), values);
    if (handover) return checkHandover(JSON.parse(handover.textContent), values, photos);
    return checkNeeds(JSON.parse(needs.textContent), { ...values, ...photos });
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
        photos[item.key] = photoCount(form, `${prefix}photo-${item.key}`);
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

  // What the form's own attributes ask (required, min, max, a whole number), which the browser would check
  // itself but for `novalidate` (every outbox form carries it, so the browser never speaks first, in its own
  // language): the last check, so the server's words above come first wherever the page has its rules.
  // The first field at fault refuses, as the browser would; the words are the server's (_js_messages.html).
  // A field out of sight (a passed item's count, in its hidden "when failed" part) asks nothing: the server
  // does not read it either.
  function checkConstraints(form) {
    const say = global.wuyeText;
    for (const field of form.elements) {
      if (!field.willValidate || field.validity.valid || !field.name) continue;
      if (field.checkVisibility && !field.checkVisibility()) continue;
      if (field.type === "file" && photoCount(form, field.name)) continue;  // kept with the entry being corrected
      const label = labelOf(field);
      const v = field.validity;
      let message;
      if (v.valueMissing) {
        const choose = ["radio", "checkbox", "select-one", "select-multiple"].includes(field.type);
        message = say(field.type === "file" ? "constraint_photo" : choose ? "constraint_choose" : "constraint_fill", { label });
      } else if (v.rangeUnderflow) message = say("constraint_min", { label, low: field.min });
      else if (v.rangeOverflow) message = say("constraint_max", { label, high: field.max });
      else if (v.badInput || v.stepMismatch) message = say("constraint_whole", { label });
      else continue;  // too long or a pattern: the server says it
      return { message, fields: { [field.name]: message } };
    }
    return null;
  }

  // A field's name as the user reads it: a choice's question (its fieldset's legend), else its label.
  function labelOf(field) {
    const legend = ["radio", "checkbox"].includes(field.type) && field.closest("fieldset")?.querySelector("legend");
    const source = legend || (field.labels && field.labels[0]);
    const words = source ? source.textContent : field.getAttribute("aria-label") || field.name;
    return words.replace(/\s+/g, " ").trim();
  }

  global.WuyeRules = {
    checkChecklist, checkConstraints, checkForm, checkNeeds, checkHandover, checkIntake, checkNeedsForm, checkSheet,
    checkSheets, sheetsRefusal,
  };
})(self);
