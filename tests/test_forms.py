"""Admin forms: two editors saving the same event, and the checks that keep published data sourced."""

import pytest
from django.urls import reverse

from tests.factories import DraftEventFactory, SourceFactory
from tests.htmlparse import form_data
from timeline import publishing
from timeline.models import Event

pytestmark = pytest.mark.django_db


def test_a_stale_save_is_refused_naming_who_changed_the_event_and_when(client, editor, publisher):
    event = DraftEventFactory(title="Original")
    url = reverse("admin:timeline_event_change", args=[event.pk])
    client.force_login(publisher)
    publisher_form = form_data(client.get(url), "event_form")
    client.force_login(editor)
    editor_form = form_data(client.get(url), "event_form")

    editor_form["title_en"] = ["The editor's title"]
    assert client.post(url, editor_form).status_code == 302

    client.force_login(publisher)
    publisher_form["title_en"] = ["The publisher's title"]
    response = client.post(url, publisher_form)
    assert response.status_code == 200
    [error] = response.context["adminform"].form.non_field_errors()
    assert error.startswith("This event was changed by editor on ")
    assert "Your changes were not saved, so nothing was overwritten" in error
    event.refresh_from_db()
    assert event.title == "The editor's title"


def test_saving_again_after_reloading_works(client, editor):
    event = DraftEventFactory()
    url = reverse("admin:timeline_event_change", args=[event.pk])
    client.force_login(editor)
    for title in ["First edit", "Second edit"]:
        data = form_data(client.get(url), "event_form")
        data["title_en"] = [title]
        assert client.post(url, data).status_code == 302
    event.refresh_from_db()
    assert (event.title, event.version) == ("Second edit", 3)


def test_a_post_without_a_version_is_refused(client, editor):
    event = DraftEventFactory(title="Original")
    url = reverse("admin:timeline_event_change", args=[event.pk])
    client.force_login(editor)
    data = form_data(client.get(url), "event_form")
    del data["loaded_version"]
    data["title_en"] = ["Changed"]
    response = client.post(url, data)
    assert response.status_code == 200
    [error] = response.context["adminform"].form.non_field_errors()
    assert error.startswith("This form came without the version of the event it was opened on")
    event.refresh_from_db()
    assert event.title == "Original"


def test_publishing_meanwhile_makes_an_open_form_stale(client, editor, publisher):
    event = DraftEventFactory(sources=[SourceFactory()])
    url = reverse("admin:timeline_event_change", args=[event.pk])
    client.force_login(editor)
    data = form_data(client.get(url), "event_form")
    publishing.publish(event, publisher)
    data["title_en"] = ["Too late"]
    response = client.post(url, data)
    assert "This event was changed by publisher on " in response.context["adminform"].form.non_field_errors()[0]
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert event.title != "Too late"
