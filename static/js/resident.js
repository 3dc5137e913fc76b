// The resident's request form (templates/repairs/public/form.html): photos are made smaller on the phone
// (photos.js) before they are sent, and a refused request keeps the photos already chosen — the form comes
// back with its messages around the file field the resident filled. Without JavaScript the form posts as
// it is, and a refused one says the photos must be chosen again.
(function () {
  "use strict";

  if (!window.fetch || !window.WuyePhotos) return;

  async function body(form) {
    const data = new FormData(form);
    data.delete("photos");
    const chosen = [...form.querySelector('input[name="photos"]').files];
    for (const [index, file] of chosen.entries()) {
      data.append("photos", await window.WuyePhotos.downscale(file), `photo-${index + 1}.jpg`);
    }
    return data;
  }

  // The refused form as the server rendered it, with this page's file field (and its photos) put back.
  function showRefused(form, html) {
    const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("form.resident-form");
    if (!fresh) return false;
    const freshCard = fresh.closest("section");
    freshCard.querySelector('input[name="photos"]').replaceWith(form.querySelector('input[name="photos"]'));
    freshCard.querySelector(".photos-again")?.remove();
    form.closest("section").replaceChildren(...freshCard.childNodes);
    document.querySelector(".resident-errors")?.scrollIntoView({ block: "start" });
    return true;
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.resident-form");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const response = await fetch(form.action, { method: "POST", body: await body(form), credentials: "same-origin" });
      if (response.redirected) {
        window.location.assign(response.url);
        return;
      }
      const html = await response.text();
      if (!showRefused(form, html)) {
        document.open();
        document.write(html);
        document.close();
      }
    } catch (err) {
      alert(window.wuyeText("network_error"));
    } finally {
      button.disabled = false;
    }
  });
})();
