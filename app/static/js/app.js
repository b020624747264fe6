// Sapling's progressive enhancements. Every page works without this file.
"use strict";

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

// The theme switch applies the choice at once; the same POST still sets the cookie that
// draws every later page in it. Without this script the form posts and comes back.
function applyTheme(theme) {
  const root = document.documentElement;
  root.classList.remove("theme-light", "theme-dark");
  if (theme === "light" || theme === "dark") root.classList.add(`theme-${theme}`);
  const scheme = document.querySelector("meta[name=color-scheme]");
  if (scheme) scheme.content = theme === "light" || theme === "dark" ? theme : "light dark";
  let label = "";
  for (const choice of document.querySelectorAll("[data-theme-switch] button[name=theme]")) {
    const chosen = choice.value === theme;
    choice.setAttribute("aria-pressed", String(chosen));
    if (chosen) label = choice.textContent.trim();
  }
  for (const shown of document.querySelectorAll("[data-theme-label]")) shown.textContent = label;
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("[data-theme-switch]")) return;
  const choice = event.submitter;
  if (!(choice instanceof HTMLButtonElement) || form.dataset.plain === "true") return;
  event.preventDefault();
  const body = new FormData(form);
  body.set(choice.name, choice.value);
  applyTheme(choice.value);
  try {
    // The answer is a redirect back to this page: its cookie is all that is needed.
    const response = await fetch(form.action, { method: "POST", body, redirect: "manual" });
    if (response.type === "opaqueredirect" || response.ok) return;
  } catch {
    // Offline or refused: fall through to the plain form.
  }
  form.dataset.plain = "true";
  form.requestSubmit(choice);
});
