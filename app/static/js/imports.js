// The import page: while an import runs, its progress is asked for every few seconds and
// shown in place; once it ends the page reloads to show the report. Without this file the
// page shows the progress of when it was loaded, and a Refresh link.
"use strict";

const POLL_MS = 4000;

async function followImport(box) {
  const bar = box.querySelector("progress");
  const status = box.querySelector("[data-import-status]");
  let shown = "";
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    let progress;
    try {
      const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) continue;
      progress = await response.json();
    } catch {
      continue; // offline for a moment: ask again later
    }
    if (progress.state !== "waiting" && progress.state !== "importing") {
      window.location.reload();
      return;
    }
    if (progress.posts_total) {
      bar.max = progress.posts_total;
      bar.value = progress.posts_done;
      bar.textContent = `${progress.percent}%`;
      const text = `${progress.posts_done} of ${progress.posts_total} posts done.`;
      // Announced only when it changes, so a screen reader is not told the same twice.
      if (text !== shown) status.textContent = shown = text;
    }
  }
}

for (const box of document.querySelectorAll("[data-import-progress]")) followImport(box);
