# mypy: ignore-errors
# (This script runs in OpenSlides' own virtual environment, with its Django: nothing of it is
# installed beside our project, so there is nothing for mypy to check it against.)
"""OpenSlides 3.3's side of ``openslides_compare.py``: N votes through
``MotionPollViewSet.vote``, in process, then the poll's result.

Run by ``openslides_compare.py`` with the interpreter of the throwaway virtual environment
where OpenSlides is installed, never with ours:

    <venv>/bin/python benchmarks/openslides_votes.py WORK_FOLDER N [BUDGET_SECONDS]

It makes a fresh SQLite database in WORK_FOLDER (migrated by OpenSlides itself, DEBUG off),
N delegates present in the hall, a motion with a named yes/no/abstain poll for the
delegates' group, started; then each delegate votes once through the viewset's ``vote``
action (a request built by Django REST framework's request factory, the voter
authenticated on it as the session would: the same view code, permission checks, storage and
autoupdate as over HTTP, without the HTTP server); then the poll is stopped through the
viewset's ``stop`` action and its result read (yes, no, abstain, valid, cast). Prints one
line of JSON: the votes cast, the times in seconds and the result (and its progress on the
standard error, every tenth of the votes). Past BUDGET_SECONDS of voting, no more votes are
cast: the poll is stopped with those it has.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

SETTINGS = """\
from openslides.global_settings import *  # noqa: F403

OPENSLIDES_USER_DATA_DIR = {folder!r}
INSTALLED_APPS += INSTALLED_PLUGINS  # noqa: F405
SECRET_KEY = "openslides benchmark"
DEBUG = False
ENABLE_ELECTRONIC_VOTING = True
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3",
                           "NAME": {database!r}}}}}
STATIC_ROOT = {folder!r} + "/collected-static"
MEDIA_ROOT = {folder!r} + "/media/"
TIME_ZONE = "UTC"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # accounts made once
LOGGING = {{"version": 1, "disable_existing_loggers": True}}
"""

POSITIONS = ("Y", "N", "A")


def _setup(folder: Path) -> None:
    """A fresh database for this run, migrated; Django set up on it."""
    database = folder / "openslides.sqlite3"
    database.unlink(missing_ok=True)
    (folder / "benchmark_settings.py").write_text(
        SETTINGS.format(folder=str(folder), database=str(database)))
    sys.path.insert(0, str(folder))
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmark_settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _delegates(count: int) -> list:
    """``count`` delegates present in the hall, and the element cache rebuilt with them."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from openslides.utils.cache import element_cache

    user_model = get_user_model()
    password = make_password("delegate password")
    user_model.objects.bulk_create(
        user_model(username=f"delegate{i}", password=password, is_present=True)
        for i in range(count))
    delegates = list(user_model.objects.filter(username__startswith="delegate").order_by("id"))
    through = user_model.groups.through
    through.objects.bulk_create(through(user_id=u.id, group_id=_delegate_group())
                                for u in delegates)
    element_cache.ensure_cache(reset=True)
    return delegates


def _delegate_group() -> int:
    from openslides.utils.auth import get_group_model

    return get_group_model().objects.get(name="Delegates").pk


def _started_poll():
    """A motion and its named yes/no/abstain poll for the delegates, started."""
    from openslides.motions.models import Motion, MotionPoll
    from openslides.poll.models import BasePoll

    motion = Motion(title="Benchmark motion", text="The assembly adopts the budget.")
    motion.save()
    poll = MotionPoll.objects.create(motion=motion, title="Vote", pollmethod="YNA",
                                     type=BasePoll.TYPE_NAMED,
                                     onehundred_percent_base="YNA", majority_method="simple")
    poll.create_options()
    poll.groups.add(_delegate_group())
    poll.state = BasePoll.STATE_STARTED
    poll.save()
    return poll


def _call(action: str, poll_id: int, user, data: dict | None = None) -> None:
    from openslides.motions.views import MotionPollViewSet
    from rest_framework.test import APIRequestFactory, force_authenticate

    request = APIRequestFactory().post(f"/rest/motions/motion-poll/{poll_id}/{action}/",
                                       data or {}, format="json")
    force_authenticate(request, user=user)
    response = MotionPollViewSet.as_view({"post": action})(request, pk=poll_id)
    if response.status_code != 200:
        raise SystemExit(f"{action} answered {response.status_code}: {response.data}")


def main() -> None:
    folder, count = Path(sys.argv[1]).resolve(), int(sys.argv[2])
    budget = float(sys.argv[3]) if len(sys.argv) > 3 else float("inf")
    folder.mkdir(parents=True, exist_ok=True)
    _setup(folder)
    delegates = _delegates(count)
    poll = _started_poll()
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="admin")

    started, cast = time.perf_counter(), 0
    for index, delegate in enumerate(delegates, start=1):
        _call("vote", poll.pk, delegate, {"data": POSITIONS[(index - 1) % 3]})
        cast = index
        elapsed = time.perf_counter() - started
        if index % max(count // 10, 1) == 0:
            print(f"openslides: {index} votes in {elapsed:.0f} s", file=sys.stderr, flush=True)
        if elapsed > budget:
            print(f"openslides: budget spent after {index} votes", file=sys.stderr, flush=True)
            break
    voting = time.perf_counter() - started

    started = time.perf_counter()
    _call("stop", poll.pk, admin)
    poll.refresh_from_db()
    option = poll.options.get()
    result = {"yes": str(option.yes), "no": str(option.no), "abstain": str(option.abstain),
              "valid": str(poll.votesvalid), "cast": str(poll.votescast)}
    closing = time.perf_counter() - started
    print(json.dumps({"votes": cast, "voting_s": voting, "result_s": closing,
                      "result": result}))


if __name__ == "__main__":
    main()
