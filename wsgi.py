"""WSGI entry point for a production server, e.g. `gunicorn wsgi:app`."""

from wizard import create_app

app = create_app()
