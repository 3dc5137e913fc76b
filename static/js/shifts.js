// The my-shift page: +/- steppers for the water bar, and the visitor counter that counts taps still
// waiting in the outbox. Each tap is its own outbox record (offline-forms.js queues it); the server adds
// them up exactly once, and answers each with the shift's new total.
(function () {
  "use strict";

  const page = document.getElementById("my-shift");
  if (!page) return;

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-step]");
    if (!button) return;
    const input = document.getElementById(button.dataset.target);
    input.value = Math.max(0, (Number(input.value) || 0) + Number(button.dataset.step));
  });

  // Shown = the larger of the page's count and the newest total the server answered for this shift,
  // plus the taps not delivered yet. Totals only grow, so the larger one is the latest.
  async function showCount() {
    const output = document.getElementById("visitor-count");
    const userId = Number(document.body.dataset.userId);
    if (!output || !window.WuyeOutbox || !userId) return;
    const projectId = Number(page.dataset.projectId);
    const renderedAt = Number(page.dataset.renderedAt) || 0;
    const entries = await window.WuyeOutbox.list(userId);
    let attendanceId = Number(page.dataset.attendanceId) || null;
    // Clocked in on this page after it was rendered: the shift is the one the server answered for that
    // clock-in, else the taps that reached it would drop off the counter until the page is reloaded.
    for (const entry of entries) {
      if (entry.kind === "shift_clock_in" && entry.project_id === projectId && entry.state === "synced" &&
          entry.created_at >= renderedAt && entry.result) attendanceId = entry.result.attendance_id;
    }
    let total = Number(output.dataset.count) || 0;
    let waiting = 0;
    for (const entry of entries) {
      if (entry.kind !== "shift_visitors" || entry.project_id !== projectId) continue;
      if (entry.state === "synced") {
        if (entry.result && entry.result.attendance_id === attendanceId) total = Math.max(total, entry.result.visitors);
      } else if (entry.state !== "failed") {
        waiting += Number(entry.data.count) || 1;
      }
    }
    output.textContent = String(total + waiting);
  }

  // A clock-in or -out made after this page was rendered (offline, on a kept copy) shows as done at once,
  // instead of offering the same form again until the page is fetched anew.
  async function showClocking() {
    const userId = Number(document.body.dataset.userId);
    if (!window.WuyeOutbox || !userId) return;
    const projectId = Number(page.dataset.projectId);
    const renderedAt = Number(page.dataset.renderedAt) || 0;
    let clockedIn = false;
    for (const entry of await window.WuyeOutbox.list(userId)) {
      const done = document.querySelector(`[data-clocked="${entry.kind}"]`);
      if (!done || entry.project_id !== projectId || entry.state === "failed" || entry.created_at < renderedAt) continue;
      done.hidden = false;
      document.querySelector(`form[data-outbox-kind="${entry.kind}"]`).hidden = true;
      // "未上岗" goes with the form: the page must not say 未上岗 and 已上岗打卡 at once
      for (const stale of document.querySelectorAll(`[data-until-clocked="${entry.kind}"]`)) stale.hidden = true;
      clockedIn = clockedIn || entry.kind === "shift_clock_in";
    }
    // Rendered off shift: the counter, events and matters wait for a clock-in (queued is enough).
    for (const button of document.querySelectorAll("[data-needs-shift]")) button.disabled = !clockedIn;
    for (const hint of document.querySelectorAll("[data-needs-shift-hint]")) hint.hidden = clockedIn;
  }

  function refresh() {
    showCount();
    showClocking();
  }

  window.addEventListener("outbox:changed", refresh);
  if (window.WuyeOutbox && window.WuyeOutbox.channel) window.WuyeOutbox.channel.addEventListener("message", refresh);
  refresh();
})();
