"""Middleware of our own: HEAD wherever GET is answered, a clear 503 while the database cannot be reached, and
per-path CSP exceptions."""

import logging
import re

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

# A refused or dropped connection, a server shutting down, a locked SQLite file: all pass with time.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


class HeadMiddleware:
    """HEAD answers wherever GET does, as HTTP asks (RFC 9110, 9.3.2): the GET's status and headers, Content-Length
    included, without its body.

    Django's function views (require_GET) and django-ninja's operations answer GET alone, and a link checker, a
    feed reader or a crawler asking HEAD would get a 405. A HEAD is served as the GET it asks about, by the same view
    and the same caches (so its ETag is the page's), and the body is dropped here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        response = self.get_response(request)
        if response.streaming:
            response.streaming_content = []
        else:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 page, rendered without a request context so that nothing on it can touch the database."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER)
    # A cache or CDN must not keep serving the outage once the database is back.
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """Answers 503 with Retry-After when a view fails because the database is unreachable.

    Errors raised outside views (in other middleware) reach `timeline.errors.server_error`, which does the same.
    Django closes the broken connection at the end of the request (CONN_HEALTH_CHECKS checks reused ones), so
    the next request reconnects by itself once the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE):
            # One line, not a traceback: during an outage every request lands here.
            logger.error("Database unavailable, answered 503 to %s %s: %s", request.method, request.path, exception)
            return database_unavailable(request)
        return None


class PathAwareCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, plus the relaxations settings.CONTENT_SECURITY_POLICY_PATH_EXCEPTIONS grants.

    Each exception is (path regex, directives to add) and is justified beside it in settings: only third-party
    pages that are proven to need it get one.
    """

    def get_policy_parts(self, request: HttpRequest, response: HttpResponse, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only:
            for pattern, directives in settings.CONTENT_SECURITY_POLICY_PATH_EXCEPTIONS:
                if re.search(pattern, request.path_info):
                    parts.update = {**(parts.update or {}), **directives}
        return parts
