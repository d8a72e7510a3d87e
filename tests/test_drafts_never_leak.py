"""Drafts never leak: every public surface, walked by an anonymous reader with a draft event present.

A draft and its statements sit beside a published event, sharing its participant, topic, source and month, and
bringing a participant, a topic and a source of their own. Each surface must (1) never show the draft's words,
and (2) be byte for byte the page it is once the draft is deleted: so no count, facet, chart bar, search hit,
previous/next link or feed entry can betray it either. Changes an editor proposed to the published event, its
participant and its source, waiting for review, are walked the same way: unseen until approved. A route added to
the site and missing here fails test_every_public_route_is_walked.
"""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import (
    DraftEventFactory,
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)
from timeline import review
from timeline.models import Correction, Event, Revision, Statement

pytestmark = pytest.mark.django_db

MARK = "Zanzibarquux"  # in every word the draft adds; found in no template

# Each public surface, as (route name, URL). Query strings exercise filters, facets, search and partials.
SURFACES = [
    ("event_list", "/"),
    ("event_list", "/?q=summit"),
    ("event_list", f"/?q={MARK}"),
    ("event_list", "/?participant=shared-person"),
    ("event_list", "/?participant=draft-person"),
    ("event_list", "/?topic=shared-topic&topic=draft-topic"),
    ("event_list", "/?start=2025-05&end=2025-05"),
    ("event_list", "/?has_statements=yes&sort=newest"),
    ("event_list", "/?type=summit&country=CA"),
    ("event_list", "/?page=2"),
    ("event_list", "/?page=2&after=2025-05-01.day.2.1"),  # load more from a place before both events
    ("event_detail", "/events/shared-summit/"),
    ("event_detail", "/events/draft-summit/"),
    ("participant_list", "/participants/"),
    ("participant_detail", "/participants/shared-person/"),
    ("participant_detail", "/participants/draft-person/"),
    ("topic_list", "/topics/"),
    ("topic_detail", "/topics/shared-topic/"),
    ("topic_detail", "/topics/draft-topic/"),
    ("source_list", "/sources/"),
    ("statement_list", "/statements/"),
    ("statement_list", "/statements/?q=says&speaker=shared-person&topic=shared-topic"),
    ("statement_list", f"/statements/?q={MARK}"),
    ("statement_list", "/statements/?start=2025-05"),
    ("statement_list", "/statements/?speaker=draft-person&topic=draft-topic&language=en&kind=quote&start=2025-05"),
    ("statement_list", "/statements/?sort=newest&page=2"),
    ("statement_detail", "/statements/shared-quote/"),
    ("statement_detail", "/statements/draft-quote-1/"),
    ("statement_detail", "/statements/draft-quote-2/"),
    # Open data: the API, feeds, downloads and the embed, with the same filters.
    ("api:api-root", "/api/"),
    ("api:index", "/api/"),
    ("api:list_events", "/api/events"),
    ("api:list_events", "/api/events?topic=shared-topic&participant=shared-person&start=2025-05"),
    ("api:list_events", "/api/events?topic=draft-topic"),
    ("api:get_event", "/api/events/shared-summit"),
    ("api:get_event", "/api/events/draft-summit"),
    ("api:list_statements", "/api/statements"),
    ("api:list_statements", "/api/statements?speaker=shared-person&topic=shared-topic"),
    ("api:list_participants", "/api/participants"),
    ("api:get_participant", "/api/participants/shared-person"),
    ("api:get_participant", "/api/participants/draft-person"),
    ("api:list_sources", "/api/sources"),
    ("api:list_topics", "/api/topics"),
    ("api:openapi-json", "/api/openapi.json"),
    ("api:openapi-view", "/api/docs"),
    ("api:unknown_path", "/api/draft-summit"),
    ("feed_events", "/feeds/events/"),
    ("feed_events", "/feeds/events/?participant=shared-person&topic=shared-topic&has_statements=yes"),
    ("feed_events", "/feeds/events/?topic=shared-topic&q=summit&start=2025-05"),
    ("feed_topic", "/feeds/topics/shared-topic/"),
    ("feed_topic", "/feeds/topics/draft-topic/"),
    ("feed_participant", "/feeds/participants/shared-person/"),
    ("feed_participant", "/feeds/participants/draft-person/"),
    ("feed_corrections", "/feeds/corrections/"),
    ("export_ics", "/export/events.ics"),
    ("export_ics", "/export/events.ics?participant=shared-person"),
    ("event_ics", "/events/shared-summit/calendar.ics"),
    ("event_ics", "/events/draft-summit/calendar.ics"),
    ("export_events_csv", "/export/events.csv"),
    ("export_events_csv", "/export/events.csv?topic=shared-topic"),
    ("export_statements_csv", "/export/statements.csv"),
    ("export_statements_csv", "/export/statements.csv?speaker=shared-person&participant=shared-person"),
    ("export_timelinejs", "/export/timeline.json"),
    ("export_timelinejs", "/export/timeline.json?start=2025-05&end=2025-05"),
    ("export_full_index", "/export/full/"),
    ("export_full", "/export/full/timeline-events.csv"),
    ("export_full", "/export/full/timeline-statements.csv"),
    ("export_full", "/export/full/timeline-events.ics"),
    ("export_full", "/export/full/timeline.json"),
    ("embed", "/embed/"),
    ("embed", "/embed/?participant=shared-person&topic=draft-topic"),
    ("embed", "/embed/?sort=newest&limit=1"),
    ("embed_builder", "/embed/build/?participant=shared-person&limit=5&autoheight=1"),
    # The images shared links show: the timeline's counts and people, an event's.
    ("timeline_preview", "/preview.png"),
    ("event_preview", "/events/shared-summit/preview.png"),
    ("event_preview", "/events/draft-summit/preview.png"),
    # The same surfaces in French, and the language switch.
    ("event_list", "/fr/?topic=shared-topic&q=summit"),
    ("event_detail", "/fr/events/shared-summit/"),
    ("participant_detail", "/fr/participants/shared-person/"),
    ("topic_detail", "/fr/topics/shared-topic/"),
    ("statement_list", "/fr/statements/?speaker=shared-person"),
    ("statement_detail", "/fr/statements/shared-quote/"),
    ("feed_events", "/fr/feeds/events/"),
    ("export_events_csv", "/fr/export/events.csv"),
    ("embed", "/fr/embed/"),
    ("choose_language", "/language/fr/?next=/events/shared-summit/"),
]
DRAFT_ONLY = [
    "/events/draft-summit/",
    "/events/draft-summit/preview.png",
    "/events/draft-summit/calendar.ics",
    "/participants/draft-person/",
    "/topics/draft-topic/",
    "/statements/draft-quote-1/",
    "/statements/draft-quote-2/",
    "/api/events/draft-summit",
    "/api/participants/draft-person",
    "/feeds/topics/draft-topic/",
    "/feeds/participants/draft-person/",
]
HTMX_TARGETS = ["results", "timeline", "load-more"]  # the timeline's partials, chosen by HX-Target


@pytest.fixture
def newsroom():
    shared_person = ParticipantFactory(slug="shared-person", name="Shared Person", country="CA")
    shared_topic = TopicFactory(slug="shared-topic", name="Shared topic")
    shared_source = SourceFactory(slug="shared-source", title="Shared report")
    published = EventFactory(
        slug="shared-summit",
        title="Leaders' summit",
        event_type=Event.Type.SUMMIT,
        start_date=datetime.date(2025, 5, 6),
        topics=[shared_topic],
        sources=[shared_source],
    )
    InvolvementFactory(event=published, participant=shared_person, part="host")
    StatementFactory(
        event=published, speaker=shared_person, text="We met.", sources=[shared_source], slug="shared-quote"
    )
    Correction.objects.create(event=published, note="The date was wrong.")

    draft_person = ParticipantFactory(slug="draft-person", name=f"{MARK} Person", country="US")
    draft_topic = TopicFactory(slug="draft-topic", name=f"{MARK} topic")
    draft_source = SourceFactory(
        slug="draft-source", title=f"{MARK} report", publisher=f"{MARK} Press", url=f"https://{MARK.lower()}.example/x"
    )
    draft = DraftEventFactory(
        slug="draft-summit",
        title=f"{MARK} summit",
        summary=f"{MARK} summary",
        body=f"{MARK} body",
        location=f"{MARK} City",
        event_type=Event.Type.SUMMIT,
        start_date=datetime.date(2025, 5, 7),
        topics=[shared_topic, draft_topic],
        sources=[shared_source, draft_source],
    )
    InvolvementFactory(event=draft, participant=shared_person, part="guest")
    InvolvementFactory(event=draft, participant=draft_person, part="host")
    StatementFactory(
        event=draft,
        speaker=shared_person,
        text=f"{MARK} says the shared person.",
        sources=[shared_source],
        slug="draft-quote-1",
    )
    Correction.objects.create(event=draft, note=f"{MARK} correction.")
    StatementFactory(
        event=draft,
        speaker=draft_person,
        text=f"{MARK} says the draft person.",
        sources=[draft_source],
        slug="draft-quote-2",
    )
    propose_changes(published, shared_person, shared_source, draft_person, draft_topic)
    return draft


def propose_changes(published, person, source, draft_person, draft_topic) -> None:
    """Changes an editor proposed to published things, waiting for review: readers must see none of them."""
    published.title, published.summary = f"{MARK} retitled summit", f"{MARK} new summary"
    review.propose(
        review.Proposal(
            published,
            m2m={"topics": [*published.topics.all(), draft_topic]},
            involvements=[(person, "host", 0), (draft_person, "guest", 1)],
        ),
        None,
    )
    published.refresh_from_db()
    statement = Statement(event=published, speaker=person, text=f"{MARK} says a proposed quote.")
    review.propose(review.Proposal(statement, m2m={"sources": [source]}), None)
    person.name = f"{MARK} Renamed"
    review.propose(review.Proposal(person), None)
    person.refresh_from_db()
    source.title = f"{MARK} retitled report"
    review.propose(review.Proposal(source), None)
    source.refresh_from_db()
    assert Revision.objects.filter(state=Revision.State.PENDING).count() == 4


def delete_draft(draft: Event) -> None:
    Statement.objects.filter(event=draft).delete()
    draft.delete()
    Revision.objects.all().delete()


# Per-response details that differ between two renders of the same page.
VOLATILE = [
    re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+'),
    re.compile(r'("X-CSRFToken": ")[^"]+'),
    re.compile(r'("generated_at": ")[^"]+'),  # when the whole dataset's files were written (/export/full/)
]


def normalized(response) -> tuple[int, str]:
    if response.get("Content-Type", "").startswith("image/"):
        return response.status_code, response.content.hex()  # an image: the same bytes, or not
    body = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
    for pattern in VOLATILE:
        body = pattern.sub(r"\1…", body)
    return response.status_code, body


def walk(client: Client) -> dict[tuple[str, str], tuple[int, str]]:
    call_command("export_open_data", force=True, stdout=io.StringIO())  # the whole dataset's files, as of now
    pages = {}
    for _, url in SURFACES:
        pages[(url, "")] = normalized(client.get(url))
    for target in HTMX_TARGETS:
        for _, url in SURFACES[:11]:  # the timeline's
            pages[(url, target)] = normalized(client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=target))
    for name, url in SURFACES:
        if name == "statement_list":  # the statements index's one partial
            pages[(url, "results")] = normalized(client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"))
    return pages


def test_no_public_surface_shows_a_draft_or_betrays_it(client, newsroom):
    with_draft = walk(client)
    for (url, target), (_, body) in with_draft.items():
        if MARK not in url:  # a search for the word itself rightly echoes it (its address is in lower case)
            assert MARK.lower() not in body.lower(), (url, target)
        assert "draft-summit" not in body and "draft-quote" not in body, (url, target)
    # The draft's own addresses, and those of what only the draft has, are not found.
    for url in DRAFT_ONLY:
        assert with_draft[(url, "")][0] == 404, url

    delete_draft(newsroom)
    without_draft = walk(Client())
    for key, page in with_draft.items():
        assert page == without_draft[key], key


def test_the_comparison_would_see_a_leak(client, newsroom):
    """The control: publishing the draft changes the pages, so equality above means something."""
    urls = ["/", "/?topic=shared-topic", "/events/shared-summit/", "/participants/", "/topics/", "/sources/"]
    urls += ["/statements/", "/statements/?speaker=shared-person"]
    before = {url: normalized(client.get(url)) for url in urls}
    newsroom.status = Event.Status.PUBLISHED
    newsroom.save()
    after = {url: normalized(client.get(url)) for url in urls}
    assert [url for url in urls if after[url] == before[url]] == []
    assert MARK in after["/"][1]


def test_the_comparison_would_see_an_approved_change(client, newsroom, publisher):
    """The control for the changes waiting for review: approved, they reach the pages."""
    urls = ["/events/shared-summit/", "/participants/", "/sources/"]
    before = {url: normalized(client.get(url)) for url in urls}
    for revision in Revision.objects.order_by("pk"):
        review.approve(revision, publisher)
    after = {url: normalized(client.get(url)) for url in urls}
    assert [url for url in urls if after[url] == before[url]] == []
    assert f"{MARK} says a proposed quote." in after["/events/shared-summit/"][1]
    assert f"{MARK} Renamed" in after["/participants/"][1]


def public_route_names(patterns=None, namespace="") -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            names |= public_route_names(pattern.url_patterns, f"{namespace}{pattern.namespace or ''}:".lstrip(":"))
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}" if pattern.name else str(pattern.pattern))
    return names


def test_every_public_route_is_walked():
    walked = {name for name, _ in SURFACES}
    assert public_route_names() - walked == set(), "add the new public route to SURFACES"
