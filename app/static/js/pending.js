// A post waiting for its videos: its status is asked for every few seconds, and the page
// reloads when it changes (to the post once it is made, or to the reason it was not).
// Without this file the page shows the status of when it was loaded, and "Check again".
"use strict";

const POLL_MS = 3000;

async function followPending(box) {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    let answer;
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { "X-Sapling-Fragment": "1" } });
      if (!response.ok) continue;
      answer = await response.json();
    } catch {
      continue; // offline for a moment: ask again later
    }
    if (answer.status !== box.dataset.status) {
      window.location.reload();
      return;
    }
  }
}

for (const box of document.querySelectorAll("[data-pending]")) followPending(box);
