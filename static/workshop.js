// Participant page: follows the facilitator without reloading, counts dot-voting points.
// Where the server offers a stream (data-stream-url), each change arrives as a server-sent
// event with the new screen; otherwise, or when a proxy holds the stream back, the page asks
// a small state URL every few seconds and fetches itself when the state moved.
// Without JavaScript the page works too; it then needs a reload to see the next poll.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) { return; }
  var announcer = document.getElementById("live-announcer");
  var POLL_MS = 2000;          // without a stream: a phone follows within about 2 to 3 s
  var FIRST_EVENT_MS = 10000;  // a stream that says nothing this long is held back by a proxy
  var etag = null;
  var busy = false;
  var polling = null;
  var source = null;

  if (window.location.pathname !== live.dataset.pageUrl && window.history.replaceState) {
    // A page answered to a POST: reloading it or fetching it again must not send the form again.
    window.history.replaceState(null, "", live.dataset.pageUrl);
  }

  function countPoints(box) {
    var line = box.querySelector(".points-left");
    var output = line.querySelector("output");
    var inputs = box.querySelectorAll("input[type=number]");
    var budget = parseInt(box.dataset.budget, 10);
    function update() {
      var used = 0;
      inputs.forEach(function (input) {
        var value = parseInt(input.value, 10);
        if (!isNaN(value) && value > 0) { used += value; }
      });
      output.textContent = String(budget - used);
      line.classList.toggle("warning", used > budget);
    }
    line.hidden = false;
    inputs.forEach(function (input) { input.addEventListener("input", update); });
    update();
  }

  function enhance(root) {
    root.querySelectorAll(".dots").forEach(countPoints);
    root.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sending) { event.preventDefault(); return; }
        form.dataset.sending = "1";
        if (window.fetch && window.FormData) { event.preventDefault(); send(form); }
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      });
    });
    var summary = root.querySelector("#error-summary");
    if (summary) { summary.focus(); }
  }

  function replaceLive(html) {
    // Put the live part of a fetched page in; false when the answer is no such page.
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live");
    if (!fresh) { return false; }
    live.innerHTML = fresh.innerHTML;
    ["view", "run", "votedRun", "csrf"].forEach(function (key) { live.dataset[key] = fresh.dataset[key] || ""; });
    enhance(live);
    announce();
    return true;
  }

  function send(form) {
    // The vote goes out in the background; the answer (this page with the confirmation, or a
    // redirect to it with the reasons for a refusal) replaces the live part, and the stream stays.
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", cache: "no-store",
                         headers: { "X-Workshop-Script": "1" } })
      .then(function (response) { return response.text(); })
      .then(function (html) { if (!replaceLive(html)) { window.location.assign(live.dataset.pageUrl); } })
      .catch(function () { delete form.dataset.sending; form.submit(); });  // offline? the plain way
  }

  function announce() {
    var heading = live.querySelector("h1");
    if (heading && announcer) { announcer.textContent = heading.textContent.trim(); }
  }

  function swapIn() {
    // Fetch the page again and replace only the live part: no reload, the header stays.
    return fetch(live.dataset.pageUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (html) { if (!replaceLive(html)) { window.location.reload(); } });
  }

  function show(event) {
    // The screen came with the event: the same for every phone, with this phone's token put in.
    if (event.view === live.dataset.view) { return; }
    var voted = live.dataset.votedRun && live.dataset.votedRun === event.run;
    var html = voted ? event.voted_html : event.html;
    if (html === null || html === undefined) { swapIn(); return; }  // none that fits: the page
    live.innerHTML = html.split(event.slot).join(live.dataset.csrf);
    live.dataset.view = event.view;
    live.dataset.run = event.run || "";
    if (!voted) { live.dataset.votedRun = ""; }
    enhance(live);
    announce();
  }

  function check() {
    if (busy || document.hidden) { return; }
    busy = true;
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(live.dataset.stateUrl, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status !== 200) { return null; }  // 304: nothing changed
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (state) {
        if (state && state.view !== live.dataset.view) { return swapIn(); }
      })
      .catch(function () { /* offline for a moment: try again next time */ })
      .then(function () { busy = false; });
  }

  function poll() {
    if (source) { source.close(); source = null; }
    if (!polling) { polling = window.setInterval(check, POLL_MS); }
  }

  function listen() {
    var heard = false;
    var url = live.dataset.streamUrl + "?seen=" + encodeURIComponent(live.dataset.view);
    source = new window.EventSource(url, { withCredentials: true });
    source.addEventListener("screen", function (message) { heard = true; show(JSON.parse(message.data)); });
    source.addEventListener("ready", function () { heard = true; });
    source.addEventListener("gone", function () { source.close(); window.location.reload(); });
    source.addEventListener("error", function () {
      // The browser reconnects by itself (with Last-Event-ID) unless the server said no.
      if (source && source.readyState === window.EventSource.CLOSED) { poll(); }
    });
    window.setTimeout(function () { if (!heard) { poll(); } }, FIRST_EVENT_MS);
  }

  enhance(live);
  if (live.dataset.streamUrl && window.EventSource) { listen(); } else { poll(); }
  // A phone waking up asks once at once (a stream may have died while the screen was off).
  document.addEventListener("visibilitychange", check);
})();
