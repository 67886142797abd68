"""Accounts with their sessions, and the app's secret key (users.json, secret_key)."""
from __future__ import annotations

import secrets

from tinydb import Query, TinyDB

from survey_app.storage.interface import DuplicateError
from survey_app.storage.tinydb.files import (
    EMPTY,
    DamagedFileError,
    FileProblem,
    Files,
    new_id,
    now,
    update_by_id,
    valid_id,
    write_atomic,
)


class UserStore:
    """Part of Store: users.json holds every account; its sessions are listed with it."""

    files: Files

    @property
    def _users(self):
        return self.files.data_dir / "users.json"

    def secret_key(self) -> str:
        path = self.files.data_dir / "secret_key"
        with self.files.lock(path):
            if not path.exists():
                write_atomic(path, secrets.token_hex(32))
            key = path.read_text(encoding="utf-8").strip()
        if not key:  # never replaced: sessions and keyed hashes depend on it
            raise DamagedFileError(FileProblem(path, EMPTY), self.files.data_dir)
        return key

    def add_user(self, username: str, password_hash: str, role: str) -> dict:
        user = {"id": new_id(), "username": username, "password_hash": password_hash,
                "role": role, "created_at": now()}
        with self.files.lock(self._users), self.files.open(self._users) as db:
            if _username_taken(db, username):
                raise DuplicateError(f"username already taken: {username}")
            db.insert(user)
        return user

    def get_user(self, user_id: str) -> dict | None:
        if not valid_id(user_id):
            return None
        with self.files.lock(self._users), self.files.open(self._users) as db:
            found = db.get(Query().id == user_id)
        return dict(found) if found else None

    def find_user(self, username: str) -> dict | None:
        wanted = username.casefold()
        with self.files.lock(self._users), self.files.open(self._users) as db:
            found = db.get(Query().username.test(lambda u: u.casefold() == wanted))
        return dict(found) if found else None

    def list_users(self) -> list[dict]:
        with self.files.lock(self._users), self.files.open(self._users) as db:
            users = [dict(u) for u in db.all()]
        return sorted(users, key=lambda u: u["username"].casefold())

    def update_user(self, user_id: str, **changes) -> dict | None:
        if not valid_id(user_id):
            return None
        changes.pop("id", None)
        with self.files.lock(self._users), self.files.open(self._users) as db:
            if "username" in changes and _username_taken(db, changes["username"], except_id=user_id):
                raise DuplicateError(f"username already taken: {changes['username']}")
            return update_by_id(db, user_id, changes)

    def delete_user(self, user_id: str) -> bool:
        if not valid_id(user_id):
            return False
        with self.files.lock(self._users), self.files.open(self._users) as db:
            return bool(db.remove(Query().id == user_id))

    def add_session(self, user_id: str, session_id: str, keep: int = 10) -> None:
        with self.files.lock(self._users), self.files.open(self._users) as db:
            found = db.get(Query().id == user_id) if valid_id(user_id) else None
            if found is None:
                raise LookupError(f"unknown user {user_id!r}")
            sessions = [*found.get("sessions", []), session_id][-keep:]
            db.update({"sessions": sessions, "last_login": now()}, Query().id == user_id)

    def end_sessions(self, user_id: str, *session_ids: str, keep: str | None = None) -> None:
        if not valid_id(user_id):
            return
        with self.files.lock(self._users), self.files.open(self._users) as db:
            found = db.get(Query().id == user_id)
            if found is None:
                return
            sessions = [s for s in found.get("sessions", [])
                        if (s not in session_ids if session_ids else s == keep)]
            db.update({"sessions": sessions}, Query().id == user_id)


def _username_taken(db: TinyDB, username: str, except_id: str | None = None) -> bool:
    wanted = username.casefold()
    return any(u["username"].casefold() == wanted and u["id"] != except_id for u in db.all())
