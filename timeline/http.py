"""HTTP behaviour shared by the open-data endpoints (API, exports, feeds)."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpResponse


def allow_any_origin(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let pages on any site read the response from JavaScript (CORS), as TimelineJS and notebooks do.

    Safe because the data is public and read-only, and no credentials are allowed.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapped
