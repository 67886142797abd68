// Participant page: follows the facilitator without reloading, counts dot-voting points.
// Without JavaScript the page works too; it then needs a reload to see the next poll.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) { return; }
  var announcer = document.getElementById("live-announcer");
  var INTERVAL_MS = 1000;  // with the page fetch this keeps a phone within 2 s of the facilitator
  var etag = null;
  var busy = false;

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
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      });
    });
    var summary = root.querySelector("#error-summary");
    if (summary) { summary.focus(); }
  }

  function swapIn() {
    // Fetch this page again and replace only the live part: no reload, the header stays.
    return fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live");
        if (!fresh) { window.location.reload(); return; }
        live.innerHTML = fresh.innerHTML;
        live.dataset.view = fresh.dataset.view;
        enhance(live);
        var heading = live.querySelector("h1");
        if (heading && announcer) { announcer.textContent = heading.textContent.trim(); }
      });
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

  enhance(live);
  window.setInterval(check, INTERVAL_MS);
  document.addEventListener("visibilitychange", check);
})();
