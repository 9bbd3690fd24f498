// Branchyard status pages: live updates over Server-Sent Events (no polling), build log viewers
// that follow a build's log while open, and TTL countdowns. No framework, no build step.
(function () {
  "use strict";

  function announce(text) {
    var el = document.getElementById("announcer");
    if (el && text) {
      el.textContent = "";
      // A new text node each time makes screen readers announce repeated messages too.
      window.setTimeout(function () { el.textContent = text; }, 50);
    }
  }

  function connection(text) {
    var el = document.getElementById("connection");
    if (!el) return;
    el.hidden = !text;
    el.textContent = text || "";
  }

  // Live updates: the server sends "update" events whose data is a JSON object
  // {fragments: {id: html}, keys: {id: key}, announce: text}; each fragment replaces the contents
  // of the element with that id. A fragment with a key replaces it only when the key changed
  // (the build logs, so open log viewers keep following).
  function live() {
    var url = document.body.getAttribute("data-live");
    if (!url || !window.EventSource) return;
    var source = new EventSource(url);
    source.addEventListener("update", function (event) {
      var update = JSON.parse(event.data);
      var fragments = update.fragments || {};
      var keys = update.keys || {};
      Object.keys(fragments).forEach(function (id) {
        var el = document.getElementById(id);
        if (!el) return;
        if (keys[id] !== undefined) {
          if (el.getAttribute("data-key") === keys[id]) return;
          el.setAttribute("data-key", keys[id]);
        }
        el.innerHTML = fragments[id];
      });
      if (update.announce) announce(update.announce);
      countdowns();
      logs();
      document.body.setAttribute("data-updated", String(Date.now()));
    });
    source.addEventListener("gone", function (event) {
      source.close();
      connection(event.data);
      announce(event.data);
    });
    source.onopen = function () { connection(""); };
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) {
        connection("Live updates stopped; reload the page to resume.");
      } else {
        connection("Live updates interrupted; reconnecting…");
      }
    };
  }

  // Build logs: opening a viewer follows GET /api/builds/{name}/logs until its "end" event.
  function follow(details) {
    if (details.getAttribute("data-following")) return;
    details.setAttribute("data-following", "true");
    var pre = details.querySelector("pre.log");
    var name = details.getAttribute("data-build");
    var source = new EventSource("/api/builds/" + encodeURIComponent(name) + "/logs");
    source.onmessage = function (event) {
      var stick = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      pre.appendChild(document.createTextNode(event.data + "\n"));
      if (stick) pre.scrollTop = pre.scrollHeight;
    };
    source.addEventListener("end", function () {
      source.close();
      details.setAttribute("data-complete", "true");
      pre.appendChild(document.createTextNode("— end of log —\n"));
    });
    source.onerror = function () {
      // Without this, EventSource reconnects and replays the whole log.
      if (!details.getAttribute("data-complete")) {
        source.close();
        pre.appendChild(document.createTextNode("— log unavailable (build gone, or not started) —\n"));
        details.removeAttribute("data-following");
      }
    };
  }

  function logs() {
    document.querySelectorAll("details.build-log").forEach(function (details) {
      if (details.getAttribute("data-wired")) return;
      details.setAttribute("data-wired", "true");
      details.addEventListener("toggle", function () { if (details.open) follow(details); });
      if (details.open) follow(details);
    });
  }

  function plural(n, unit) { return n + unit; }

  function human(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), r = s % 60;
    if (d > 0) return h > 0 ? plural(d, "d") + " " + plural(h, "h") : plural(d, "d");
    if (h > 0) return m > 0 ? plural(h, "h") + " " + plural(m, "m") : plural(h, "h");
    if (m > 0) return r > 0 ? plural(m, "m") + " " + plural(r, "s") : plural(m, "m");
    return plural(r, "s");
  }

  // TTL countdowns: not an aria-live region, so screen readers are not told every second.
  function countdowns() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var at = Date.parse(el.getAttribute("datetime"));
      if (isNaN(at)) return;
      var diff = (at - now) / 1000;
      el.textContent = diff >= 0 ? "in " + human(diff) : human(-diff) + " ago";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    live();
    logs();
    countdowns();
    window.setInterval(countdowns, 1000);
  });
})();
