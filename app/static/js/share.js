// "Copy link" on posts: a button beside Comments that copies the post's full address, with a
// status after it (#post-N-copied) that says whether it did. Without this file (or without a
// clipboard) there is no button: the post's time links to the post, whose address the
// visitor can copy from the address bar.
"use strict";

function addCopyButtons(root) {
  if (!navigator.clipboard || !window.isSecureContext) return;
  const boxes = root.matches("[data-share]") ? [root] : root.querySelectorAll("[data-share]");
  for (const box of boxes) {
    if (box.querySelector("button[data-copy-link]")) continue;
    // The same sprite as the post's other icons (iconButton is app.js's).
    const sprite = box.querySelector("use")?.getAttribute("href")?.split("#")[0] ?? "";
    const button = iconButton({ className: "icon-btn", sprite, icon: "link", label: "Copy link" });
    button.title = "Copy link";
    button.dataset.copyLink = new URL(box.dataset.share, document.baseURI).href;
    button.dataset.copyStatus = box.id.replace(/-actions$/, "-copied");
    const status = document.createElement("span");
    status.className = "post-card__copied";
    status.id = button.dataset.copyStatus;
    status.setAttribute("role", "status");
    const before = box.querySelector(".post-card__save, .post-card__counts");
    box.insertBefore(button, before);
    box.insertBefore(status, before);
  }
}

document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element && event.target.closest("button[data-copy-link]");
  if (!button) return;
  const status = document.getElementById(button.dataset.copyStatus);
  try {
    await navigator.clipboard.writeText(button.dataset.copyLink);
    if (status) status.textContent = "Link copied";
  } catch {
    if (status) status.textContent = "Couldn't copy the link";
  }
  // Clear the message a little later, so copying again is announced again.
  if (status) {
    clearTimeout(Number(status.dataset.clearTimer));
    status.dataset.clearTimer = String(setTimeout(() => { status.textContent = ""; }, 4000));
  }
});

addCopyButtons(document.documentElement);
// posts.js swaps in new action buttons after a like or a save: give those theirs too.
new MutationObserver((changes) => {
  for (const change of changes) {
    for (const node of change.addedNodes) {
      if (node instanceof Element) addCopyButtons(node);
    }
  }
}).observe(document.body, { childList: true, subtree: true });
