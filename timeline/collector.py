"""When Python's cycle collector runs in a server process: its full collections after a response is sent, not in
the middle of a page.

A full collection walks every object alive. In the middle of a computed page at 100,000 events that is the page's
rows, template nodes and values: 25–55 ms, about one request in seven, which set the p95 of the timeline. Between
two requests it is only what outlives them. The young generations are still collected as Python would, less often.
"""

import gc

from django.core.signals import request_finished

# Objects allocated, less those freed, before a young collection (Python's default 700 ran 17 of them per page).
YOUNG = 10_000
# Young collections per collection of the middle generation, and of those per full collection: Python's defaults.
MIDDLE = 10
OLD = 10
# Never reached: the old generation is left to collect_after_response.
NEVER = 2**31 - 1


def install() -> None:
    """Set what loading the app created aside (it lives as long as the process) and move full collections out of
    requests."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG, MIDDLE, NEVER)
    request_finished.connect(collect_after_response, dispatch_uid="timeline.collector")


def collect_after_response(**kwargs) -> None:
    # The response has been written when the server closes it, which sends request_finished.
    if gc.get_count()[2] >= OLD:
        gc.collect()
