/*
 * The projector never scrolls: a box marked data-fit (the word cloud, the
 * room's questions) gets smaller letters until all it holds is inside it.
 * CSS gives each such box the height the stage has left (flex: 1;
 * min-height: 0; overflow: hidden) and sizes its content in em.
 */
(function () {
  "use strict";

  var STEP = 0.88, SMALLEST_PX = 6;

  function overflows(box) {
    return box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
  }

  function fit(box) {
    box.style.fontSize = "";
    var size = parseFloat(getComputedStyle(box).fontSize);
    while (overflows(box) && size > SMALLEST_PX) {
      size *= STEP;
      box.style.fontSize = size + "px"; // CSSOM, which the CSP allows
    }
  }

  function fitAll() {
    if (!document.body.classList.contains("screen")) return;
    document.querySelectorAll("[data-fit]").forEach(fit);
  }

  document.addEventListener("live:swapped", fitAll);
  window.addEventListener("resize", fitAll);
  if (document.readyState !== "loading") fitAll();
  else document.addEventListener("DOMContentLoaded", fitAll);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(fitAll);
})();
