// Wuye Field service worker.
//
// Which requests get which strategy, and why:
// - /static/… and /manifest.webmanifest: cache-first from the shell cache,
//   falling back to the network. These files only change with a deploy, and a
//   deploy changes VERSION, which installs a fresh shell cache.
// - page navigations: network-first; with no network, the copy of that page kept
//   for the current user (today's forms: GET /api/v1/offline-pages lists them and
//   they are refreshed after login, on app start and after each sync), else the
//   cached /offline page, so staff in a basement get their forms or a clear message.
//   Pages are kept per user ("wuye-pages-v1-u<id>"); another user's are deleted.
// - photos (/photos/<id>, /photos/<id>/thumb): from the user's kept pages' cache when there, else the
//   network. Keeping a page keeps the photos it shows (thumbnails and the full photos the viewer opens),
//   under these stable paths, not the signed media URLs they redirect to, which expire. A photo never
//   changes under its id, so a kept one is never fetched again.
// - everything else (htmx fragments, API calls, POSTs, other origins): not
//   touched. They are live data and must never be answered from a stale cache.
//
// VERSION is replaced by the Flask route with a hash of the shell files.
const VERSION = "__SHELL_VERSION__";
const SHELL_CACHE = `wuye-shell-${VERSION}`;
const PAGES_PREFIX = "wuye-pages-v1-u";
const PAGES_REFRESH_MS = 2 * 60e3;

importScripts("/static/vendor/idb/umd.js", "/static/js/outbox.js");
const OFFLINE_URL = "/offline";

const SHELL_URLS = [
  OFFLINE_URL,
  "/manifest.webmanifest",
  "/static/css/app.css",
  "/static/js/app.js",
  "/static/js/photo-viewer.js",
  "/static/js/fields.js",
  "/static/js/photos.js",
  "/static/vendor/htmx/htmx.min.js",
  "/static/vendor/idb/umd.js",
  "/static/js/outbox.js",
  "/static/js/rules.js",
  "/static/js/offline-forms.js",
  "/static/js/queued.js",
  "/static/js/attention.js",
  "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
  "/static/icons/maskable-512.png",
];

// cache: "reload" skips the HTTP cache, so a new VERSION never stores old files.
async function precacheShell() {
  const cache = await caches.open(SHELL_CACHE);
  await cache.addAll(SHELL_URLS.map((url) => new Request(url, { cache: "reload" })));
}

// Only our own caches ("wuye-…") are ours to delete.
async function deleteOldCaches() {
  const names = await caches.keys();
  const old = names.filter(
    (name) => name.startsWith("wuye-") && name !== SHELL_CACHE && !name.startsWith(PAGES_PREFIX),
  );
  await Promise.all(old.map((name) => caches.delete(name)));
}

function isShellAsset(url) {
  return url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest";
}

async function cacheFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(request);
  return cached || fetch(request);
}

// The pages kept for the user who last used the app on this device.
async function userPages() {
  const userId = await self.WuyeOutbox.getMeta("current_user");
  return userId ? caches.open(PAGES_PREFIX + userId) : null;
}

// With one bar of signal a page can hang for a minute: after this long the kept copy is shown.
const SLOW_NETWORK_MS = 5000;

function slowNetwork(kept) {
  return new Promise((resolve, reject) => setTimeout(() => (kept ? resolve(kept) : reject(new Error("slow"))), SLOW_NETWORK_MS));
}

async function networkFirstPage(request) {
  const pages = await userPages();
  const kept = pages && (await pages.match(request, { ignoreSearch: true }));
  try {
    const response = kept ? await Promise.race([fetch(request), slowNetwork(kept)]) : await fetch(request);
    if (response === kept) return kept;
    const url = new URL(request.url);
    if (response.ok && pages && (await pages.match(url.pathname))) {
      await pages.put(url.pathname, response.clone());  // keep the kept copy fresh
    }
    return response;
  } catch (err) {
    if (kept) return kept;
    const offline = await (await caches.open(SHELL_CACHE)).match(OFFLINE_URL);
    if (offline) return offline;
    throw err;
  }
}

// The photos a page shows: its tiles' thumbnails and the full photos they link to (templates/core/_photos.html).
const PHOTO_PATH = /\/photos\/\d+(?:\/thumb)?(?=["'])/g;
function photosOf(html) {
  return html.match(PHOTO_PATH) || [];
}

// Keeps the photos not kept yet. no-cors: on S3 the photo's path redirects to a presigned URL of another
// origin, whose (opaque) answer an <img> can still show.
async function keepPhotos(cache, paths) {
  for (const path of paths) {
    if (await cache.match(path)) continue;
    try {
      const photo = await fetch(path, { credentials: "same-origin", mode: "no-cors" });
      if (photo.ok || photo.type === "opaque") await cache.put(path, photo);
    } catch (err) {
      return;  // offline again: the next refresh tries
    }
  }
}

async function keptPhoto(request) {
  const pages = await userPages();
  const kept = pages && (await pages.match(new URL(request.url).pathname));
  return kept || fetch(request);
}

// Fetch and keep the pages this user needs today; drop other users' pages. Asked after every sync run and
// every poll of the page: a page that is new in the list (a ticket just dispatched to this user, a new round)
// is kept at once; the pages already kept are fetched again at most every PAGES_REFRESH_MS.
let lastRefresh = { userId: null, at: 0 };
let refreshing = null;
let refreshAgain = false;
// `all`: fetch every kept page again now (entries were just delivered: the pages they changed are stale).
function refreshPages(userId, all = false) {  // one run at a time; a request during a run makes one more after
  if (refreshing) {
    refreshAgain = refreshAgain || { all };
    if (all) refreshAgain.all = true;
    return refreshing;
  }
  refreshing = keepPages(userId, all).finally(() => {
    refreshing = null;
    const again = refreshAgain;
    refreshAgain = false;
    if (again) refreshPages(userId, again.all);
  });
  return refreshing;
}

async function keepPages(userId, all) {
  const names = await caches.keys();
  const mine = PAGES_PREFIX + userId;
  await Promise.all(names.filter((n) => n.startsWith(PAGES_PREFIX) && n !== mine).map((n) => caches.delete(n)));
  if (!userId) return;
  const response = await fetch("/api/v1/offline-pages", { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) return;
  const { user_id: serverUser, pages } = await response.json();
  if (serverUser !== userId) return;
  const cache = await caches.open(mine);
  const shell = await caches.open(SHELL_CACHE);
  const stale = all || lastRefresh.userId !== userId || Date.now() - lastRefresh.at >= PAGES_REFRESH_MS;
  if (stale) lastRefresh = { userId, at: Date.now() };
  const photos = new Set();
  // Pages for this user, and /static/ files some of them need (a QR decoder, the scoring script): the files
  // first, so a page is never kept without what it runs on (a cut just after would leave a dead form).
  const assetsFirst = [...pages.filter((url) => url.startsWith("/static/")), ...pages.filter((url) => !url.startsWith("/static/"))];
  for (const url of assetsFirst) {
    const isAsset = url.startsWith("/static/");
    if (isAsset && (await shell.match(url))) continue;
    if (isAsset || stale || !(await cache.match(url))) {
      const page = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (page.ok && !page.redirected) await (isAsset ? shell : cache).put(url, page);
    }
    const kept = !isAsset && (await cache.match(url));
    if (kept) photosOf(await kept.text()).forEach((path) => photos.add(path));
  }
  await keepPhotos(cache, photos);
  for (const request of await cache.keys()) {  // pages and photos no longer needed (a project left, say)
    const path = new URL(request.url).pathname;
    if (!pages.includes(path) && !photos.has(path)) await cache.delete(request);
  }
}

// A kept page the user has just acted on (online) is fetched again, so it opens offline as it now is.
async function refreshPage(url) {
  const pages = await userPages();
  const path = new URL(url, self.location.origin).pathname;
  if (!pages || !(await pages.match(path))) return;
  const page = await fetch(path, { credentials: "same-origin", cache: "no-store" });
  if (!page.ok || page.redirected) return;
  await pages.put(path, page.clone());
  await keepPhotos(pages, photosOf(await page.text()));
}

// Returns a response promise, or null to let the browser handle the request.
function route(request) {
  if (request.method !== "GET") return null;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return null;
  if (request.mode === "navigate") return networkFirstPage(request);
  if (url.pathname.startsWith("/photos/")) return keptPhoto(request);
  if (isShellAsset(url)) return cacheFirst(request);
  return null;
}

self.addEventListener("install", (event) => {
  event.waitUntil(precacheShell().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(deleteOldCaches().then(() => self.clients.claim()));
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "refresh-pages") {
    event.waitUntil(refreshPages(event.data.userId, Boolean(event.data.all)).catch(() => {}));
  }
  if (event.data && event.data.type === "refresh-page" && event.data.url) {  // a page just changed by its user
    event.waitUntil(refreshPage(event.data.url).catch(() => {}));
  }
});

// Background Sync: the browser wakes us when the network is back, even with the app closed. The run
// ignores the page's backoff (the browser spaces its own tries) and rejects while entries still wait, so the
// browser schedules another attempt; entries queued while it ran get the tag registered again.
async function backgroundSync() {
  const userId = await self.WuyeOutbox.getMeta("current_user");
  const started = Date.now();
  const result = await self.WuyeOutbox.syncAll(userId, { force: true });
  if (result && result.sent) await refreshPages(userId, true).catch(() => {});
  // Nothing a retry can do without the user: another user's session, or the login has expired.
  if (!result || result.noUser || result.otherUser || result.waitingLogin || result.stopped === "login") return result;
  const entries = await self.WuyeOutbox.list(userId);
  if (self.registration.sync && entries.some((e) => e.created_at >= started && e.state === "pending")) {
    await self.registration.sync.register("wuye-outbox").catch(() => {});
  }
  if (result.offline || result.remaining > 0) {
    throw new Error(result.offline ? "still offline" : `${result.remaining} entries still wait`);
  }
  return result;
}
self.backgroundSync = backgroundSync;  // the browser tests drive the worker's own code path

self.addEventListener("sync", (event) => {
  if (event.tag === "wuye-outbox") event.waitUntil(backgroundSync());
});

self.addEventListener("fetch", (event) => {
  const response = route(event.request);
  if (response) event.respondWith(response);
});
