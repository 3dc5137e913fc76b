// Wuye Field service worker.
//
// Which requests get which strategy, and why:
// - /static/… and /manifest.webmanifest: cache-first from the shell cache,
//   falling back to the network. These files only change with a deploy, and a
//   deploy changes VERSION, which installs a fresh shell cache.
// - page navigations: network-first; with no network, the cached /offline page,
//   so staff in a basement get a clear message instead of the browser's error.
// - everything else (htmx fragments, API calls, POSTs, other origins): not
//   touched. They are live data and must never be answered from a stale cache.
//
// VERSION is replaced by the Flask route with a hash of the shell files.
const VERSION = "__SHELL_VERSION__";
const SHELL_CACHE = `wuye-shell-${VERSION}`;
const CURRENT_CACHES = [SHELL_CACHE];
const OFFLINE_URL = "/offline";

const SHELL_URLS = [
  OFFLINE_URL,
  "/manifest.webmanifest",
  "/static/css/app.css",
  "/static/js/app.js",
  "/static/vendor/htmx/htmx.min.js",
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
  const old = names.filter((name) => name.startsWith("wuye-") && !CURRENT_CACHES.includes(name));
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

async function networkFirstPage(request) {
  try {
    return await fetch(request);
  } catch (err) {
    const cache = await caches.open(SHELL_CACHE);
    const offline = await cache.match(OFFLINE_URL);
    if (offline) return offline;
    throw err;
  }
}

// Returns a response promise, or null to let the browser handle the request.
function route(request) {
  if (request.method !== "GET") return null;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return null;
  if (request.mode === "navigate") return networkFirstPage(request);
  if (isShellAsset(url)) return cacheFirst(request);
  return null;
}

self.addEventListener("install", (event) => {
  event.waitUntil(precacheShell().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(deleteOldCaches().then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const response = route(event.request);
  if (response) event.respondWith(response);
});
