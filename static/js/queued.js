// A kept page shows what the user's own queued entries imply until the server answers: a ticket with a
// queued 开始处理 reads "开始处理 · 待同步", offers the 完工 form (on the page, hidden, for this) and no
// second start; a room's queued handover is marked on the rooms page. The server's page replaces all
// this once the entries have arrived.
(function () {
  "use strict";

  const Outbox = window.WuyeOutbox;
  const userId = Number(document.body.dataset.userId) || null;

  async function showQueuedTicket() {
    const head = document.querySelector("[data-ticket-id][data-queued-start]");
    if (!head || !userId) return;
    const waiting = (await Outbox.list(userId)).filter((e) => e.state !== "synced" && e.kind === "ticket_action"
      && String(e.data.ticket_id) === head.dataset.ticketId);
    if (!waiting.some((e) => e.data.action === "start")) return;
    head.querySelector(".ticket-status").textContent = head.dataset.queuedStart;
    document.querySelectorAll("[data-ticket-start]").forEach((el) => { el.hidden = true; });
    document.querySelectorAll("[data-after-start]").forEach((el) => { el.hidden = false; });
  }

  // Any page: an element marked data-queued-kind (and data-queued-match, JSON of entry fields) appears while
  // such an entry waits, e.g. a room's handover "已记录,待同步" on the rooms page.
  async function showQueuedMarks() {
    const marks = document.querySelectorAll("[data-queued-kind]");
    if (!marks.length || !userId) return;
    const waiting = (await Outbox.list(userId)).filter((e) => e.state !== "synced");
    for (const mark of marks) {
      const match = JSON.parse(mark.dataset.queuedMatch || "{}");
      mark.hidden = !waiting.some((e) => e.kind === mark.dataset.queuedKind
        && Object.entries(match).every(([name, value]) => String(e.data[name]) === value));
    }
  }

  function show() {
    showQueuedTicket();
    showQueuedMarks();
  }

  show();
  window.addEventListener("outbox:changed", show);
  if (Outbox.channel) Outbox.channel.addEventListener("message", show);  // synced in another tab or the worker
})();
