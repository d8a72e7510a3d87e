"""Revision history: every change is recorded with who and when, shown as a diff, and can be restored."""

import pytest
from django.urls import reverse

from tests.factories import (
    DraftEventFactory,
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    RoleFactory,
    SourceFactory,
    StatementFactory,
)
from tests.htmlparse import add_inline_row, form_data
from timeline.models import Event

pytestmark = pytest.mark.django_db


def edit_event(client, event, **changes):
    url = reverse("admin:timeline_event_change", args=[event.pk])
    data = form_data(client.get(url), "event_form")
    data.update({name: [value] for name, value in changes.items()})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()


def test_an_admin_edit_is_recorded_with_who_and_when(client, editor):
    event = DraftEventFactory(title="Before")
    client.force_login(editor)
    edit_event(client, event, title_en="After")
    latest, previous = event.history.all()[:2]
    assert (latest.title, latest.history_user, latest.history_type) == ("After", editor, "~")
    assert previous.title == "Before"
    assert latest.history_date > previous.history_date


@pytest.mark.parametrize("model", ["participant", "statement", "source"])
def test_admin_edits_of_other_models_are_recorded(client, editor, model):
    obj = {
        "participant": ParticipantFactory,
        # In a draft: an editor's change to a published statement waits for review (tests/test_review.py).
        "statement": lambda: StatementFactory(event=DraftEventFactory(), sources=[SourceFactory()]),
        "source": SourceFactory,
    }[model]()
    client.force_login(editor)
    url = reverse(f"admin:timeline_{model}_change", args=[obj.pk])
    data = form_data(client.get(url), f"{model}_form")
    field = {"participant": "description_en", "statement": "context", "source": "author"}[model]
    data[field] = ["Changed in the admin"]
    assert client.post(url, data).status_code == 302
    latest = type(obj).history.filter(**{type(obj)._meta.pk.attname: obj.pk}).first()
    assert (getattr(latest, field), latest.history_user) == ("Changed in the admin", editor)


def test_role_edits_through_the_participant_inline_are_recorded(client, editor):
    role = RoleFactory(title="Minister of Finance")
    client.force_login(editor)
    url = reverse("admin:timeline_participant_change", args=[role.participant.pk])
    data = form_data(client.get(url), "participant_form")
    data["roles-0-title_en"] = ["Prime Minister"]
    assert client.post(url, data).status_code == 302
    latest = role.history.first()
    assert (latest.title, latest.history_user) == ("Prime Minister", editor)


def test_history_page_shows_the_diff_and_who_made_it(client, editor):
    event = DraftEventFactory(title="Carney to visit")
    client.force_login(editor)
    edit_event(client, event, title_en="Carney visits Washington")
    content = client.get(reverse("admin:timeline_event_history", args=[event.pk])).content.decode()
    assert "<strong>Title:</strong>" in content
    assert "Carney to visit" in content and "Carney visits Washington" in content
    assert ">editor</a>" in content


def test_restoring_a_previous_version_from_the_admin(client, editor):
    event = DraftEventFactory(title="Right title", summary="Right summary.")
    client.force_login(editor)
    edit_event(client, event, title_en="Wrong title", summary_en="Wrong summary.")
    old = event.history.get(title="Right title")
    url = reverse("admin:timeline_event_simple_history", args=[event.pk, old.pk])
    page = client.get(url)
    assert "Revert" in page.content.decode()
    response = client.post(url, form_data(page, "historicalevent_form"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.summary) == ("Right title", "Right summary.")
    assert event.history.first().history_user == editor


def test_restoring_never_changes_publication(client, editor, publisher):
    """An old version's status is history, not an instruction: restoring is an edit, publishing is separate."""
    event = EventFactory(title="Published version", sources=[SourceFactory()])
    published_record = event.history.first()
    client.force_login(publisher)
    edit_event(client, event, _unpublish="Save and unpublish")
    assert event.status == Event.Status.DRAFT
    client.force_login(editor)
    url = reverse("admin:timeline_event_simple_history", args=[event.pk, published_record.pk])
    assert client.post(url, form_data(client.get(url), "historicalevent_form")).status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT


def test_restore_is_refused_when_the_event_changed_after_the_page_was_opened(client, editor):
    event = DraftEventFactory(title="First")
    client.force_login(editor)
    edit_event(client, event, title_en="Second")
    url = reverse("admin:timeline_event_simple_history", args=[event.pk, event.history.get(title="First").pk])
    stale = form_data(client.get(url), "historicalevent_form")
    edit_event(client, event, title_en="Third")
    response = client.post(url, stale)
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.title == "Third"


def test_sources_topics_and_participants_added_or_removed_are_in_the_history(client, editor):
    old_source, new_source = SourceFactory(slug="old-source"), SourceFactory(slug="new-source")
    event = DraftEventFactory(sources=[old_source])
    carney = ParticipantFactory(slug="mark-carney")
    InvolvementFactory(event=event, participant=ParticipantFactory(slug="donald-trump"), part="host")
    client.force_login(editor)
    url = reverse("admin:timeline_event_change", args=[event.pk])
    data = form_data(client.get(url), "event_form")
    data["sources"] = [str(new_source.pk)]
    data["involvements-0-DELETE"] = ["on"]
    add_inline_row(data, "involvements", participant=carney.pk, part="guest", order=1)
    assert client.post(url, data).status_code == 302
    record = event.history.first()
    assert record.history_user == editor
    assert record.history_change_reason == (
        "Sources added: new-source; Sources removed: old-source; "
        "Participants added: mark-carney:guest; Participants removed: donald-trump:host"
    )
    page = client.get(reverse("admin:timeline_event_history", args=[event.pk])).content.decode()
    assert "Sources removed: old-source" in page


def test_a_save_that_changes_no_list_leaves_no_note(client, editor):
    event = DraftEventFactory(sources=[SourceFactory()])
    client.force_login(editor)
    url = reverse("admin:timeline_event_change", args=[event.pk])
    data = form_data(client.get(url), "event_form")
    data["title_en"] = ["Only the title"]
    assert client.post(url, data).status_code == 302
    assert event.history.first().history_change_reason is None
