"""The application for gunicorn in the tests of logs (``tests/web/live.py``): configured by
the ``DECISIONS_*`` variables as in production, with its clock fixed at
``DECISIONS_TEST_NOW`` (the clock is a parameter of the application), its instance folder
``DECISIONS_TEST_INSTANCE``, and its loggers at DEBUG on standard error, so that the test
reads everything they would say."""

from __future__ import annotations

import logging
import os
import sys
from datetime import datetime

from decisions.web import create_app

NOW = datetime.fromisoformat(os.environ["DECISIONS_TEST_NOW"])

_handler = logging.StreamHandler(sys.stderr)
_handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
_loggers = logging.getLogger("decisions")
_loggers.setLevel(logging.DEBUG)
_loggers.addHandler(_handler)

app = create_app({"CLOCK": lambda: NOW, "INSTANCE_PATH": os.environ["DECISIONS_TEST_INSTANCE"]})
