"""Personal invitations of a survey (table invitations): only hashes are stored."""
from __future__ import annotations

from survey_app.storage.ids import valid_id
from survey_app.storage.interface import InvitationUsedError
from survey_app.storage.postgres.connection import Database


def use_invitation(cur, survey_id: str, invitation: str, again: bool = False) -> None:
    """Mark an unused invitation used inside the caller's transaction. No date or time is
    recorded: with the responses' days it would link a response to an invitation number.
    `again`: a submit that stopped half-way (copied from a data folder) is being finished."""
    cur.execute("UPDATE invitations SET used = true WHERE survey_id = %s AND hash = %s AND NOT used",
                (survey_id, invitation))
    if cur.rowcount != 1 and not again:
        raise InvitationUsedError(invitation)


def lock_survey(cur, survey_id: str) -> None:
    """Hold the survey's advisory lock until the transaction ends (batches of invitations take turns)."""
    cur.execute("SELECT pg_advisory_xact_lock(hashtextextended('survey:' || %s, 0))", (survey_id,))


class InvitationStore:
    """Part of Store."""

    db: Database

    def add_invitations(self, survey_id: str, hashes: list[str]) -> list[int]:
        if not valid_id(survey_id):
            raise LookupError(f"invalid survey id {survey_id!r}")

        def work(cur):
            lock_survey(cur, survey_id)
            first = cur.execute("SELECT coalesce(max(number), 0) + 1 FROM invitations WHERE survey_id = %s",
                                (survey_id,)).fetchone()[0]
            numbers = list(range(first, first + len(hashes)))
            cur.executemany("INSERT INTO invitations (survey_id, hash, number) VALUES (%s, %s, %s)",
                            [(survey_id, h, n) for h, n in zip(hashes, numbers)])
            return numbers
        return self.db.run(work)

    def find_invitation(self, survey_id: str, invitation: str) -> dict | None:
        if not valid_id(survey_id):
            return None
        row = self.db.run(lambda cur: cur.execute(
            "SELECT hash, number, used FROM invitations WHERE survey_id = %s AND hash = %s",
            (survey_id, invitation)).fetchone())
        if row is None:
            return None
        return {"hash": row[0], "number": row[1], "used": row[2]}

    def count_invitations(self, survey_id: str) -> tuple[int, int]:
        if not valid_id(survey_id):
            return 0, 0
        row = self.db.run(lambda cur: cur.execute(
            "SELECT count(*), count(*) FILTER (WHERE used) FROM invitations WHERE survey_id = %s",
            (survey_id,)).fetchone())
        return row[0], row[1]
