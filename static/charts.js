// Draws every chart whose figure (plotly JSON) sits in a <script type="application/json">,
// and adds buttons to download each chart as PNG or SVG (for a committee paper).
(function () {
  "use strict";
  function downloadButton(box, format, label) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button chart-download";
    button.textContent = label;
    button.addEventListener("click", function () {
      window.Plotly.downloadImage(box, {format: format, filename: box.dataset.figure, scale: format === "png" ? 2 : 1});
    });
    return button;
  }
  function draw() {
    if (!window.Plotly) { return; }
    var settings = document.getElementById("chart-config");
    var config = JSON.parse(settings.textContent);
    document.querySelectorAll("[data-figure]").forEach(function (box) {
      var figure = JSON.parse(document.getElementById(box.dataset.figure).textContent);
      window.Plotly.newPlot(box, figure.data, figure.layout, config).then(function () {
        box.dataset.rendered = "1";
        var actions = document.createElement("p");
        actions.className = "chart-actions";
        actions.appendChild(downloadButton(box, "png", settings.dataset.pngLabel));
        actions.appendChild(document.createTextNode(" · "));
        actions.appendChild(downloadButton(box, "svg", settings.dataset.svgLabel));
        box.insertAdjacentElement("afterend", actions);
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
