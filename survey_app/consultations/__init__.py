"""Consultations: a draft text that invited organisations comment on section by section, and
the evaluator's answers to those comments in a synopsis (pure: no Flask, no storage library).

* document.py    Markdown -> numbered sections with ids that stay across small edits; safe HTML
* model.py       a consultation: dates, mode (named or anonymous), organisations, invitations
* statements.py  one organisation's statement: a position, comment and wording per section
* review.py      the evaluator's view: positions by kind of organisation, comments, decisions
* revision.py    the revised draft (accepted changes applied) and the diff between versions
* demo.py        the shipped example consultation with statements from five organisations
"""
