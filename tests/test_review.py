"""Review before readers see an editor's change: an editor's change to a published event, its statements, its
participants or its sources waits, readers keep the published version, and a publisher reads what changed and
approves it (all of it, checked) or sends it back with a note. Nobody but a publisher deletes what readers see, and
nobody deletes the last source of something published."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.dbstate import snapshot
from tests.factories import (
    DraftEventFactory,
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    RoleFactory,
    SourceFactory,
    StatementFactory,
)
from tests.htmlparse import Page, add_inline_row, form_data
from tests.test_imports import confirm, edited, exported, upload
from timeline import review
from timeline.models import Event, Participant, Revision, Role, Source, Statement

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def story():
    source = SourceFactory(slug="cbc", title="Leaders meet")
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    event = EventFactory(slug="meeting", title="Carney meets Trump", summary="They met.", sources=[source])
    InvolvementFactory(event=event, participant=carney, part="guest")
    statement = StatementFactory(event=event, speaker=carney, text="We said it.", sources=[source])
    return {"event": event, "source": source, "carney": carney, "statement": statement}


def edit(client, model: str, obj, **changes):
    url = reverse(f"admin:timeline_{model}_change", args=[obj.pk])
    data = form_data(client.get(url), f"{model}_form")
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    return client.post(url, data)


def rows(page: str) -> list[tuple[str, str, str]]:
    """The revision page's table: each field, its published value and its proposed value with the changes marked."""
    import re

    body = page.split('<table class="revision-diff">')[1].split("</table>")[0]
    return re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td>(.*?)</td></tr>', body)


def reader_sees(client, text: str, path: str = "/events/meeting/") -> bool:
    client.logout()
    return text in client.get(path).content.decode()


# An editor's change waits


def test_an_editors_change_to_a_published_event_waits_and_readers_keep_the_published_version(client, editor, story):
    event = story["event"]
    client.force_login(editor)
    response = edit(client, "event", event, title_en="Carney and Trump meet at the White House")
    assert response.status_code == 302
    assert any("waits for a publisher’s review" in m for m in messages_of(response))
    event.refresh_from_db()
    assert (event.title, event.version, event.history.count()) == ("Carney meets Trump", 1, 1)
    [revision] = Revision.objects.all()
    assert (revision.state, revision.author, revision.event) == ("pending", editor, event)
    assert revision.proposed == {"fields": {"title_en": "Carney and Trump meet at the White House"}, "m2m": {}}
    assert revision.base == {"fields": {"title_en": "Carney meets Trump"}, "m2m": {}}

    page = client.get(reverse("admin:timeline_event_change", args=[event.pk])).content.decode()
    assert "Waiting for a publisher’s review" in page and revision.summary in page
    assert not reader_sees(client, "at the White House")
    assert reader_sees(client, "Carney meets Trump")


def test_a_publisher_reads_the_change_and_approves_it_and_only_then_readers_see_it(client, editor, publisher, story):
    event = story["event"]
    client.force_login(editor)
    edit(
        client,
        "event",
        event,
        title_en="Carney and Trump meet at the White House",
        summary_en="They met for two hours.",
    )
    revision = Revision.objects.get()
    client.force_login(publisher)
    page = client.get(reverse("admin:timeline_revision_change", args=[revision.pk])).content.decode()
    assert "Proposed by editor on" in page and "Waiting for review" in page
    assert rows(page) == [
        (
            "Title [en]",  # the label of the admin field
            "Carney meets Trump",
            "<span>Carney </span><del>meets</del><ins>and</ins><span> Trump</span><ins> meet at the White House</ins>",
        ),
        ("Summary [en]", "They met.", "<span>They met</span><ins> for two hours</ins><span>.</span>"),
    ]
    assert not reader_sees(client, "at the White House")

    client.force_login(publisher)
    response = client.post(reverse("admin:timeline_revision_change", args=[revision.pk]), {"_approve": "1"})
    assert any("Approved: readers now see the change" in m for m in messages_of(response))
    event.refresh_from_db()
    assert (event.title, event.summary, event.version) == (
        "Carney and Trump meet at the White House",
        "They met for two hours.",
        2,
    )
    latest = event.history.first()
    assert (latest.history_user, latest.history_change_reason) == (editor, "Proposed by editor, approved by publisher")
    revision.refresh_from_db()
    assert (revision.state, revision.reviewer) == ("approved", publisher)
    assert reader_sees(client, "Carney and Trump meet at the White House")


def test_the_diff_marks_the_words_removed_and_added(client, editor, publisher, story):
    client.force_login(editor)
    edit(client, "event", story["event"], summary_en="They met at length.")
    client.force_login(publisher)
    page = client.get(reverse("admin:timeline_revision_change", args=[Revision.objects.get().pk])).content.decode()
    assert "<span>They met</span><ins> at length</ins><span>.</span>" in page


def test_a_publisher_sends_a_change_back_with_a_note_and_nothing_is_written(client, editor, publisher, story):
    client.force_login(editor)
    edit(client, "event", story["event"], title_en="A wrong title")
    revision = Revision.objects.get()
    client.force_login(publisher)
    url = reverse("admin:timeline_revision_change", args=[revision.pk])
    response = client.post(url, {"_send_back": "1", "note": ""})
    assert any("Say in a note why" in m for m in messages_of(response))
    client.post(url, {"_send_back": "1", "note": "The source calls it a meeting, not a summit."})
    revision.refresh_from_db()
    assert (revision.state, revision.note) == ("returned", "The source calls it a meeting, not a summit.")
    story["event"].refresh_from_db()
    assert story["event"].title == "Carney meets Trump"
    client.force_login(editor)
    assert "The source calls it a meeting, not a summit." in client.get(url).content.decode()
    response = client.post(url, {"_approve": "1"})  # nor may anyone approve it now
    story["event"].refresh_from_db()
    assert story["event"].title == "Carney meets Trump"


def test_an_editor_cannot_approve(client, editor, story):
    client.force_login(editor)
    edit(client, "event", story["event"], title_en="My own approval")
    revision = Revision.objects.get()
    page = client.get(reverse("admin:timeline_revision_change", args=[revision.pk])).content.decode()
    assert 'name="_approve"' not in page and 'name="_withdraw"' in page
    response = client.post(reverse("admin:timeline_revision_change", args=[revision.pk]), {"_approve": "1"})
    assert "Only publishers may approve or send back a change." in messages_of(response)
    story["event"].refresh_from_db()
    assert story["event"].title == "Carney meets Trump"
    client.post(reverse("admin:timeline_revision_change", args=[revision.pk]), {"_withdraw": "1"})
    assert Revision.objects.get().state == "withdrawn"


def test_a_change_made_since_the_proposal_refuses_the_approval_rather_than_undoing_it(client, editor, publisher, story):
    client.force_login(editor)
    edit(client, "event", story["event"], title_en="First proposal")
    edit(client, "event", story["event"], title_en="Second proposal")
    first, second = Revision.objects.order_by("pk")
    client.force_login(publisher)
    client.post(reverse("admin:timeline_revision_change", args=[second.pk]), {"_approve": "1"})
    response = client.post(reverse("admin:timeline_revision_change", args=[first.pk]), {"_approve": "1"})
    assert any("Since this change was proposed, someone else changed title" in m for m in messages_of(response))
    story["event"].refresh_from_db()
    assert story["event"].title == "Second proposal"
    assert Revision.objects.get(pk=first.pk).state == "pending"


def test_a_publishers_own_change_is_written_at_once(client, publisher, story):
    client.force_login(publisher)
    edit(client, "event", story["event"], title_en="Corrected by a publisher")
    story["event"].refresh_from_db()
    assert story["event"].title == "Corrected by a publisher" and not Revision.objects.exists()


def test_an_editors_change_to_a_draft_is_written_at_once(client, editor):
    draft = DraftEventFactory(title="Draft")
    client.force_login(editor)
    edit(client, "event", draft, title_en="Still a draft")
    draft.refresh_from_db()
    assert draft.title == "Still a draft" and not Revision.objects.exists()


# Statements, participants, sources and roles


def test_a_statement_edited_in_a_published_events_inline_waits(client, editor, publisher, story):
    client.force_login(editor)
    statement = story["statement"]
    response = edit(client, "event", story["event"], **{"statements-0-context": "Said in the Oval Office."})
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.context == ""
    [revision] = Revision.objects.all()
    assert (revision.target, revision.event, revision.proposed["fields"]) == (
        statement,
        story["event"],
        {"context": "Said in the Oval Office."},
    )
    client.force_login(publisher)
    client.post(reverse("admin:timeline_revision_change", args=[revision.pk]), {"_approve": "1"})
    statement.refresh_from_db()
    assert statement.context == "Said in the Oval Office."


def test_a_new_statement_in_a_published_event_waits_then_appears(client, editor, publisher, story):
    client.force_login(editor)
    url = reverse("admin:timeline_event_change", args=[story["event"].pk])
    data = form_data(client.get(url), "event_form")
    add_inline_row(
        data,
        "statements",
        speaker=story["carney"].pk,
        text="A new quote, waiting.",
        kind="quote",
        language="en",
        importance=2,
        said_precision="day",
        sources=[str(story["source"].pk)],
    )
    assert client.post(url, data).status_code == 302
    assert Statement.objects.count() == 1
    assert not reader_sees(client, "A new quote, waiting.")
    revision = Revision.objects.get()
    assert revision.object_id is None and revision.summary.startswith("New statement")
    client.force_login(publisher)
    client.post(reverse("admin:timeline_revision_change", args=[revision.pk]), {"_approve": "1"})
    new = Statement.objects.get(text="A new quote, waiting.")
    assert (new.event, list(new.sources.all()), new.speaker) == (story["event"], [story["source"]], story["carney"])
    assert reader_sees(client, "A new quote, waiting.")


def test_a_new_statement_added_on_its_own_to_a_published_event_waits(client, editor, story):
    client.force_login(editor)
    url = reverse("admin:timeline_statement_add")
    data = form_data(client.get(url), "statement_form")
    data.update(
        {
            "speaker": [str(story["carney"].pk)],
            "event": [str(story["event"].pk)],
            "text": ["Added alone."],
            "sources": [str(story["source"].pk)],
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == reverse("admin:timeline_statement_changelist")
    assert not Statement.objects.filter(text="Added alone.").exists()
    assert Revision.objects.get().proposed["fields"]["text"] == "Added alone."


def test_the_participants_of_a_published_event_change_through_review(client, editor, publisher, story):
    trump = ParticipantFactory(slug="donald-trump", name="Donald Trump")
    client.force_login(editor)
    url = reverse("admin:timeline_event_change", args=[story["event"].pk])
    data = form_data(client.get(url), "event_form")
    add_inline_row(data, "involvements", participant=trump.pk, part="host", order=1)
    client.post(url, data)
    assert story["event"].involvements.count() == 1
    revision = Revision.objects.get()
    client.force_login(publisher)
    page = client.get(reverse("admin:timeline_revision_change", args=[revision.pk])).content.decode()
    [(label, before, after)] = rows(page)
    assert (label, before) == ("Participants", "Mark Carney (Guest)")
    assert after == "<span>Mark Carney (Guest)</span><ins>; Donald Trump (Host)</ins>"
    client.post(reverse("admin:timeline_revision_change", args=[revision.pk]), {"_approve": "1"})
    assert [(i.participant.slug, i.part) for i in story["event"].involvements.all()] == [
        ("mark-carney", "guest"),
        ("donald-trump", "host"),
    ]


def test_a_public_participants_name_and_a_cited_sources_title_wait(client, editor, publisher, story):
    client.force_login(editor)
    edit(client, "participant", story["carney"], name="Mark J. Carney")
    edit(client, "source", story["source"], title="Leaders meet in Washington")
    story["carney"].refresh_from_db()
    story["source"].refresh_from_db()
    assert (story["carney"].name, story["source"].title) == ("Mark Carney", "Leaders meet")
    assert Revision.objects.count() == 2
    client.force_login(publisher)
    for revision in Revision.objects.all():
        client.post(reverse("admin:timeline_revision_change", args=[revision.pk]), {"_approve": "1"})
    assert Participant.objects.get(slug="mark-carney").name == "Mark J. Carney"
    assert Source.objects.get(slug="cbc").title == "Leaders meet in Washington"


def test_a_participant_no_reader_sees_yet_is_changed_at_once(client, editor):
    newcomer = ParticipantFactory(name="New person")
    client.force_login(editor)
    edit(client, "participant", newcomer, name="New Person")
    newcomer.refresh_from_db()
    assert newcomer.name == "New Person" and not Revision.objects.exists()


def test_a_public_participants_role_edited_inline_waits(client, editor, story):
    role = RoleFactory(participant=story["carney"], title="Prime Minister", start=datetime.date(2025, 3, 14))
    client.force_login(editor)
    edit(client, "participant", story["carney"], **{"roles-0-title_en": "Prime Minister of Canada"})
    role.refresh_from_db()
    assert role.title == "Prime Minister"
    assert Revision.objects.get().target == role


def test_restoring_an_old_version_of_a_published_event_waits_too(client, editor, publisher, story):
    event = story["event"]
    client.force_login(publisher)
    edit(client, "event", event, title_en="A newer title")
    old = event.history.earliest()
    client.force_login(editor)
    url = reverse("admin:timeline_event_simple_history", args=[event.pk, old.history_id])
    assert client.post(url, form_data(client.get(url), "historicalevent_form")).status_code == 302
    event.refresh_from_db()
    assert event.title == "A newer title"
    assert Revision.objects.get().proposed["fields"] == {"title_en": "Carney meets Trump"}


def test_an_editors_import_of_a_published_event_waits_and_says_so(client, editor, publisher, story):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(editor)
    content = b"slug,title,summary,start_date,sources\nmeeting,Retitled by import,They met.,2025-05-06,cbc\n"
    preview = client.post(
        reverse("admin:timeline_event_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("e.csv", content)},
    )
    [row] = preview.context["result"].rows
    assert "Seen by readers: this change will wait for a publisher’s review." in row.notes
    assert not Revision.objects.exists()  # the preview wrote nothing
    response = client.post(reverse("admin:timeline_event_process_import"), preview.context["confirm_form"].initial)
    assert (
        "Imported events: 0 new, 0 updated, 0 unchanged, 1 change waiting for a publisher’s review. "
        "Everything was saved." in messages_of(response)
    )
    story["event"].refresh_from_db()
    assert story["event"].title == "Carney meets Trump"
    revision = Revision.objects.get()
    client.force_login(publisher)
    client.post(reverse("admin:timeline_revision_change", args=[revision.pk]), {"_approve": "1"})
    story["event"].refresh_from_db()
    assert story["event"].title == "Retitled by import"


@pytest.mark.parametrize(
    ("model", "item", "column"),
    [
        ("event", "event", "summary"),
        ("statement", "statement", "context"),
        ("source", "source", "title"),
        ("participant", "carney", "description"),
    ],  # fmt: skip
)
def test_the_same_file_imported_twice_proposes_its_change_once(client, editor, story, model, item, column):
    """Each import of the file added another identical pending revision, and its preview showed the change again."""
    client.force_login(editor)
    file = edited(exported(client, model), story[item].slug, **{column: "Changed by a file."})
    confirm(client, model, upload(client, model, file))
    [revision] = Revision.objects.all()
    assert list(revision.proposed["fields"].values()) == ["Changed by a file."]

    again = upload(client, model, file)
    rows = [(row.import_type, row.notes) for row in again.context["result"].rows if row.notes]
    assert rows == [("skip", ["This change is already waiting for a publisher’s review: nothing new is proposed."])]
    assert "waiting for a publisher’s review" not in again.context["totals"]
    response = confirm(client, model, again)
    assert not any("waiting for a publisher’s review" in message for message in messages_of(response))
    assert list(Revision.objects.all()) == [revision]


def test_an_approval_is_checked_by_the_publishing_rule(publisher, editor, story):
    """A change that would leave a published statement unsourced cannot be approved, whoever proposed it."""
    statement = story["statement"]
    statement.sources.clear()
    proposal = review.Proposal(statement, m2m={"sources": []})
    statement.context = "Changed."
    revision = review.propose(proposal, editor)
    with pytest.raises(review.ReviewRefused, match="A statement in a published event needs a source"):
        review.approve(revision, publisher)
    statement.refresh_from_db()
    assert statement.context == ""


# Deleting


def test_an_editor_cannot_delete_a_published_event_and_is_told_why(client, editor, story):
    client.force_login(editor)
    url = reverse("admin:timeline_event_delete", args=[story["event"].pk])
    response = client.get(url)
    assert response.status_code == 403 or "only a publisher may delete it" in response.content.decode()
    client.post(url, {"post": "yes"})
    assert Event.objects.filter(pk=story["event"].pk).exists()


def test_an_editors_bulk_delete_of_published_events_is_refused_by_name(client, editor, story):
    draft = DraftEventFactory(title="A draft")
    client.force_login(editor)
    url = reverse("admin:timeline_event_changelist")
    data = {"action": "delete_selected", "_selected_action": [story["event"].pk, draft.pk]}
    page = client.post(url, data).content.decode()
    assert "“Carney meets Trump” is seen by readers: only a publisher may delete it" in page
    client.post(url, {**data, "post": "yes"})
    assert Event.objects.count() == 2


def test_an_editor_cannot_delete_a_published_events_statement_through_its_inline(client, editor, story):
    client.force_login(editor)
    url = reverse("admin:timeline_event_change", args=[story["event"].pk])
    data = form_data(client.get(url), "event_form")
    assert "statements-0-DELETE" not in data
    data["statements-0-DELETE"] = ["on"]
    client.post(url, data)
    assert Statement.objects.filter(pk=story["statement"].pk).exists()


def test_an_editor_cannot_delete_a_public_participants_role(client, editor, story):
    role = RoleFactory(participant=story["carney"])
    client.force_login(editor)
    client.post(reverse("admin:timeline_role_delete", args=[role.pk]), {"post": "yes"})
    assert Role.objects.filter(pk=role.pk).exists()
    data = form_data(
        client.get(reverse("admin:timeline_participant_change", args=[story["carney"].pk])), "participant_form"
    )
    assert "roles-0-DELETE" not in data


def test_an_editor_may_still_delete_a_draft(client, editor):
    draft = DraftEventFactory()
    client.force_login(editor)
    client.post(reverse("admin:timeline_event_delete", args=[draft.pk]), {"post": "yes"})
    assert not Event.objects.filter(pk=draft.pk).exists()


def test_a_publisher_is_refused_deleting_the_last_source_of_a_published_event(client, publisher, story):
    client.force_login(publisher)
    url = reverse("admin:timeline_source_delete", args=[story["source"].pk])
    page = client.get(url).content.decode()
    assert "The published event “Carney meets Trump” would be left without a source: add another to it first." in page
    assert "The published statement" in page
    before = snapshot()
    client.post(url, {"post": "yes"})
    assert snapshot() == before


def test_a_publisher_deleting_a_source_is_told_which_published_items_cite_it(client, publisher, story):
    other = SourceFactory(title="Another report")
    story["event"].sources.add(other)
    story["statement"].sources.add(other)
    client.force_login(publisher)
    url = reverse("admin:timeline_source_delete", args=[story["source"].pk])
    page = Page(client.get(url).content).text
    assert "These published items cite this source; they keep their other sources: Carney meets Trump" in page
    client.post(url, {"post": "yes"})
    assert not Source.objects.filter(pk=story["source"].pk).exists()
    assert list(story["event"].sources.all()) == [other]


def test_a_publishers_bulk_delete_of_sources_refuses_the_last_source(client, publisher, story):
    client.force_login(publisher)
    url = reverse("admin:timeline_source_changelist")
    data = {"action": "delete_selected", "_selected_action": [story["source"].pk]}
    assert "would be left without a source" in client.post(url, data).content.decode()
    client.post(url, {**data, "post": "yes"})
    assert Source.objects.filter(pk=story["source"].pk).exists()


def test_a_publisher_deleting_a_participant_is_told_what_relies_on_them(client, publisher, story):
    client.force_login(publisher)
    url = reverse("admin:timeline_participant_delete", args=[story["carney"].pk])
    page = Page(client.get(url).content).text
    assert "“Mark Carney” cannot be deleted while these rely on it:" in page
    assert "We said it." in page
    client.post(url, {"post": "yes"})
    assert Participant.objects.filter(pk=story["carney"].pk).exists()


# The list a publisher works through


def test_the_review_list_opens_on_what_waits(client, editor, publisher, story):
    client.force_login(editor)
    edit(client, "event", story["event"], title_en="Waiting")
    client.force_login(publisher)
    response = client.get(reverse("admin:timeline_revision_changelist"), follow=True)
    assert response.redirect_chain[-1][0].endswith("?state__exact=pending")
    assert [r.summary for r in response.context["cl"].result_list] == ["Change to the event “Carney meets Trump”"]
