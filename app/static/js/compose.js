// Writing a post: the reminder to describe photos before sharing, and the upload's progress.
// Both are enhancements: without this file the form posts and redirects as usual, and the
// post's page reminds after sharing instead. Loaded with photo-picker.js on the new-post page.
"use strict";

// The alt-text reminder: before photos without a description are shared, ask (only for
// those who keep the reminder on: the dialog is on their page alone). It runs first (in
// the capture phase), so the busy button and the upload wait for the answer. Without this
// file, the post's page reminds after sharing instead; the chosen files are never lost.
document.addEventListener(
  "submit",
  (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const dialog = form.querySelector("dialog.alt-reminder");
    const seen = form.elements.namedItem("alt_reminder_seen");
    if (!(dialog instanceof HTMLDialogElement) || !seen || seen.value === "1") return;
    // A photo marked as unusable stops the form first (photo-picker.js): no question yet.
    if (form.querySelector("[data-photo-choice] [data-photo-problem]:not([hidden])")) return;
    const fields = altFields(form);
    const missing = fields.filter((field) => field.value.trim() === "").length;
    if (missing <= 0) return;
    event.preventDefault();
    let which = `${missing} of your photos have`;
    if (missing === fields.length) which = missing > 1 ? `Your ${missing} photos have` : "Your photo has";
    else if (missing === 1) which = "One of your photos has";
    dialog.querySelector("[data-alt-reminder-count]").textContent = which;
    dialog.showModal();
  },
  true,
);

// The description of each chosen photo, in the order shown: photo-picker.js moves each
// photo's field into its place in the list (and disables those of removed photos).
function altFields(form) {
  return [...form.querySelectorAll("[data-photo-list] [data-photo-field] input:not(:disabled)")];
}

// The reminder's answers: share as it is, or go back to the first empty description.
document.addEventListener("click", (event) => {
  const button =
    event.target instanceof Element && event.target.closest("dialog.alt-reminder button");
  if (!button) return;
  const dialog = button.closest("dialog");
  const form = dialog.closest("form");
  dialog.close();
  if (button.value === "share") {
    form.elements.namedItem("alt_reminder_seen").value = "1";
    form.requestSubmit();
    return;
  }
  altFields(form)
    .find((field) => field.value.trim() === "")
    ?.focus();
});

// Uploads: send with XMLHttpRequest, which reports progress; show it in the <progress> bar.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const upload = form.querySelector(".js-upload");
  if (!upload || event.defaultPrevented) return;
  const panel = document.getElementById(upload.dataset.progress);
  const bar = panel?.querySelector("progress");
  const status = panel?.querySelector(".upload-progress__status");
  if (!panel || !bar || !status) return;
  event.preventDefault();
  panel.hidden = false;
  const request = new XMLHttpRequest();
  request.open("POST", form.action);
  request.setRequestHeader("X-Sapling-Fragment", "1");
  const show = (percent) => {
    bar.value = percent;
    bar.textContent = `${percent}%`;
    status.textContent = percent < 100 ? `${percent}% sent` : "Checking and cleaning your files…";
  };
  request.upload.addEventListener("progress", (progress) => {
    if (progress.lengthComputable) show(Math.round((progress.loaded / progress.total) * 100));
  });
  // Everything is sent: the server is now checking and resizing the photos.
  request.upload.addEventListener("load", () => show(100));
  request.addEventListener("load", () => {
    if (request.status === 201) {
      window.location.assign(JSON.parse(request.responseText).location);
      return;
    }
    // A refusal (a photo we can't accept, a too-long caption): show the page it came with.
    const page = new DOMParser().parseFromString(request.responseText, "text/html");
    const main = page.getElementById("main");
    if (main) {
      const chosen = form.querySelector("input[type=file]")?.files;
      document.getElementById("main").replaceWith(main);
      keepPhotos(main, chosen);
      main.querySelector("[role=alert], .field__error")?.scrollIntoView();
    } else {
      status.textContent = request.status === 413
        ? "Those photos are too large together. Try fewer at a time."
        : "The upload failed. Please try again.";
      restore(form);
    }
  });
  request.addEventListener("error", () => {
    status.textContent = "The connection was lost. Please try again.";
    restore(form);
  });
  request.send(new FormData(form));
});

// The refused form comes back with its descriptions: give it back the photos too, in their
// order, so the messages beside them (photo-picker.js) can be acted on without choosing again.
function keepPhotos(main, files) {
  const input = main.querySelector("input[type=file]");
  if (!input || !files || files.length === 0) return;
  input.files = files;
  input.dataset.restored = "true";
  input.dispatchEvent(new Event("change", { bubbles: true }));
}

function restore(form) {
  delete form.dataset.submitting;
  for (const button of form.querySelectorAll("button[aria-busy=true]")) {
    button.removeAttribute("aria-busy");
    button.removeAttribute("disabled");
    const label = button.querySelector(".btn__label");
    if (label) label.textContent = "Share";
  }
}
