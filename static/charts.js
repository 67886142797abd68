// Draws every chart whose figure (plotly JSON) sits in a <script type="application/json">.
(function () {
  "use strict";
  function draw() {
    if (!window.Plotly) { return; }
    var config = JSON.parse(document.getElementById("chart-config").textContent);
    document.querySelectorAll("[data-figure]").forEach(function (box) {
      var figure = JSON.parse(document.getElementById(box.dataset.figure).textContent);
      window.Plotly.newPlot(box, figure.data, figure.layout, config).then(function () {
        box.dataset.rendered = "1";
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
