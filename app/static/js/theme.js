// The theme switch (appearance and settings pages). Every page works without this file.
"use strict";

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
