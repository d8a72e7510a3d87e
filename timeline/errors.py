"""The 500 handler: a database outage outside a view is still a 503, everything else Django's 500 page."""

import sys

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from timeline.middleware import DATABASE_UNAVAILABLE, database_unavailable


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls the handler inside its `except` block, so the exception is still at hand.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable(request)
    return defaults.server_error(request)
