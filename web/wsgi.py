"""The WSGI entry point (the only module that builds the app at import time): `gunicorn web.wsgi:app`."""

from web import create_app

app = create_app()
