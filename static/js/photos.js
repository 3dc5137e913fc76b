// Photos are made smaller on the phone before they leave it: the long side at most 1600 px, JPEG 0.85,
// the camera's orientation applied. Used by the outbox forms (offline-forms.js) and the resident's form
// (resident.js). A format this browser cannot decode (HEIC) is sent as it is: the server decodes and checks it.
(function () {
  "use strict";

  const LONG_SIDE = 1600;

  async function downscale(file) {
    let bitmap;
    try {
      bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch (err) {
      return file;
    }
    const scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    return blob || file;
  }

  window.WuyePhotos = { downscale, LONG_SIDE };
})();
