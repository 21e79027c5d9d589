"""Who may see an organisation's pages: membership and role, checked on every view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g
from flask_login import current_user, login_required

from .. import db
from ..models import Membership, Role
from ..services.organisations import visit

F = TypeVar("F", bound=Callable[..., Any])


def requires(role: Role) -> Callable[[F], F]:
    """The view's ``slug`` names an organisation; the signed-in person must be a member
    with at least ``role`` (404 for an unknown organisation, 403 for a non-member)."""

    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, slug: str, **kwargs: Any) -> Any:
            organisation, membership = visit(db.session(), slug, current_user.id)
            if organisation is None:
                abort(404)
            if membership is None or not membership.can(role):
                abort(403)
            g.organisation, g.membership = organisation, membership
            return view(*args, organisation=organisation, membership=membership, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def current_membership() -> Membership:
    """The membership checked by :func:`requires` for this request."""
    membership: Membership = g.membership
    return membership
