"""One log line per request, every log line tied to its request by an id.

:class:`RequestLogMiddleware` takes the request id from the ``X-Request-ID`` header that
nginx sets (``$request_id``), or makes one, echoes it in the response's ``X-Request-ID``,
and logs one line per request on the ``thidua.request`` logger: request id, user, method,
path, status and duration. :class:`RequestIdFilter` puts the current request's id on every
other record logged while it is served (``-`` outside a request), so an error can be found
next to its request. ``LOG_FORMAT=json`` writes each record as one JSON object per line
(:class:`JsonFormatter`); otherwise as plain text.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("thidua.request")

REQUEST_ID_HEADER = "X-Request-ID"
# An id from the proxy is kept only when it is short and plain (it is written into logs).
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# Fields a request line carries besides the message (see RequestLogMiddleware).
REQUEST_FIELDS = ("user", "method", "path", "status", "duration_ms")


def current_request_id() -> str:
    """The id of the request being served, or ``-``."""
    return _request_id.get()


def _user_name(request: HttpRequest) -> str:
    # request.user exists only once AuthenticationMiddleware ran: not for a static file
    # WhiteNoise answered, nor for a request refused before (a bad Host header).
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.get_username()
    return "-"


class RequestLogMiddleware:
    """Outermost middleware but the health probes: id in, id out, one line per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            response[REQUEST_ID_HEADER] = request_id
            fields = {
                "user": _user_name(request),
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
            }
            logger.info(
                "%s %s %s %s %sms",
                fields["method"],
                fields["path"],
                fields["status"],
                fields["user"],
                duration_ms,
                extra={**fields, "request_id": request_id},
            )
            return response
        finally:
            _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Give every record the current request's id (``request_id``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request
    id, the request fields when the record is a request line, and the traceback of an
    error."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id()),
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                data[field] = getattr(record, field)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


PLAIN_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
