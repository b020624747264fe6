"""The WSGI entry point: ``gunicorn wsgi:app``. Also found by the ``flask`` command."""

from app import create_app

app = create_app()
