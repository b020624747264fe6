// "Copy link" on posts. Without this file (or without a clipboard) the same place holds a
// plain link to the post, whose address the visitor can copy from the address bar.
"use strict";

// The link becomes a button that copies the post's full address.
function upgradeCopyLinks(root) {
  if (!navigator.clipboard || !window.isSecureContext) return;
  for (const link of root.querySelectorAll("a[data-copy-link]")) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = link.className;
    button.dataset.copyLink = new URL(link.getAttribute("href"), document.baseURI).href;
    button.dataset.copyStatus = link.dataset.copyStatus;
    button.title = "Copy link";
    button.append(...link.childNodes);
    const label = button.querySelector(".visually-hidden");
    if (label) label.textContent = "Copy link";
    link.replaceWith(button);
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

upgradeCopyLinks(document);
// posts.js swaps in new action buttons after a like or a save: upgrade those too.
new MutationObserver((changes) => {
  for (const change of changes) {
    for (const node of change.addedNodes) {
      if (node instanceof Element) upgradeCopyLinks(node);
    }
  }
}).observe(document.body, { childList: true, subtree: true });
