// Fetch the next slide's image while the current one is shown, so that no
// screen waits for it when the facilitator moves on. The images are served
// with a year's cache lifetime, so the fetched copy is the one shown next.
(function () {
  "use strict";
  var kept = [];  // Image objects live until loaded: a collected one may cancel its fetch.
  // A whole room gets the push at once: each phone waits a moment of its own
  // before fetching ahead, so that a thousand fetches neither hold back the
  // push still on its way to the last phones nor reach the server together.
  var AFTER_MS = 300, SPREAD_MS = 2000;

  function fetchAhead(url) {
    var image = new Image();
    image.decoding = "async";
    image.onload = image.onerror = function () { kept.splice(kept.indexOf(image), 1); };
    kept.push(image);
    image.src = url;
  }

  function prefetch(root) {
    root.querySelectorAll("[data-prefetch]").forEach(function (marker) {
      var url = marker.getAttribute("data-prefetch");
      setTimeout(function () { fetchAhead(url); }, AFTER_MS + Math.random() * SPREAD_MS);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { prefetch(document); });
  document.addEventListener("live:swapped", function (event) {
    (event.detail.elements || []).forEach(prefetch);
  });
})();

// The upload form: say that the pages are being rendered while the request runs.
document.addEventListener("submit", function (event) {
  var form = event.target.closest("[data-slides-upload]");
  if (!form) return;
  var status = form.querySelector("[data-slides-progress]");
  if (status) status.hidden = false;
  form.querySelector("button[type=submit]").disabled = true;
});
