// The post registers' forms, checked on the phone before an entry is queued, by the server's own rules and words
// (app/registers/services.py: visit_rules, found_rules, return_rules, gift_rules, key_rules, embedded in each form
// as <script class="register-rules">), in the server's order: what must be filled, one of two, the order of the
// times (an empty time is now), a key still out.
(function (global) {
  "use strict";

  function photoCount(form, input) {
    return (input.files ? input.files.length : 0) || (form.keptPhotos && form.keptPhotos[input.name]) || 0;
  }

  // A datetime-local value on the phone's clock, as milliseconds; null when empty or unreadable.
  function moment(value) {
    if (!value) return null;
    const ms = new Date(value).getTime();
    return Number.isNaN(ms) ? null : ms;
  }

  function checkRegister(form) {
    const source = form.querySelector("script.register-rules");
    if (!source) return null;
    const rules = JSON.parse(source.textContent);
    const values = {};
    for (const [name, value] of new FormData(form)) if (typeof value === "string") values[name] = value.trim();
    for (const input of form.querySelectorAll('input[type="file"]')) values[input.name] = photoCount(form, input);
    const missing = global.WuyeRules.checkNeeds(rules.needs, values);
    if (missing) return missing;
    for (const rule of rules.one_of) {
      if (!rule.fields.some((name) => values[name])) return { message: rule.message, fields: { [rule.fields[0]]: rule.problem } };
    }
    const now = Date.now();
    const times = { now };
    for (const name of Object.keys(rules.times)) times[name] = moment(values[name]) ?? (rules.now.includes(name) ? now : null);
    for (const rule of rules.order) {
      const first = times[rule.first];
      const then = times[rule.then];
      const slack = rule.first === "now" || rule.then === "now" ? rules.slack_minutes * 60e3 : 0;
      if (first != null && then != null && first > then + slack) return { message: rule.message, fields: { [rule.field]: rule.problem } };
    }
    if (rules.keys_out && rules.keys_out.includes(values.key_name)) {
      return { message: rules.key_out.message, fields: { key_name: rules.key_out.problem } };
    }
    return null;
  }

  (global.WuyeValidators = global.WuyeValidators || []).push(checkRegister);
  global.WuyeRegisters = { checkRegister };
})(self);
