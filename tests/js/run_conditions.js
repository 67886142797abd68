// Runs tests/data/conditions/vectors.json against static/survey.js under node (called by
// tests/test_condition_vectors.py): show_if conditions, how typed input becomes an answer,
// whether a page follows the current one, and when numbers add up to a total. Prints every
// case that disagrees; exit code 1 when there is one.
"use strict";
const fs = require("fs");
const path = require("path");
const assert = require("assert");
const logic = require(path.join(__dirname, "..", "..", "static", "survey.js"));

const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "data", "conditions", "vectors.json"), "utf8"));
const failures = [];

function check(kind, name, actual, expected) {
  try {
    assert.deepStrictEqual(actual, expected);
  } catch (error) {
    failures.push(`${kind}: ${name}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}

for (const v of vectors.conditions) {
  check("condition", v.name, logic.evaluate(v.condition, v.answers), v.expected);
}
for (const v of vectors.readers) {
  check("reader", v.name, logic.readAnswer(v.reader, v.input, v.question.id, v.settings), v.expected);
}
for (const v of vectors.pages) {
  const answers = Object.assign({}, v.live.answers, v.posted);
  check("page", v.name, logic.laterPageShows(v.live.later_pages, answers), v.expected_next);
}

for (const v of vectors.sums) {
  check("sum", JSON.stringify(v.values), logic.addsUp(v.values, v.total), v.expected);
}

const total = vectors.conditions.length + vectors.readers.length + vectors.pages.length + vectors.sums.length;
if (failures.length) {
  console.log(failures.join("\n"));
  process.exit(1);
}
console.log(`${total} cases agree`);
