"""Drafts and publishing: who may publish, through which controls, and what is refused."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tests.factories import DraftEventFactory, EventFactory, SourceFactory, StatementFactory
from tests.htmlparse import form_data
from timeline import publishing
from timeline.models import Event, WeakPublisher

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def publishable_draft(**kwargs):
    return DraftEventFactory(sources=[SourceFactory()], **kwargs)


# New events are drafts.


def test_an_event_created_in_the_admin_is_a_draft_even_if_the_post_says_published(client, publisher):
    client.force_login(publisher)
    url = reverse("admin:timeline_event_add")
    data = form_data(client.get(url), "event_form")
    data.update(
        {
            "title_en": ["New"],
            "slug": ["new"],
            "summary_en": ["S."],
            "start_date": ["2025-05-06"],
            "status": ["published"],
            "_save": ["Save"],
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302
    assert Event.objects.get(slug="new").status == Event.Status.DRAFT


# Editors cannot publish.


def test_editor_sees_status_read_only_and_no_publish_control(client, editor):
    event = publishable_draft()
    client.force_login(editor)
    response = client.get(reverse("admin:timeline_event_change", args=[event.pk]))
    assert response.status_code == 200
    assert "status" not in response.context["adminform"].form.fields
    content = response.content.decode()
    assert 'name="_publish"' not in content and 'name="status"' not in content


def test_editor_changelist_offers_no_publish_action(client, editor, publisher):
    publishable_draft()
    url = reverse("admin:timeline_event_changelist")
    client.force_login(editor)
    editor_actions = {name for name, _ in client.get(url).context["action_form"].fields["action"].choices}
    client.force_login(publisher)
    publisher_actions = {name for name, _ in client.get(url).context["action_form"].fields["action"].choices}
    assert "publish_selected" not in editor_actions and "unpublish_selected" not in editor_actions
    assert {"publish_selected", "unpublish_selected"} <= publisher_actions


def test_crafted_post_cannot_publish_for_an_editor(client, editor):
    event = publishable_draft()
    client.force_login(editor)
    url = reverse("admin:timeline_event_change", args=[event.pk])
    data = form_data(client.get(url), "event_form")
    data.update({"title_en": ["Edited by the editor"], "status": ["published"], "_publish": ["Save and publish"]})
    response = client.post(url, data, follow=True)
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT and event.published_at is None
    assert event.title == "Edited by the editor"
    assert any("Only publishers may publish" in m for m in messages_of(response))


def test_crafted_publish_action_is_refused_for_an_editor(client, editor):
    event = publishable_draft()
    client.force_login(editor)
    response = client.post(
        reverse("admin:timeline_event_changelist"),
        {"action": "publish_selected", "_selected_action": [event.pk]},
        follow=True,
    )
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT
    assert messages_of(response) == ["No action selected."]


def test_editor_cannot_delete_a_published_event_but_can_delete_a_draft(client, editor):
    published, draft = EventFactory(), DraftEventFactory()
    client.force_login(editor)
    assert client.get(reverse("admin:timeline_event_delete", args=[published.pk])).status_code == 403
    response = client.post(reverse("admin:timeline_event_delete", args=[draft.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert list(Event.objects.all()) == [published]


def test_service_refuses_a_user_without_the_permission(editor):
    event = publishable_draft()
    with pytest.raises(PermissionDenied):
        publishing.publish(event, editor)
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT


# Publishers publish and unpublish.


def test_publisher_publishes_from_the_change_form(client, publisher):
    event = publishable_draft()
    client.force_login(publisher)
    url = reverse("admin:timeline_event_change", args=[event.pk])
    page = client.get(url)
    assert 'name="_publish"' in page.content.decode()
    data = form_data(page, "event_form")
    data["_publish"] = ["Save and publish"]
    response = client.post(url, data, follow=True)
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED and event.published_at is not None
    assert any("is published" in m for m in messages_of(response))
    client.logout()
    assert client.get(event.get_absolute_url()).status_code == 200


def test_publisher_unpublishes_from_the_change_form(client, publisher):
    event = EventFactory(sources=[SourceFactory()])
    client.force_login(publisher)
    url = reverse("admin:timeline_event_change", args=[event.pk])
    data = form_data(client.get(url), "event_form")
    data["_unpublish"] = ["Save and unpublish"]
    client.post(url, data)
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT and event.published_at is None
    client.logout()
    assert client.get(event.get_absolute_url()).status_code == 404


def test_publisher_publishes_and_unpublishes_from_the_changelist(client, publisher):
    first, second = publishable_draft(), publishable_draft()
    client.force_login(publisher)
    url = reverse("admin:timeline_event_changelist")
    response = client.post(url, {"action": "publish_selected", "_selected_action": [first.pk, second.pk]}, follow=True)
    assert set(Event.objects.values_list("status", flat=True)) == {"published"}
    assert "Published 2 events." in messages_of(response)
    client.post(url, {"action": "unpublish_selected", "_selected_action": [first.pk]})
    first.refresh_from_db()
    assert first.status == Event.Status.DRAFT


# Publishing is refused without sources.


def test_publishing_an_event_without_a_source_is_refused_with_a_clear_message(client, publisher):
    event = DraftEventFactory(title="Unsourced")
    client.force_login(publisher)
    url = reverse("admin:timeline_event_change", args=[event.pk])
    data = form_data(client.get(url), "event_form")
    data.update({"summary_en": ["Edited."], "_publish": ["Save and publish"]})
    response = client.post(url, data, follow=True)
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT
    assert event.summary == "Edited."  # the edit itself is kept, as a draft
    assert messages_of(response) == [
        "Your changes were saved as a draft, but \u201cUnsourced\u201d was not published: "
        "It has no source: add at least one under Sources."
    ]


def test_publishing_an_event_with_an_unsourced_statement_is_refused(publisher):
    event = publishable_draft()
    StatementFactory(event=event, text="Unsourced words.", sources=[])
    with pytest.raises(publishing.PublishingRefused) as refusal:
        publishing.publish(event, publisher)
    assert refusal.value.problems == [
        f"The statement \u201cUnsourced words.\u201d by {event.statements.get().speaker} has no source: add one to it."
    ]
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT


def test_changelist_action_publishes_the_good_and_names_the_refused(client, publisher):
    good, bad = publishable_draft(), DraftEventFactory(title="No sources here")
    client.force_login(publisher)
    response = client.post(
        reverse("admin:timeline_event_changelist"),
        {"action": "publish_selected", "_selected_action": [good.pk, bad.pk]},
        follow=True,
    )
    good.refresh_from_db(), bad.refresh_from_db()
    assert (good.status, bad.status) == ("published", "draft")
    assert messages_of(response) == [
        "Published 1 event.",
        "\u201cNo sources here\u201d was not published: It has no source: add at least one under Sources.",
    ]


def test_a_published_event_cannot_lose_its_last_source(client, publisher):
    event = EventFactory(sources=[SourceFactory()])
    client.force_login(publisher)
    url = reverse("admin:timeline_event_change", args=[event.pk])
    data = form_data(client.get(url), "event_form")
    data["sources"] = []
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["sources"] == [
        "A published event needs at least one source: add one, or ask a publisher to unpublish it."
    ]
    assert event.sources.count() == 1


def test_publishing_records_who_and_why_in_the_history(publisher):
    event = publishable_draft()
    publishing.publish(event, publisher)
    record = event.history.first()
    assert (record.status, record.history_user, record.history_change_reason) == ("published", publisher, "Published")


# Pages from weak publishers only: a publisher is told, by name, before publishing.


@pytest.fixture
def weak_draft():
    WeakPublisher.objects.create(domain="weak.example", name="Weak Daily")
    weak = SourceFactory(url="https://weak.example/a", publisher="Weak Daily")
    event = DraftEventFactory(title="Resting on a weak page", sources=[weak])
    return event


WEAK_EVENT = "The event \u201cResting on a weak page\u201d cites only pages from publishers marked as weak: Weak Daily."


def test_publish_refuses_until_the_publisher_has_seen_what_rests_on_weak_publishers(publisher, weak_draft):
    with pytest.raises(publishing.WeakSourcesNotSeen) as refusal:
        publishing.publish(weak_draft, publisher)
    assert refusal.value.problems[0] == WEAK_EVENT
    weak_draft.refresh_from_db()
    assert weak_draft.status == Event.Status.DRAFT

    # Seen, then a quote resting on the weak page only is added: that one has not been seen yet.
    quote = StatementFactory(event=weak_draft, text="Only there.", sources=list(weak_draft.sources.all()))
    with pytest.raises(publishing.WeakSourcesNotSeen) as refusal:
        publishing.publish(weak_draft, publisher, [f"event-{weak_draft.pk}"])
    assert [w.key for w in refusal.value.warnings] == [f"statement-{quote.pk}"]

    publishing.publish(weak_draft, publisher, [f"event-{weak_draft.pk}", f"statement-{quote.pk}"])
    weak_draft.refresh_from_db()
    assert weak_draft.status == Event.Status.PUBLISHED


def test_a_reputable_source_beside_the_weak_one_lifts_the_warning(publisher, weak_draft):
    weak_draft.sources.add(SourceFactory())
    publishing.publish(weak_draft, publisher)
    weak_draft.refresh_from_db()
    assert weak_draft.status == Event.Status.PUBLISHED


def test_the_change_form_tells_the_publisher_by_name_then_publishes_anyway(client, publisher, weak_draft):
    client.force_login(publisher)
    url = reverse("admin:timeline_event_change", args=[weak_draft.pk])
    content = client.get(url).content.decode()
    assert WEAK_EVENT in content
    assert 'value="Save and publish despite weak sources" name="_publish"' in content
    assert f'name="weak_sources_seen" value="event-{weak_draft.pk}"' in content

    # Publishing without having been shown the warning (a page opened before it, or a crafted post) saves, but
    # does not publish: the publisher is sent back to the form, which now says why.
    unseen = {k: v for k, v in form_data(client.get(url), "event_form").items() if k != "weak_sources_seen"}
    response = client.post(url, {**unseen, "_publish": ["Save and publish"]}, follow=True)
    weak_draft.refresh_from_db()
    assert weak_draft.status == Event.Status.DRAFT
    assert messages_of(response) == [
        "Your changes were saved, but \u201cResting on a weak page\u201d was not published: "
        + WEAK_EVENT
        + " Cite a reputable page beside them, or publish it anyway once you have checked them."
    ]
    assert WEAK_EVENT in response.content.decode()

    data = form_data(response, "event_form")
    response = client.post(url, {**data, "_publish": ["Save and publish despite weak sources"]}, follow=True)
    weak_draft.refresh_from_db()
    assert weak_draft.status == Event.Status.PUBLISHED
    assert any("is published" in m for m in messages_of(response))


def test_the_publish_action_asks_first_naming_the_weak_publishers(client, publisher, weak_draft):
    other = publishable_draft(title="Properly sourced")
    client.force_login(publisher)
    url = reverse("admin:timeline_event_changelist")
    response = client.post(url, {"action": "publish_selected", "_selected_action": [weak_draft.pk, other.pk]})
    assert response.status_code == 200
    content = response.content.decode()
    assert "1 of the 2 selected events would go public" in content and WEAK_EVENT in content
    assert set(Event.objects.values_list("status", flat=True)) == {"draft"}  # nothing published yet

    confirm = form_data(response, "publish-weak-sources")
    response = client.post(url, confirm, follow=True)
    assert set(Event.objects.values_list("status", flat=True)) == {"published"}
    assert "Published 2 events." in messages_of(response)
