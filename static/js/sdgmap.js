/*
 * The SDG-mapping exercise on the phones (and the timers everywhere).
 *
 * - A rating or a target is sent over the socket the moment it changes; the
 *   reasoning after a pause in typing, on leaving the field, or on "Save".
 *   Everything goes through Live.send (kept in an outbox until the server
 *   acknowledges it), so a phone that drops its connection loses nothing.
 * - Teammates' changes arrive as region swaps. live.js keeps the text being
 *   typed; this file keeps open cards open and tells the member when a
 *   teammate changed the text they are editing.
 * - Without JavaScript each card is a plain form that posts the whole card.
 */
(function () {
  "use strict";

  var TYPING_PAUSE_MS = 1200;
  var openCards = {};   // sdg -> true while the card is expanded
  var statuses = {};    // sdg -> {text, kind}: survives swaps
  var baseRv = {};      // sdg -> reasoning version the member started typing from
  var timers = {};      // sdg -> debounce timer
  var lastSent = {};    // sdg -> text most recently sent

  // Messages come translated from the page: data-msg-* on #sdg-cards.
  function msg(name, values) {
    var cards = document.getElementById("sdg-cards");
    var text = (cards && cards.dataset["msg" + name]) || "";
    Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(values[key]); });
    return text;
  }

  function myName() {
    var el = document.querySelector(".me-name");
    return el ? el.textContent.trim() : "";
  }

  function cardOf(el) { return el.closest ? el.closest(".sdg-card") : null; }

  function stepOf(el) {
    var region = el.closest("[data-step]");
    return region ? region.dataset.step : "";
  }

  function setStatus(sdg, text, kind) {
    if (text) statuses[sdg] = { text: text, kind: kind || "" };
    else delete statuses[sdg];
    showStatus(sdg);
  }

  function showStatus(sdg) {
    var el = document.getElementById("card-status-" + sdg);
    if (!el) return;
    var s = statuses[sdg];
    el.textContent = s ? s.text : "";
    el.className = "card-status" + (s && s.kind ? " " + s.kind : "");
  }

  function send(card, field, value, extra) {
    if (!window.Live) return Promise.resolve(null);
    var sdg = card.dataset.sdg;
    var data = Object.assign({ sdg: Number(sdg), field: field, value: value, step: stepOf(card) }, extra || {});
    return window.Live.send("card", data).then(function (ack) {
      if (!ack.ok) {
        setStatus(sdg, ack.error || "", "error");
        return ack;
      }
      var result = ack.card || {};
      if (result.outcome === "conflict") {
        baseRv[sdg] = result.reasoning_version;
        setStatus(sdg, msg("Conflict", { who: result.changed_by || msg("Teammate"), text: result.current_text || "" }), "warn");
      } else if (field === "reasoning") {
        var area = document.getElementById("reasoning-" + sdg);
        if (area && area.value.trim() === String(value).trim()) {
          area.dataset.dirty = "";
          delete baseRv[sdg];
        } else {
          baseRv[sdg] = result.reasoning_version;
        }
        setStatus(sdg, result.unchanged ? "" : msg("Saved"), "");
      } else {
        setStatus(sdg, "", "");
      }
      return ack;
    });
  }

  function sendReasoning(area) {
    var card = cardOf(area);
    if (!card) return;
    var sdg = card.dataset.sdg;
    clearTimeout(timers[sdg]);
    if (area.dataset.dirty !== "1") return;
    var text = area.value;
    if (text === lastSent[sdg]) return;
    lastSent[sdg] = text;
    var base = baseRv[sdg] !== undefined ? baseRv[sdg] : Number(card.dataset.rv || 0);
    setStatus(sdg, msg("Saving"), "");
    send(card, "reasoning", text, { base_version: base }).then(function () { delete lastSent[sdg]; });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    var card = cardOf(input);
    if (!card || !window.Live) return;
    if (input.name === "rating") {
      send(card, "rating", input.value);
    } else if (input.name === "targets") {
      send(card, "target", { code: input.value, on: input.checked });
    } else if (input.name === "reasoning") {
      sendReasoning(input);
    }
  });

  document.addEventListener("input", function (event) {
    var area = event.target;
    if (area.name !== "reasoning") return;
    var card = cardOf(area);
    if (!card) return;
    var sdg = card.dataset.sdg;
    // The version this edit builds on: fixed when typing starts.
    if (baseRv[sdg] === undefined) baseRv[sdg] = Number(card.dataset.rv || 0);
    clearTimeout(timers[sdg]);
    timers[sdg] = setTimeout(function () {
      var current = document.getElementById("reasoning-" + sdg);
      if (current) sendReasoning(current);
    }, window.sdgTypingPauseMs || TYPING_PAUSE_MS);  // tests may lengthen the pause
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // With the live client, always the socket: offline, the outbox keeps the
    // edit until it is acknowledged (a pushed form carries no CSRF token).
    if (!form.classList || !form.classList.contains("sdg-card-form") || !window.Live) return;
    event.preventDefault();
    var area = form.querySelector("textarea[name=reasoning]");
    if (area) { area.dataset.dirty = "1"; delete lastSent[form.dataset.sdg]; sendReasoning(area); }
  });

  document.addEventListener("toggle", function (event) {
    var card = event.target;
    if (card.classList && card.classList.contains("sdg-card")) {
      if (card.open) openCards[card.dataset.sdg] = true;
      else delete openCards[card.dataset.sdg];
    }
  }, true);

  // After a push: reopen what was open, show statuses again, and tell the
  // member when a teammate changed the text they are typing in.
  document.addEventListener("live:swapped", function () {
    document.querySelectorAll(".sdg-card").forEach(function (card) {
      var sdg = card.dataset.sdg;
      if (openCards[sdg]) card.open = true;
      var area = document.getElementById("reasoning-" + sdg);
      if (area) {
        // The text the server holds: the fresh element's own content.
        var saved = area.defaultValue;
        if (area.dataset.dirty !== "1") {
          // Focused but untouched: show the latest text, not the stale one.
          area.value = saved;
        } else if (baseRv[sdg] !== undefined && Number(card.dataset.rv || 0) > baseRv[sdg] &&
                   card.dataset.by && card.dataset.by !== myName() && saved !== area.value) {
          setStatus(sdg, msg("Typing", { who: card.dataset.by, text: saved }), "warn");
        }
      }
      showStatus(sdg);
    });
    tick();
    fillTargetTexts();
  });

  // Pushed cards carry target codes only; descriptions come once per language.
  var texts = {};
  function fillTargetTexts() {
    var cards = document.getElementById("sdg-cards");
    var bare = cards ? cards.querySelectorAll("label[data-t]:not(:has(.tt))") : [];
    if (!bare.length) return;
    var lang = cards.dataset.lang || "en";
    var got = texts[lang] || (texts[lang] = fetch("/sdg/targets/" + lang + ".json").then(function (r) { return r.json(); }));
    got.then(function (map) {
      document.querySelectorAll("#sdg-cards label[data-t]:not(:has(.tt))").forEach(function (label) {
        var text = document.createElement("span");
        text.className = "tt";
        text.textContent = map[label.dataset.t] || "";
        label.append(" ", text);
      });
    }).catch(function () { delete texts[lang]; });
  }
  document.addEventListener("DOMContentLoaded", fillTargetTexts);

  // Countdowns: the server sends the end time; every device counts down to
  // it on the server's clock (live.js hears it in each frame), not its own.
  function serverNow() {
    var offset = window.Live && window.Live.serverOffset ? window.Live.serverOffset() : null;
    return Date.now() + (offset === null ? 0 : offset);
  }
  function tick() {
    document.querySelectorAll("[data-ends-at]").forEach(function (el) {
      var end = Date.parse(el.dataset.endsAt);
      if (isNaN(end)) return;
      var left = Math.max(0, Math.round((end - serverNow()) / 1000));
      if (left === 0) {
        el.textContent = el.dataset.over || "0:00";
        el.classList.add("over");
      } else {
        var m = Math.floor(left / 60), s = left % 60;
        el.textContent = m + ":" + (s < 10 ? "0" : "") + s;
        el.classList.remove("over");
      }
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
})();
