"""Atom feeds: newly published events (all, per topic, per participant) and public corrections.

Atom titles are plain text (RFC 4287 `type="text"`), so they are not escaped here; summaries are written as
`type="html"` by Django, so the plain-text summaries are escaped into HTML before they go out.
"""

import datetime

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from timeline import facets
from timeline.export_views import invalid_parameters
from timeline.filters import EventFilter, refusals
from timeline.models import Correction, Event, Participant, Topic
from timeline.versions import data_version

FEED_LENGTH = 50


class AtomFeed(Atom1Feed):
    def latest_post_date(self):
        # Django says "now" for a feed with no entries, so an empty feed would change on every request: it is as
        # of the last change readers could see instead, which stays put until the next one.
        if not any(item.get("updateddate") or item.get("pubdate") for item in self.items):
            version = data_version()
            return version.changed_at if version else super().latest_post_date()
        return super().latest_post_date()


class TimelineFeed(Feed):
    """Atom, in the language of its address (/fr/feeds/... in French): titles, dates and links alike."""

    feed_type = AtomFeed
    author_name = pgettext_lazy("site name", "Timeline")

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # Atom wants an id unique to each feed; Django's default, the site's link, is shared by all of ours.
        feed.feed["id"] = feed.feed["feed_url"]
        return feed


class NewEventsFeed(TimelineFeed):
    """The most recently published events, newest first: of the whole timeline, or of the events the timeline's
    filters select (the same GET parameters, so that a filtered page's feed follows that page). A parameter the
    filters cannot use is refused (400, naming it), as the downloads do: a feed reader would otherwise follow more
    than was asked for without anyone seeing a note."""

    def __call__(self, request, *args, **kwargs):
        refused = invalid_parameters(refusals(EventFilter(request.GET).problems))
        return refused or super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return EventFilter(request.GET)

    def title(self, filterset):
        heading = ", ".join(active["label"] for active in facets.active_filters(filterset))
        if heading:
            return gettext("Timeline: new events (%(filters)s)") % {"filters": heading}
        return gettext("Timeline: new events")

    def subtitle(self, filterset):
        if filterset.query():
            return gettext("Events newly published on the timeline of Canada–U.S. relations that these filters select.")
        return gettext("Events newly published on the timeline of Canada–U.S. relations.")

    def link(self, filterset):
        return filterset.path()

    def feed_url(self, filterset):
        query = filterset.query()
        return reverse("feed_events") + (f"?{query}" if query else "")

    def events(self, filterset):
        return filterset.qs

    def items(self, obj=None):
        events = self.events(obj).prefetch_related("topics")
        return events.newest_published()[:FEED_LENGTH]

    def item_title(self, event):
        return event.title

    def item_description(self, event):
        return format_html("<p>{}</p><p>{}</p>", event.date_display, event.summary)

    def item_pubdate(self, event):
        return event.published_at or event.created_at

    def item_updateddate(self, event):
        return event.updated_at

    def item_categories(self, event):
        return [topic.name for topic in event.topics.all()]


class TopicEventsFeed(NewEventsFeed):
    __call__ = TimelineFeed.__call__  # its address says what it follows

    def get_object(self, request, slug):
        # Only a topic the public can already see: a topic of drafts alone would announce their story.
        return get_object_or_404(Topic.objects.public(), slug=slug)

    def title(self, topic):
        return gettext("Timeline: new events on %(name)s") % {"name": topic.name}

    def subtitle(self, topic):
        return gettext("Events newly published on the timeline under the topic %(name)s.") % {"name": topic.name}

    def link(self, topic):
        return topic.get_absolute_url()

    def feed_url(self, topic):
        return reverse("feed_topic", args=[topic.slug])

    def events(self, topic):
        return Event.objects.published().on_topics([topic])


class ParticipantEventsFeed(NewEventsFeed):
    __call__ = TimelineFeed.__call__

    def get_object(self, request, slug):
        # Only a participant the public can already see: one in a published event or statement.
        return get_object_or_404(Participant.objects.public(), slug=slug)

    def title(self, participant):
        return gettext("Timeline: new events with %(name)s") % {"name": participant.name}

    def subtitle(self, participant):
        return gettext("Events newly published on the timeline in which %(name)s took part.") % {
            "name": participant.name
        }

    def link(self, participant):
        return participant.get_absolute_url()

    def feed_url(self, participant):
        return reverse("feed_participant", args=[participant.slug])

    def events(self, participant):
        return Event.objects.published().involving([participant])


class CorrectionsFeed(TimelineFeed):
    """Every public correction, newest first: those on published events."""

    title = _("Timeline: corrections")
    subtitle = _("Corrections made to published events and statements on the timeline.")

    def link(self):
        return reverse("event_list")

    def feed_url(self):
        return reverse("feed_corrections")

    def items(self):
        # The events read by id after the corrections, not joined: SQLite, whose statistics may count the events but
        # not the few corrections, started from every event (17 ms at 100,000 events).
        return Correction.objects.published().prefetch_related("event").order_by("-published_on", "-pk")[:FEED_LENGTH]

    def item_title(self, correction):
        return gettext("Correction: %(title)s") % {"title": correction.event.title}

    def item_description(self, correction):
        return format_html("<p>{}</p>", correction.note)

    def item_link(self, correction):
        # A fragment per correction, so that two corrections of one event are two distinct entries.
        return f"{correction.event.get_absolute_url()}#correction-{correction.pk}"

    def item_pubdate(self, correction):
        # The date the correction was published; Django makes it aware in the site's time zone.
        return datetime.datetime.combine(correction.published_on, datetime.time())

    def item_categories(self, correction):
        return [gettext("correction")]
