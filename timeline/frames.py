"""Room on Python's frame stack for a whole request.

CPython 3.11 and 3.12 keep the frames of Python calls in chunks of 16 kB. A call that does not fit in the current
chunk maps a new one from the system, and when that call returns the chunk is unmapped at once (CPython issue
gh-142183, fixed in 3.13 and 3.14 by keeping one chunk aside). Rendering a page calls the same template functions
thousands of times, hundreds of frames deep: wherever one of them sits on a chunk's edge, each of its calls maps and
unmaps a chunk. Under gunicorn the timeline page did that 2,850 times a request, a quarter of its time at 100,000
events; called from another depth, the same page did it a few dozen times. It depends on nothing but where the server
happens to call the app from.

`with_room` calls the app through one frame large enough that Python opens a chunk of 512 kB for it, and the rest
of that chunk (about 250 kB) holds the request's own frames: a page needs under 40 kB. One chunk is mapped per
request, wherever the server calls from.
"""

# Slots of 8 bytes: Python then maps a chunk of 512 kB (it doubles 16 kB until the frame and 8 kB more fit), and the
# frame leaves 260 kB of it free. Its frame object, should a traceback ever need one, is as large.
FRAME_SLOTS = 33_000


def _call(function, *args):
    return function(*args)


# A larger value stack than the function uses is never touched: the frame is only reserved, not filled.
_call.__code__ = _call.__code__.replace(co_stacksize=FRAME_SLOTS)


def with_room(application):
    """The WSGI `application`, each request handled in one chunk of frames of its own."""

    def handle(environ, start_response):
        return _call(application, environ, start_response)

    return handle
