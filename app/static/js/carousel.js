// Multi-photo posts: previous and next buttons, the dots, arrow keys, and the position
// announced to screen readers. Without this file the strip still swipes and scrolls, the
// dots are links to each photo, and every photo shows its own "2 / 5".
"use strict";

const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

// "Previous photo" (step -1) or "Next photo" (1), drawn with the page's icon sprite
// (iconButton is app.js's).
function stepButton(track, step, sprite) {
  const button = iconButton({
    className: `carousel__step carousel__step--${step < 0 ? "previous" : "next"}`,
    sprite,
    icon: step < 0 ? "chevron-left" : "chevron-right",
    label: step < 0 ? "Previous photo" : "Next photo",
    iconClass: "nav__icon",
  });
  button.setAttribute("aria-controls", track.id);
  button.dataset.carouselStep = String(step);
  return button;
}

function enhance(carousel) {
  const track = carousel.querySelector(".carousel__track");
  const slides = [...track.querySelectorAll(".carousel__slide")];
  const dots = [...carousel.querySelectorAll(".carousel__dot")];
  if (carousel.querySelector("[data-carousel-step]")) return; // enhanced already
  const [previous, next] = [-1, 1].map((step) => stepButton(track, step, carousel.dataset.carousel));
  track.after(previous, next);
  const status = carousel.querySelector("[data-carousel-status]");
  let current = -1;
  let announced;
  let heading = null; // where a button, dot or key last sent the strip, until it arrives

  const indexNow = () => {
    const width = track.clientWidth || 1;
    return Math.min(slides.length - 1, Math.max(0, Math.round(track.scrollLeft / width)));
  };

  // The buttons and dots follow the strip however it moved (swipe, wheel, keys, a link).
  const show = (index) => {
    if (index === current) return;
    current = index;
    dots.forEach((dot, n) => {
      if (n === index) dot.setAttribute("aria-current", "true");
      else dot.removeAttribute("aria-current");
    });
    // Tab goes from the strip to the photo shown, not to the first one.
    slides.forEach((slide, n) => {
      const link = slide.querySelector("a");
      if (link) link.tabIndex = n === index ? 0 : -1;
    });
    previous.setAttribute("aria-disabled", String(index === 0));
    next.setAttribute("aria-disabled", String(index === slides.length - 1));
  };

  // Said once the strip comes to rest somewhere new, so a long scroll is not read photo by
  // photo, and a swipe that springs back says nothing.
  const announce = () => {
    if (current === announced) return;
    announced = current;
    status.textContent = `Photo ${current + 1} of ${slides.length}`;
  };

  const go = (index) => {
    const target = Math.min(slides.length - 1, Math.max(0, index));
    heading = target;
    track.scrollTo({
      left: target * track.clientWidth,
      behavior: reducedMotion.matches ? "instant" : "smooth",
    });
  };

  const rest = () => {
    heading = null;
    announce();
  };
  let resting;
  track.addEventListener("scroll", () => {
    show(indexNow());
    if (!("onscrollend" in window)) {
      clearTimeout(resting);
      resting = setTimeout(rest, 150);
    }
  });
  track.addEventListener("scrollend", rest);
  // Pressed twice quickly, a button moves two photos: steps count from where the strip is going.
  const from = () => heading ?? current;

  for (const button of [previous, next]) {
    button.addEventListener("click", () => {
      if (button.getAttribute("aria-disabled") === "true") return;
      go(from() + Number(button.dataset.carouselStep));
    });
  }

  // A dot moves the strip in place instead of jumping the page to the photo.
  dots.forEach((dot, index) => {
    dot.addEventListener("click", (event) => {
      event.preventDefault();
      go(index);
    });
  });

  track.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const moves = { ArrowLeft: from() - 1, ArrowRight: from() + 1, Home: 0, End: slides.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    go(moves[event.key]);
    // Focus on a photo's link follows it, so Enter opens the photo that is shown.
    if (event.target !== track) {
      const index = Math.min(slides.length - 1, Math.max(0, moves[event.key]));
      slides[index].querySelector("a")?.focus({ preventScroll: true });
    }
  });

  show(indexNow());
  announced = current;
}

document.querySelectorAll("[data-carousel]").forEach(enhance);
// Photos put on the page later (a sensitive post shown: posts.js) say so with this event.
document.addEventListener("sapling:content", (event) => {
  event.target.querySelectorAll("[data-carousel]").forEach(enhance);
});
