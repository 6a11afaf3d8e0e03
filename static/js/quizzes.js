/*
 * Quiz questions on the phones, and the timers on every view.
 *
 * A phone keeps its own answer per question run in localStorage, so that
 * after a reload or a reveal pushed to the whole room it still knows what it
 * answered and whether that was right (the reveal renders data-correct). A
 * snapshot rendered for this phone (data-mine) seeds the store when it is
 * empty, e.g. on another browser.
 */
(function () {
  "use strict";

  var PREFIX = "quiz-answer:";

  function load(run) {
    try { return JSON.parse(localStorage.getItem(PREFIX + run) || "null"); } catch (e) { return null; }
  }
  function save(run, entry) {
    try { localStorage.setItem(PREFIX + run, JSON.stringify(entry)); } catch (e) { /* private mode */ }
  }
  function text(quiz, key) {
    var t = quiz.querySelector('template[data-text="' + key + '"]');
    return t ? t.innerHTML.trim() : "";
  }
  function parse(raw) {
    try { return JSON.parse(raw); } catch (e) { return null; }
  }

  function formValue(form, quiz) {
    var kind = quiz.dataset.kind;
    if (kind === "ranking") {
      return Array.prototype.map.call(
        form.querySelectorAll("[data-rank-list] [data-choice]"), function (li) { return Number(li.dataset.choice); });
    }
    if (kind === "points") {
      var shares = {};
      form.querySelectorAll("[data-points-for]").forEach(function (input) {
        shares[input.dataset.pointsFor] = input.value.trim() === "" ? 0 : Number(input.value);
      });
      return shares;
    }
    if (kind === "number" || kind === "text") {
      var field = form.querySelector('[name="value"]');
      return field ? field.value : "";
    }
    var picked = Array.prototype.map.call(
      form.querySelectorAll('[name="value"]:checked'), function (i) { return Number(i.value); });
    if (kind === "scale") return picked.length ? picked[0] : null;
    return picked;
  }

  function showValue(form, value) {
    if (!form || value === null || value === undefined) return;
    var list = form.querySelector("[data-rank-list]");
    // An order being changed and not sent yet stays (live.js kept it across the push).
    if (list && form.dataset.picked === "1") return;
    if (list && Array.isArray(value)) {
      value.forEach(function (id) {
        var item = list.querySelector('[data-choice="' + id + '"]');
        if (item) list.appendChild(item);
      });
      numberPlaces(list);
      return;
    }
    if (form.querySelector("[data-points-for]") && typeof value === "object" && !Array.isArray(value)) {
      form.querySelectorAll("[data-points-for]").forEach(function (input) {
        if (input.dataset.dirty !== "1") input.value = String(value[input.dataset.pointsFor] || 0);
      });
      updatePointsLeft(form);
      return;
    }
    var list = Array.isArray(value) ? value.map(String) : [String(value)];
    form.querySelectorAll('[name="value"]').forEach(function (input) {
      if (input.type === "checkbox" || input.type === "radio") {
        input.checked = list.indexOf(input.value) !== -1;
      } else if (!input.value && input.dataset.dirty !== "1") {
        input.value = String(value);
      }
    });
  }

  function describe(quiz, value) {
    if (value === null || value === undefined) return "";
    var list = Array.isArray(value) ? value : [value];
    var kind = quiz.dataset.kind;
    if (kind === "single" || kind === "multiple") {
      return list.map(function (id) {
        var row = quiz.querySelector('.bar-row[data-key="' + id + '"] .bar-label');
        return row ? row.textContent.trim() : "";
      }).filter(Boolean).join(", ");
    }
    if (kind === "sdg") return list.map(function (n) { return "SDG " + n; }).join(", ");
    if (kind === "ranking") {
      return list.map(function (id, index) { return (index + 1) + ". " + optionText(quiz, id); }).join(", ");
    }
    if (kind === "points") {  // in the options' order, whatever the order of the keys
      return Array.prototype.map.call(quiz.querySelectorAll("[data-option-names] [data-option]"), function (li) {
        var points = value[li.dataset.option];
        return points > 0 ? li.textContent.trim() + " " + points : "";
      }).filter(Boolean).join(", ");
    }
    return list.join(", ");
  }

  function optionText(quiz, id) {
    var name = quiz.querySelector('[data-option-names] [data-option="' + id + '"]');
    return name ? name.textContent.trim() : "";
  }

  function isRight(quiz, value) {
    var correct = parse(quiz.dataset.correct);
    if (correct === null || value === null || value === undefined) return null;
    var kind = quiz.dataset.kind;
    if (kind === "ranking") {
      return value.length === correct.length && value.every(function (v, i) { return Number(v) === correct[i]; });
    }
    if (kind === "number") {
      return Math.abs(Number(value) - Number(correct)) <= Number(quiz.dataset.tolerance || 0);
    }
    var mine = (Array.isArray(value) ? value : [value]).map(Number).sort(function (a, b) { return a - b; });
    if (quiz.dataset.several === "1") {
      return mine.length === correct.length && mine.every(function (v, i) { return v === correct[i]; });
    }
    return correct.indexOf(mine[0]) !== -1;
  }

  // The points a ranking's order earns against the right order (Spearman's
  // footrule), before any speed bonus: the twin of order_points in
  // quizzes/services.py, rounding half to even as Python's round() does.
  function orderPoints(order, right, points) {
    var place = {};
    right.forEach(function (id, index) { place[id] = index; });
    var distance = 0;
    order.forEach(function (id, index) { distance += Math.abs(index - place[Number(id)]); });
    var farthest = Math.max(Math.floor(right.length * right.length / 2), 1);
    var exact = points * (1 - distance / farthest);
    var rounded = Math.round(exact);
    if (Math.abs(exact % 1) === 0.5) rounded = 2 * Math.round(exact / 2);
    return rounded;
  }

  function showOrderPoints(quiz, entry) {
    var line = quiz.querySelector("[data-my-points]");
    var right = parse(quiz.dataset.correct);
    if (!line || !Array.isArray(right) || !entry || !entry.acked || !Array.isArray(entry.value)) return;
    line.textContent = text(quiz, "order-points")
      .replace("{n}", String(orderPoints(entry.value, right, Number(line.dataset.points))))
      .replace("{max}", line.dataset.points);
    line.hidden = false;
  }

  function setStatus(quiz, key, extra) {
    var status = quiz.querySelector("[data-answer-status]");
    if (!status) return;
    // Offline, "Sending…" would spin for ever: say the answer is safe and will go.
    if (key === "sending" && window.Live && !window.Live.isOpen()) key = "queued";
    status.textContent = extra || text(quiz, key);
    status.classList.toggle("is-error", key === "error");
    status.classList.toggle("is-ok", key === "sent" || key === "sent-change");
  }

  function sentKey(quiz) { return quiz.dataset.allowChange === "1" ? "sent-change" : "sent"; }

  function render(quiz) {
    var run = quiz.dataset.run;
    if (!run) return;
    var entry = load(run);
    if (!entry && quiz.dataset.mine) {
      entry = { value: parse(quiz.dataset.mine), acked: true };
      save(run, entry);
    }
    var form = quiz.querySelector("[data-quiz-form]");
    if (entry) {
      showValue(form, entry.value);
      if (form) {
        setStatus(quiz, entry.acked ? sentKey(quiz) : "sending");
        if (entry.acked && quiz.dataset.allowChange !== "1") lock(form);
      }
      var mine = quiz.querySelector("[data-my-answer]");
      if (mine && entry.acked) {
        mine.textContent = text(quiz, "yours") + " " + describe(quiz, entry.value);
        mine.hidden = false;
      }
    }
    var verdict = quiz.querySelector("[data-verdict]");
    if (verdict) {
      var result = entry && entry.acked ? isRight(quiz, entry.value) : null;
      var key = result === null ? (verdict.dataset.serverVerdict || "none") : (result ? "right" : "wrong");
      verdict.textContent = text(quiz, key);
      verdict.className = "verdict verdict-" + key;
      verdict.dataset.testid = "verdict";
    }
    if (quiz.dataset.kind === "ranking") showOrderPoints(quiz, entry);
    if (quiz.dataset.kind === "sdg" && entry) {
      (Array.isArray(entry.value) ? entry.value : []).forEach(function (n) {
        var tile = quiz.querySelector('.sdg-result[data-key="' + n + '"]');
        if (tile) tile.classList.add("is-mine");
      });
    }
  }

  function lock(form) {
    form.dataset.locked = "1";
    form.querySelectorAll("input, button, select").forEach(function (el) { el.disabled = true; });
  }

  function renderAll(root) {
    enhanceRanking(root || document);
    (root || document).querySelectorAll("[data-quiz-form]").forEach(function (form) {
      if (form.querySelector("[data-points-budget]")) updatePointsLeft(form);
    });
    (root || document).querySelectorAll("[data-quiz]").forEach(render);
    if (root && root.matches && root.matches("[data-quiz]")) render(root);
  }

  // Ranking: the arrow buttons replace the place menus, which remain the
  // form's fields (numbered from the list's order) for a send without script.
  function numberPlaces(list) {
    list.querySelectorAll("[data-choice]").forEach(function (item, index) {
      item.querySelector("[data-rank-place]").textContent = String(index + 1);
      var select = item.querySelector("select");
      if (select) select.value = String(index + 1);
    });
  }

  // Each phone lists a ranking's options in an order of its own, the same on
  // every load (seeded by its participant and the question). A push, shared
  // by the whole room, carries the canonical order: put this phone's back.
  // The twin of quizzes/shuffle.py: keep the two in step.
  function shuffleKey(seed, question, choice) {
    var text = seed + ":" + question + ":" + choice;
    var value = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      value = Math.imul(value ^ text.charCodeAt(i), 0x01000193) >>> 0;
    }
    return value;
  }

  function shuffleOptions(list) {
    var me = document.querySelector("#me[data-shuffle-seed]");
    var form = list.closest("[data-quiz-form]");
    // An order being changed and not sent yet stays as it is.
    if (!me || !list.dataset.question || (form && form.dataset.picked === "1")) return;
    var seed = me.dataset.shuffleSeed;
    var items = Array.prototype.map.call(list.querySelectorAll("[data-choice]"), function (item) {
      var id = Number(item.dataset.choice);
      return { item: item, id: id, key: shuffleKey(seed, list.dataset.question, id) };
    });
    items.sort(function (a, b) { return a.key - b.key || a.id - b.id; });
    items.forEach(function (entry) { list.appendChild(entry.item); });
  }

  function enhanceRanking(root) {
    root.querySelectorAll("[data-rank-list]").forEach(function (list) {
      shuffleOptions(list);
      numberPlaces(list);
      list.classList.add("is-enhanced");
      list.querySelectorAll("[data-rank-moves]").forEach(function (el) { el.hidden = false; });
      list.querySelectorAll("[data-rank-select]").forEach(function (el) { el.hidden = true; });
      var hint = list.parentNode.querySelector("[data-rank-js-hint]");
      if (hint) hint.hidden = false;
    });
  }

  function move(button) {
    var item = button.closest("[data-choice]");
    var list = item.parentNode;
    var up = button.dataset.move === "up";
    var other = up ? item.previousElementSibling : item.nextElementSibling;
    var quiz = button.closest("[data-quiz]");
    if (other) {
      list.insertBefore(item, up ? other : other.nextElementSibling);
      numberPlaces(list);
      button.form.dataset.picked = "1";
    }
    button.focus();  // moving the item must not lose the keyboard's place
    announce(quiz, item);
  }

  function announce(quiz, item) {
    var items = Array.prototype.slice.call(item.parentNode.querySelectorAll("[data-choice]"));
    var live = quiz.querySelector("[data-rank-announce]");
    if (live) {
      live.textContent = text(quiz, "moved")
        .replace("{option}", item.querySelector(".rank-text").textContent.trim())
        .replace("{place}", String(items.indexOf(item) + 1))
        .replace("{count}", String(items.length));
    }
  }

  // Dragging, on top of the buttons: the place number is the handle, so
  // that a finger anywhere else on the list still scrolls the page.
  var drag = null;

  function midpoint(el) {
    var box = el.getBoundingClientRect();
    return box.top + box.height / 2;
  }

  document.addEventListener("pointerdown", function (event) {
    var handle = event.target.closest && event.target.closest(".is-enhanced [data-rank-place]");
    var form = handle && handle.closest("[data-quiz-form]");
    if (!form || form.dataset.locked) return;
    event.preventDefault();
    if (handle.setPointerCapture) handle.setPointerCapture(event.pointerId);
    drag = handle.closest("[data-choice]");
    drag.classList.add("is-dragging");
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag) return;
    var list = drag.parentNode;
    var before = drag.previousElementSibling;
    var after = drag.nextElementSibling;
    if (before && event.clientY < midpoint(before)) list.insertBefore(drag, before);
    else if (after && event.clientY > midpoint(after)) list.insertBefore(drag, after.nextElementSibling);
    else return;
    numberPlaces(list);
    drag.closest("[data-quiz-form]").dataset.picked = "1";
  });

  function endDrag() {
    if (!drag) return;
    drag.classList.remove("is-dragging");
    announce(drag.closest("[data-quiz]"), drag);
    drag = null;
  }
  document.addEventListener("pointerup", endDrag);
  document.addEventListener("pointercancel", endDrag);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-move]");
    if (button && !button.disabled) move(button);
  });

  // Points: what is left to share, and no send unless it is all shared.
  function pointsState(form) {
    var budget = Number(form.querySelector("[data-points-budget]").dataset.pointsBudget);
    var total = 0;
    var whole = true;
    form.querySelectorAll("[data-points-for]").forEach(function (input) {
      var raw = input.value.trim();
      var n = raw === "" ? 0 : Number(raw);
      if (!Number.isInteger(n) || n < 0) whole = false; else total += n;
    });
    return { budget: budget, total: total, whole: whole };
  }

  function updatePointsLeft(form) {
    var quiz = form.closest("[data-quiz]");
    var line = form.querySelector("[data-points-left]");
    if (!line || !quiz) return;
    var state = pointsState(form);
    var key = !state.whole ? "points-whole" : state.total > state.budget ? "points-over"
      : state.total === state.budget ? "points-done" : "points-left";
    line.textContent = text(quiz, key).replace("{n}", String(Math.abs(state.budget - state.total)));
    line.classList.toggle("is-error", key === "points-over" || key === "points-whole");
    line.classList.toggle("is-ok", key === "points-done");
    var submit = form.querySelector("[data-quiz-submit]");
    if (submit && !form.dataset.locked) submit.disabled = key !== "points-done";
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-points-for]")) return;
    input.dataset.dirty = "1";
    updatePointsLeft(input.closest("[data-quiz-form]"));
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-quiz-form]") || !window.Live) return;
    event.preventDefault();
    if (form.querySelector("[data-points-budget]") && pointsState(form).total !== pointsState(form).budget) {
      updatePointsLeft(form);
      return;
    }
    var quiz = form.closest("[data-quiz]");
    var run = quiz.dataset.run;
    var value = formValue(form, quiz);
    var before = load(run);
    save(run, { value: value, acked: false });
    setStatus(quiz, "sending");
    window.Live.send("answer", { run: Number(run), value: value }).then(function (ack) {
      var current = document.querySelector('[data-quiz][data-run="' + run + '"]') || quiz;
      if (ack.ok) {
        save(run, { value: value, acked: true });
        render(current);
      } else {
        if (before && before.acked) save(run, before); else localStorage.removeItem(PREFIX + run);
        setStatus(current, "error", ack.error);
      }
    });
  });

  // An answer resent from the outbox after a reload is acknowledged here.
  document.addEventListener("live:ack", function (event) {
    var ack = event.detail || {};
    if (!ack.ok || !ack.run) return;
    var entry = load(ack.run);
    if (entry && !entry.acked) {
      entry.acked = true;
      save(ack.run, entry);
      renderAll();
    }
  });

  // Countdowns: to a deadline on the server's clock, with the server's time
  // as the socket last told it (Live.serverOffset), so a phone whose clock
  // is off, or that joined late, shows what the projector shows. A paused
  // one shows what is left.
  function serverNow() {
    var offset = window.Live && window.Live.serverOffset ? window.Live.serverOffset() : null;
    return Date.now() + (offset === null ? 0 : offset);
  }
  function clock(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }
  function tick() {
    document.querySelectorAll(".countdown").forEach(function (el) {
      var left = el.dataset.closesAt ? Number(el.dataset.closesAt) - serverNow() : Number(el.dataset.pausedLeft);
      var seconds = Math.max(0, Math.ceil(left / 1000));
      var time = el.querySelector("[data-countdown-time]");
      var over = seconds === 0 && !!el.dataset.closesAt;
      var shown = over ? el.dataset.timeup : clock(seconds);
      if (time.textContent !== shown) time.textContent = shown;
      el.classList.toggle("is-over", over);
      el.classList.toggle("is-ending", !over && seconds <= 10 && !!el.dataset.closesAt);
      if (over) {
        // The server closes it too (quizzes/deadlines.py); until its push comes, no more sends.
        var form = el.closest("[data-quiz]") && el.closest("[data-quiz]").querySelector("[data-quiz-form]");
        if (form) lock(form);
      }
    });
  }
  setInterval(tick, 250);


  document.addEventListener("live:swapped", function (event) {
    (event.detail.elements || []).forEach(function (el) { renderAll(el); });
    tick();
  });
  if (document.readyState !== "loading") { renderAll(); tick(); }
})();
