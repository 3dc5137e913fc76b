// The supervisor's home: the needs-attention list polls (hx-trigger "every 30s") only while the page is shown,
// refreshes at once when it is shown again or the network is back, and says how old a kept copy is offline;
// the today-by-project table sorts by a tap on its header.
(function () {
  const REFRESH_MS = 30e3;
  const STALE_MS = 90e3;

  function section() {
    return document.getElementById("attention");
  }

  function age() {
    const list = section();
    return list ? Date.now() - (Number(list.dataset.renderedAt) || 0) : 0;
  }

  // A poll while hidden or offline is not sent: nobody reads it, and offline it can only fail.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const elt = event.detail.elt;
    if (elt && elt.id === "attention" && (document.hidden || !navigator.onLine)) event.preventDefault();
  });

  function refreshIfOld() {
    if (!document.hidden && navigator.onLine && age() > REFRESH_MS) {
      document.body.dispatchEvent(new CustomEvent("attention-refresh"));
    }
  }

  // Offline (a kept copy of the page) or not refreshed for a while: the age shows, and acknowledging waits
  // for the network (an acknowledgement is not queued: it would hide a line that may have got worse).
  function showAge() {
    const list = section();
    if (!list) return;
    const note = list.querySelector(".attention-age");
    const minutes = Math.floor(age() / 60e3);
    const offline = !navigator.onLine;
    const stale = offline || age() > STALE_MS;
    list.classList.toggle("attention-stale", stale);
    if (note && stale) {
      if (!note.dataset.fresh) note.dataset.fresh = note.textContent;
      const ago = note.dataset.minutes.replace("{n}", String(minutes));
      note.textContent = offline ? `${note.dataset.offline} · ${ago}` : ago;
    } else if (note && note.dataset.fresh) {
      note.textContent = note.dataset.fresh;
    }
    for (const button of list.querySelectorAll("form button")) button.disabled = offline;
  }

  document.addEventListener("visibilitychange", refreshIfOld);
  window.addEventListener("online", () => { refreshIfOld(); showAge(); });
  window.addEventListener("offline", showAge);
  document.addEventListener("htmx:afterSwap", showAge);
  setInterval(showAge, 15e3);
  showAge();

  // -- sorting the today table ----------------------------------------------------------------------------
  function sortBy(table, index, kind, descending) {
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    const value = (row) => row.cells[index].dataset.sortValue || "";
    rows.sort((a, b) => {
      const order = kind === "number" ? Number(value(a)) - Number(value(b)) : value(a).localeCompare(value(b), "zh");
      return descending ? -order : order;
    });
    for (const row of rows) body.appendChild(row);
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("table[data-sortable] button.sort");
    if (!button) return;
    const th = button.closest("th");
    const table = th.closest("table");
    const kind = button.dataset.sort;
    // Figures sort worst first on the first tap; names from A.
    const descending = th.getAttribute("aria-sort") === "none" ? kind === "number" : th.getAttribute("aria-sort") === "ascending";
    for (const other of table.tHead.rows[0].cells) other.setAttribute("aria-sort", "none");
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    sortBy(table, th.cellIndex, kind, descending);
  });
})();
