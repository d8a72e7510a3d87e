import datetime
import json
import math
import re

import pytest
from django.conf import settings as project_settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils.html import escape

from timeline import publishing
from timeline.management.commands.demo import DEMO_FIXTURES
from timeline.models import Event, Statement
from timeline.paging import PAGE_SIZE

pytestmark = pytest.mark.django_db


def fixture_events():
    return [
        obj["fields"]
        for name in DEMO_FIXTURES
        for obj in json.loads((project_settings.BASE_DIR / "fixtures" / f"{name}.json").read_text(encoding="utf-8"))
        if obj["model"] == "timeline.event"
    ]


def test_demo_command_loads_the_seed_story_and_creates_accounts(client, capsys, settings):
    settings.DEBUG = True  # pytest-django turns DEBUG off; the demo accounts exist only with it on
    call_command("demo", "--no-server")
    output = capsys.readouterr().out
    assert "Demo account: admin / timeline-admin (superuser)" in output
    assert "Demo account: editor / timeline-editor (editor)" in output
    assert "Demo account: publisher / timeline-publisher (publisher)" in output

    meeting = Event.objects.published().get(slug="carney-trump-white-house-meeting-2025-05-06")
    assert meeting.start_date == datetime.date(2025, 5, 6)
    assert Statement.objects.filter(event=meeting, text__startswith="It's not for sale").exists()

    response = client.get("/")
    assert response.status_code == 200
    assert "Carney" in response.text
    # The whole dataset is public: every event in the fixtures is on one page of the timeline, and on one only.
    events = fixture_events()
    assert Event.objects.published().count() == len(events) >= 51
    pages = [client.get("/", {"page": number}).text for number in range(1, math.ceil(len(events) / PAGE_SIZE) + 1)]
    shown = [slug for text in pages for slug in re.findall(r'<article [^>]*id="event-([^"]+)"', text)]
    assert sorted(shown) == sorted(event["slug"] for event in events)
    for event in events:
        assert any(escape(event["title"]) in text for text in pages)

    assert client.login(username="admin", password="timeline-admin")
    assert client.get("/admin/timeline/event/").status_code == 200


def test_demo_editor_and_publisher_accounts_are_in_their_groups(client, settings):
    settings.DEBUG = True
    call_command("demo", "--no-server")
    call_command("demo", "--no-server")  # twice: accounts are updated, not duplicated
    editor, publisher = User.objects.get(username="editor"), User.objects.get(username="publisher")
    assert [g.name for g in editor.groups.all()] == ["Editors"]
    assert [g.name for g in publisher.groups.all()] == ["Publishers"]
    assert (editor.is_staff, editor.is_superuser, publishing.can_publish(editor)) == (True, False, False)
    assert (publisher.is_staff, publisher.is_superuser, publishing.can_publish(publisher)) == (True, False, True)
    assert client.login(username="editor", password="timeline-editor")
    assert client.get("/admin/timeline/event/").status_code == 200


def test_demo_command_is_repeatable():
    call_command("demo", "--no-server")
    counts = (Event.objects.count(), Statement.objects.count())
    call_command("demo", "--no-server")
    assert (Event.objects.count(), Statement.objects.count()) == counts


def test_demo_accounts_only_in_debug(settings, capsys):
    settings.DEBUG = False
    call_command("demo", "--no-server")
    assert "no demo accounts" in capsys.readouterr().out
    assert not User.objects.exists()


def test_every_demo_event_page_shows_its_statements_and_sources(client):
    call_command("demo", "--no-server")
    for event in Event.objects.prefetch_related("statements", "sources"):
        response = client.get(event.get_absolute_url())
        assert response.status_code == 200, event.slug
        for statement in event.statements.all():
            assert escape(statement.text) in response.text, statement.slug
        for source in event.sources.all():
            assert escape(source.title) in response.text, source.slug
