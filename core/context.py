"""Per-request context (client address, request id) that services read without taking a request.

Set by RequestContextMiddleware; management commands and tasks leave it empty.
"""

import contextvars
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None
    request_id: str
    channel: str  # "web", "api" or "cli"


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("ponte_request", default=None)


def current() -> RequestContext | None:
    """The context of the request being served, if any."""
    return _current.get()


def bind(*, ip: str | None, channel: str) -> contextvars.Token:
    """Bind a new context; returns the token to reset it with."""
    return _current.set(RequestContext(ip=ip, request_id=uuid.uuid4().hex, channel=channel))


def reset(token: contextvars.Token) -> None:
    _current.reset(token)
