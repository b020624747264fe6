// Posts without page reloads: likes and saves in place, sensitive photos shown in place,
// the reminder to describe photos, and an upload progress bar.
// Both are enhancements: without this file the same forms post and redirect as usual.
"use strict";

const FRAGMENT_HEADER = { "X-Sapling-Fragment": "1" };

// Like and save buttons: send the form in the background and swap in the new buttons.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains("js-toggle")) return;
  event.preventDefault();
  if (form.dataset.sending === "true") return;
  form.dataset.sending = "true";
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: FRAGMENT_HEADER,
      credentials: "same-origin",
    });
    // A redirect means something else happened (the session ended): let the form do it.
    if (!response.ok || response.redirected) throw new Error(`HTTP ${response.status}`);
    const target = document.getElementById(form.dataset.target);
    const template = document.createElement("template");
    template.innerHTML = (await response.text()).trim();
    const replacement = template.content.firstElementChild;
    if (!target || !replacement) throw new Error("nothing to replace");
    const pressed = form.querySelector("button");
    const wasFocused = pressed === document.activeElement;
    const index = [...target.querySelectorAll("form")].indexOf(form);
    target.replaceWith(replacement);
    if (wasFocused) replacement.querySelectorAll("form button")[index]?.focus();
  } catch {
    delete form.dataset.sending;
    form.submit();
  }
});

// Sensitive posts: "Show" (a link to the post shown, without this file) becomes a button
// that puts the photos, waiting in a <template>, in place of the cover; "Hide" covers them
// again. Focus goes to the photos, then back to "Show".
function enhanceSensitive(box) {
  const link = box.querySelector("[data-sensitive-show]");
  const template = box.querySelector("template[data-sensitive-photos]");
  const cover = box.querySelector(".sensitive__cover");
  if (!link || !template || !cover) return;
  const show = document.createElement("button");
  show.type = "button";
  show.className = link.className;
  show.innerHTML = link.innerHTML;
  link.replaceWith(show);
  const label = show.querySelector(".visually-hidden")?.textContent ?? "";
  show.addEventListener("click", () => {
    const photos = template.content.firstElementChild.cloneNode(true);
    const hide = document.createElement("button");
    hide.type = "button";
    hide.className = "sensitive__hide";
    hide.textContent = "Hide";
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = label;
    hide.append(hidden);
    cover.hidden = true;
    box.append(photos, hide);
    photos.dispatchEvent(new CustomEvent("sapling:content", { bubbles: true }));
    photos.querySelector("a")?.focus();
    hide.addEventListener("click", () => {
      photos.remove();
      hide.remove();
      cover.hidden = false;
      show.focus();
    });
  });
}
document.querySelectorAll("[data-sensitive]").forEach(enhanceSensitive);

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
    status.textContent = percent < 100 ? `${percent}% sent` : "Cleaning and resizing your photos…";
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
