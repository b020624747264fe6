// Posts without page reloads: likes and saves in place, and sensitive photos shown in place.
// An enhancement: without this file the same forms post and redirect as usual.
"use strict";

const FRAGMENT_HEADER = { "X-Sapling-Fragment": "1" };

// Like and save buttons: each submits the page's one toggle form (#post-toggles) with its own
// address; send it in the background and swap in the post's new buttons.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  const button = event.submitter;
  if (!(form instanceof HTMLFormElement) || form.id !== "post-toggles") return;
  if (!button || form.dataset.native === "true") return; // the fallback below: the browser sends it
  event.preventDefault();
  if (button.dataset.sending === "true") return;
  button.dataset.sending = "true";
  const target = button.closest(".post-card__actions");
  try {
    const body = new FormData(form);
    body.set(button.name, button.value);
    const response = await fetch(button.formAction, {
      method: "POST",
      body,
      headers: FRAGMENT_HEADER,
      credentials: "same-origin",
    });
    // A redirect means something else happened (the session ended): let the form do it.
    if (!response.ok || response.redirected) throw new Error(`HTTP ${response.status}`);
    const template = document.createElement("template");
    template.innerHTML = (await response.text()).trim();
    const replacement = template.content.firstElementChild;
    if (!target || !replacement) throw new Error("nothing to replace");
    const wasFocused = button === document.activeElement;
    const index = [...target.querySelectorAll("button[form]")].indexOf(button);
    target.replaceWith(replacement);
    if (wasFocused) replacement.querySelectorAll("button[form]")[index]?.focus();
  } catch {
    delete button.dataset.sending;
    form.dataset.native = "true";
    form.requestSubmit(button);
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
