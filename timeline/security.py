"""Decorators that lift the site-wide protections for the one view that needs it."""

from functools import wraps

from csp.decorators import csp_replace
from django.conf import settings
from django.views.decorators.clickjacking import xframe_options_exempt


def embeddable(view):
    """Let other sites frame this view: the only exception to X-Frame-Options DENY and frame-ancestors 'none'.

    The allowed framing sites come from settings.EMBED_FRAME_ANCESTORS ("*" by default), read per request, and the
    site itself, whose embed builder shows a preview.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        ancestors = settings.EMBED_FRAME_ANCESTORS
        if "*" not in ancestors and "'self'" not in ancestors:
            ancestors = ["'self'", *ancestors]
        framed = csp_replace({"frame-ancestors": ancestors})(xframe_options_exempt(view))
        return framed(request, *args, **kwargs)

    return wrapped
