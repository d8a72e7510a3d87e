"""Every open-data surface at once, with a draft present: the draft, its statement, its only source, its only
participant and its only topic must appear on none of them."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.factories import (
    DraftEventFactory,
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)
from timeline.models import Correction

SECRET = "zzsecret"

OPEN_DATA_URLS = [
    "/api/events",
    "/api/events?topic=shared",
    "/api/events?participant=shared-person",
    "/api/statements",
    "/api/statements?participant=shared-person",
    "/api/statements?speaker=shared-person",
    "/api/participants",
    "/api/sources",
    "/api/topics",
    "/api/events/public-event",
    "/api/participants/shared-person",
    "/feeds/events/",
    "/feeds/topics/shared/",
    "/feeds/participants/shared-person/",
    "/feeds/corrections/",
    "/export/events.ics",
    "/export/events.csv",
    "/export/events.csv?topic=shared",
    "/export/statements.csv",
    "/export/timeline.json",
    "/embed/",
    "/embed/?participant=shared-person",
    "/events/public-event/",
]


@pytest.mark.django_db
def test_no_open_data_surface_shows_a_draft(client):
    shared_topic = TopicFactory(slug="shared", name="Shared topic")
    shared_person = ParticipantFactory(slug="shared-person", name="Shared person")
    public = EventFactory(slug="public-event", title="Public event", topics=[shared_topic],
                          sources=[SourceFactory(slug="public-source")])
    InvolvementFactory(event=public, participant=shared_person)
    StatementFactory(event=public, speaker=shared_person, text="Public words.")
    Correction.objects.create(event=public, note="A public correction.")

    draft = DraftEventFactory(
        slug=f"{SECRET}-event", title=f"{SECRET} event", summary=f"{SECRET} summary",
        topics=[shared_topic, TopicFactory(slug=f"{SECRET}-topic", name=f"{SECRET} topic")],
        sources=[SourceFactory(slug=f"{SECRET}-source", title=f"{SECRET} source", url="https://secret.example/x")],
    )
    InvolvementFactory(event=draft, participant=shared_person)
    InvolvementFactory(event=draft, participant=ParticipantFactory(slug=f"{SECRET}-person", name=f"{SECRET} person"))
    StatementFactory(event=draft, speaker=shared_person, text=f"{SECRET} words.")
    Correction.objects.create(event=draft, note=f"{SECRET} correction.")

    for url in OPEN_DATA_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert SECRET not in body.lower(), url
        assert "secret.example" not in body, url
        # What is public is there: the surface is not simply empty.
        assert "public" in body.lower() or "shared" in body.lower(), url

    for url in [
        f"/api/events/{SECRET}-event",
        f"/api/participants/{SECRET}-person",
        f"/feeds/participants/{SECRET}-person/",
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_every_example_url_in_the_readme_works_on_the_demo_data(client):
    """The README's open-data examples are written against the demo dataset: each must answer 200 with data."""
    call_command("loaddata", "demo", verbosity=0)
    readme = (settings.BASE_DIR / "README.md").read_text()
    section = readme.split("## Open data", 1)[1].split("\n## ", 1)[0]
    urls = [url for url in re.findall(r"`(/[^`\s<]*)`", section)]

    assert len(urls) >= 15
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        if url.startswith(("/api/events?", "/api/statements", "/api/participants", "/api/sources", "/api/topics")):
            assert url.endswith("mark-carney") or response.json()["count"] > 0, url
        elif url.startswith("/feeds/") and "corrections" not in url:
            assert "<entry>" in body, url
        elif ".csv" in url:
            assert len(body.splitlines()) > 1, url
        elif ".ics" in url:
            assert "BEGIN:VEVENT" in body, url
        elif "timeline.json" in url:
            assert response.json()["events"], url
        elif url.startswith("/embed/"):
            assert 'class="embed-event"' in body and "No events match" not in body, url
