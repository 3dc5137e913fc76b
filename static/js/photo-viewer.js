// The full-size photo viewer: a photo tile (templates/core/_photos.html) is a link to its photo; here it opens
// in the page's viewer dialog (templates/core/_photo_viewer.html) instead, with every tile of the page to page
// through: swipe or arrow keys for the next/previous, pinch, double tap, +/- or the wheel to zoom, drag to look
// around a zoomed photo, Esc or ✕ to close (focus goes back to the tile). Kept pages keep their photos
// (static/sw.js), so this works offline too.
"use strict";

(() => {
  const MAX_ZOOM = 4;
  const STEP = 1.5;
  const SWIPE_PX = 50;

  const viewer = document.getElementById("photo-viewer");
  if (!viewer || typeof viewer.showModal !== "function") return;  // no viewer: the tiles stay plain links
  const image = viewer.querySelector("#photo-viewer-image");
  const stage = viewer.querySelector("[data-viewer=stage]");
  const control = (name) => viewer.querySelector(`[data-viewer="${name}"]`);

  let tiles = [];
  let index = 0;
  let zoom = { scale: 1, x: 0, y: 0 };
  const pointers = new Map();  // pointerId -> {x, y} while down
  let gesture = null;  // {x, y, scale, distance, pan: {x, y}} at the start of a drag or pinch

  function apply() {
    image.style.transform = `translate(${zoom.x}px, ${zoom.y}px) scale(${zoom.scale})`;
    viewer.classList.toggle("zoomed", zoom.scale > 1);
    control("zoom-out").disabled = zoom.scale <= 1;
    control("zoom-in").disabled = zoom.scale >= MAX_ZOOM;
  }

  function setZoom(scale) {
    zoom.scale = Math.min(MAX_ZOOM, Math.max(1, scale));
    if (zoom.scale === 1) zoom = { scale: 1, x: 0, y: 0 };
    apply();
  }

  function show(i) {
    index = Math.max(0, Math.min(tiles.length - 1, i));
    const tile = tiles[index];
    const alt = tile.querySelector("img")?.alt || "";
    image.src = tile.getAttribute("href");
    image.alt = alt;
    viewer.querySelector("#photo-viewer-caption").textContent = alt;
    viewer.querySelector("#photo-viewer-count").textContent = tiles.length > 1 ? `${index + 1} / ${tiles.length}` : "";
    control("previous").disabled = index === 0;
    control("next").disabled = index === tiles.length - 1;
    zoom = { scale: 1, x: 0, y: 0 };
    apply();
  }

  function open(tile) {
    tiles = Array.from(document.querySelectorAll("a[data-photo-tile]"));
    show(tiles.indexOf(tile));
    viewer.showModal();
    control("close").focus();
  }

  document.addEventListener("click", (event) => {
    const tile = event.target.closest("a[data-photo-tile]");
    if (!tile || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    open(tile);
  });

  viewer.addEventListener("close", () => {
    image.removeAttribute("src");
    if (tiles[index] && tiles[index].isConnected) tiles[index].focus();
  });

  viewer.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-viewer]");
    if (!button) return;
    const act = {
      close: () => viewer.close(),
      previous: () => show(index - 1),
      next: () => show(index + 1),
      "zoom-in": () => setZoom(zoom.scale * STEP),
      "zoom-out": () => setZoom(zoom.scale / STEP),
    }[button.dataset.viewer];
    if (act) act();
  });

  viewer.addEventListener("keydown", (event) => {
    const act = {
      ArrowRight: () => show(index + 1),
      ArrowLeft: () => show(index - 1),
      "+": () => setZoom(zoom.scale * STEP),
      "=": () => setZoom(zoom.scale * STEP),
      "-": () => setZoom(zoom.scale / STEP),
    }[event.key];
    if (!act) return;
    event.preventDefault();
    act();
  });

  stage.addEventListener("dblclick", () => setZoom(zoom.scale > 1 ? 1 : 2.5));
  stage.addEventListener("wheel", (event) => {
    event.preventDefault();
    setZoom(zoom.scale * (event.deltaY < 0 ? 1.2 : 1 / 1.2));
  }, { passive: false });

  const distance = () => {
    const [a, b] = Array.from(pointers.values());
    return Math.hypot(a.x - b.x, a.y - b.y);
  };

  function startGesture() {
    const [first] = pointers.values();
    gesture = { x: first.x, y: first.y, scale: zoom.scale, pan: { x: zoom.x, y: zoom.y },
                distance: pointers.size > 1 ? distance() : 0, pinched: pointers.size > 1 };
  }

  stage.addEventListener("pointerdown", (event) => {
    stage.setPointerCapture(event.pointerId);
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    startGesture();
  });

  stage.addEventListener("pointermove", (event) => {
    if (!pointers.has(event.pointerId) || !gesture) return;
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pointers.size > 1 && gesture.distance) {
      setZoom(gesture.scale * (distance() / gesture.distance));
    } else if (zoom.scale > 1 && !gesture.pinched) {
      zoom.x = gesture.pan.x + (event.clientX - gesture.x);
      zoom.y = gesture.pan.y + (event.clientY - gesture.y);
      apply();
    }
  });

  function endPointer(event) {
    if (!pointers.has(event.pointerId)) return;
    pointers.delete(event.pointerId);
    const swipe = gesture && !gesture.pinched && gesture.scale === 1 && zoom.scale === 1 && pointers.size === 0;
    if (swipe) {
      const dx = event.clientX - gesture.x;
      const dy = event.clientY - gesture.y;
      if (Math.abs(dx) > SWIPE_PX && Math.abs(dx) > Math.abs(dy)) show(index + (dx < 0 ? 1 : -1));
    }
    if (pointers.size) startGesture(); else gesture = null;
  }
  stage.addEventListener("pointerup", endPointer);
  stage.addEventListener("pointercancel", endPointer);
})();
