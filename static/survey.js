// Small enhancements; every page works without them.
//
// The first part is the rules the page shares with the server: show_if conditions
// (survey_app/definitions/conditions.py) and how an answer is read from what was typed
// (each question type's fields and `answer` in survey_app/questions/). It needs no page, so
// that tests/js/run_conditions.js can run it under node against tests/data/conditions/
// vectors.json, the cases pytest checks against the server too.
var SurveyLogic = (function () {
  "use strict";
  var ISO_DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
  var OPERATORS = ["equals", "not_equals", "one_of", "contains",
                   "less_than", "at_most", "greater_than", "at_least", "answered"];

  // ------------------------------------------------------------------ conditions
  // A comparison is false while its question is unanswered; numbers compare with numbers,
  // texts with texts (true and false are neither), dates as YYYY-MM-DD texts.
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
  function has(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }
  function evaluate(condition, answers) {
    if (condition.all) { return condition.all.every(function (c) { return evaluate(c, answers); }); }
    if (condition.any) { return condition.any.some(function (c) { return evaluate(c, answers); }); }
    if (condition.not) { return !evaluate(condition.not, answers); }
    var answer = has(answers, condition.question) ? answers[condition.question] : null;
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

  // Whether a page after this one shows, walking the later pages as the server's
  // visibility() does: `answers` are the counted answers so far (earlier pages and the
  // visible questions of this page); a later page's stored answers count only while that
  // page and the question show (live.later_pages, see conditions.live_conditions).
  function laterPageShows(laterPages, answers) {
    var counted = Object.assign({}, answers);
    var shows = false;
    laterPages.forEach(function (page) {
      var pageShown = !page.show_if || evaluate(page.show_if, counted);
      shows = shows || pageShown;
      page.questions.forEach(function (q) {
        if (pageShown && (!q.show_if || evaluate(q.show_if, counted))) { counted[q.id] = q.answer; }
      });
    });
    return shows;
  }

  // ------------------------------------------------------------------ reading answers
  // A number as typed (survey_app/questions/number.py, read_number): an optional sign, digits
  // with at most one decimal comma or point, an optional exponent; spaces, tabs and no-break
  // spaces are left out, Arabic-Indic digits read as 0-9. Anything else is no number.
  var NUMBER_TEXT = /^[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9]+)?$/;
  function readNumber(text) {
    text = text.replace(/[ \t\u00a0\u202f]/g, "").replace(/[\u0660-\u0669\u06f0-\u06f9]/g, function (digit) {
      return String(digit.charCodeAt(0) & 0xf);
    });
    if (!NUMBER_TEXT.test(text)) { return null; }
    var value = Number(text.replace(",", "."));
    return isFinite(value) ? value : null;
  }
  // A day typed as YYYY-MM-DD or DD.MM.YYYY (survey_app/questions/date.py, read_date), only
  // if it exists: 2023-02-31 is no date.
  function readDate(text) {
    text = text.trim();
    var parts = /^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})$/.exec(text);
    var year, month, day;
    if (parts) {
      year = +parts[3]; month = +parts[2]; day = +parts[1];
    } else if (ISO_DATE.test(text)) {
      year = +text.slice(0, 4); month = +text.slice(5, 7); day = +text.slice(8, 10);
    } else {
      return null;
    }
    var leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    var days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
    if (year < 1 || !days || day < 1 || day > days) { return null; }
    function pad(n, width) { return ("000" + n).slice(-width); }
    return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2);
  }
  // A time of day typed as H:MM, HH:MM or HH.MM (survey_app/questions/time.py, read_time),
  // written as HH:MM; 24:00 and 9:60 are no time.
  function readTime(text) {
    var parts = /^([0-9]{1,2})[:.]([0-9]{2})$/.exec(text.trim());
    if (!parts || +parts[1] > 23 || +parts[2] > 59) { return null; }
    return ("0" + (+parts[1])).slice(-2) + ":" + parts[2];
  }
  // Numbers that must add up to a total do when they differ from it by floating-point rounding
  // only (survey_app/analysis/stats.py, adds_up: math.isclose with 1e-9).
  function addsUp(values, total) {
    var sum = values.reduce(function (a, b) { return a + b; }, 0);
    return Math.abs(sum - total) <= Math.max(1e-9 * Math.max(Math.abs(sum), Math.abs(total)), 1e-9);
  }
  function point(value) {
    if (value === "dk") { return "dk"; }
    var number = parseInt(value, 10);
    return isNaN(number) ? null : number;
  }
  // The answer a question's fields make, as its type's `answer` on the server reads the
  // page: `fields` maps each field name to the values sent, `id` is the question's id
  // (item fields are "<id>-<item>"), `settings` the type's reader_settings. Keyed by the
  // type's `reader`; checks that give the respondent a message (bounds, lengths, patterns)
  // are left to the server, which shows or hides questions before them as well.
  function first(fields, name) { return (fields[name] || [])[0]; }
  function items(fields, id) {
    return Object.keys(fields).filter(function (name) { return name.indexOf(id + "-") === 0; })
      .map(function (name) { return [name.slice(id.length + 1), first(fields, name)]; });
  }
  function whole(value, settings) {
    return value !== null && (!settings.integer || Number.isInteger(value)) ? value : null;
  }
  var READERS = {
    choice: function (fields, id) {
      var value = first(fields, id);
      return value ? value : null;
    },
    choices: function (fields, id) {
      var values = fields[id] || [];
      return values.length ? values.slice() : null;
    },
    point: function (fields, id) { return point(first(fields, id)); },
    points: function (fields, id) {
      var points = {};
      items(fields, id).forEach(function (item) {
        var value = point(item[1]);
        if (value !== null) { points[item[0]] = value; }
      });
      return Object.keys(points).length ? points : null;
    },
    number: function (fields, id, settings) {
      var value = first(fields, id);
      return value === undefined ? null : whole(readNumber(value), settings);
    },
    sum: function (fields, id, settings) {   // numbers per item; an item left empty counts as 0
      var numbers = {};
      var any = false;
      items(fields, id).forEach(function (item) {
        var value = item[1] === undefined ? null : whole(readNumber(item[1]), settings);
        any = any || value !== null;
        numbers[item[0]] = value === null ? 0 : value;
      });
      return any ? numbers : null;
    },
    ranking: function (fields, id) {   // only a full set of distinct ranks 1..n is an answer
      var ranks = items(fields, id);
      var given = ranks.map(function (rank) { return String(rank[1]); }).sort();
      var wanted = ranks.map(function (rank, i) { return String(i + 1); }).sort();
      if (given.join(" ") !== wanted.join(" ")) { return null; }
      return ranks.sort(function (a, b) { return parseInt(a[1], 10) - parseInt(b[1], 10); })
        .map(function (rank) { return rank[0]; });
    },
    date: function (fields, id) {
      var value = first(fields, id);
      return value === undefined ? null : readDate(value);
    },
    time: function (fields, id) {
      var value = first(fields, id);
      return value === undefined ? null : readTime(value);
    },
    text: function (fields, id) {
      var value = (first(fields, id) || "").trim();
      return value ? value : null;
    }
  };
  function readAnswer(reader, fields, id, settings) {
    return READERS[reader](fields, id, settings || {});
  }
  return { evaluate: evaluate, isAnswered: isAnswered, laterPageShows: laterPageShows,
           readNumber: readNumber, readDate: readDate, readTime: readTime, readAnswer: readAnswer,
           addsUp: addsUp };
})();

if (typeof module !== "undefined" && module.exports) {   // node: tests/js/run_conditions.js
  module.exports = SurveyLogic;
} else {
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
      var values = [];
      inputs.forEach(function (input) {
        var value = SurveyLogic.readNumber(input.value);
        if (value !== null) { values.push(value); }
      });
      var sum = values.reduce(function (a, b) { return a + b; }, 0);
      output.textContent = String(Math.round(sum * 100) / 100).replace(".", document.documentElement.lang === "de" ? "," : ".");
      sumLine.classList.toggle("warning", !SurveyLogic.addsUp(values, parseFloat(box.dataset.total)));
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
  // The fields of a question block as the browser would send them.
  function blockFields(block) {
    var fields = {};
    block.querySelectorAll("input, select, textarea").forEach(function (field) {
      if (!field.name || field.type === "hidden") { return; }
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) { return; }
      (fields[field.name] = fields[field.name] || []).push(field.value);
    });
    return fields;
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
        var visible = !condition || SurveyLogic.evaluate(condition, answers);
        block.hidden = !visible;
        if (visible && block.dataset.reader) {
          var id = block.dataset.question;
          shown.push(id);
          var settings = block.dataset.settings ? JSON.parse(block.dataset.settings) : {};
          answers[id] = SurveyLogic.readAnswer(block.dataset.reader, blockFields(block), id, settings);
        }
      });
      shownField.value = shown.join(" ");
      // "Next" while a later page shows, the server's rule; otherwise this page is the last.
      var more = SurveyLogic.laterPageShows(live.later_pages, answers);
      nextButton.textContent = more ? nextButton.dataset.labelNext : nextButton.dataset.labelSubmit;
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  });

  // ------------------------------------------------------------------ autosave
  // The draft is kept shortly after typing stops (one request per pause, never one per
  // keystroke) and when the page is hidden (phone locked, tab closed): the page's own post
  // with its CSRF token and action=autosave, which the server keeps as typed, unchecked
  // (fieldings/respondent.py: AUTOSAVE); only "Next" checks the answers.
  var AUTOSAVE_DELAY = 1500;   // ms after the last input
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var status = document.getElementById("autosave-status");
    var timer = null, dirty = false, sending = false, again = false;
    function body() {
      var data = new FormData(form);
      data.set("action", "autosave");
      return data;
    }
    function finished(saved) {
      status.textContent = saved ? status.dataset.saved : status.dataset.failed;
      if (!saved) { dirty = true; }
      sending = false;
      if (again) { again = false; schedule(); }
    }
    function save() {
      timer = null;
      if (!dirty || form.dataset.sending) { return; }
      if (sending) { again = true; return; }
      dirty = false;
      sending = true;
      fetch(window.location.href, { method: "POST", body: body(), credentials: "same-origin" })
        .then(function (response) { finished(response.status === 204); },
              function () { finished(false); });
    }
    function schedule() {
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(save, AUTOSAVE_DELAY);
    }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", function () { clearTimeout(timer); dirty = false; });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && dirty && !form.dataset.sending && navigator.sendBeacon) {
        clearTimeout(timer);
        dirty = false;
        navigator.sendBeacon(window.location.href, body());
      }
    });
  });

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
}
