"""Personal invitations of a survey (surveys/<id>/invitations.json): only hashes are stored."""
from __future__ import annotations

from pathlib import Path

from tinydb import Query
from tinydb.operations import delete

from survey_app.storage.interface import InvitationUsedError
from survey_app.storage.tinydb.files import Files


def check_invitation(files: Files, survey_dir: Path, invitation: str) -> None:
    """InvitationUsedError unless the invitation exists and is unused; hold the survey lock."""
    with files.open(survey_dir / "invitations.json") as db:
        if db.get((Query().hash == invitation) & (Query().used == False)) is None:  # noqa: E712
            raise InvitationUsedError(invitation)


def use_invitation(files: Files, survey_dir: Path, invitation: str, again: bool = False) -> None:
    """Mark an invitation used; hold the survey lock. No date or time is recorded: with the
    responses' days it would link a response to an invitation number, and so to a name on the
    mail-merge list. `again`: the submit that used it is being finished (no error when used)."""
    with files.open(survey_dir / "invitations.json") as db:
        unused = (Query().hash == invitation) & (Query().used == False)  # noqa: E712
        if db.get(unused) is None:
            if again:
                return
            raise InvitationUsedError(invitation)
        db.update({"used": True}, unused)


def forget_use_days(files: Files, survey_dir: Path) -> int:
    """Remove the day of use that versions before issue 10 recorded; hold the survey lock."""
    if not (survey_dir / "invitations.json").exists():
        return 0
    with files.open(survey_dir / "invitations.json") as db:
        dated = Query().used_on.exists()
        found = db.count(dated)
        if found:
            db.update(delete("used_on"), dated)
    return found


class InvitationStore:
    """Part of Store."""

    files: Files

    def add_invitations(self, survey_id: str, hashes: list[str]) -> list[int]:
        survey_dir = self.files.survey_dir_for_write(survey_id)
        with self.files.lock(survey_dir), self.files.open(survey_dir / "invitations.json") as db:
            first = len(db) + 1
            numbers = list(range(first, first + len(hashes)))
            db.insert_multiple({"hash": h, "number": n, "used": False} for h, n in zip(hashes, numbers))
        return numbers

    def find_invitation(self, survey_id: str, invitation: str) -> dict | None:
        survey_dir = self.files.survey_dir(survey_id)
        if survey_dir is None or not (survey_dir / "invitations.json").exists():
            return None
        with self.files.lock(survey_dir), self.files.open(survey_dir / "invitations.json") as db:
            found = db.get(Query().hash == invitation)
        return dict(found) if found else None

    def count_invitations(self, survey_id: str) -> tuple[int, int]:
        survey_dir = self.files.survey_dir(survey_id)
        if survey_dir is None or not (survey_dir / "invitations.json").exists():
            return 0, 0
        with self.files.lock(survey_dir), self.files.open(survey_dir / "invitations.json") as db:
            return len(db), db.count(Query().used == True)  # noqa: E712 (a TinyDB query)
