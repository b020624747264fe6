// The proof-of-work in front of the CAPTCHA, in ALTCHA's v2 challenge format
// (app/services/security/proof_of_work.py). Find the counter whose PBKDF2-SHA-256 key starts with
// the challenge's prefix; the browser's Web Crypto does the hashing, off the main thread.
// Without JavaScript or Web Crypto nothing happens here and the CAPTCHA stays the way in.
"use strict";

(() => {
  const input = document.querySelector("input[data-altcha-challenge]");
  if (!input || !input.form || !window.crypto || !window.crypto.subtle) return;
  const form = input.form;
  const status = document.getElementById(input.dataset.status);
  const fallback = document.getElementById(input.dataset.fallback);
  const answer = fallback && fallback.querySelector("input[type=text]");
  let challenge;
  try {
    challenge = JSON.parse(input.dataset.altchaChallenge);
  } catch {
    return;
  }
  const params = challenge.parameters;

  const bytes = (hex) => Uint8Array.from(hex.match(/../g) || [], (pair) => parseInt(pair, 16));
  const hex = (buffer) =>
    Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
  const nonce = bytes(params.nonce);
  const salt = bytes(params.salt);

  async function derive(counter) {
    const password = new Uint8Array(nonce.length + 4);
    password.set(nonce);
    new DataView(password.buffer).setUint32(nonce.length, counter); // big-endian, as ALTCHA
    const key = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
    const bits = await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt, iterations: params.cost },
      key,
      (params.keyLength || 32) * 8,
    );
    return hex(bits);
  }

  // A few tries at once: Web Crypto runs them in parallel on its own threads.
  async function solve() {
    const started = performance.now();
    const batch = Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 8));
    for (let first = 0; first <= 0xffffffff; first += batch) {
      if (params.expiresAt && Date.now() / 1000 > params.expiresAt) return null;
      const counters = Array.from({ length: batch }, (_, i) => first + i);
      const keys = await Promise.all(counters.map(derive));
      const found = keys.findIndex((key) => key.startsWith(params.keyPrefix));
      if (found >= 0) {
        const time = Math.round(performance.now() - started);
        return { counter: counters[found], derivedKey: keys[found], time };
      }
    }
    return null;
  }

  function say(message) {
    if (!status) return;
    status.hidden = false;
    status.textContent = message;
  }

  function showFallback(show) {
    if (!fallback) return;
    fallback.hidden = !show;
    if (answer) answer.disabled = !show;
  }

  let pending = null; // the submit that waits for the answer
  const solving = solve()
    .then((solution) => {
      if (!solution) throw new Error("no solution");
      input.value = btoa(JSON.stringify({ challenge, solution }));
      say("Done: your browser passed the check.");
      form.dataset.powSolved = "true";
      if (pending) form.requestSubmit(pending.submitter || undefined);
    })
    .catch(() => {
      input.value = "";
      say("Your browser couldn't do the check. Type the digits below instead.");
      showFallback(true);
      pending = null;
    });

  form.addEventListener("submit", (event) => {
    if (form.dataset.powSolved === "true" || (fallback && !fallback.hidden)) return;
    event.preventDefault(); // before app.js marks the form as sending
    pending = { submitter: event.submitter };
    say("Finishing the check, then sending…");
  });

  say("Your browser is doing a quick check that you're a person. This takes a few seconds.");
  showFallback(false);
  void solving;
})();
