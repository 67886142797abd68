"""Accounts with their sessions, and the app's secret key (tables users, app_secret)."""
from __future__ import annotations

import secrets

from psycopg import errors

from survey_app.storage.ids import new_id, now, valid_id
from survey_app.storage.interface import DuplicateError
from survey_app.storage.postgres.connection import Database, dump, load, one_record, one_value


class UserStore:
    """Part of Store: one row per account; the record holds its sessions."""

    db: Database

    def secret_key(self) -> str:
        def work(cur):
            cur.execute("INSERT INTO app_secret (key) VALUES (%s) ON CONFLICT DO NOTHING", (secrets.token_hex(32),))
            cur.execute("SELECT key FROM app_secret")
            return cur.fetchone()[0]
        return self.db.run(work)

    def add_user(self, username: str, password_hash: str, role: str) -> dict:
        user = {"id": new_id(), "username": username, "password_hash": password_hash,
                "role": role, "created_at": now()}

        def work(cur):
            cur.execute("INSERT INTO users (id, username_key, record) VALUES (%s, %s, %s)",
                        (user["id"], username.casefold(), dump(user)))
        try:
            self.db.run(work)
        except errors.UniqueViolation:
            raise DuplicateError(f"username already taken: {username}") from None
        return user

    def get_user(self, user_id: str) -> dict | None:
        if not valid_id(user_id):
            return None
        return self.db.run(lambda cur: one_record(cur.execute("SELECT record FROM users WHERE id = %s", (user_id,))))

    def find_user(self, username: str) -> dict | None:
        return self.db.run(lambda cur: one_record(cur.execute("SELECT record FROM users WHERE username_key = %s",
                                                        (username.casefold(),))))

    def list_users(self) -> list[dict]:
        rows = self.db.run(lambda cur: cur.execute("SELECT record FROM users").fetchall())
        return sorted((load(row[0]) for row in rows), key=lambda u: u["username"].casefold())

    def _change_user(self, user_id: str, change) -> dict | None:
        def work(cur):
            found = one_record(cur.execute("SELECT record FROM users WHERE id = %s FOR UPDATE", (user_id,)))
            if found is None:
                return None
            new = change(found)
            if new is None:
                return None
            cur.execute("UPDATE users SET username_key = %s, record = %s WHERE id = %s",
                        (new["username"].casefold(), dump(new), user_id))
            return new
        return self.db.run(work)

    def update_user(self, user_id: str, **changes) -> dict | None:
        if not valid_id(user_id):
            return None
        changes.pop("id", None)
        try:
            return self._change_user(user_id, lambda user: {**user, **changes})
        except errors.UniqueViolation:
            raise DuplicateError(f"username already taken: {changes.get('username')}") from None

    def delete_user(self, user_id: str) -> bool:
        if not valid_id(user_id):
            return False
        return self.db.run(lambda cur: cur.execute("DELETE FROM users WHERE id = %s", (user_id,)).rowcount > 0)

    def add_session(self, user_id: str, session_id: str, keep: int = 10) -> None:
        if not valid_id(user_id):
            raise LookupError(f"unknown user {user_id!r}")
        done = self._change_user(user_id, lambda user: {
            **user, "sessions": [*user.get("sessions", []), session_id][-keep:], "last_login": now()})
        if done is None:
            raise LookupError(f"unknown user {user_id!r}")

    def end_sessions(self, user_id: str, *session_ids: str, keep: str | None = None) -> None:
        if not valid_id(user_id):
            return
        self._change_user(user_id, lambda user: {**user, "sessions": [
            s for s in user.get("sessions", []) if (s not in session_ids if session_ids else s == keep)]})
