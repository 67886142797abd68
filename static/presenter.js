// Workshop charts: the presenter view and the facilitator page ask a small JSON endpoint once a
// second (a bodiless 304 while nothing changed), so a room voting at once gives at most one
// update per second; the results page draws its charts from embedded JSON.
(function () {
  "use strict";
  var INTERVAL_MS = 1000;
  var CONFIG = { responsive: true, displaylogo: false, displayModeBar: false };
  var presenter = document.body.classList.contains("presenter");
  var FONT_SIZE = presenter ? 22 : 14;
  // ColorBrewer Blues, white = nobody: plotly.js's own "Blues" runs the other way round.
  var HEAT = [[0, "#f7fbff"], [0.25, "#c6dbef"], [0.5, "#6baed6"], [0.75, "#2171b5"], [1, "#08306b"]];

  function wrap(text, width) {
    // Labels are plain text, but plotly renders a subset of HTML: escape before adding <br>.
    var escaped = String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    var words = escaped.split(" "), lines = [], line = "";
    words.forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else { line = line ? line + " " + word : word; }
    });
    lines.push(line);
    return lines.join("<br>");
  }

  function units() {
    var holder = document.querySelector("[data-unit-votes]");
    return holder ? holder.dataset : {};
  }

  function figure(chart) {
    var unitNames = units();
    var unit = { votes: unitNames.unitVotes, points: unitNames.unitPoints, borda: unitNames.unitBorda,
                 words: unitNames.unitWords }[chart.unit] || "";
    var width = presenter ? 38 : 45;
    if (chart.kind === "heatmap") {
      var size = FONT_SIZE - (presenter ? 6 : 2);
      var rows = chart.rows.map(function (r, i) { return wrap(r + " (n=" + chart.task_n[i] + ")", presenter ? 55 : 45); });
      var lines = Math.max.apply(null, rows.map(function (r) { return r.split("<br>").length; }));
      var rowHeight = Math.max(lines * (size + 6) + 10, 40);
      var z = chart.shares.map(function (row) { return row.map(function (s) { return Math.round(s * 100); }); });
      return {
        data: [{ type: "heatmap", z: z.slice().reverse(), y: rows.slice().reverse(),
                 x: chart.columns.map(function (c) { return wrap(c, 20); }),
                 zmin: 0, zmax: 100, colorscale: HEAT, texttemplate: "%{z} %", hoverinfo: "skip",
                 showscale: false, xgap: 2, ygap: 2 }],
        layout: { margin: { l: 10, r: 10, t: 10, b: 10 }, font: { size: size },
                  xaxis: { side: "top", automargin: true }, yaxis: { automargin: true } },
        minHeight: rowHeight * chart.rows.length + 5 * (size + 6) + 20
      };
    }
    var labels = chart.labels.map(function (l) { return wrap(l, width); }).reverse();
    var values = chart.values.slice().reverse();
    var text = chart.values.map(function (v, i) {
      return chart.shares ? v + " (" + Math.round(chart.shares[i] * 100) + " %)" : String(v);
    }).reverse();
    return {
      data: [{ type: "bar", orientation: "h", y: labels, x: values, text: text, textposition: "auto",
               marker: { color: "#0072B2" }, hoverinfo: "skip", cliponaxis: false }],
      layout: { margin: { l: 10, r: 30, t: 10, b: 40 }, font: { size: FONT_SIZE },
                xaxis: { title: { text: unit }, rangemode: "tozero", automargin: true },
                yaxis: { automargin: true }, bargap: 0.25 },
      minHeight: (presenter ? 48 : 44) * chart.labels.length + 80
    };
  }

  function draw(box, chart) {
    box.dataset.n = chart.n;
    if (!window.Plotly) { return; }
    var fig = figure(chart);
    fig.layout.height = fig.minHeight;
    if (presenter) {
      // On the projector the chart takes the rest of the screen, so that nothing needs scrolling
      // unless the rows would become too narrow to read.
      var room = window.innerHeight - box.getBoundingClientRect().top - 16;
      fig.layout.height = Math.max(fig.minHeight, room);
    }
    window.Plotly.react(box, fig.data, fig.layout, CONFIG).then(function () { box.dataset.rendered = "1"; });
  }

  function live(name) { return document.querySelectorAll("[data-live='" + name + "']"); }

  function setText(name, value) {
    live(name).forEach(function (node) { node.textContent = value === null || value === undefined ? "" : value; });
  }

  function render(state) {
    setText("joined", state.joined);
    setText("voted", state.voted);
    if (!presenter) { return; }
    setText("status", state.status);
    setText("text", state.poll ? state.poll.text : document.title);
    setText("number", state.poll ? state.poll.number + "/" + state.poll.count : "");
    var box = live("chart")[0];
    var note = live("hidden-note")[0];
    var ideas = live("ideas")[0];
    box.hidden = !state.chart;
    note.hidden = !state.poll || Boolean(state.chart);
    ideas.hidden = !(state.chart && state.chart.kind === "words" && state.chart.items.length);
    ideas.replaceChildren.apply(ideas, (state.chart && state.chart.items || []).map(function (item) {
      var li = document.createElement("li");
      li.textContent = item;
      return li;
    }));
    if (state.chart) { draw(box, state.chart); }
  }

  function follow(root) {
    var etag = null, busy = false;
    function check() {
      if (busy) { return; }
      busy = true;
      fetch(root.dataset.liveUrl, { headers: etag ? { "If-None-Match": etag } : {}, credentials: "same-origin",
                                    cache: "no-store" })
        .then(function (response) {
          if (response.status !== 200) { return null; }
          etag = response.headers.get("ETag");
          return response.json();
        })
        .then(function (state) { if (state) { render(state); } })
        .catch(function () { /* the next check tries again */ })
        .then(function () { busy = false; });
    }
    window.setInterval(check, INTERVAL_MS);
  }

  function start() {
    var root = document.querySelector("[data-live-url]");
    var initial = document.getElementById("initial-state");
    if (initial) { render(JSON.parse(initial.textContent)); }
    if (root) { follow(root); }
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      draw(box, JSON.parse(document.getElementById(box.dataset.chart).textContent));
    });
    var full = document.querySelector(".fullscreen-button");
    if (full && document.fullscreenEnabled) {
      full.hidden = false;
      full.addEventListener("click", function () { document.documentElement.requestFullscreen(); });
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
