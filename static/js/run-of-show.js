/*
 * The run-of-show editor's enhancements. Every action is a form that works
 * without this file; with it:
 * - Alt+ArrowUp / Alt+ArrowDown on a focused step moves it;
 * - focus follows the moved step after htmx swaps the list in;
 * - a step can be dragged to its new place (the hidden drag form sends it);
 * - the server's refusals (4xx, with the list and its message) are swapped in.
 */
(function () {
  "use strict";

  function list() { return document.getElementById("run-of-show"); }

  // htmx leaves 4xx answers unswapped; the editor's carry the list and the error.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (event.detail.target && event.detail.target.id === "run-of-show" && status >= 400 && status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The step the server marked (data-focus): its pressed button if that
  // button can still be pressed, else its row.
  function focusMarked() {
    var root = list();
    var row = root && root.querySelector("[data-focus]");
    if (!row) return;
    var which = root.dataset.focusButton;
    var button = which && row.querySelector('[data-move="' + which + '"]');
    (button && !button.disabled ? button : row).focus();
  }
  document.addEventListener("htmx:afterSettle", focusMarked);
  document.addEventListener("DOMContentLoaded", focusMarked);

  function isTyping(element) {
    return /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName) || element.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    if (isTyping(event.target)) return;
    var row = event.target.closest && event.target.closest(".ros-step");
    if (!row || !list() || !list().contains(row)) return;
    event.preventDefault();
    var button = row.querySelector('[data-move="' + (event.key === "ArrowUp" ? "up" : "down") + '"]');
    if (!button || button.disabled) return;
    // Focus goes back to the row, not to the button the keys stood for.
    row.querySelector("[data-via]").value = "keyboard";
    button.click();
  });

  // --- drag and drop ---------------------------------------------------------------

  var dragged = null;

  function rowAt(event) {
    var row = event.target.closest && event.target.closest(".ros-step");
    return row && row !== dragged ? row : null;
  }

  function clearMarks() {
    document.querySelectorAll(".drop-before, .drop-after").forEach(function (row) {
      row.classList.remove("drop-before", "drop-after");
    });
  }

  function dropsBefore(row, event) {
    var box = row.getBoundingClientRect();
    return event.clientY < box.top + box.height / 2;
  }

  document.addEventListener("dragstart", function (event) {
    var row = event.target.closest && event.target.closest(".ros-step");
    if (!row) return;
    dragged = row;
    row.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.step);
  });

  document.addEventListener("dragover", function (event) {
    var row = dragged && rowAt(event);
    if (!row) return;
    event.preventDefault();
    clearMarks();
    row.classList.add(dropsBefore(row, event) ? "drop-before" : "drop-after");
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    clearMarks();
  });

  document.addEventListener("drop", function (event) {
    var row = dragged && rowAt(event);
    if (!row) return;
    event.preventDefault();
    var from = Number(dragged.dataset.position);
    var at = Number(row.dataset.position);
    // The position the step takes once it has left its own place.
    var to = dropsBefore(row, event) ? (from < at ? at - 1 : at) : (from < at ? at : at + 1);
    var form = list().querySelector("[data-drag-form]");
    form.querySelector('[name="step"]').value = dragged.dataset.step;
    form.querySelector('[name="to"]').value = String(to);
    if (to !== from) form.requestSubmit();
  });
})();
