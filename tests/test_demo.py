import datetime

import pytest
from django.core.management import call_command

from timeline.models import Event, Statement

pytestmark = pytest.mark.django_db


def test_demo_command_loads_the_seed_story_and_creates_accounts(client, capsys, settings):
    settings.DEBUG = True  # pytest-django turns DEBUG off; the demo accounts exist only with it on
    call_command("demo", "--no-server")
    output = capsys.readouterr().out
    assert "Demo account: admin / timeline-admin" in output

    meeting = Event.objects.published().get(slug="carney-trump-white-house-meeting-2025-05-06")
    assert meeting.start_date == datetime.date(2025, 5, 6)
    assert Statement.objects.filter(event=meeting, text__startswith="It's not for sale").exists()

    response = client.get("/")
    assert response.status_code == 200
    assert "Carney" in response.text

    assert client.login(username="admin", password="timeline-admin")
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
    from django.contrib.auth.models import User

    assert not User.objects.exists()
