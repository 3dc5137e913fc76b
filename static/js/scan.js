// Wuye Field: scan a checkpoint's QR label with the phone's rear camera. Plain ES2020, no build step.
// Uses the browser's own BarcodeDetector where it reads QR codes (fast, native), else jsQR
// (static/vendor/jsqr/jsQR.js, loaded before this file) on frames drawn to a canvas.
"use strict";
(() => {
  // Checkpoint codes: 16 characters of this alphabet (app/projects/models.py new_checkpoint_code).
  const CODE = /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{16}$/;
  const SCAN_EVERY_MS = 200; // a few looks a second: quick enough to feel instant, light on a cheap phone's battery
  const MAX_SIDE = 800; // jsQR on a full-HD frame takes too long on a phone; a label fills much of the view anyway

  let stream = null;
  let video = null;
  let timer = null;
  let session = 0; // bumped by every start/stop, so an older start still awaiting the camera gives up

  // The checkpoint code in a label's text (upper-case), or null for any other QR (payment, web page...).
  // Labels hold <base>/c/<code>; any host, since the public address may change; a bare code is fine too.
  function parseCode(text) {
    if (typeof text !== "string") return null;
    const bare = text.trim().toUpperCase();
    if (CODE.test(bare)) return bare;
    let url;
    try {
      url = new URL(text.trim());
    } catch {
      return null;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    const match = /^\/c\/([^/]+)$/.exec(url.pathname);
    const code = match ? match[1].toUpperCase() : "";
    return CODE.test(code) ? code : null;
  }

  // Why the camera did not open, in the few kinds the page explains differently; anything else is "other".
  const ERROR_KINDS = { NotFoundError: "no-camera", OverconstrainedError: "no-camera",
    NotAllowedError: "denied", SecurityError: "denied" };

  // A function video -> Promise<[decoded texts]>: native detector if it reads QR, else jsQR.
  async function pickDecoder(forceFallback) {
    if (!forceFallback && "BarcodeDetector" in window) {
      try {
        if ((await window.BarcodeDetector.getSupportedFormats()).includes("qr_code")) {
          const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          return async (source) => (await detector.detect(source)).map((found) => found.rawValue);
        }
      } catch {
        // Present but broken (it happens on some Android builds): jsQR below still works.
      }
    }
    if (typeof window.jsQR !== "function") throw new Error("jsQR not loaded");
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true }); // we read every frame back
    return async (source) => {
      const scale = Math.min(1, MAX_SIDE / Math.max(source.videoWidth, source.videoHeight));
      const width = Math.round(source.videoWidth * scale);
      const height = Math.round(source.videoHeight * scale);
      if (!width || !height) return []; // no frame yet
      if (canvas.width !== width || canvas.height !== height) [canvas.width, canvas.height] = [width, height];
      context.drawImage(source, 0, 0, width, height);
      const found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height,
        { inversionAttempts: "dontInvert" }); // printed labels are dark on light: half the work
      return found ? [found.data] : [];
    };
  }

  // Look at the video every SCAN_EVERY_MS until a checkpoint code shows; a slow decode never piles up.
  function watch(mine, decode, onCode, onForeign) {
    let lastForeign = null;
    const look = async () => {
      let texts = [];
      try {
        texts = await decode(video);
      } catch {
        // A frame that could not be read (video not ready yet): the next look will do.
      }
      if (mine !== session) return;
      for (const text of texts) {
        const code = parseCode(text);
        if (code) {
          stop();
          onCode(code);
          return;
        }
        if (onForeign && text !== lastForeign) onForeign((lastForeign = text)); // once, not 5 times a second
      }
      timer = setTimeout(look, SCAN_EVERY_MS);
    };
    look();
  }

  // Open the rear camera into `target` (a <video>) and call onCode(code) once a label is seen.
  // options.forceFallback: use jsQR even if BarcodeDetector exists; options.onForeign(text): a QR
  // that is not a checkpoint's was seen (the page may say so); scanning goes on.
  async function start(target, onCode, onError, options = {}) {
    stop();
    const mine = session;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return onError("no-camera"); // or not https
    try {
      const media = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      if (mine !== session) return media.getTracks().forEach((track) => track.stop()); // stopped meanwhile
      [stream, video] = [media, target];
      video.muted = true;
      video.playsInline = true;
      video.setAttribute("playsinline", ""); // iOS Safari goes full screen without the attribute
      video.srcObject = media;
      await video.play();
      const decode = await pickDecoder(Boolean(options.forceFallback));
      if (mine === session) watch(mine, decode, onCode, options.onForeign);
    } catch (err) {
      if (mine !== session) return; // play() is aborted by our own stop(): not an error
      stop();
      onError(ERROR_KINDS[err && err.name] || "other");
    }
  }

  // Let go of the camera (its light goes off) and end the scanning loop.
  function stop() {
    session += 1;
    clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    if (video) video.srcObject = null;
    [stream, video] = [null, null];
  }

  window.WuyeScan = { start, stop, parseCode };
})();
