"""An optional read replica (``DATABASE_REPLICA_URL``) for reports and exports.

The primary (``default``) takes every write and, by default, every read. A view marked
with :func:`reads_from_replica` (reports, rankings, printed and Word documents: pages that
only read) sends its reads to the ``replica`` alias instead, except when they must see a
recent write:

- within a request, the first write (any ``db_for_write``: a save, an update, a
  ``select_for_update``) pins every later read of the request to the primary;
- across requests, :class:`StickyPrimaryMiddleware` gives a browser that wrote a cookie
  (``thidua_primary``) for ``DATABASE_REPLICA_STICKY_SECONDS``; while it lasts, that
  user's reads all go to the primary, so nobody sees their own save missing from a report
  because the replica is a second behind.

Sessions never come from the replica (a session written at log-in may not have reached it
yet). Outside a request (background worker, management commands) everything uses the
primary. Without a ``replica`` alias the router always answers ``default`` and the
middleware does nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
REPLICA = "replica"
STICKY_COOKIE = "thidua_primary"
# Read from the primary whatever the view: a session saved at log-in must be found at once.
PRIMARY_ONLY_APPS = frozenset({"sessions"})


@dataclass
class Routing:
    """The routing state of one request (or one ``replica_reads`` block)."""

    replica_allowed: bool = False  # inside a view marked read-only
    pinned: bool = False  # reads go to the primary: a write happened, here or just before
    wrote: bool = False  # this request wrote: the middleware renews the cookie


_routing: ContextVar[Routing | None] = ContextVar("thidua_db_routing", default=None)


def replica_configured() -> bool:
    """Whether a ``replica`` database alias exists (DATABASE_REPLICA_URL is set)."""
    return REPLICA in connections.settings


def current() -> Routing | None:
    """The routing state in force, or None outside a request."""
    return _routing.get()


@contextmanager
def routing(state: Routing) -> Iterator[Routing]:
    """Run the block with ``state`` as the routing state (the middleware's request scope)."""
    token = _routing.set(state)
    try:
        yield state
    finally:
        _routing.reset(token)


@contextmanager
def replica_reads() -> Iterator[Routing]:
    """Let the block's reads go to the replica (until it writes). Inside a request the
    request's state is used, so a write before the block still pins it to the primary."""
    state = _routing.get()
    if state is None:
        with routing(Routing(replica_allowed=True)) as fresh:
            yield fresh
        return
    before = state.replica_allowed
    state.replica_allowed = True
    try:
        yield state
    finally:
        state.replica_allowed = before


def reads_from_replica(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view that only reads (a report, an export): its queries may use the replica.
    Put it outermost, above ``login_required``: the permission checks read the same
    snapshot as the page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with replica_reads():
            return view(request, *args, **kwargs)

    wrapped.reads_from_replica = True  # type: ignore[attr-defined]
    return wrapped


class ReplicaRouter:
    """Reads of a marked view to the replica unless pinned; everything else, and every
    write, to the primary."""

    def db_for_read(self, model, **hints) -> str:
        state = _routing.get()
        if (
            state is None
            or not state.replica_allowed
            or state.pinned
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or not replica_configured()
        ):
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        state = _routing.get()
        # A session saved on every request (its expiry, the last activity) is no write of
        # the user's data: it must not keep the user off the replica.
        if state is not None and model._meta.app_label not in PRIMARY_ONLY_APPS:
            state.pinned = True
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica holds the primary's rows: an object read from one may point at one
        # read from the other.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        # The replica follows the primary by replication; nothing migrates it directly.
        return False if db == REPLICA else None


class StickyPrimaryMiddleware:
    """Give every request its routing state; after a request that wrote, keep the browser's
    reads on the primary for DATABASE_REPLICA_STICKY_SECONDS (a cookie holding the moment
    it ends). Does nothing without a replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        state = Routing(pinned=self._recently_wrote(request))
        with routing(state):
            response = self.get_response(request)
        if state.wrote:
            seconds = settings.DATABASE_REPLICA_STICKY_SECONDS
            response.set_cookie(
                STICKY_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    @staticmethod
    def _recently_wrote(request: HttpRequest) -> bool:
        # The cookie is not signed: forging it only sends the forger's own reads to the
        # primary, which is always correct.
        try:
            until = int(request.COOKIES.get(STICKY_COOKIE, "0"))
        except ValueError:
            return False
        return until > time.time()
