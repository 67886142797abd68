"""Consultations on a draft: staff pages (staff.py: set up, invite, edit the draft; review.py:
answer comments, synopsis, revision, diff) and the invited organisations' pages (respond.py)."""
from survey_app.web.views.consultations import respond, review, staff  # noqa: F401  (review's routes are on staff.bp)

staff_bp = staff.bp
respond_bp = respond.bp
allow_large_uploads = staff.allow_large_uploads
