// A patrol round on the phone. The walk page scans a label (or takes a typed code), recognises the
// checkpoint offline by its digest, and opens that checkpoint's checklist; the stop page fills in the
// scanned code, how it was entered and, when the guard allows, the GPS position. Submitting goes
// through the outbox (offline-forms.js), like every form.
(function () {
  "use strict";

  const text = window.wuyeText;

  // The page carries sha256("wuye-checkpoint:" + code) per stop, never the codes themselves.
  async function digest(code) {
    const bytes = new TextEncoder().encode(`wuye-checkpoint:${code.trim().toUpperCase()}`);
    const hash = await crypto.subtle.digest("SHA-256", bytes);
    return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  // -- the walk page ---------------------------------------------------------------------------

  // A wrong or foreign code is an alert the guard cannot miss; "aim at the code" is a quiet status.
  function say(message, problem = true) {
    const box = document.getElementById("scan-message");
    box.hidden = false;
    box.className = problem ? "flash flash-error" : "hint";
    box.setAttribute("role", problem ? "alert" : "status");
    box.textContent = message;
  }

  async function openStop(walk, code, method) {
    const wanted = await digest(code);
    const stop = [...document.querySelectorAll(".stop")].find((li) => li.dataset.digest === wanted);
    if (!stop) {
      say(text("patrol_not_this_round"));
      return;
    }
    const url = new URL(walk.dataset.stopUrl.replace(/\/0$/, `/${stop.dataset.position}`), location.href);
    url.searchParams.set("code", code.trim().toUpperCase());
    url.searchParams.set("method", method);
    location.href = url.pathname + url.search;
  }

  function startScan(walk) {
    const video = document.getElementById("scan-video");
    if (!window.WuyeScan) {
      say(text("patrol_no_scanner"));
      return;
    }
    video.hidden = false;
    say(text("patrol_aim"), false);
    window.WuyeScan.start(video, (code) => {
      video.hidden = true;
      openStop(walk, code, "qr");
    }, (kind) => {
      video.hidden = true;
      say(text(kind === "denied" ? "patrol_camera_denied" : "patrol_no_camera"));
      walk.querySelector("details.manual-entry").open = true;
    }, { onForeign: () => say(text("patrol_foreign_code")) });
  }

  // Each outbox change reads the outbox again; a read that ends after a later one has begun is stale (a sync
  // fires several changes at once: the entry sending, then refused), so only the latest read is shown.
  const reads = { markQueued: 0, showDone: 0 };
  async function latestList(name, userId) {
    const mine = ++reads[name];
    const entries = await window.WuyeOutbox.list(userId);
    return mine === reads[name] ? entries : null;
  }

  // Checkpoints recorded on this phone but not yet synced show as such; one the server refused is still to
  // visit and says so in red, never as waiting.
  async function markQueued(walk) {
    const userId = Number(document.body.dataset.userId);
    if (!window.WuyeOutbox || !userId) return;
    const entries = await latestList("markQueued", userId);
    if (!entries) return;
    for (const entry of entries) {  // oldest first: the newest entry of a checkpoint says last
      if (entry.kind !== "patrol_visit" || String(entry.data.round_id) !== walk.dataset.roundId) continue;
      const li = document.querySelector(`.stop[data-position="${entry.data.position}"]`);
      if (!li || li.classList.contains("visited")) continue;
      const refused = entry.state === "failed";
      li.classList.toggle("queued", !refused);
      li.classList.toggle("refused", refused);
      const badge = li.querySelector(".stop-state");
      badge.textContent = refused ? badge.dataset.refused : entry.state === "synced" ? badge.dataset.visited : badge.dataset.queued;
    }
    askBeforeFinishing();
  }

  // Finishing warns about 漏巡 only while some checkpoint is really still to visit.
  function askBeforeFinishing() {
    const form = document.getElementById("finish-round");
    if (!form) return;
    const left = document.querySelectorAll(".stop:not(.visited):not(.queued)").length;
    if (left) form.dataset.confirm = form.dataset.confirmMissing.replace("{n}", left);
    else delete form.dataset.confirm;
  }

  function setUpWalk(walk) {
    walk.querySelector("[data-scan]").addEventListener("click", () => startScan(walk));
    document.getElementById("manual-code").addEventListener("submit", (event) => {
      event.preventDefault();
      const code = new FormData(event.target).get("code") || "";
      if (window.WuyeScan && !window.WuyeScan.parseCode(code)) {
        say(text("patrol_bad_code"));
        return;
      }
      openStop(walk, code, "manual");
    });
    markQueued(walk);
    window.addEventListener("outbox:changed", () => markQueued(walk));
  }

  // -- the stop page ---------------------------------------------------------------------------

  // On the company's wall clock, as the server writes its own times (the phone may be set to another zone).
  function clockOf(iso, timeZone) {
    return new Date(iso).toLocaleTimeString(document.documentElement.lang,
      { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: timeZone || undefined });
  }

  // Opened again after this phone recorded the checkpoint (the server's own record is on the page already):
  // it says so. One still waiting, or refused, is corrected in place (the same entry, ?outbox=<id>); one
  // delivered, or on its way, only by a second visit, which the server records as such.
  async function showDone(form) {
    const userId = Number(document.body.dataset.userId);
    const box = document.getElementById("stop-done");
    const card = document.getElementById("stop-form-card");
    if (new URLSearchParams(location.search).has("outbox")) {  // correcting an entry: the form is what is wanted
      card.hidden = false;
      for (const el of box.querySelectorAll("[data-second-visit]")) el.hidden = true;
      return;
    }
    if (!window.WuyeOutbox || !userId || (!box.hidden && !card.hidden)) return;  // a correction being typed
    const entries = await latestList("showDone", userId);
    if (!entries) return;
    const latest = entries.filter((e) => e.kind === "patrol_visit"
      && String(e.data.round_id) === form.elements.round_id.value
      && String(e.data.position) === form.elements.position.value).pop();  // listed oldest first
    if (!latest) return;
    const state = latest.state === "failed" ? "refused" : latest.state === "synced" ? "synced" : "queued";
    const editable = ["pending", "waiting-login", "failed"].includes(latest.state);
    if (state !== "synced" || box.hidden) {  // delivered and on the page already: the server's words stay
      const line = document.getElementById("stop-done-text");
      line.textContent = box.dataset[state].replace("{time}", clockOf(latest.client_time, box.dataset.zone))
        .replace("{reason}", latest.last_error || "");
      // red refused, amber waiting (as on the badge), green done
      line.className = `flash flash-${{ refused: "error", queued: "warning", synced: "success" }[state]}`;
      line.setAttribute("role", state === "refused" ? "alert" : "status");
    }
    card.hidden = true;
    box.hidden = false;
    const edit = document.getElementById("stop-edit-queued");
    edit.hidden = !editable;
    edit.textContent = edit.dataset[state === "refused" ? "refused" : "queued"];
    edit.href = `${location.pathname}?outbox=${encodeURIComponent(latest.id)}`;
    for (const el of box.querySelectorAll("[data-second-visit]")) el.hidden = editable;
  }

  function offerCorrection() {
    document.getElementById("stop-correct").hidden = true;
    const card = document.getElementById("stop-form-card");
    card.hidden = false;
    const first = card.querySelector("input:not([type=hidden]), textarea, select");
    if (first) first.focus({ preventScroll: true });
    card.scrollIntoView({ block: "start" });
  }

  function setUpStop(form) {
    showDone(form);
    window.addEventListener("outbox:changed", () => showDone(form));
    window.addEventListener("pageshow", (event) => { if (event.persisted) showDone(form); });  // back from the round
    document.getElementById("stop-correct").addEventListener("click", offerCorrection);
    const params = new URLSearchParams(location.search);
    const code = params.get("code");
    if (!code && !params.get("outbox")) {  // opened without scanning: nothing proves presence
      document.getElementById("stop-code-missing").hidden = false;
      form.querySelector('[type="submit"]').disabled = true;
      return;
    }
    if (code) {
      form.elements.code.value = code;
      form.elements.method.value = params.get("method") === "manual" ? "manual" : "qr";
    }
    if (navigator.geolocation) {  // where the guard allows it; the visit counts without it
      navigator.geolocation.getCurrentPosition((position) => {
        form.elements.latitude.value = position.coords.latitude;
        form.elements.longitude.value = position.coords.longitude;
        form.elements.accuracy.value = Math.round(position.coords.accuracy);
      }, () => {}, { enableHighAccuracy: true, timeout: 10e3, maximumAge: 60e3 });
    }
  }

  const walk = document.getElementById("walk");
  if (walk) setUpWalk(walk);
  const stopForm = document.querySelector("form[data-stop-form]");
  if (stopForm) setUpStop(stopForm);
})();
