// Sapling's progressive enhancements. Every page works without this file.
"use strict";

// A button the scripts add (carousel.js's steps, share.js's "Copy link"): an icon from the
// page's sprite, as components.icon draws them, and its name for screen readers.
function iconButton({ className, sprite, icon, label, iconClass = "" }) {
  const svg = "http://www.w3.org/2000/svg";
  const button = document.createElement("button");
  button.type = "button";
  button.className = className;
  const image = document.createElementNS(svg, "svg");
  if (iconClass) image.setAttribute("class", iconClass);
  image.setAttribute("aria-hidden", "true");
  const use = document.createElementNS(svg, "use");
  use.setAttribute("href", `${sprite}#${icon}`);
  image.append(use);
  const name = document.createElement("span");
  name.className = "visually-hidden";
  name.textContent = label;
  button.append(image, name);
  return button;
}

// Buttons show progress while their form is being sent, and cannot be pressed twice.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
  const button = event.submitter || form.querySelector("button[type=submit]");
  if (!button || button.dataset.busyLabel === undefined) return;
  if (form.dataset.submitting === "true") {
    event.preventDefault();
    return;
  }
  form.dataset.submitting = "true";
  button.setAttribute("aria-busy", "true");
  const label = button.querySelector(".btn__label");
  if (label) label.textContent = button.dataset.busyLabel;
  // Disable after the submit event so the button's own name/value is still sent.
  setTimeout(() => button.setAttribute("disabled", ""), 0);
});

// Restore buttons when the page comes back from the back/forward cache.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  for (const form of document.querySelectorAll("form[data-submitting]")) {
    delete form.dataset.submitting;
  }
  for (const button of document.querySelectorAll("button[aria-busy=true]")) {
    button.removeAttribute("aria-busy");
    button.removeAttribute("disabled");
  }
});

// Dialogs: links to #id open a modal <dialog> (focus is trapped, Escape closes).
document.addEventListener("click", (event) => {
  const opener = event.target instanceof Element && event.target.closest("[data-dialog-open]");
  if (opener) {
    const dialog = document.getElementById(opener.dataset.dialogOpen);
    if (dialog instanceof HTMLDialogElement) {
      event.preventDefault();
      dialog.showModal();
    }
    return;
  }
  const closer = event.target instanceof Element && event.target.closest("[data-dialog-close]");
  if (closer) {
    const dialog = closer.closest("dialog");
    if (dialog instanceof HTMLDialogElement && dialog.open) {
      event.preventDefault();
      dialog.close();
    }
  }
});
