"""The tables of the PostgreSQL adapter, as numbered migrations, and `upgrade`, which applies
the ones a database lacks (flask --app survey_app db-upgrade).

Each migration is plain SQL and runs once, in one transaction with its row in schema_version;
an advisory lock makes servers that upgrade at the same moment take turns, so upgrading is
idempotent and safe to run on every start. A migration, once released, is never changed: a
change of the tables is a new migration at the end of MIGRATIONS.

Records are JSON documents as the domain makes them, kept as text exactly as Python's json
writes them (as in the data folder): PostgreSQL's json types refuse what the app may store
(NaN from an import, "\u0000"), and the database never looks inside a record anyway (cast
`record::json` in psql where it parses); the columns beside them are what the
database must know itself: ids, unique keys (username, slug, join code, one submission per
draft, one vote per participant and run), the order things were stored in, versions.
"""
from __future__ import annotations

import psycopg

LOCK_KEY = 7_401_311_514   # pg_advisory_xact_lock key of the schema upgrade (any fixed number)

MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "accounts, surveys, responses, workshops, brakes, audit log", """
CREATE TABLE app_secret (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    key text NOT NULL
);
CREATE TABLE users (
    id uuid PRIMARY KEY,
    username_key text NOT NULL UNIQUE,          -- the username casefolded: unique in any case
    record text NOT NULL
);
CREATE TABLE surveys (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id uuid PRIMARY KEY,
    slug text NOT NULL UNIQUE,
    created_at text NOT NULL,
    record text NOT NULL
);
CREATE TABLE definitions (
    questionnaire_id text NOT NULL,
    content_hash text NOT NULL,
    text text NOT NULL,
    PRIMARY KEY (questionnaire_id, content_hash)
);
-- drafts, responses and invitations name their survey without a foreign key: the storage keeps
-- what the domain hands it, also for a survey it does not list (as the data folder does).
CREATE TABLE drafts (
    survey_id uuid NOT NULL,
    id uuid PRIMARY KEY,
    response_id uuid,
    record text NOT NULL
);
CREATE INDEX drafts_survey ON drafts (survey_id);
CREATE TABLE responses (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    survey_id uuid NOT NULL,
    id uuid PRIMARY KEY,
    submission_key uuid,                        -- the draft it came from: one response per draft
    record text NOT NULL,
    UNIQUE (survey_id, submission_key)
);
CREATE INDEX responses_survey ON responses (survey_id, seq);
CREATE TABLE invitations (
    survey_id uuid NOT NULL,
    hash text NOT NULL,
    number integer NOT NULL,
    used boolean NOT NULL DEFAULT false,
    used_on text,
    PRIMARY KEY (survey_id, hash),
    UNIQUE (survey_id, number)
);
CREATE TABLE workshops (
    id uuid PRIMARY KEY,
    join_code text NOT NULL UNIQUE,
    created_at text NOT NULL,
    version integer NOT NULL,
    record text NOT NULL
);
CREATE TABLE participants (
    workshop_id uuid NOT NULL REFERENCES workshops ON DELETE CASCADE,
    id uuid PRIMARY KEY,
    record text NOT NULL
);
CREATE INDEX participants_workshop ON participants (workshop_id);
CREATE TABLE votes (
    workshop_id uuid NOT NULL REFERENCES workshops ON DELETE CASCADE,
    run uuid NOT NULL,
    participant uuid NOT NULL,
    record text NOT NULL,
    PRIMARY KEY (workshop_id, run, participant)  -- one vote per participant and run
);
CREATE TABLE brakes (
    purpose text NOT NULL,
    key text NOT NULL,
    count integer NOT NULL,
    start double precision NOT NULL,
    last double precision NOT NULL,
    expires double precision NOT NULL,
    PRIMARY KEY (purpose, key)
);
CREATE INDEX brakes_expires ON brakes (expires);
CREATE TABLE audit_log (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event text NOT NULL
);
"""),
    (2, "consultations: drafts' versions, organisations' statements", """
CREATE TABLE consultations (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id uuid PRIMARY KEY,
    created_at text NOT NULL,
    record text NOT NULL
);
CREATE TABLE consultation_versions (
    consultation_id uuid NOT NULL REFERENCES consultations ON DELETE CASCADE,
    number integer NOT NULL,
    record text NOT NULL,
    PRIMARY KEY (consultation_id, number)       -- two versions never share a number
);
CREATE TABLE statements (
    consultation_id uuid NOT NULL REFERENCES consultations ON DELETE CASCADE,
    organisation uuid NOT NULL,
    record text,                                -- NULL only inside the transaction that makes it
    PRIMARY KEY (consultation_id, organisation) -- one statement per organisation
);
"""),
    (3, "anonymous fieldings: submitted drafts deleted, remembered by hash; no draft id, no day of use", """
-- The SHA-256 of each submitted draft's id, per survey: no time, no order (no seq), no link to
-- its response. The primary key is what keeps "one response per draft": submit_draft inserts
-- the hash in the transaction that stores the response and deletes the draft.
CREATE TABLE submitted_drafts (
    survey_id uuid NOT NULL,
    hash text NOT NULL,
    PRIMARY KEY (survey_id, hash)
);
-- Drafts submitted under versions 1-2 (closed, response stored): remembered, then deleted.
INSERT INTO submitted_drafts (survey_id, hash)
    SELECT d.survey_id, encode(sha256(convert_to(d.id::text, 'UTF8')), 'hex')
    FROM drafts d WHERE d.response_id IS NOT NULL AND EXISTS (SELECT 1 FROM responses r WHERE r.id = d.response_id)
    ON CONFLICT DO NOTHING;
DELETE FROM drafts d
    WHERE d.response_id IS NOT NULL AND EXISTS (SELECT 1 FROM responses r WHERE r.id = d.response_id);
-- A response no longer names its draft (the records lose "submission_key" in
-- Store.forget_submission_links at start: they are JSON text as Python writes it), and an
-- invitation records no day of use.
ALTER TABLE responses DROP COLUMN submission_key;
ALTER TABLE invitations DROP COLUMN used_on;
"""),
    (4, "decision records: task profiles, staffing scenarios, committee packs", """
CREATE TABLE decision_records (
    kind text NOT NULL,
    key text NOT NULL,
    version integer NOT NULL,
    record text,                                -- NULL only inside the transaction that makes it
    PRIMARY KEY (kind, key)                     -- one record per kind and key
);
"""),
]

LATEST = MIGRATIONS[-1][0]


def current_version(conn: psycopg.Connection) -> int:
    """The highest migration applied, 0 for a database without our tables."""
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('schema_version') IS NOT NULL")
        if not cur.fetchone()[0]:
            return 0
        cur.execute("SELECT coalesce(max(version), 0) FROM schema_version")
        return cur.fetchone()[0]


def upgrade(conn: psycopg.Connection) -> list[tuple[int, str]]:
    """Apply the migrations the database lacks; returns those applied (none: up to date)."""
    applied = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        conn.execute("""CREATE TABLE IF NOT EXISTS schema_version (
                            version integer PRIMARY KEY,
                            description text NOT NULL,
                            applied_at timestamptz NOT NULL DEFAULT now())""")
        have = current_version(conn)
        for version, description, sql in MIGRATIONS:
            if version <= have:
                continue
            conn.execute(sql)
            conn.execute("INSERT INTO schema_version (version, description) VALUES (%s, %s)",
                         (version, description))
            applied.append((version, description))
    return applied


class UpgradeError(Exception):
    """The database could not be reached or upgraded; the message says why (no password)."""


def upgrade_database(url: str) -> tuple[list[tuple[int, str]], int]:
    """upgrade() on the database at `url`: (migrations applied, schema version now)."""
    from survey_app.storage.postgres.connection import redacted

    try:
        with psycopg.connect(url) as conn:
            applied = upgrade(conn)
            return applied, current_version(conn)
    except psycopg.Error as error:
        raise UpgradeError(f"{redacted(url)}: {error}") from None


def scratch_schema(url: str, name: str) -> str:
    """A new, upgraded schema `name` in the database at `url`; returns the URL that uses it
    (search_path). For benchmarks and tests that must start on empty tables; drop_schema ends it."""
    from urllib.parse import quote

    if not name.isidentifier() or not name.islower():
        raise ValueError(f"not a schema name: {name!r}")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY + 1,))   # CREATE SCHEMA IF NOT EXISTS races
        try:
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {name}")
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY + 1,))
    joiner = "&" if "?" in url else "?"
    scoped = f"{url}{joiner}options={quote(f'-csearch_path={name}')}"
    with psycopg.connect(scoped) as conn:
        upgrade(conn)
    return scoped


def drop_schema(url: str, name: str) -> None:
    if not name.isidentifier() or not name.islower():
        raise ValueError(f"not a schema name: {name!r}")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
