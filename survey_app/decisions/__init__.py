"""From findings to decisions (pure: no Flask, no storage driver): task profiles and the draft
task description (profiles.py), staffing in full-time equivalents (staffing.py), the committee
pack (pack.py). What the evaluator decides is kept as storage.interface DecisionRecords."""
