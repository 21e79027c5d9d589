"""A gunicorn worker loads the application, not what a rare page needs (issue 11: a worker
stays under 120 MiB). fpdf2 (the minutes' PDF, with its font tools: ~45 MiB) and icalendar
are imported when a PDF or a calendar is written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

RARE = ("fpdf", "fontTools", "PIL", "icalendar")


def test_the_application_loads_without_the_libraries_of_rare_pages(tmp_path: Path) -> None:
    env = {**os.environ, "DECISIONS_SECRET_KEY": "imports test",
           "DECISIONS_DATABASE_URL": f"sqlite:///{tmp_path / 'imports.sqlite'}",
           "DECISIONS_SCHEDULER": "off"}
    script = ("import json, sys; import decisions.web.wsgi; "
              f"print(json.dumps([m for m in {RARE!r} if m in sys.modules]))")
    loaded = subprocess.run([sys.executable, "-c", script], env=env, check=True,
                            capture_output=True, text=True, timeout=120).stdout
    assert json.loads(loaded.strip().splitlines()[-1]) == []
