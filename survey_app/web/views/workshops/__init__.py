"""Live workshops, two audiences:

* ``workshops`` (/workshops): facilitators (and admins) prepare polls, run the room and show the
  presenter view; evaluators may read results and download them. Facilitators see workshop
  votes only, never questionnaire responses.
* ``participate`` (/w): participants join by code or QR code without an account and vote.

All live state is in storage, so any number of worker processes can serve a room: phones ask
a small JSON endpoint about once a second (answered with 304 while nothing changed) and fetch
their page again when the poll, round or voting state changes; the presenter asks its own
endpoint once a second, so updates come in batches however fast votes arrive. What a phone and
the presenter show is decided in survey_app/workshops/live.py.

The routes are in the modules below; importing them registers them on the two blueprints.
"""
from survey_app.web.views.workshops import facilitator, participant, poll_editor, presenter, settings  # noqa: F401
from survey_app.web.views.workshops.common import facilitate, participate  # noqa: F401
