"""Every poll type, by the name a poll mapping gives as its `type` (in the order the editor
offers them). A new poll type is one line here; see base.py for what it implements."""
from __future__ import annotations

from survey_app.workshops.polls.base import PollType
from survey_app.workshops.polls.choice import MultipleChoice, SingleChoice
from survey_app.workshops.polls.dot_voting import DotVoting
from survey_app.workshops.polls.open_text import OpenText
from survey_app.workshops.polls.ranking import Ranking
from survey_app.workshops.polls.role_matrix import RoleMatrix
from survey_app.workshops.polls.scale import FistToFive, Scale

POLL_TYPES: dict[str, PollType] = {kind.name: kind for kind in (
    SingleChoice(), MultipleChoice(), Scale(), FistToFive(), DotVoting(), Ranking(), RoleMatrix(), OpenText(),
)}
