"""Entry point for WSGI servers: `gunicorn -w 4 -b 127.0.0.1:8000 wsgi:app` or `waitress-serve wsgi:app`."""
from survey_app import create_app

app = create_app()
