// Workshop charts: the presenter view and the facilitator page ask a small JSON endpoint once a
// second (a bodiless 304 while nothing changed), so a room voting at once gives at most one
// update per second; the results page draws its charts from embedded JSON.
(function () {
  "use strict";
  var INTERVAL_MS = 1000;
  var CONFIG = { responsive: true, displaylogo: false, displayModeBar: false };
  var presenter = document.body.classList.contains("presenter");
  // On the projector: about 28 px at 1920x1080 and 20 px at 1280x720, read from the back of a room.
  function fontSize() { return presenter ? Math.max(20, Math.min(34, Math.round(window.innerHeight / 38))) : 14; }
  var LANG = (document.documentElement.lang || "de").slice(0, 2);
  var NUMBER = new Intl.NumberFormat(LANG, { maximumFractionDigits: 1 });
  var SEPARATORS = LANG === "de" ? ",." : ".,";   // plotly: decimal mark, then thousands
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

  function step(largest) {
    // Counts on an axis: whole numbers only (no 0.5 votes), about six ticks.
    var rough = Math.max(1, largest / 6);
    var power = Math.pow(10, Math.floor(Math.log10(rough)));
    var nice = [1, 2, 5, 10].map(function (f) { return f * power; }).filter(function (s) { return s >= rough; })[0];
    return Math.max(1, nice);
  }

  function figure(chart) {
    var FONT_SIZE = fontSize();
    var unitNames = units();
    var unit = { votes: unitNames.unitVotes, points: unitNames.unitPoints, borda: unitNames.unitBorda,
                 words: unitNames.unitWords }[chart.unit] || "";
    var width = presenter ? 38 : 45;
    if (chart.kind === "heatmap") {
      var size = FONT_SIZE - 2;
      var rows = chart.rows.map(function (r, i) { return wrap(r + " (n=" + chart.task_n[i] + ")", presenter ? 55 : 45); });
      var lines = Math.max.apply(null, rows.map(function (r) { return r.split("<br>").length; }));
      var rowHeight = Math.max(lines * (size + 6) + 10, 40);
      var z = chart.shares.map(function (row) { return row.map(function (s) { return Math.round(s * 100); }); });
      return {
        data: [{ type: "heatmap", z: z.slice().reverse(), y: rows.slice().reverse(),
                 x: chart.columns.map(function (c) { return wrap(c, 20); }),
                 zmin: 0, zmax: 100, colorscale: HEAT, texttemplate: "%{z} %", hoverinfo: "skip",
                 showscale: false, xgap: 2, ygap: 2 }],
        layout: { margin: { l: 10, r: 10, t: 10, b: 10 }, font: { size: size }, separators: SEPARATORS,
                  xaxis: { side: "top", automargin: true }, yaxis: { automargin: true } },
        minHeight: rowHeight * chart.rows.length + 5 * (size + 6) + 20
      };
    }
    var labels = chart.labels.map(function (l) { return wrap(l, width); }).reverse();
    var values = chart.values.slice().reverse();
    var text = chart.values.map(function (v, i) {
      return chart.shares ? NUMBER.format(v) + " (" + Math.round(chart.shares[i] * 100) + " %)" : NUMBER.format(v);
    }).reverse();
    var largest = Math.max.apply(null, [1].concat(chart.values));
    var layout = { margin: { l: 10, r: 30, t: chart.mean === undefined || chart.mean === null ? 10 : FONT_SIZE * 2.2, b: 40 },
                   font: { size: FONT_SIZE }, separators: SEPARATORS,
                   xaxis: { title: { text: unit }, rangemode: "tozero", automargin: true, tick0: 0, dtick: step(largest),
                            tickformat: "d" },
                   yaxis: { automargin: true }, bargap: 0.25 };
    if (chart.mean !== undefined && chart.mean !== null) {
      // Scales: the mean above the bars, as the room discusses it.
      layout.annotations = [{ xref: "paper", yref: "paper", x: 0, y: 1, xanchor: "left", yanchor: "bottom",
                              showarrow: false, font: { size: FONT_SIZE + 4 },
                              text: "<b>" + (unitNames.unitMean || "") + " " + NUMBER.format(chart.mean) + "</b>" }];
    }
    return {
      data: [{ type: "bar", orientation: "h", y: labels, x: values, text: text, textposition: "auto",
               marker: { color: "#0072B2" }, hoverinfo: "skip", cliponaxis: false }],
      layout: layout,
      minHeight: (presenter ? FONT_SIZE * 2.2 : 44) * chart.labels.length + 80 + (layout.annotations ? FONT_SIZE * 2 : 0)
    };
  }

  function showCards(list, chart) {
    // Open text on the projector: the ideas themselves as cards, the same idea once with how many
    // wrote it; as large as one screen allows, and the rarest left out (counted) when even the
    // smallest readable size cannot hold them all.
    var cards = chart.cards || [];
    list.hidden = !cards.length;
    var items = cards.map(function (card) {
      var li = document.createElement("li");
      li.className = "idea-card";
      li.textContent = card.text;
      if (card.count > 1) {
        var count = document.createElement("span");
        count.className = "idea-count";
        count.textContent = "× " + card.count;
        li.appendChild(count);
      }
      return li;
    });
    list.replaceChildren.apply(list, items);
    if (!cards.length) { return; }
    var room = function () { return window.innerHeight - list.getBoundingClientRect().top - 16; };
    var size = 2.4;   // rem: 38 px, down to 1.25 rem (20 px)
    list.style.fontSize = size + "rem";
    while (list.scrollHeight > room() && size >= 1.35) {
      size = Math.round((size - 0.1) * 100) / 100;
      list.style.fontSize = size + "rem";
    }
    var left = 0;
    while (list.scrollHeight > room() && list.children.length > 1) {
      list.removeChild(list.lastElementChild.classList.contains("idea-more") ? list.lastElementChild.previousElementSibling
                                                                              : list.lastElementChild);
      left += 1;
      var more = list.querySelector(".idea-more") || list.appendChild(document.createElement("li"));
      more.className = "idea-card idea-more";
      more.textContent = (list.dataset.more || "+ %(n)s").replace("%(n)s", String(left));
    }
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

  var shown = null;

  function render(state) {
    shown = state;
    setText("joined", state.joined);
    setText("voted", state.voted);
    if (!presenter) { return; }
    setText("status", state.status);
    setText("text", state.poll ? state.poll.text : document.title);
    setText("number", state.poll ? state.poll.number + "/" + state.poll.count : "");
    var box = live("chart")[0];
    var note = live("hidden-note")[0];
    var ideas = live("ideas")[0];
    var words = Boolean(state.chart && state.chart.kind === "words");
    box.hidden = !state.chart || words;
    note.hidden = !state.poll || Boolean(state.chart);
    if (words) { showCards(ideas, state.chart); } else { ideas.hidden = true; ideas.replaceChildren(); }
    if (state.chart && !words) { draw(box, state.chart); }
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
    if (presenter) {
      // A new window size (full screen, another projector): fit the chart or the ideas again.
      var resized = null;
      window.addEventListener("resize", function () {
        window.clearTimeout(resized);
        resized = window.setTimeout(function () { if (shown) { render(shown); } }, 150);
      });
    }
    var full = document.querySelector(".fullscreen-button");
    if (full && document.fullscreenEnabled) {
      full.hidden = false;
      full.addEventListener("click", function () { document.documentElement.requestFullscreen(); });
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
