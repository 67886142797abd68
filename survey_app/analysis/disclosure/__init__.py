"""Disclosure control: the minimum group size and everything that follows from it (pure).

* minimum.py   the minimum group size k (floor, default, the settings that may raise it);
* groups.py    the grouping questions an evaluator filters and breaks down by, and who is in
               which group (one definition for every output);
* audit.py     the exact check that no combination of released groups isolates fewer than k people;
* plan.py      the release plan: which groups, counts and per-question results may be shown;
* rules.py     per-statistic rules (no single person's value, versions, free texts);
* microdata.py response-level files that are k-anonymous on the grouping questions.
"""
import os

# The plan's matrices are small (hundreds of columns): one BLAS thread is fastest, and many
# threads on a busy server's few cores are up to 20 times slower. Only effective when numpy is
# not imported yet; deployments may set it themselves.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from survey_app.analysis.disclosure.minimum import (  # noqa: F401  (the public API of minimum.py)
    DEFAULT,
    FLOOR,
    MinimumTooLow,
    checked_app_minimum,
    effective_minimum,
)
