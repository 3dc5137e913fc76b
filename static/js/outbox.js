// The outbox: records made on this device, kept in IndexedDB until the server has them.
//
// Loaded by the pages (<script>) and by the service worker (importScripts), after idb.
// Semantics after Workbox's queue: FIFO replay; an entry the server refuses for good is
// kept with the reason (never dropped); a network or server failure stops the run and
// retries later with backoff (or when a busy server's Retry-After says); synced entries are kept a day,
// without their photos.
// Each entry belongs to the user who made it: only that user's session sends or lists it.
// The protocol is described in docs/sync.md.
(function (global) {
  "use strict";

  const DB_NAME = "wuye";
  const STORE = "outbox";
  const KEEP_SYNCED_MS = 24 * 3600 * 1000;
  const KEEP_SYNCED_MAX = 50;
  const BACKOFF_MS = [5e3, 15e3, 60e3, 5 * 60e3, 15 * 60e3];
  const PERMANENT = new Set([400, 403, 404, 409, 413, 422]);
  const RETRY_AFTER_MAX_S = 600;

  let dbPromise = null;
  function db() {
    dbPromise = dbPromise || global.idb.openDB(DB_NAME, 1, {
      upgrade(database) {
        const store = database.createObjectStore(STORE, { keyPath: "id" });
        store.createIndex("by_user", ["user_id", "created_at"]);
        database.createObjectStore("meta");
      },
    });
    return dbPromise;
  }

  // Tell every open page and the service worker that the outbox changed.
  const channel = typeof BroadcastChannel !== "undefined" ? new BroadcastChannel("wuye-outbox") : null;
  function changed() {
    if (channel) channel.postMessage({ type: "changed" });
    if (global.dispatchEvent && typeof CustomEvent !== "undefined") {
      global.dispatchEvent(new CustomEvent("outbox:changed"));
    }
  }

  async function getMeta(key) {
    return (await db()).get("meta", key);
  }

  async function setMeta(key, value) {
    return (await db()).put("meta", value, key);
  }

  async function list(userId) {
    const range = IDBKeyRange.bound([userId, 0], [userId, Infinity]);
    return (await db()).getAllFromIndex(STORE, "by_user", range);
  }

  async function get(id) {
    return (await db()).get(STORE, id);
  }

  async function put(entry) {
    await (await db()).put(STORE, entry);
    changed();
    return entry;
  }

  async function remove(id) {
    await (await db()).delete(STORE, id);
    changed();
  }

  // A new entry: its UUID is made here, once, and is the key of exactly-once delivery.
  // `detail` says which one it is ("夜间安全巡逻 20:00 · 西门岗"), for the outbox page.
  function add({ userId, kind, projectId, data, photos, label, detail, formUrl }) {
    const now = Date.now();
    return put({
      id: crypto.randomUUID(), user_id: userId, kind, project_id: projectId, data, photos: photos || [],
      label: label || kind, detail: detail || "", form_url: formUrl || null, client_time: new Date(now).toISOString(),
      created_at: now, state: "pending", attempts: 0, next_attempt_at: 0, last_error: null, result: null,
    });
  }

  // Editing a refused or still waiting entry keeps its UUID: the server never stored it. Null when the entry
  // is gone or on its way (sending, synced): the server has (or is getting) it, so the edit is not this entry.
  async function replace(id, { data, photos }) {
    const entry = await get(id);
    if (!entry || entry.state === "sending" || entry.state === "synced") return null;
    Object.assign(entry, { data, state: "pending", attempts: 0, next_attempt_at: 0, last_error: null, error_code: null });
    if (photos) entry.photos = photos;
    return put(entry);
  }

  // A password typed into a form (a second signer's) stays on the phone only until the server has answered.
  function forgetSecrets(data) {
    for (const name of Object.keys(data || {})) if (/password$/.test(name)) delete data[name];
  }

  function isWaiting(entry) {
    return entry.state !== "synced" && entry.state !== "failed";
  }

  async function pendingCount(userId) {
    return (await list(userId)).filter((e) => e.state !== "synced").length;
  }

  // What the badge and the home screen show: refused entries apart from those still on their way.
  async function counts(userId) {
    const entries = await list(userId);
    const failed = entries.filter((e) => e.state === "failed").length;
    return { failed, waiting: entries.filter(isWaiting).length };
  }

  function backoff(attempts) {
    return BACKOFF_MS[Math.min(attempts, BACKOFF_MS.length) - 1];
  }

  async function session() {
    const response = await fetch("/api/v1/session", { credentials: "same-origin", cache: "no-store" });
    if (response.status === 401) return { expired: true };
    if (!response.ok) throw new Error(`session ${response.status}`);
    return response.json();
  }

  function send(entry, token) {
    const body = new FormData();
    body.append("record", JSON.stringify({
      kind: entry.kind, project_id: entry.project_id, client_time: entry.client_time, data: entry.data,
    }));
    entry.photos.forEach((photo, i) => body.append("photos", photo.blob, photo.name || `photo-${i + 1}.jpg`));
    return fetch(`/api/v1/records/${entry.id}`, {
      method: "POST", body, credentials: "same-origin", headers: { "X-CSRFToken": token, Accept: "application/json" },
    });
  }

  async function errorOf(response) {
    try {
      const body = await response.json();
      return (body.error && body.error.message) || `HTTP ${response.status}`;
    } catch (err) {
      return `HTTP ${response.status}`;
    }
  }

  // error_code names a passing trouble the page explains in the user's language; last_error is the
  // server's own (already translated) reason for a refusal.
  // A busy server (503, 429) says when to come back, in seconds: sooner than the backoff when it is only
  // taking turns with other phones' photos (app/sync/gate.py), later when it asks for more.
  function retryAfterMs(response) {
    const seconds = response && [429, 503].includes(response.status) && Number(response.headers.get("Retry-After"));
    return seconds > 0 ? Math.min(seconds, RETRY_AFTER_MAX_S) * 1000 : null;
  }

  async function retryLater(entry, code, status, afterMs) {
    entry.attempts += 1;
    Object.assign(entry, {
      state: "pending", error_code: code, error_status: status || null, last_error: null,
      next_attempt_at: Date.now() + (afterMs || backoff(entry.attempts)),
    });
    await put(entry);
  }

  // Deliver one entry; returns "next" to go on, "stop" to end this run.
  async function deliver(entry, auth) {
    entry.state = "sending";
    await put(entry);
    let response;
    try {
      response = await send(entry, auth.token);
      if (response.status === 400) {
        const body = await response.clone().json().catch(() => ({}));
        if (body.error && body.error.reason === "csrf") {  // the token aged: renew once and resend
          auth.token = (await session()).csrf_token;
          response = await send(entry, auth.token);
        }
      }
    } catch (err) {
      await retryLater(entry, "network");
      return "stop";
    }
    if (response.ok) {
      Object.assign(entry, {
        state: "synced", result: await response.json(), synced_at: Date.now(), last_error: null, error_code: null,
      });
      entry.photo_count = entry.photos.length;
      entry.photos = [];  // the server has them; free the phone's storage
      forgetSecrets(entry.data);
      await put(entry);
      return "next";
    }
    if (response.status === 401) {
      Object.assign(entry, { state: "waiting-login", error_code: "login", last_error: null });
      await put(entry);
      return "stop";
    }
    if (PERMANENT.has(response.status)) {
      Object.assign(entry, { state: "failed", error_code: null, last_error: await errorOf(response) });
      forgetSecrets(entry.data);  // a refused entry waits on a shared phone: the password is typed again
      await put(entry);
      return "next";
    }
    await retryLater(entry, "server", response.status, retryAfterMs(response));
    return "stop";
  }

  async function prune(entries) {
    const synced = entries.filter((e) => e.state === "synced").sort((a, b) => b.synced_at - a.synced_at);
    const old = synced.filter((e, i) => i >= KEEP_SYNCED_MAX || Date.now() - e.synced_at > KEEP_SYNCED_MS);
    for (const entry of old) await remove(entry.id);
  }

  // Send this user's waiting entries, oldest first. `force` ignores backoff (the 立即同步 button).
  // The result says whether the server was reached (`offline`) and how many entries still wait
  // (`remaining`): the service worker's Background Sync asks the browser for another try while any do.
  async function run(userId, force) {
    let auth;
    try {
      const who = await session();
      if (who.expired) {
        for (const entry of (await list(userId)).filter(isWaiting)) {
          Object.assign(entry, { state: "waiting-login", error_code: "login", last_error: null });
          await put(entry);
        }
        return { waitingLogin: true };
      }
      if (who.user.id !== userId) return { otherUser: true };  // never send someone else's entries
      auth = { token: who.csrf_token };
    } catch (err) {
      return { offline: true };
    }
    const entries = await list(userId);
    let sent = 0;
    let stopped = null;
    for (const listed of entries.filter(isWaiting)) {
      const entry = await get(listed.id);  // as it is now: corrected or given up on since the run began
      if (!entry || !isWaiting(entry)) continue;
      if (!force && entry.next_attempt_at > Date.now()) break;  // the head waits: keep the order
      if ((await deliver(entry, auth)) === "stop") {
        stopped = entry.error_code;  // "network", "server" or "login"
        break;
      }
      if (entry.state === "synced") sent += 1;
    }
    const after = await list(userId);
    await prune(after);
    const head = after.find(isWaiting);
    return { sent, remaining: after.filter(isWaiting).length, offline: stopped === "network", stopped,
      nextAttemptAt: head ? head.next_attempt_at : null };
  }

  function syncAll(userId, { force = false } = {}) {
    if (!userId) return Promise.resolve({ noUser: true });
    if (global.navigator && global.navigator.locks) {  // one sender at a time, across pages and the worker
      return global.navigator.locks.request("wuye-outbox-sync", () => run(userId, force));
    }
    return run(userId, force);
  }

  global.WuyeOutbox = { add, replace, get, list, remove, pendingCount, counts, syncAll, getMeta, setMeta, channel };
})(self);
