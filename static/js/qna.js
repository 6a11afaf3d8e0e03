/*
 * Questions from the room, on the phones (and the control view's sorting).
 *
 * The room's list (#qna) is one render shared by every phone; what is this
 * phone's own (its questions, its votes) comes from #qna-mine, fetched by
 * this phone alone when the panel opens and while one of its questions may
 * still change. Votes go through the live outbox: kept until the server
 * acknowledges them, resent after a reconnect, recognised there by their id.
 */
(function () {
  "use strict";

  var SEEN_KEY = "qna-seen:" + (document.body.dataset.liveKey || "");
  var SORT_KEY = "qna-sort";
  var MINE_EVERY_MS = 1500;
  var voted = {};      // question id -> true
  var waiting = {};    // question id -> true while a vote is unacknowledged
  var anonymous = null; // the checkbox as the participant left it, across pushes
  var lastMine = 0;

  function panel() { return document.querySelector("[data-qna-panel]"); }
  function region() { return document.getElementById("qna"); }
  function isOpen() { return document.body.classList.contains("qna-open"); }
  function store(key, value) { try { localStorage.setItem(key, value); } catch (e) { /* private mode */ } }
  function stored(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }

  function text(key) {
    var t = document.querySelector('[data-qna-panel] template[data-qna-text="' + key + '"]');
    return t ? t.content.textContent.trim() : "";
  }

  function say(message, isError) {
    var status = document.querySelector("[data-qna-status]");
    if (!status) return;
    status.textContent = message || "";
    status.classList.toggle("is-error", !!isError);
  }

  // One fetch of this phone's own list at a time, and one more after it if
  // asked meanwhile: htmx queues a second request on the element that the
  // first one's answer replaces, and drops it with that element (a question
  // asked while the panel's first fetch was on its way never showed).
  var mineSince = 0;   // when the fetch on its way started, 0: none
  var mineAgain = false;
  var MINE_GIVE_UP_MS = 10000;
  function refreshMine() {
    lastMine = Date.now();
    if (mineSince && Date.now() - mineSince < MINE_GIVE_UP_MS) {
      mineAgain = true;
      return;
    }
    mineSince = Date.now();
    if (window.htmx) window.htmx.trigger(document.body, "qna-mine");
  }
  function mineArrived() {
    mineSince = 0;
    if (mineAgain) {
      mineAgain = false;
      refreshMine();
    }
  }
  document.addEventListener("htmx:afterRequest", function (event) {
    // A failed fetch swaps nothing: no settle follows.
    if (event.detail.failed && event.target.id === "qna-mine") mineArrived();
  });

  function setOpen(open) {
    if (!panel()) return;
    document.body.classList.toggle("qna-open", open);
    var launcher = document.querySelector(".qna-launcher");
    if (launcher) launcher.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      markSeen();
      refreshMine();
      var title = document.getElementById("qna-title");
      if (title) { title.setAttribute("tabindex", "-1"); title.focus(); }
    } else if (launcher) {
      launcher.focus();
    }
  }

  function markSeen() {
    var list = region();
    if (list) store(SEEN_KEY, list.dataset.news || "0");
    updateBadge();
  }

  // A new reply or highlight while the panel is closed: a badge, and the
  // current step stays where it is.
  function updateBadge() {
    var list = region();
    var launcher = document.querySelector(".qna-launcher");
    var badge = document.querySelector("[data-qna-badge]");
    if (!list || !launcher || !badge) return;
    var enabled = list.dataset.enabled === "1";
    launcher.hidden = !enabled && !isOpen();
    var news = Number(list.dataset.news || 0);
    if (isOpen() && news) store(SEEN_KEY, String(news));
    var seen = Number(stored(SEEN_KEY) || 0);
    var fresh = news > seen && !isOpen();
    badge.hidden = !fresh;
    launcher.classList.toggle("has-news", fresh);
  }

  // The server sends the top of both sorts (see qna/board.py); the phone
  // shows the first data-qna-cap of its own sort and hides the others.
  function sortLists() {
    var order = stored(SORT_KEY) || "votes";
    document.querySelectorAll("a[data-qna-sort]").forEach(function (link) {
      if (link.dataset.qnaSort === order) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    });
    document.querySelectorAll("[data-qna-more]").forEach(function (link) {
      link.href = link.href.replace(/qna_sort=[a-z]+/, "qna_sort=" + order);
    });
    document.querySelectorAll("#qna [data-qna-list]").forEach(function (list) {
      var cap = Number(list.dataset.qnaCap || 0);
      var items = Array.prototype.slice.call(list.children);
      items.sort(function (a, b) {
        var key = order === "newest" ? "created" : "votes";
        var diff = Number(b.dataset[key]) - Number(a.dataset[key]);
        return diff || Number(a.dataset.created) - Number(b.dataset.created);
      });
      items.forEach(function (item, rank) {
        item.hidden = cap > 0 && rank >= cap;
        list.appendChild(item);
      });
    });
  }

  function showVotes() {
    document.querySelectorAll("#qna [data-qna-vote]").forEach(function (form) {
      var id = form.querySelector('[name="question"]').value;
      var button = form.querySelector("[data-qna-vote-button]");
      button.setAttribute("aria-pressed", voted[id] ? "true" : "false");
      button.disabled = !!waiting[id];
      form.querySelector('[name="voted"]').value = voted[id] ? "0" : "1";
    });
  }

  function afterRegionSwap() {
    var box = document.getElementById("qna-anonymous");
    if (box && anonymous !== null) box.checked = anonymous;
    sortLists();
    showVotes();
    updateBadge();
    var own = document.getElementById("qna-mine");
    // One of this phone's questions may have changed: fetch its own list again.
    if (isOpen() && own && own.dataset.active === "1") refreshMineSoon();
  }

  // At most once every MINE_EVERY_MS, and never skipped: a change that comes
  // within that time of the last fetch (a question rejected just after
  // another was approved) is fetched when the time is up.
  var mineTimer = null;
  function refreshMineSoon() {
    var wait = MINE_EVERY_MS - (Date.now() - lastMine);
    if (wait <= 0) {
      refreshMine();
      return;
    }
    if (mineTimer) return; // a fetch is on its way, after this change
    mineTimer = setTimeout(function () {
      mineTimer = null;
      if (isOpen()) refreshMine();
    }, wait);
  }

  function onVote(form) {
    var id = form.querySelector('[name="question"]').value;
    if (waiting[id]) return;
    var wanted = !voted[id];
    waiting[id] = true;
    showVotes();
    window.Live.send("qna.vote", { question: Number(id), voted: wanted }).then(function (ack) {
      delete waiting[id];
      if (ack.ok) {
        voted[id] = ack.vote.voted;
        var item = form.closest("[data-qid]");
        if (item) {
          item.dataset.votes = ack.vote.votes;
          item.querySelector("[data-qna-count]").textContent = ack.vote.votes;
        }
        say("");
      } else {
        say(ack.error, true);
      }
      showVotes();
    });
  }

  function onAsk(form) {
    var field = form.querySelector('[name="text"]');
    var box = form.querySelector('[name="anonymous"]');
    var question = field.value.trim();
    if (!question) { say(text("empty"), true); field.focus(); return; }
    var button = form.querySelector('[type="submit"]');
    button.disabled = true;
    window.Live.send("qna.ask", { text: question, anonymous: !!(box && box.checked) }).then(function (ack) {
      var again = document.querySelector("[data-qna-ask]");
      var submit = again && again.querySelector('[type="submit"]');
      if (submit) submit.disabled = false;
      if (ack.ok) {
        var input = document.getElementById("qna-text");
        if (input) { input.value = ""; input.dataset.dirty = ""; }
        say(text("asked-" + ack.question.state));
        refreshMine();
      } else {
        say(ack.error, true);
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!window.Live) return;
    if (form.matches("[data-qna-vote]")) { event.preventDefault(); onVote(form); }
    else if (form.matches("[data-qna-ask]")) { event.preventDefault(); onAsk(form); }
  });

  document.addEventListener("click", function (event) {
    var sorter = event.target.closest("#qna a[data-qna-sort]");
    if (sorter) { event.preventDefault(); store(SORT_KEY, sorter.dataset.qnaSort); sortLists(); return; }
    var opener = event.target.closest("[data-qna-open]");
    if (opener) { event.preventDefault(); setOpen(!isOpen()); return; }
    if (event.target.closest("[data-qna-close]")) setOpen(false);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen()) setOpen(false);
  });

  document.addEventListener("change", function (event) {
    if (event.target.id === "qna-anonymous") anonymous = event.target.checked;
  });

  // Counts came (a burst of votes): onto the list as it is, then sorted again.
  function applyCounts() {
    var holder = document.getElementById("qna-counts");
    if (!holder) return;
    var counts;
    try { counts = JSON.parse(holder.dataset.counts || "{}"); } catch (e) { return; }
    document.querySelectorAll("#qna [data-qid]").forEach(function (item) {
      var n = counts[item.dataset.qid];
      if (n === undefined) return;
      item.dataset.votes = n;
      var count = item.querySelector("[data-qna-count]");
      if (count) count.textContent = n;
    });
    sortLists();
  }

  document.addEventListener("live-swapped-qna", function () { afterRegionSwap(); applyCounts(); });
  document.addEventListener("live-swapped-qna-counts", applyCounts);

  // This phone's own list arrived: its votes are the truth for the buttons.
  document.addEventListener("htmx:afterSettle", function (event) {
    var own = document.getElementById("qna-mine");
    if (own && event.target === own) mineArrived();
    if (!own || own.dataset.voted === undefined) return;
    var ids = [];
    try { ids = JSON.parse(own.dataset.voted || "[]"); } catch (e) { ids = []; }
    voted = {};
    ids.forEach(function (id) { voted[String(id)] = true; });
    showVotes();
  });

  function start() {
    sortLists(); // the control view's list too
    if (!panel()) return;
    document.body.classList.add("qna-ready");
    afterRegionSwap();
    if (location.hash === "#qna-panel") setOpen(true);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
