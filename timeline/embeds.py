"""The embeddable timeline's own parameters, beside the timeline's filters (which EventFilter owns), and the code an
author copies into a page.

    limit        how many events the embed lists: 1 to MAX_EVENTS (MAX_EVENTS when not given)
    height       for the code only: the frame's height in CSS pixels, MIN_HEIGHT to MAX_HEIGHT (DEFAULT_HEIGHT)
    autoheight   for the code only: "1" adds the script by which the host page fits the frame to its events

The embed tells the page around it how tall it is, whenever that changes, with a message any page may listen to:
`{"type": "timeline:height", "height": <CSS pixels>}` (static/timeline/embed.js; documented in the README).
"""

import dataclasses
from html import escape
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from timeline.filters import display_value

MAX_EVENTS = 100
MIN_HEIGHT, DEFAULT_HEIGHT, MAX_HEIGHT = 200, 600, 3000
MESSAGE_TYPE = "timeline:height"


class EmbedForm(forms.Form):
    limit = forms.IntegerField(label=_("Number of events"), min_value=1, max_value=MAX_EVENTS, required=False)
    height = forms.IntegerField(
        label=_("Height of the frame, in pixels"), min_value=MIN_HEIGHT, max_value=MAX_HEIGHT, required=False
    )
    autoheight = forms.BooleanField(label=_("Fit the frame to its events (automatic height)"), required=False)

    nouns = {"limit": _("the number of events"), "height": _("the height")}


@dataclasses.dataclass
class Layout:
    limit: int
    height: int
    autoheight: bool
    notes: list[str]
    form: EmbedForm

    @property
    def params(self) -> list[tuple[str, str]]:
        """The embed's own parameters in its address: the number of events, when not the most it shows."""
        return [("limit", str(self.limit))] if self.limit != MAX_EVENTS else []


def layout(data) -> Layout:
    """The embed's parameters from a query: a value that cannot be used is ignored with a note, as the timeline's
    filters are, and the default stands."""
    form = EmbedForm(data)
    form.is_valid()
    notes = []
    for name, errors in form.errors.items():
        reason = " ".join(errors).rstrip(".")
        value = display_value(data.get(name, ""))
        notes.append(
            gettext("Ignored %(noun)s “%(value)s”: %(reason)s.")
            % {"noun": EmbedForm.nouns[name], "value": value, "reason": reason}
        )
    cleaned = {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}
    return Layout(
        limit=cleaned.get("limit", MAX_EVENTS),
        height=cleaned.get("height", DEFAULT_HEIGHT),
        autoheight=bool(cleaned.get("autoheight")),
        notes=notes,
        form=form,
    )


# The host page's side of the automatic height: it listens for the embed's message and sizes the frame it came from.
LISTENER = """<script>
addEventListener("message", function (event) {{
  if (event.origin !== "{origin}" || !event.data || event.data.type !== "{message}") return;
  document.querySelectorAll("iframe[data-timeline-embed]").forEach(function (frame) {{
    if (frame.contentWindow === event.source) frame.height = event.data.height;
  }});
}});
</script>"""


def code(embed_url: str, title: str, height: int, autoheight: bool) -> str:
    """The HTML an author pastes: the frame and, for an automatic height, the listener that sizes it."""
    frame = (
        f'<iframe src="{escape(embed_url)}" title="{escape(title)}" width="100%" height="{height}" '
        f'loading="lazy" data-timeline-embed></iframe>'
    )
    if not autoheight:
        return frame
    parts = urlsplit(embed_url)
    return frame + "\n" + LISTENER.format(origin=f"{parts.scheme}://{parts.netloc}", message=MESSAGE_TYPE)
