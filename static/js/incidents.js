// The incident report form (templates/incidents/new.html): the time starts at the phone's now in the company's
// time zone, the place comes from the link it was opened by (?place=checkpoint-7&round_id=3, a kept page offline
// too), the chosen type shows what to write down, and the server's rules (app/incidents/services.py rule_messages,
// embedded as <script class="incident-rules">) refuse on the phone before anything is queued, in its words.
(function () {
  "use strict";

  const FILLED_FROM_LINK = ["kind", "place", "location", "round_id", "source"];

  // The wall clock of `zone` at the instant `ms`, as {y, mo, d, h, mi}.
  function wallClock(ms, zone) {
    const parts = {};
    const format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    });
    for (const p of format.formatToParts(new Date(ms))) parts[p.type] = Number(p.value);
    return { y: parts.year, mo: parts.month, d: parts.day, h: parts.hour, mi: parts.minute };
  }

  // A typed "2026-12-01T02:10" in `zone` as an instant (ms), or null when it is not one.
  function instantOf(value, zone) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
    if (!m) return null;
    const guess = Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5]);
    const seen = wallClock(guess, zone);
    const offset = Date.UTC(seen.y, seen.mo - 1, seen.d, seen.h, seen.mi) - guess;
    return guess - offset;
  }

  const pad = (n) => String(n).padStart(2, "0");
  function nowValue(zone) {
    const c = wallClock(Date.now(), zone);
    return `${c.y}-${pad(c.mo)}-${pad(c.d)}T${pad(c.h)}:${pad(c.mi)}`;
  }

  function rulesOf(form) {
    const source = form.querySelector("script.incident-rules");
    return source ? JSON.parse(source.textContent) : null;
  }

  // The server's order (services.report): the type, the time, the place, what happened.
  function checkIncident(form) {
    const rules = rulesOf(form);
    if (!rules) return null;
    const m = rules.messages;
    const refuse = (key, field) => ({ message: m[key], fields: { [field]: m[`${key}_problem`] } });
    const data = new FormData(form);
    const value = (name) => String(data.get(name) || "").trim();
    if (!rules.kinds.includes(value("kind"))) return refuse("kind", "kind");
    const typed = value("occurred_at");
    if (!typed) return refuse("time", "occurred_at");
    const at = instantOf(typed, rules.zone);
    if (at === null) return refuse("time_format", "occurred_at");
    if (at > Date.now() + rules.slack_minutes * 60e3) return refuse("future", "occurred_at");
    if (at < Date.now() - rules.past_days * 86400e3) return refuse("past", "occurred_at");
    if (!value("place") && !value("location")) return refuse("place", "place");
    if (!value("description")) return refuse("description", "description");
    return null;
  }

  function showHint(form) {
    const chosen = form.querySelector('input[name="kind"]:checked');
    for (const hint of form.querySelectorAll("[data-kind-hint]")) hint.hidden = !chosen || hint.dataset.kindHint !== chosen.value;
  }

  // A new report: now, and what the link says (a kept page was rendered earlier, for no checkpoint).
  function start(form) {
    const rules = rulesOf(form);
    const link = new URLSearchParams(location.search);
    if (link.get("outbox")) return;  // a refused entry opens filled with what was typed (offline-forms.js)
    form.elements.namedItem("occurred_at").value = nowValue(rules.zone);
    for (const name of FILLED_FROM_LINK) {
      const wanted = link.get(name);
      const field = form.elements.namedItem(name);
      if (wanted === null || !field) continue;
      if (field instanceof RadioNodeList) {
        for (const radio of field) radio.checked = radio.value === wanted;
      } else if (field.tagName !== "SELECT" || [...field.options].some((o) => o.value === wanted)) {
        field.value = wanted;
      }
    }
    showHint(form);
  }

  (window.WuyeValidators = window.WuyeValidators || []).push(checkIncident);
  for (const form of document.querySelectorAll("form[data-outbox-kind='incident_report']")) {
    start(form);
    form.addEventListener("change", (event) => { if (event.target.name === "kind") showHint(form); });
    form.addEventListener("reset", () => setTimeout(() => start(form)));  // queued: ready for the next one
  }

  window.WuyeIncidents = { checkIncident, instantOf };
})();
