// Small enhancements; every page works without them.
(function () {
  "use strict";
  // One click, one submission: further clicks are ignored while the page is sent
  // (the server also refuses to store a response twice).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending) { event.preventDefault(); return; }
      form.dataset.sending = "1";
      var pressed = event.submitter;
      if (pressed && pressed.name) {
        // A disabled button is not sent, so carry its value along.
        var carry = document.createElement("input");
        carry.type = "hidden"; carry.name = pressed.name; carry.value = pressed.value;
        form.appendChild(carry);
      }
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
  // Live sum for allocation questions (e.g. shares of working time adding up to 100 %).
  document.querySelectorAll(".allocation").forEach(function (box) {
    var sumLine = box.querySelector(".allocation-sum");
    var output = sumLine.querySelector("output");
    var inputs = box.querySelectorAll("input");
    function update() {
      var sum = 0;
      inputs.forEach(function (input) {
        var value = parseFloat(input.value.replace(",", "."));
        if (!isNaN(value)) { sum += value; }
      });
      output.textContent = String(Math.round(sum * 100) / 100).replace(".", document.documentElement.lang === "de" ? "," : ".");
      sumLine.classList.toggle("warning", sum !== parseFloat(box.dataset.total));
    }
    sumLine.hidden = false;
    inputs.forEach(function (input) { input.addEventListener("input", update); });
    update();
  });
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
