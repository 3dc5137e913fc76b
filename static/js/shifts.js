// The my-shift page: +/- steppers for the water bar, the visitor counter that counts taps still waiting in
// the outbox, and the water bar's stock after the use still waiting there. Each tap is its own outbox record
// (offline-forms.js queues it); the server adds them up exactly once, and answers each with the shift's new total.
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

  // The water bar's book stock as this phone knows it: the newest the server said (the page, or a record's
  // answer given after the page was made: both by the server's clock), then what still waits here, in the
  // order it was queued (a count sets the figure, use takes from it, restocking adds). Refused entries count
  // for nothing: they wait for the attendant, not for the network.
  async function showStock() {
    const lines = document.querySelectorAll(".water-line[data-item-id]");
    const userId = Number(document.body.dataset.userId);
    if (!lines.length || !window.WuyeOutbox || !userId) return;
    const projectId = Number(page.dataset.projectId);
    const entries = (await window.WuyeOutbox.list(userId)).filter((e) => e.project_id === projectId
      && (e.kind === "water_usage" || e.kind === "water_count") && e.state !== "failed");
    const answered = entries.filter((e) => e.state === "synced" && e.result && e.result.stock)
      .sort((a, b) => a.result.at - b.result.at);
    const waiting = entries.filter((e) => e.state !== "synced");  // listed oldest first
    for (const line of lines) {
      const id = line.dataset.itemId;
      let stock = Number(line.dataset.stock);
      let at = Number(page.dataset.renderedAt) || 0;
      for (const entry of answered) {
        if (entry.result.at > at && id in entry.result.stock) [stock, at] = [entry.result.stock[id], entry.result.at];
      }
      let queued = false;
      for (const { kind, data } of waiting) {
        const amount = (name) => Math.max(0, parseInt(data[`${name}-${id}`], 10) || 0);
        if (kind === "water_count" && String(data[`count-${id}`] ?? "").trim() !== "") {
          stock = amount("count");
          queued = true;
        } else if (kind === "water_usage" && (amount("used") || amount("restocked"))) {
          stock += amount("restocked") - amount("used");
          queued = true;
        }
      }
      const figure = line.querySelector(".water-stock");
      figure.textContent = figure.dataset.book.replace("{n}", stock);
      line.querySelector(".water-queued").hidden = !queued;
      line.querySelector(".water-low").hidden = stock >= Number(line.dataset.min);
    }
  }

  function refresh() {
    showCount();
    showClocking();
    showStock();
  }

  window.addEventListener("outbox:changed", refresh);
  if (window.WuyeOutbox && window.WuyeOutbox.channel) window.WuyeOutbox.channel.addEventListener("message", refresh);
  refresh();
})();
