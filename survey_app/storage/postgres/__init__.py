"""The PostgreSQL adapter (psycopg 3 with its pool, plain SQL): selected by
SURVEY_APP_DATABASE_URL=postgresql://...; see store.py and docs/storage.md."""
