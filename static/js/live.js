/*
 * The live client shared by the projector, the control view and the phones.
 *
 * - Keeps one websocket open, reconnecting with backoff and jitter; says so
 *   on screen while it is down; reconnects at once when a phone wakes up.
 * - Swaps live regions by id. Each region carries a version (data-v); an
 *   older push never overwrites a newer one. A snapshot arrives on connect.
 * - Sends actions through an outbox kept in localStorage: an action stays
 *   there until the server acknowledges it, and is sent again after a
 *   reconnect or a reload. The server makes a resend harmless.
 */
(function () {
  "use strict";

  var body = document.body;
  var liveUrl = body && body.dataset.liveUrl;

  // The join form's answer is the phone's page itself: put the page's own
  // address in the address bar, so that a reload asks for the page again
  // instead of sending the form a second time.
  var pageUrl = body && body.dataset.pageUrl;
  if (pageUrl && location.pathname !== pageUrl && window.history.replaceState) {
    window.history.replaceState(null, "", pageUrl);
  }
  var NO_RETRY = { 4401: true, 4403: true, 4404: true, 4009: true };
  var PING_EVERY_MS = 25000;
  var PONG_WITHIN_MS = 10000;

  var socket = null;
  var attempts = 0;
  var retryTimer = null;
  var bannerTimer = null;
  var pingTimer = null;
  var pongTimer = null;
  var stopped = false;
  var clockOffset = null; // server time minus this device's, from the last frame that told it
  var pending = {}; // id -> {resolve, reject}
  var outboxKey = "live-outbox:" + (body && (body.dataset.liveKey || liveUrl));

  function loadOutbox() {
    try { return JSON.parse(localStorage.getItem(outboxKey) || "[]"); } catch (e) { return []; }
  }
  function saveOutbox(items) {
    try { localStorage.setItem(outboxKey, JSON.stringify(items)); } catch (e) { /* private mode */ }
  }
  var outbox = loadOutbox();

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function setBanner(visible, text) {
    var banner = document.getElementById("connection-banner");
    if (!banner) return;
    if (text) banner.textContent = text;
    banner.hidden = !visible;
    body.classList.toggle("is-offline", visible);
  }

  // The page's token of freshness goes with its first connect only: a page
  // that nothing has changed since needs no snapshot (live/hub.py). A
  // later connect may have missed pushes, so it always gets one.
  var fresh = body && body.dataset.liveFresh;
  function url() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var query = fresh ? "?fresh=" + encodeURIComponent(fresh) : "";
    fresh = "";
    return scheme + location.host + liveUrl + query;
  }

  function connect() {
    if (stopped || !liveUrl) return;
    if (socket && (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING)) return;
    clearTimeout(retryTimer);
    socket = new WebSocket(url());
    socket.onopen = onOpen;
    socket.onmessage = onMessage;
    socket.onclose = onClose;
    socket.onerror = function () { /* onclose follows */ };
  }

  function onOpen() {
    attempts = 0;
    clearTimeout(bannerTimer);
    setBanner(false);
    outbox.forEach(function (item) { rawSend(item); });
    schedulePing();
  }

  function onClose(event) {
    clearTimeout(pingTimer);
    clearTimeout(pongTimer);
    if (NO_RETRY[event.code]) { stopped = true; return; }
    // A short blip should not flash a banner; a real outage should show one.
    clearTimeout(bannerTimer);
    bannerTimer = setTimeout(function () { setBanner(true); }, attempts === 0 ? 1500 : 0);
    attempts += 1;
    retryTimer = setTimeout(connect, retryDelay(attempts));
  }

  // Full jitter, anywhere from 0 to a ceiling that doubles up to RETRY_MAX_MS:
  // after a restart the room's phones come back spread over a few seconds
  // instead of in waves, and none waits long once the server listens again
  // (docs/performance.md). Keep bench/worker.py's copy in step.
  var RETRY_FIRST_MS = 1000;
  var RETRY_MAX_MS = 4000;
  function retryDelay(attempt) {
    return Math.random() * Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * Math.pow(2, attempt - 1));
  }

  function reconnectNow() {
    if (stopped) return;
    if (!socket || socket.readyState === WebSocket.CLOSED || socket.readyState === WebSocket.CLOSING) {
      attempts = 0;
      connect();
    } else if (socket.readyState === WebSocket.OPEN) {
      ping(); // a phone that slept may hold a dead socket that still says OPEN
    }
  }

  function schedulePing() {
    clearTimeout(pingTimer);
    pingTimer = setTimeout(ping, PING_EVERY_MS);
  }

  function ping() {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify({ type: "ping" }));
    clearTimeout(pongTimer);
    pongTimer = setTimeout(function () { socket.close(); }, PONG_WITHIN_MS);
  }

  function onMessage(event) {
    clearTimeout(pongTimer);
    schedulePing();
    var message;
    try { message = JSON.parse(event.data); } catch (e) { return; }
    // The server's clock, in frames of regions and in pongs: countdowns follow
    // it, not this device's clock, which may be minutes off.
    if (typeof message.now === "number") clockOffset = message.now - Date.now();
    if (message.t === "regions") {
      swapRegions(message.regions || []);
    } else if (message.t === "reload") {
      // What changed was too big to push (a very large room): load the page.
      location.reload();
    } else if (message.t === "ack") {
      settle(message);
    } else if (message.t === "refused") {
      stopped = true;
      if (message.code === "not_joined" && body.dataset.joinUrl) {
        location.href = body.dataset.joinUrl;
      } else {
        setBanner(true, message.error || "");
      }
    }
  }

  function swapRegions(regions) {
    var swapped = [];
    regions.forEach(function (region) {
      var current = document.getElementById(region.id);
      if (!current) return;
      var currentVersion = Number(current.dataset.v || 0);
      if (currentVersion > region.v) return; // stale push
      var template = document.createElement("template");
      template.innerHTML = region.html.trim();
      var fresh = template.content.firstElementChild;
      if (!fresh) return;
      keepFocusAndInput(current, fresh);
      current.replaceWith(fresh);
      keepPicks(current, fresh);
      if (window.htmx) window.htmx.process(fresh);
      swapped.push(fresh);
    });
    if (swapped.length) {
      document.dispatchEvent(new CustomEvent("live:swapped", { detail: { elements: swapped } }));
    }
    // One event a region, for what follows a region without being in it:
    // hx-trigger="live-swapped-room from:document" (htmx has no eval here,
    // so it cannot filter live:swapped by its detail).
    swapped.forEach(function (element) {
      document.dispatchEvent(new CustomEvent("live-swapped-" + element.id));
    });
  }

  // A list that refreshes itself after a push must not close a menu the
  // facilitator has open in it (a big room pushes every second): while one
  // of its selects has focus it skips the refresh; the next push brings it.
  document.addEventListener("htmx:confirm", function (event) {
    var trigger = event.detail.triggeringEvent;
    var active = document.activeElement;
    if (trigger && String(trigger.type).indexOf("live-swapped-") === 0 &&
        active && active.tagName === "SELECT" && event.detail.elt.contains(active)) {
      event.preventDefault();
    }
  });

  // A push must not wipe what someone is typing: keep values of text fields
  // that have focus or unsent edits, matched by id.
  function keepFocusAndInput(current, fresh) {
    var active = document.activeElement;
    current.querySelectorAll("textarea[id], input[type=text][id], input[type=number][id]").forEach(function (field) {
      if (field === active || field.dataset.dirty === "1") {
        var twin = fresh.querySelector("#" + CSS.escape(field.id));
        if (twin) { twin.value = field.value; twin.dataset.dirty = field.dataset.dirty || ""; }
      }
    });
    if (active && active.id && current.contains(active)) {
      requestAnimationFrame(function () {
        var again = document.getElementById(active.id);
        if (again) again.focus();
      });
    }
  }

  // Nor the choices someone tapped and has not sent yet, in the forms that
  // ask for it (data-keep-picks: a quiz answer). The same form in the fresh
  // region (same action and hidden fields: the same question run) gets them.
  function keepPicks(current, fresh) {
    current.querySelectorAll("form[data-keep-picks][data-picked]").forEach(function (form) {
      var twin = sameForm(fresh, form);
      if (!twin) return;
      twin.dataset.picked = "1";
      twin.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (input) {
        var mine = form.querySelector('input[name="' + CSS.escape(input.name) + '"][value="' + CSS.escape(input.value) + '"]');
        if (mine) input.checked = mine.checked;
      });
      // A ranking being ordered: the same order (quizzes.js numbers it again).
      var list = form.querySelector("[data-rank-list]");
      var twinList = twin.querySelector("[data-rank-list]");
      if (list && twinList) {
        list.querySelectorAll("[data-choice]").forEach(function (item) {
          var same = twinList.querySelector('[data-choice="' + CSS.escape(item.dataset.choice) + '"]');
          if (same) twinList.appendChild(same);
        });
      }
    });
  }

  function sameForm(container, form) {
    var key = formKey(form);
    var forms = container.querySelectorAll("form[data-keep-picks]");
    for (var i = 0; i < forms.length; i++) {
      if (formKey(forms[i]) === key) return forms[i];
    }
    return null;
  }

  function formKey(form) {
    var hidden = Array.prototype.filter.call(form.querySelectorAll("input[type=hidden]"), function (input) {
      return input.name !== "csrfmiddlewaretoken";  // a token of its own in each render
    }).map(function (input) { return input.name + "=" + input.value; });
    return (form.getAttribute("action") || "") + "?" + hidden.join("&");
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.form && (input.type === "radio" || input.type === "checkbox") &&
        input.form.hasAttribute("data-keep-picks")) {
      input.form.dataset.picked = "1";
    }
  });

  function rawSend(item) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(item));
  }

  function settle(message) {
    var before = outbox.length;
    outbox = outbox.filter(function (item) { return item.id !== message.id; });
    if (outbox.length !== before) saveOutbox(outbox);
    var waiter = pending[message.id];
    if (waiter) {
      delete pending[message.id];
      waiter.resolve(message);
    }
    document.dispatchEvent(new CustomEvent("live:ack", { detail: message }));
  }

  /* Send an action; the promise resolves with the server's ack {ok, code, error}. */
  function send(type, data) {
    var item = Object.assign({}, data || {}, { type: type, id: newId() });
    outbox.push(item);
    saveOutbox(outbox);
    rawSend(item);
    return new Promise(function (resolve, reject) { pending[item.id] = { resolve: resolve, reject: reject }; });
  }

  // htmx 2 swaps no 4xx answer. A refusal that names where it goes
  // (HX-Retarget: the control view's #flash) is meant to be read: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Select boxes that submit their form when changed (language, group moves).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-autosubmit]") && target.form) {
      target.form.requestSubmit();
    }
  });
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea, input[type=text]")) {
      event.target.dataset.dirty = "1";
    }
  });

  // Keyboard and presenter remotes on the control view: arrows move the show.
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.altKey || event.ctrlKey || event.metaKey) return;
    var key = event.key === "PageDown" ? "ArrowRight" : event.key === "PageUp" ? "ArrowLeft" : event.key;
    var button = document.querySelector('[data-hotkey="' + key + '"]');
    if (button && !button.disabled) { event.preventDefault(); button.click(); }
  });

  // Phones: iOS needs both to notice it was backgrounded and came back.
  // A phone that was away a while may hold a socket that says OPEN but is dead
  // (a ping would take PONG_WITHIN_MS to tell): start afresh instead; the
  // snapshot on connect resyncs the page and the outbox is sent again.
  var hiddenAt = 0;
  var FRESH_AFTER_AWAY_MS = 3000;
  function away() { if (!hiddenAt) hiddenAt = Date.now(); }
  function resume() {
    var awayMs = hiddenAt ? Date.now() - hiddenAt : 0;
    hiddenAt = 0;
    if (!stopped && awayMs >= FRESH_AFTER_AWAY_MS && socket && socket.readyState === WebSocket.OPEN) {
      var old = socket;
      socket = null;
      old.onopen = old.onmessage = old.onclose = old.onerror = null;
      clearTimeout(pingTimer);
      clearTimeout(pongTimer);
      try { old.close(4001); } catch (e) { /* already gone */ }
    }
    reconnectNow();
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") resume(); else away();
  });
  window.addEventListener("pagehide", away);
  window.addEventListener("pageshow", resume);
  // Back on the network after a while: the old socket is likely dead too.
  window.addEventListener("online", resume);
  window.addEventListener("offline", function () { away(); setBanner(true); });

  window.Live = {
    send: send,
    // Milliseconds to add to Date.now() for the server's time; null until heard.
    serverOffset: function () { return clockOffset; },
    reconnectNow: reconnectNow,
    isOpen: function () { return !!socket && socket.readyState === WebSocket.OPEN; },
    outbox: function () { return outbox.slice(); },
    // For tests and diagnostics: drop the connection as a network blip would.
    dropConnection: function () { if (socket) socket.close(4000); },
  };

  if (liveUrl) connect();
})();
