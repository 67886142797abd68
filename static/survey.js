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

  // ------------------------------------------------------------------ ranking
  // Up/down buttons next to each option's rank list; the rank lists stay the answer.
  document.querySelectorAll("ol.ranking").forEach(function (list) {
    var status = list.parentNode.querySelector(".ranking-status");
    function rows() { return Array.prototype.slice.call(list.children); }
    function select(row) { return row.querySelector("select"); }
    function label(row) { return row.querySelector("label").textContent.trim(); }
    function renumber() {
      rows().forEach(function (row, i) { select(row).value = String(i + 1); });
      list.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function announce(row) {
      var all = rows();
      status.textContent = list.dataset.announce.replace("{option}", label(row))
        .replace("{rank}", String(all.indexOf(row) + 1)).replace("{total}", String(all.length));
    }
    function move(row, delta) {
      var all = rows();
      var other = all[all.indexOf(row) + delta];
      if (!other) { announce(row); return; }
      // Move the neighbour, not the row itself, so that focus stays on the pressed button.
      list.insertBefore(other, delta < 0 ? row.nextSibling : row);
      renumber();
      announce(row);
    }
    rows().forEach(function (row) {
      [[-1, list.dataset.moveUp, "\u2191"], [1, list.dataset.moveDown, "\u2193"]].forEach(function (spec) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "rank-move";
        button.textContent = spec[2];
        button.setAttribute("aria-label", spec[1] + ": " + label(row));
        button.title = spec[1];
        button.addEventListener("click", function () { move(row, spec[0]); button.focus(); });
        row.appendChild(button);
      });
      // Choosing a rank in the list moves the option to that place.
      select(row).addEventListener("change", function (event) {
        var wanted = parseInt(select(row).value, 10);
        var others = rows().filter(function (r) { return r !== row; });
        if (!isNaN(wanted)) {
          list.insertBefore(row, others[wanted - 1] || null);
        }
        renumber();
        select(row).focus();
        announce(row);
        event.stopPropagation();
      });
    });
    list.classList.add("enhanced");
  });

  // ------------------------------------------------------------------ branching
  // The same rules as survey_app/conditions.py: a comparison is false while its question
  // is unanswered; numbers compare with numbers, texts with texts, dates as YYYY-MM-DD.
  var ISO_DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
  var OPERATORS = ["equals", "not_equals", "one_of", "contains",
                   "less_than", "at_most", "greater_than", "at_least", "answered"];
  function isAnswered(value) {
    if (value === null || value === undefined) { return false; }
    if (typeof value === "string" || Array.isArray(value)) { return value.length > 0; }
    if (typeof value === "object") { return Object.keys(value).length > 0; }
    return true;
  }
  function same(a, b) {
    if (typeof a === "number" && typeof b === "number") { return a === b; }
    if (typeof a === "string" && typeof b === "string") { return a === b; }
    return false;
  }
  function order(a, b) {
    if (typeof a === "number" && typeof b === "number") {
      if (isNaN(a) || isNaN(b)) { return null; }
      return a > b ? 1 : (a < b ? -1 : 0);
    }
    if (typeof a === "string" && typeof b === "string" && ISO_DATE.test(a) && ISO_DATE.test(b)) {
      return a > b ? 1 : (a < b ? -1 : 0);
    }
    return null;
  }
  function evaluate(condition, answers) {
    if (condition.all) { return condition.all.every(function (c) { return evaluate(c, answers); }); }
    if (condition.any) { return condition.any.some(function (c) { return evaluate(c, answers); }); }
    if (condition.not) { return !evaluate(condition.not, answers); }
    var answer = Object.prototype.hasOwnProperty.call(answers, condition.question) ? answers[condition.question] : null;
    var operator = OPERATORS.filter(function (op) { return op in condition; })[0];
    var value = condition[operator];
    if (operator === "answered") { return isAnswered(answer) === value; }
    if (!isAnswered(answer)) { return false; }
    switch (operator) {
      case "equals": return same(answer, value);
      case "not_equals": return !same(answer, value);
      case "one_of": return value.some(function (v) { return same(answer, v); });
      case "contains": return Array.isArray(answer) && answer.some(function (a) { return same(a, value); });
    }
    var o = order(answer, value);
    if (o === null) { return false; }
    return { less_than: o < 0, at_most: o <= 0, greater_than: o > 0, at_least: o >= 0 }[operator];
  }

  // The answer of one question block as it would be stored (see forms.py).
  function number(text) {
    text = text.replace(/\s/g, "").replace(",", ".");
    if (!text) { return null; }
    var value = Number(text);
    return isNaN(value) ? null : value;
  }
  function isoDate(text) {
    text = text.trim();
    if (ISO_DATE.test(text)) { return text; }
    var german = /^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})$/.exec(text);
    if (!german) { return null; }
    return german[3] + "-" + ("0" + german[2]).slice(-2) + "-" + ("0" + german[1]).slice(-2);
  }
  function readAnswer(block) {
    var type = block.dataset.type;
    // Item and option fields are named "<question>-<item or option>".
    var prefix = block.dataset.question.length + 1;
    var checked = Array.prototype.slice.call(block.querySelectorAll("input:checked"));
    if (type === "single_choice" || type === "yes_no") { return checked.length ? checked[0].value : null; }
    if (type === "scale") {
      if (!checked.length) { return null; }
      return checked[0].value === "dk" ? "dk" : parseInt(checked[0].value, 10);
    }
    if (type === "multiple_choice") { return checked.map(function (input) { return input.value; }); }
    if (type === "matrix") {
      var points = {};
      checked.forEach(function (input) {
        points[input.name.slice(prefix)] = input.value === "dk" ? "dk" : parseInt(input.value, 10);
      });
      return points;
    }
    if (type === "allocation") {
      var shares = {};
      block.querySelectorAll("input").forEach(function (input) {
        var share = number(input.value);
        if (share !== null) { shares[input.name.slice(prefix)] = share; }
      });
      return shares;
    }
    if (type === "ranking") {
      var ranked = [];
      var selects = block.querySelectorAll("select");
      selects.forEach(function (s) { ranked[parseInt(s.value, 10) - 1] = s.name.slice(prefix); });
      for (var i = 0; i < selects.length; i++) {
        if (!ranked[i]) { return null; }   // only a full set of distinct ranks is an answer
      }
      return ranked.length === selects.length ? ranked : null;
    }
    var field = block.querySelector("input:not([type=hidden]), textarea");
    if (!field) { return null; }
    if (type === "number") { return number(field.value); }
    if (type === "date") { return isoDate(field.value); }
    return field.value.trim();
  }

  document.querySelectorAll("form[data-live]").forEach(function (form) {
    var live = JSON.parse(form.dataset.live);
    var blocks = form.querySelectorAll("[data-question]");
    var shownField = form.querySelector("input[name=shown_questions]");
    var nextButton = form.querySelector("#next-button");
    function update() {
      var answers = Object.assign({}, live.answers);
      var shown = [];
      blocks.forEach(function (block) {
        var condition = block.dataset.showIf ? JSON.parse(block.dataset.showIf) : null;
        var visible = !condition || evaluate(condition, answers);
        block.hidden = !visible;
        if (visible && block.dataset.type !== "note") {
          shown.push(block.dataset.question);
          answers[block.dataset.question] = readAnswer(block);
        }
      });
      shownField.value = shown.join(" ");
      // A later page that may still show makes this "Next"; otherwise this page is the last.
      var more = live.later_pages.some(function (c) { return c === null || evaluate(c, answers); });
      nextButton.textContent = more ? nextButton.dataset.labelNext : nextButton.dataset.labelSubmit;
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  });

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
