"""The application for a WSGI server (``gunicorn decisions.web.wsgi:app``), configured by
``instance/config.py`` and the ``DECISIONS_*`` environment variables."""

from __future__ import annotations

from . import create_app

app = create_app()
