// Wuye Field: the little page glue. Plain ES2020, no build step.
// Loaded with `defer` after htmx.min.js, so `htmx` exists and the DOM is parsed.
"use strict";

// The texts scripts show, in the user's language (templates/_js_messages.html).
let messages = null;
function text(key, vars = {}) {
  if (!messages) {
    const source = document.getElementById("js-messages");
    messages = source ? JSON.parse(source.textContent) : {};
  }
  return (messages[key] || key).replace(/\{(\w+)\}/g, (_, name) => vars[name] ?? "");
}
window.wuyeText = text;

// Offline use on site is the point of the app, so the shell must be cached.
function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((err) => {
    // Not fatal: the app still works online without it.
    console.warn("service worker registration failed", err);
  });
}

// Staff must see at a glance whether what they do now reaches the server. The browser's navigator.onLine
// stays true on a dead Wi-Fi or one bar of signal, so the last request's fate counts too: a request that
// failed on the network says 离线 until one gets through.
let lastRequestFailed = false;
function showNetworkStatus() {
  const offline = !navigator.onLine || lastRequestFailed;
  document.body.classList.toggle("offline", offline);
  const pill = document.getElementById("net-status");
  if (pill) {
    pill.textContent = offline ? pill.dataset.offline : pill.dataset.online;
  }
}

function setReachable(reachable) {
  if (lastRequestFailed === !reachable) return;
  lastRequestFailed = !reachable;
  showNetworkStatus();
}
window.wuyeReachable = setReachable;  // the outbox reports each sync run's fate here

function watchNetworkStatus() {
  window.addEventListener("online", showNetworkStatus);
  window.addEventListener("offline", showNetworkStatus);
  document.addEventListener("htmx:sendError", () => setReachable(false));
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.xhr && event.detail.xhr.status > 0) setReachable(true);
  });
  showNetworkStatus();
}

// htmx 2 by default does not swap 4xx. Our forms answer 400/422 with the form
// re-rendered around its error message, so those must be swapped and not
// treated as errors. First match wins; codes are regexps tested on the status.
function configureHtmx() {
  if (typeof htmx === "undefined") return;
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "400|422", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
  ];
  // The Content-Security-Policy allows no inline scripts or styles: keep htmx to that too.
  htmx.config.allowEval = false;
  htmx.config.includeIndicatorStyles = false;
}

// After a successful htmx post, a form marked data-reset-on-success is emptied
// for the next entry, and the element named by data-remove-on-success (an
// "empty list" note) goes away. Done here because the CSP forbids hx-on.
function watchFormResets() {
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt.closest("form[data-reset-on-success]");
    if (!form || !event.detail.successful) return;
    form.reset();
    const stale = form.dataset.removeOnSuccess;
    if (stale) document.querySelector(stale)?.remove();
  });
}

// A close button, so an error does not stay in the way of a one-handed user.
function addDismissButton(box) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "flash-close";
  button.setAttribute("aria-label", text("close"));
  button.textContent = "×";
  button.addEventListener("click", () => box.remove());
  box.append(button);
}

// One message at a time at the top of <main>: repeated failures replace it
// instead of piling up. Returns the element so a caller can replace it.
function showErrorMessage(text) {
  document.querySelectorAll("[data-htmx-error]").forEach((el) => el.remove());
  const box = document.createElement("p");
  box.className = "flash flash-error";
  box.setAttribute("role", "alert");
  box.dataset.htmxError = "";
  box.textContent = text;
  addDismissButton(box);
  const main = document.querySelector("main") || document.body;
  main.prepend(box);
  return box;
}

// The server answers failed htmx requests with <div class="error-box">…</div>.
// DOMParser keeps its scripts inert; we only take that element.
function errorBoxFrom(xhr) {
  const type = (xhr && xhr.getResponseHeader("Content-Type")) || "";
  if (!type.includes("text/html") || !xhr.responseText) return null;
  const doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
  const box = doc.querySelector(".error-box");
  return box ? document.importNode(box, true) : null;
}

// Background polls (the bell, a board) fail quietly: nobody asked for them, and offline they always fail.
function isQuiet(event) {
  return Boolean(event.detail.elt && event.detail.elt.closest("[data-quiet-errors]"));
}

function onSendError(event) {
  if (isQuiet(event)) return;
  showErrorMessage(document.body.dataset.offlineError || text("network_error"));
}

function onResponseError(event) {
  if (isQuiet(event)) return;
  const placeholder = showErrorMessage(text("response_error"));
  const box = errorBoxFrom(event.detail.xhr);
  if (!box) return;
  box.setAttribute("role", "alert");
  box.dataset.htmxError = "";
  addDismissButton(box);
  placeholder.replaceWith(box);
}

// A background poll whose session expired must not send the page to the login screen (htmx follows
// HX-Redirect on its own): the user may be in the middle of a form, offline work waits for re-login anyway.
function keepQuietPollsInPlace(event) {
  if (isQuiet(event) && event.detail.xhr.status === 401) event.preventDefault();
}

function watchHtmxErrors() {
  document.addEventListener("htmx:beforeOnLoad", keepQuietPollsInPlace);
  document.addEventListener("htmx:sendError", onSendError);
  document.addEventListener("htmx:responseError", onResponseError);
}

// hx-confirm only covers htmx requests; data-confirm also guards plain forms
// and links. Capture phase runs before htmx's own listeners on the element,
// so stopping propagation here also stops the htmx request.
function confirmOrCancel(event, element) {
  if (!element || window.confirm(element.dataset.confirm)) return;
  event.preventDefault();
  event.stopPropagation();
}

function watchConfirms() {
  document.addEventListener(
    "submit",
    (event) => confirmOrCancel(event, event.target.closest("form[data-confirm]")),
    true,
  );
  document.addEventListener(
    "click",
    (event) => {
      // Forms are confirmed on submit, so skip them here to avoid asking twice.
      const element = event.target.closest("[data-confirm]:not(form)");
      confirmOrCancel(event, element);
    },
    true,
  );
}

// A message a form left for the page it led to (data-after-queue-message), shown once, as a flash would be.
function showCarriedMessage() {
  const message = sessionStorage.getItem("wuye-flash");
  if (!message) return;
  sessionStorage.removeItem("wuye-flash");
  const box = document.createElement("p");
  box.className = "flash flash-success";
  box.setAttribute("role", "status");
  box.textContent = message;
  (document.querySelector("main") || document.body).prepend(box);
}

// A page answering a post (a form shown again with its error) is put in history under the address of the page
// it belongs to (data-page-url: the ticket, not /tickets/2/act), so a reload asks for that page again instead
// of sending the post a second time.
function settleAddress() {
  const url = document.body.dataset.pageUrl;
  if (url && window.history.replaceState) window.history.replaceState(window.history.state, "", url);
}

registerServiceWorker();
settleAddress();
showCarriedMessage();
watchNetworkStatus();
configureHtmx();
watchHtmxErrors();
watchConfirms();
watchFormResets();
