"""gunicorn's settings for decisions (docs/deployment.md):

    gunicorn -c python:decisions.web.gunicorn_conf -w 4 --threads 8 -b 127.0.0.1:8000 \\
        decisions.web.wsgi:app

An access log on standard output (``--access-logfile FILE`` to write it elsewhere), in
gunicorn's usual format, whose lines never hold the tokens of the links people follow, an
API token, or searched words (``decisions.web.log_privacy``); gunicorn's error log is
redacted the same way. Loaded by gunicorn only.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from decisions.web.log_privacy import REDACTION


class RedactingLogger(Logger):
    """gunicorn's logger, its access and error logs redacted."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.access_log.addFilter(REDACTION)
        self.error_log.addFilter(REDACTION)


logger_class = RedactingLogger
accesslog = "-"
