// The report's print button (no inline script: CSP script-src 'self').
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});
