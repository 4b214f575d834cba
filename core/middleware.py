"""Middleware of the framework layer."""

from django.conf import settings

from core import context


def client_ip(request) -> str | None:
    """The client address; the proxy's last appended hop when Ponte is told it sits behind one."""
    if settings.PONTE_TRUSTED_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Binds the client address and a request id for the audit log of this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith("/api/") else "web"
        token = context.bind(ip=client_ip(request), channel=channel)
        try:
            return self.get_response(request)
        finally:
            context.reset(token)
