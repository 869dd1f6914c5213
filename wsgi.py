"""WSGI entry point for a production server, e.g. `gunicorn wsgi:app`: the whole site (public
pages, staff console and API) as one callable."""

from wizard import create_site

app = create_site()
