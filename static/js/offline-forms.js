// Offline forms on the page: forms marked data-outbox-kind go to the outbox, never straight to
// the network; the badge counts what waits; the outbox page lists it; syncing starts on load,
// when the network returns, on the 立即同步 button and through Background Sync.
(function () {
  "use strict";

  const Outbox = window.WuyeOutbox;
  const userId = Number(document.body.dataset.userId) || null;
  const text = window.wuyeText;

  // -- photos: downscaled on the phone before they are queued ----------------------------------

  const { downscale } = window.WuyePhotos;  // photos.js

  // Each photo keeps the name of the field it was chosen in ("photo-extinguisher~1.jpg"): a checklist
  // has a photo field per item, and the server files each photo under its item.
  function filesOf(form) {
    return [...form.querySelectorAll('input[type="file"]')].flatMap(
      (input) => [...input.files].map((file, i) => ({ field: input.name, index: i + 1, file })));
  }

  async function downscaleAll(files) {
    const photos = [];
    for (const { field, index, file } of files) {
      photos.push({ name: `${field}~${index}.jpg`, blob: await downscale(file) });
    }
    return photos;
  }

  // Correcting a refused entry: a photo chosen again replaces that field's photos, the others stay.
  function keptPhotos(before, chosen) {
    const fieldOf = (photo) => photo.name.split("~")[0];
    const fields = new Set(chosen.map(fieldOf));
    return [...before.filter((photo) => !fields.has(fieldOf(photo))), ...chosen];
  }

  function fieldsOf(form) {
    const data = {};
    for (const [name, value] of new FormData(form)) {
      if (typeof value === "string" && name !== "csrf_token" && name !== "client_id") data[name] = value;
    }
    return data;
  }

  // -- queueing a form -------------------------------------------------------------------------

  function say(form, text, kind) {
    let box = form.querySelector(".outbox-note");
    if (!box) {
      box = document.createElement("p");
      box.setAttribute("role", "status");
      form.prepend(box);
    }
    box.className = `outbox-note flash flash-${kind}`;
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.textContent = text;
  }

  // -- the phone's own check, before anything is queued ------------------------------------------

  // Checks of the server's rules that the page can make (static/js/rules.js registers the checklists';
  // a capability's script may push its own): each returns null or {message, fields: {input name → problem}}.
  const validators = window.WuyeValidators = window.WuyeValidators || [];
  const rules = window.WuyeRules;
  if (rules) validators.push(rules.checkForm, rules.checkNeedsForm, rules.checkSheets);

  function clearProblems(form) {
    form.querySelectorAll(".field-error[data-phone-check]").forEach((el) => el.remove());
    form.querySelectorAll("[data-phone-invalid]").forEach((el) => {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("data-phone-invalid");
      el.closest(".checklist-item, .field")?.classList.remove("has-error");
    });
  }

  // Each field at fault says why beside it; the first is focused and scrolled clear of the sticky header.
  function showProblems(form, refusal) {
    say(form, refusal.message, "error");
    let first = null;
    for (const [name, problem] of Object.entries(refusal.fields || {})) {
      const field = form.elements.namedItem(name);
      const input = field && (field.length !== undefined && !field.tagName ? field[0] : field);
      if (!input) continue;
      const box = input.closest(".checklist-item, .field") || input.parentElement;
      box.classList.add("has-error");
      const note = document.createElement("p");
      note.className = "field-error";
      note.setAttribute("role", "alert");
      note.dataset.phoneCheck = "";
      note.textContent = problem;
      box.append(note);
      input.setAttribute("aria-invalid", "true");
      input.dataset.phoneInvalid = "";
      first = first || input;
    }
    if (first) {
      first.focus({ preventScroll: true });
      first.scrollIntoView({ block: "center" });
    }
  }

  function phoneRefusal(form) {
    clearProblems(form);
    for (const check of validators) {
      const refusal = check(form);
      if (refusal) return refusal;
    }
    // The form's own required / min / max come last: the server's words above speak first where the page has them.
    return rules ? rules.checkConstraints(form) : null;
  }

  async function queue(form) {
    const refusal = phoneRefusal(form);
    if (refusal) {  // nothing is queued and nothing typed or chosen is lost: the form stays as it is
      showProblems(form, refusal);
      return;
    }
    // Take what was typed at once and empty the form: the next entry can be typed while this one saves.
    const editing = new URLSearchParams(location.search).get("outbox");
    const data = fieldsOf(form);
    const files = filesOf(form);
    form.reset();
    try {
      const photos = await downscaleAll(files);
      const edited = editing && (await Outbox.get(editing));
      const mine = edited && edited.kind === form.dataset.outboxKind;  // a page of several forms: this one's entry
      const replaced = mine && (await Outbox.replace(editing, { data, photos: keptPhotos(edited.photos, photos) }));
      if (mine) history.replaceState(null, "", location.pathname);
      if (!replaced) {  // a new entry, also when the one being edited went meanwhile
        await Outbox.add({
          userId, kind: form.dataset.outboxKind, projectId: Number(form.dataset.projectId), data, photos,
          label: form.dataset.outboxLabel, detail: form.dataset.outboxDetail, formUrl: location.pathname,
        });
      }
    } catch (err) {
      fill(form, data);  // nothing typed is lost (the photos must be chosen again)
      throw err;
    }
    say(form, text("saved"), "success");
    const sent = requestSync();
    if (form.dataset.afterQueue) {  // e.g. back to the round; the next page says what was done
      // With signal, the next page should already show what was just sent: wait for its delivery, never long.
      if (navigator.onLine) await Promise.race([sent, new Promise((resolve) => setTimeout(resolve, 4000))]);
      if (form.dataset.afterQueueMessage) sessionStorage.setItem("wuye-flash", form.dataset.afterQueueMessage);
      location.href = form.dataset.afterQueue;
    }
  }

  function watchForms() {
    document.addEventListener("submit", (event) => {
      const form = event.target.closest("form[data-outbox-kind]");
      if (!form || !userId) return;
      event.preventDefault();
      const button = form.querySelector('[type="submit"]');
      if (button) button.disabled = true;
      queue(form)
        .catch(() => say(form, text("storage_failed"), "error"))
        .finally(() => { if (button) button.disabled = false; });
    });
  }

  function fill(form, data) {
    // A form whose fields are made on demand (the inspection sheet's deductions) makes those the data names.
    form.dispatchEvent(new CustomEvent("outbox:filling", { detail: data }));
    for (const [name, value] of Object.entries(data)) {
      const field = form.elements.namedItem(name);
      // a number item with its 不适用 box: two controls share the name, "na" means the box
      const na = field instanceof RadioNodeList && [...field].find((el) => el.dataset.naFor);
      if (na) {
        na.checked = value === "na";
        const reading = document.getElementById(na.dataset.naFor);
        reading.disabled = na.checked;
        reading.value = na.checked ? "" : value;
      } else if (field && field.type !== "file") field.value = value;
    }
  }

  // A refused entry opens in its form again (?outbox=<id>), filled in, to be corrected.
  async function fillFromOutbox() {
    const id = new URLSearchParams(location.search).get("outbox");
    const entry = id && (await Outbox.get(id));
    // A page may hold several outbox forms (my shift): the entry opens in the form of its kind.
    const form = entry && document.querySelector(`form[data-outbox-kind="${CSS.escape(entry.kind)}"]`);
    if (!form || entry.user_id !== userId) return;
    fill(form, entry.data);
    form.keptPhotos = {};  // the phone's own check counts them (rules.js)
    for (const photo of entry.photos) {
      const field = photo.name.split("~")[0];
      form.keptPhotos[field] = (form.keptPhotos[field] || 0) + 1;
    }
    const note = entry.photos.length ? text("photos_attached", { n: entry.photos.length }) : "";
    if (entry.state === "failed") say(form, text("correct_and_resend") + (entry.last_error || "") + note, "error");
    else say(form, text("edit_waiting") + note, "info");  // still waiting (a checkpoint's visit opened again)
  }

  // -- syncing ---------------------------------------------------------------------------------

  let syncing = null;
  let forceAfter = false;
  function syncNow(force) {
    if (!userId) return Promise.resolve();
    if (!navigator.onLine) {
      if (window.wuyeReachable) window.wuyeReachable(false);
      return Promise.resolve();
    }
    if (syncing) {
      // A tap on 立即同步 during a run that respects backoff (the one on page load): one forced run after it.
      forceAfter = forceAfter || force;
      return syncing;
    }
    syncing = Outbox.syncAll(userId, { force }).then((result) => {
      if (result && window.wuyeReachable && !result.noUser) window.wuyeReachable(!result.offline);
      refreshPages(Boolean(result && result.sent));  // delivered entries changed the pages they came from
      if (result && result.stopped === "server") retryAt(result.nextAttemptAt);
      return result;
    }).finally(() => {
      syncing = null;
      if (forceAfter) {
        forceAfter = false;
        syncNow(true);
      }
    });
    return syncing;
  }

  // A server that sent the head entry back (busy, taking turns) is tried again when it said, not only at the
  // next 30 s round: a guard's queued photos arrive seconds after the crowd, not half a minute later.
  let retryTimer = null;
  function retryAt(when) {
    const delay = when ? when - Date.now() : 0;
    if (delay <= 0 || delay >= 30e3) return;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => syncNow(false), delay + 50);
  }

  async function requestSync() {
    const registration = "serviceWorker" in navigator && (await navigator.serviceWorker.getRegistration());
    if (registration && registration.sync) {
      try { await registration.sync.register("wuye-outbox"); } catch (err) { /* not granted: sync here */ }
    }
    return syncNow(true);
  }

  // -- the badge and the outbox page -----------------------------------------------------------

  // Refused entries are red and counted apart: they wait for the user, not for the network.
  async function showBadge() {
    const badge = document.getElementById("sync-badge");
    if (!badge || !userId) return;
    const { failed, waiting } = await Outbox.counts(userId);
    const parts = [];
    if (failed) parts.push(text("badge_failed", { n: failed }));
    if (waiting) parts.push(text("badge_pending", { n: waiting }));
    badge.hidden = false;
    badge.textContent = parts.length ? parts.join(" · ") : text("badge_synced");
    badge.classList.toggle("sync-failed", failed > 0);
    badge.classList.toggle("sync-pending", !failed && waiting > 0);
    const alert = document.getElementById("outbox-refused");
    if (alert) {
      alert.hidden = !failed;
      alert.textContent = failed ? text("refused_alert", { n: failed }) : "";
    }
  }

  function when(ms) {
    return new Date(ms).toLocaleString(document.documentElement.lang, { hour12: false });
  }

  function row(entry) {
    const li = document.createElement("li");
    li.className = `outbox-entry state-${entry.state}`;
    li.dataset.id = entry.id;
    const title = document.createElement("strong");
    title.textContent = entry.detail ? `${entry.label} · ${entry.detail}` : entry.label;
    const meta = document.createElement("span");
    meta.className = "muted";
    const photos = entry.photos.length || entry.photo_count || 0;
    meta.textContent = `${when(entry.created_at)} · ${text("photo_count", { n: photos })}`;
    const state = document.createElement("span");
    state.className = "badge outbox-state";
    state.textContent = text(`state_${entry.state}`);
    li.append(title, meta, state);
    const problem = entry.last_error || (entry.error_code && text(`error_${entry.error_code}`, { status: entry.error_status }));
    if (problem && entry.state !== "synced") {
      const error = document.createElement("p");
      error.className = entry.state === "failed" ? "form-error" : "hint";
      error.textContent = problem;
      li.append(error);
    }
    if (entry.state === "failed") {
      const actions = document.createElement("div");
      actions.className = "row-actions";
      if (entry.form_url) {
        const edit = document.createElement("a");
        edit.className = "btn btn-small";
        edit.href = `${entry.form_url}?outbox=${entry.id}`;
        edit.textContent = text("edit");
        actions.append(edit);
      }
      const drop = document.createElement("button");
      drop.type = "button";
      drop.className = "btn btn-small btn-danger";
      drop.textContent = text("drop");
      drop.dataset.confirm = text("drop_confirm");
      drop.addEventListener("click", () => Outbox.remove(entry.id));
      actions.append(drop);
      li.append(actions);
    }
    if (entry.state === "synced" && entry.result && entry.result.url) {
      const link = document.createElement("a");
      link.href = entry.result.url;
      link.textContent = entry.result.number || text("view");
      li.append(link);
    }
    return li;
  }

  async function showOutbox() {
    const listEl = document.getElementById("outbox-list");
    if (!listEl || !userId) return;
    // Refused first (they need the user), then what waits, oldest first, then what has arrived, newest first.
    const rank = (e) => (e.state === "failed" ? 0 : e.state === "synced" ? 2 : 1);
    const entries = (await Outbox.list(userId)).sort((a, b) => rank(a) - rank(b)
      || (rank(a) === 2 ? b.synced_at - a.synced_at : a.created_at - b.created_at));
    const waiting = entries.filter((e) => e.state !== "synced");
    listEl.replaceChildren(...entries.map(row));
    document.getElementById("outbox-empty").hidden = waiting.length > 0;
  }

  function refreshViews() {
    showBadge();
    showOutbox();
  }

  // -- the service worker keeps today's pages for this user ------------------------------------

  async function refreshPages(all = false) {
    if (!("serviceWorker" in navigator) || !navigator.onLine) return;
    const registration = await navigator.serviceWorker.ready;
    if (registration.active) registration.active.postMessage({ type: "refresh-pages", userId, all });
  }

  // The page's own scripts (deferred after this one: inspection.js) listen for the fill; on a slow load the
  // outbox could answer before they ran, and a corrected visit opened with the sheets it had switched off on.
  // DOMContentLoaded comes once every deferred script has run (this one is deferred: it is not past yet).
  const parsedAndScripted = document.readyState === "complete" ? Promise.resolve()
    : new Promise((done) => document.addEventListener("DOMContentLoaded", done, { once: true }));

  async function start() {
    if (!userId) return;  // a page of nobody's (the offline page): leave the outbox and kept pages alone
    watchForms();
    window.addEventListener("outbox:changed", refreshViews);
    if (Outbox.channel) Outbox.channel.addEventListener("message", refreshViews);
    window.addEventListener("online", () => syncNow(true));
    // A poll that reached the server (the bell) is a moment to pick up work assigned meanwhile.
    document.addEventListener("htmx:afterRequest", (event) => {
      if (event.detail.successful && event.detail.elt && event.detail.elt.closest("[data-quiet-errors]")) refreshPages();
    });
    document.addEventListener("click", (event) => {
      if (event.target.closest("[data-sync-now]")) syncNow(true);
    });
    setInterval(() => syncNow(false), 30e3);  // retries with backoff while the app is open
    await Outbox.setMeta("current_user", userId);
    await parsedAndScripted;
    await fillFromOutbox();
    refreshViews();
    refreshPages();
    syncNow(false);
  }

  start();
})();
