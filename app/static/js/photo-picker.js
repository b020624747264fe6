// The new-post form's photo picker. After choosing files: a thumbnail of each (made here
// from the file, nothing is sent before Share), its description beside it, buttons to move
// it up or down or remove it, and checks of type, size and count before any upload starts.
// The file input's list is rebuilt in the order shown, so the form (and posts.js's upload)
// sends exactly those photos, in that order, each with its description.
// Without this file, the plain file input and the numbered descriptions do the same job.
"use strict";

(() => {
  const TYPES = new Set(["image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"]);
  const ENDINGS = /\.(jpe?g|png|webp|heic|heif)$/i;
  const VIDEO_TYPES = new Set(["video/mp4", "video/quicktime", "video/webm"]);
  const VIDEO_ENDINGS = /\.(mp4|m4v|mov|webm)$/i;
  const isVideo = (file) => VIDEO_TYPES.has(file.type) || VIDEO_ENDINGS.test(file.name);
  const pickers = new Map(); // picker root -> its state

  const sizeLabel = (bytes) =>
    bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;

  function setUp(root) {
    if (pickers.has(root)) return pickers.get(root);
    const picker = {
      root,
      input: document.getElementById(root.dataset.input),
      chosen: root.querySelector("[data-photo-chosen]"),
      list: root.querySelector("[data-photo-list]"),
      status: root.querySelector("[data-photo-status]"),
      descriptions: root.querySelector("[data-photo-descriptions]"),
      template: root.querySelector("template[data-photo-template]"),
      max: Number(root.dataset.maxPhotos),
      maxBytes: Number(root.dataset.maxBytes),
      maxVideoBytes: Number(root.dataset.maxVideoBytes),
      free: [...root.querySelectorAll("[data-photo-field]")],
      entries: [],
    };
    if (!picker.input || !picker.list || !picker.template || !picker.descriptions) return null;
    for (const field of picker.free) field.home = field.parentElement;
    picker.descriptions.hidden = true; // the thumbnails carry the descriptions now
    pickers.set(root, picker);
    return picker;
  }

  function forget(picker) {
    for (const entry of picker.entries) URL.revokeObjectURL(entry.url);
    picker.entries = [];
  }

  function clearField(field) {
    const input = field.querySelector("input");
    input.value = "";
    input.disabled = true; // a photo that is not there sends no description
    field.querySelector("[data-photo-server-error]")?.remove();
    input.removeAttribute("aria-invalid");
  }

  let spares = 0;

  function release(picker, entry) {
    if (!entry.field) return;
    clearField(entry.field);
    const input = entry.field.querySelector("input");
    input.id = input.name = `alt-texts-spare-${++spares}`; // numbers are for photos shown
    const label = entry.field.querySelector("label");
    label.htmlFor = input.id;
    label.textContent = `Unused description ${spares}`;
    entry.field.home.append(entry.field);
    picker.free.push(entry.field);
    picker.free.sort((a, b) => (a.home.compareDocumentPosition(b.home) & 4 ? -1 : 1));
    entry.field = null;
  }

  function entryFor(picker, file) {
    const li = document.importNode(picker.template.content, true).firstElementChild;
    const url = URL.createObjectURL(file);
    const thumb = li.querySelector("[data-photo-thumb]");
    thumb.addEventListener("error", () => {
      thumb.hidden = true; // a HEIC photo, say: the browser can't draw it, the server can
      li.querySelector("[data-photo-placeholder]").hidden = false;
    });
    if (file.type.startsWith("image/") || ENDINGS.test(file.name)) thumb.src = url;
    else thumb.dispatchEvent(new Event("error")); // a video: its poster is made on the server
    li.querySelector("[data-photo-name]").textContent = file.name;
    li.querySelector("[data-photo-size]").textContent = sizeLabel(file.size);
    return { file, url, li, field: null };
  }

  function problem(picker, file, index) {
    if (index >= picker.max) {
      return `A post can have up to ${picker.max} photos. Remove this one or another.`;
    }
    if (isVideo(file) && picker.maxVideoBytes) {
      if (file.size === 0) return "This file is empty. Choose another video.";
      if (file.size > picker.maxVideoBytes) {
        return `This video is too big: the limit is ${sizeLabel(picker.maxVideoBytes)}.`;
      }
      return "";
    }
    if (!TYPES.has(file.type) && !ENDINGS.test(file.name)) {
      return picker.maxVideoBytes
        ? "Sapling can't use this file. Choose a JPEG, PNG, WebP or HEIC photo. Videos: MP4, MOV or WebM."
        : "Sapling can't use this file. Choose a JPEG, PNG, WebP or HEIC photo.";
    }
    if (file.size === 0) return "This file is empty. Choose another photo.";
    if (file.size > picker.maxBytes) {
      return `This photo is too big: the limit is ${sizeLabel(picker.maxBytes)}.`;
    }
    return "";
  }

  // Everything shown follows picker.entries: order, numbers, names, checks and the file list.
  function layout(picker) {
    const focused = document.activeElement;
    const total = picker.entries.length;
    // Photos past the limit have no description (they can't be shared); free those first,
    // so a photo moved up from past the limit finds one.
    for (const entry of picker.entries.slice(picker.max)) release(picker, entry);
    picker.entries.forEach((entry, index) => {
      if (index < picker.max && !entry.field && picker.free.length) {
        entry.field = picker.free.shift();
        entry.li.querySelector("[data-photo-slot]").prepend(entry.field);
      }
      if (picker.list.children[index] !== entry.li) {
        picker.list.insertBefore(entry.li, picker.list.children[index] || null);
      }
      const number = index + 1;
      for (const span of entry.li.querySelectorAll("[data-photo-number]")) {
        span.textContent = ` photo ${number}`;
      }
      const found = problem(picker, entry.file, index);
      const note = entry.li.querySelector("[data-photo-problem]");
      note.id = `photo-problem-${number}`;
      note.textContent = found;
      note.hidden = !found;
      entry.problem = found;
      entry.li.classList.toggle("photo-choice--problem", Boolean(found));
      entry.li.querySelector("[data-photo-action=up]").disabled = index === 0;
      entry.li.querySelector("[data-photo-action=down]").disabled = index === total - 1;
      if (entry.field) {
        const input = entry.field.querySelector("input");
        const label = entry.field.querySelector("label");
        const server = entry.field.querySelector("[data-photo-server-error]");
        input.name = input.id = `alt_texts-${index}`;
        input.disabled = false;
        label.htmlFor = input.id;
        label.textContent = `Photo ${number}`;
        if (server) server.id = `${input.id}-error`;
        const described = ["alt-texts-hint", server?.id, found ? note.id : ""].filter(Boolean);
        input.setAttribute("aria-describedby", described.join(" "));
      }
    });
    const files = new DataTransfer();
    for (const entry of picker.entries) files.items.add(entry.file);
    picker.input.files = files.files;
    picker.chosen.hidden = total === 0;
    if (focused instanceof HTMLElement && focused !== document.activeElement) focused.focus();
  }

  // A change made here answers the server's earlier complaint about the photos.
  function clearPhotosError(picker) {
    document.getElementById(`${picker.input.id}-error`)?.remove();
    picker.input.removeAttribute("aria-invalid");
    const hint = document.getElementById(`${picker.input.id}-hint`);
    if (hint) picker.input.setAttribute("aria-describedby", hint.id);
    else picker.input.removeAttribute("aria-describedby");
  }

  function choose(picker, files, restored) {
    for (const entry of picker.entries) {
      release(picker, entry);
      entry.li.remove();
    }
    forget(picker);
    if (!restored) clearPhotosError(picker);
    picker.entries = [...files].map((file) => entryFor(picker, file));
    layout(picker);
    for (const field of picker.free) {
      if (restored) field.querySelector("input").disabled = true;
      else clearField(field);
    }
    const count = picker.entries.length;
    const wrong = picker.entries.filter((entry) => entry.problem).length;
    picker.status.textContent = count
      ? `${count} ${count === 1 ? "photo" : "photos"} chosen.` +
        (wrong ? ` ${wrong} can't be shared: see the message beside ${wrong === 1 ? "it" : "each"}.` : "")
      : "";
  }

  function act(picker, entry, action) {
    const entries = picker.entries;
    const index = entries.indexOf(entry);
    clearPhotosError(picker);
    if (action === "remove") {
      release(picker, entry);
      URL.revokeObjectURL(entry.url);
      entry.li.remove();
      entries.splice(index, 1);
      layout(picker);
      const next = entries[Math.min(index, entries.length - 1)];
      (next ? next.li.querySelector("[data-photo-action=remove]") : picker.input).focus();
      picker.status.textContent = entries.length
        ? `Photo removed. ${entries.length} ${entries.length === 1 ? "photo" : "photos"} left.`
        : "Photo removed. No photos chosen.";
      return;
    }
    const target = action === "up" ? index - 1 : index + 1;
    if (target < 0 || target >= entries.length) return;
    [entries[index], entries[target]] = [entries[target], entries[index]];
    layout(picker);
    const same = entry.li.querySelector(`[data-photo-action=${action}]`);
    const other = entry.li.querySelector(`[data-photo-action=${action === "up" ? "down" : "up"}]`);
    (same.disabled ? other : same).focus();
    picker.status.textContent = `Photo moved to position ${target + 1} of ${entries.length}.`;
  }

  const rootOf = (element) => element.form?.querySelector("[data-photo-picker]");

  for (const root of document.querySelectorAll("[data-photo-picker]")) setUp(root);

  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    const root = rootOf(input);
    const picker = root && setUp(root);
    if (!picker || picker.input !== input) return;
    for (const [other, state] of pickers) {
      if (!other.isConnected) { // a page posts.js replaced after a refusal
        forget(state);
        pickers.delete(other);
      }
    }
    const restored = input.dataset.restored === "true";
    delete input.dataset.restored;
    choose(picker, input.files || [], restored);
  });

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest("[data-photo-action]");
    const root = button && button.closest("[data-photo-picker]");
    const picker = root && pickers.get(root);
    if (!picker) return;
    const entry = picker.entries.find((candidate) => candidate.li.contains(button));
    if (entry) act(picker, entry, button.dataset.photoAction);
  });

  // Nothing is sent while a photo is marked: the messages are already beside them.
  document.addEventListener(
    "submit",
    (event) => {
      const root = event.target instanceof HTMLFormElement && event.target.querySelector("[data-photo-picker]");
      const picker = root && pickers.get(root);
      const first = picker?.entries.find((entry) => entry.problem);
      if (!first) return;
      event.preventDefault();
      picker.status.textContent = "Remove or replace the photos marked before sharing.";
      first.li.scrollIntoView({ block: "center" });
      first.li.querySelector("[data-photo-action=remove]").focus({ preventScroll: true });
    },
    true,
  );

  window.addEventListener("pagehide", (event) => {
    if (event.persisted) return;
    for (const picker of pickers.values()) forget(picker);
  });
})();
