// Videos in posts: the playback position is kept for the page (leave it, come back, and
// each video goes on from where it was), and the length badge steps aside while one plays.
// Without this file the browser's own player is all there is, which is the whole of it.
"use strict";

const KEY = "sapling-video:";

// By the page and the video (its larger rendition's address, whichever one plays).
const remembered = (video) => `${KEY}${window.location.pathname}:${video.querySelector("source:last-of-type")?.src}`;

const read = (name) => {
  try {
    return Number.parseFloat(window.sessionStorage.getItem(name) ?? "");
  } catch {
    return Number.NaN; // storage refused (a private window's quota): nothing is kept
  }
};

const write = (name, seconds) => {
  try {
    if (seconds > 0) window.sessionStorage.setItem(name, seconds.toFixed(1));
    else window.sessionStorage.removeItem(name);
  } catch {
    // as above
  }
};

for (const video of document.querySelectorAll("video[data-video]")) {
  const frame = video.closest(".photo-frame");
  const saved = read(remembered(video));
  if (saved > 0) {
    // Fetching the start of the file is what it takes to seek: only for a video played before.
    video.preload = "metadata";
    video.addEventListener("loadedmetadata", () => {
      if (video.currentTime === 0 && saved < video.duration) video.currentTime = saved;
    }, { once: true });
    frame?.classList.add("is-playing");
  }
  let last = 0;
  video.addEventListener("timeupdate", () => {
    if (Math.abs(video.currentTime - last) < 1) return;
    last = video.currentTime;
    write(remembered(video), video.ended ? 0 : video.currentTime);
  });
  video.addEventListener("pause", () => write(remembered(video), video.ended ? 0 : video.currentTime));
  video.addEventListener("play", () => frame?.classList.add("is-playing"));
}
