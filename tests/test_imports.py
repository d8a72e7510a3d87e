"""Imports a newsroom can trust: the same file twice changes nothing, rows find what already exists, the result
says what was written once it was, and a confirmation that would do something other than its preview showed
writes nothing."""

import datetime
import threading

import pytest
import tablib
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.dbstate import snapshot
from tests.factories import (
    DraftEventFactory,
    EventFactory,
    ParticipantFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)
from tests.htmlparse import form_data
from timeline.models import Event, ImportUpload, Source, Statement, Topic

pytestmark = pytest.mark.django_db

CSV, JSON, XLSX = "0", "1", "2"


@pytest.fixture
def newsroom():
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    ParticipantFactory(slug="donald-trump", name="Donald Trump")
    source = SourceFactory(slug="cbc-meeting", url="https://www.cbc.ca/news/meeting", title="Leaders meet")
    TopicFactory(slug="trade", name="Trade")
    return {"carney": carney, "source": source}


def upload(client, model: str, content: bytes, name: str = "file.csv", file_format: str = CSV):
    return client.post(
        reverse(f"admin:timeline_{model}_import"),
        {"resource": "0", "format": file_format, "import_file": SimpleUploadedFile(name, content)},
    )


def confirm(client, model: str, preview, **choices):
    data = {**preview.context["confirm_form"].initial, **choices}
    return client.post(reverse(f"admin:timeline_{model}_process_import"), data)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def preview_rows(response) -> list[tuple]:
    """(spreadsheet row, what the row does, how it was recognised) for each row of the preview."""
    return [
        (row.number, row.import_type, str(row.matched_by) if row.matched_by else None)
        for row in response.context["result"].rows
    ]


STATEMENTS = (
    "speaker,event,text,said_on,sources\n"
    "mark-carney,meeting,We will never be the 51st state.,2025-05-06,cbc-meeting\n"
    'mark-carney,meeting,"Canada is not for sale, and never will be.",2025-05-06,cbc-meeting\n'
)


# Idempotent


def test_importing_the_same_statements_file_twice_changes_nothing_the_second_time(admin_client, newsroom):
    """The statements file of the trial had no slugs: a second import duplicated every quote."""
    EventFactory(slug="meeting", sources=[newsroom["source"]])
    first = upload(admin_client, "statement", STATEMENTS.encode())
    assert [kind for _, kind, _ in preview_rows(first)] == ["new", "new"]
    assert "Imported statements: 2 new, 0 updated, 0 unchanged." in " ".join(
        messages_of(confirm(admin_client, "statement", first))
    )
    before = snapshot()

    second = upload(admin_client, "statement", STATEMENTS.encode())
    assert preview_rows(second) == [
        (2, "skip", "its speaker, date and words"),
        (3, "skip", "its speaker, date and words"),
    ]
    assert "This file will give: 0 new, 0 updated, 2 unchanged." in second.content.decode()
    response = confirm(admin_client, "statement", second)
    assert "Imported statements: 0 new, 0 updated, 2 unchanged. Everything was saved." in messages_of(response)
    after = snapshot()
    after.pop("admin.LogEntry"), before.pop("admin.LogEntry")
    assert after == before  # no row, no history record, no "last updated" changed
    assert Statement.objects.count() == 2


def test_a_quote_retyped_with_other_quotation_marks_and_spacing_is_recognised(admin_client, newsroom):
    event = EventFactory(slug="meeting", sources=[newsroom["source"]])
    existing = StatementFactory(
        speaker=newsroom["carney"],
        event=event,
        text="Canada is not for sale, and never will be.",
        said_on=datetime.date(2025, 5, 6),
        sources=[newsroom["source"]],
    )
    content = (
        "speaker,text,said_on,sources\n"
        'Mark Carney,"  \u201cCanada is not for sale,  and never will be\u201d ",6 May 2025,cbc-meeting\n'
    )
    preview = upload(admin_client, "statement", content.encode())
    [(number, kind, how)] = preview_rows(preview)
    assert (number, how) == (2, "its speaker, date and words")
    assert kind == "update"  # recognised, and the new wording would be written over it, as the preview shows
    assert preview.context["result"].rows[0].object_id == existing.pk


def test_an_unchanged_event_row_writes_no_history_and_keeps_its_last_updated(admin_client, newsroom):
    event = DraftEventFactory(
        slug="meeting", title="Leaders meet", summary="They met.", sources=[newsroom["source"]], topics=[]
    )
    updated_at, history = event.updated_at, event.history.count()
    content = "slug,title,summary,start_date,sources\nmeeting,Leaders meet,They met.,2025-05-06,cbc-meeting\n"
    preview = upload(admin_client, "event", content.encode())
    assert preview_rows(preview) == [(2, "skip", "its slug")]
    confirm(admin_client, "event", preview)
    event.refresh_from_db()
    assert (event.updated_at, event.history.count(), event.version) == (updated_at, history, 1)


def test_a_changed_participant_list_is_a_change(admin_client, newsroom):
    """The participants column is computed, so the library alone would call this row unchanged."""
    event = DraftEventFactory(slug="meeting", title="Leaders meet", summary="They met.", sources=[newsroom["source"]])
    content = (
        "slug,title,summary,start_date,participants\nmeeting,Leaders meet,They met.,2025-05-06,mark-carney:guest\n"
    )
    preview = upload(admin_client, "event", content.encode())
    assert preview_rows(preview) == [(2, "update", "its slug")]
    confirm(admin_client, "event", preview)
    assert [(i.participant.slug, i.part) for i in event.involvements.all()] == [("mark-carney", "guest")]


def test_rows_without_slugs_find_events_participants_and_topics_by_what_identifies_them(admin_client, newsroom):
    DraftEventFactory(title="Leaders meet", slug="leaders-meet", start_date=datetime.date(2025, 5, 6))
    events = upload(admin_client, "event", b"title,summary,start_date\nLeaders meet,They met again.,2025-05-06\n")
    assert preview_rows(events) == [(2, "update", "its title and date")]
    people = upload(admin_client, "participant", b"name,country\nMark Carney,CA\nMelanie Joly,CA\n")
    assert preview_rows(people) == [(2, "skip", "its name"), (3, "new", None)]
    confirm(admin_client, "participant", people)
    assert Event.objects.count() == 1
    from timeline.models import Participant

    assert Participant.objects.get(name="Melanie Joly").slug == "melanie-joly"  # made from the name
    topics = upload(admin_client, "topic", b"name\nTrade\n")
    assert preview_rows(topics) == [(2, "skip", "its name")]


def test_a_row_with_a_new_slug_that_looks_like_an_existing_event_says_so_in_the_preview(admin_client, newsroom):
    DraftEventFactory(slug="leaders-meet", title="Leaders meet", start_date=datetime.date(2025, 5, 6))
    content = b"slug,title,summary,start_date\nleaders-meeting,Leaders meet,S.,2025-05-06\n"
    preview = upload(admin_client, "event", content)
    [row] = preview.context["result"].rows
    assert row.import_type == "new"
    assert row.notes == [
        "Looks like the existing event \u201cLeaders meet\u201d (its title and date): if it is the same, use its slug, "
        "leaders-meet."
    ]
    assert "Looks like the existing event" in preview.content.decode()


def test_a_new_event_without_a_slug_gets_one_made_from_its_title(admin_client, newsroom):
    DraftEventFactory(slug="leaders-meet", title="Leaders meet", start_date=datetime.date(2024, 1, 1))
    preview = upload(admin_client, "event", b"title,summary,start_date\nLeaders meet,A second meeting.,2025-06\n")
    assert preview_rows(preview) == [(2, "new", None)]
    confirm(admin_client, "event", preview)
    event = Event.objects.get(slug="leaders-meet-2")
    assert (event.start_date, event.date_precision) == (datetime.date(2025, 6, 1), "month")


def test_a_statement_row_repeating_another_row_of_the_file_is_refused(admin_client, newsroom):
    content = (
        STATEMENTS.replace(",meeting,", ",,") + "Mark Carney,,We will never be the 51st state,2025-05-06,cbc-meeting\n"
    )
    preview = upload(admin_client, "statement", content.encode())
    assert "confirm_form" not in preview.context
    assert "Row 2: Rows 2 and 4 are the same statement: keep one of them." in preview.context["problems"]


def test_editing_a_quote_through_its_exported_slug_updates_it_rather_than_adding_one(admin_client, newsroom):
    statement = StatementFactory(slug="quote", speaker=newsroom["carney"], event=None, text="Old words.")
    preview = upload(admin_client, "statement", b"slug,speaker,text\nquote,mark-carney,New words.\n")
    assert preview_rows(preview) == [(2, "update", "its slug")]
    confirm(admin_client, "statement", preview)
    statement.refresh_from_db()
    assert statement.text == "New words." and Statement.objects.count() == 1


def test_a_slug_edit_that_would_make_two_statements_the_same_quote_is_refused(admin_client, newsroom):
    StatementFactory(slug="first", speaker=newsroom["carney"], event=None, text="First.", said_on=None)
    StatementFactory(slug="second", speaker=newsroom["carney"], event=None, text="Second.", said_on=None)
    preview = upload(admin_client, "statement", b"slug,speaker,text\nsecond,mark-carney,First.\n")
    assert preview.context["problems"] == [
        "Row 2, text: These words are already the statement \u201cfirst\u201d, by the same speaker that day."
    ]


# Sources by address


def test_the_http_and_www_forms_of_an_article_are_one_source(admin_client, newsroom):
    content = "title,url\nLeaders meet (copy),http://cbc.ca/news/meeting/?utm_source=rss#top\n"
    preview = upload(admin_client, "source", content.encode())
    assert preview_rows(preview) == [(2, "update", "its address")]
    assert preview.context["confirm_form"].fields["address_2"].required  # the editor must choose
    assert Source.objects.count() == 1


def test_a_known_address_waits_for_the_editors_choice_and_refuses_a_confirmation_without_one(admin_client, newsroom):
    content = (
        "slug,title,url,published_on\nnew-slug,Leaders meet at the White House,https://cbc.ca/news/meeting,2025-05-06\n"
    )
    preview = upload(admin_client, "source", content.encode())
    page = preview.content.decode()
    assert "This address is already the source \u201ccbc-meeting\u201d: choose below" in page
    assert "Update that source with this row" in page and "Keep that source as it is" in page
    response = confirm(admin_client, "source", preview)
    assert response.status_code == 200
    assert response.context["confirm_form"].errors["address_2"] == ["Choose what to do with this source."]
    assert Source.objects.get().title == "Leaders meet"


def test_choosing_to_update_a_known_source_takes_the_files_title_and_date_and_keeps_its_slug(admin_client, newsroom):
    content = (
        "slug,title,url,published_on\nnew-slug,Leaders meet at the White House,https://cbc.ca/news/meeting,2025-05\n"
    )
    preview = upload(admin_client, "source", content.encode())
    response = confirm(admin_client, "source", preview, address_2="update")
    assert "Imported sources: 0 new, 1 updated, 0 unchanged. Everything was saved." in messages_of(response)
    source = Source.objects.get()
    assert (source.slug, source.title, source.published_on, source.published_precision) == (
        "cbc-meeting",
        "Leaders meet at the White House",
        datetime.date(2025, 5, 1),
        "month",
    )


def test_choosing_to_keep_a_known_source_leaves_it_as_it_was(admin_client, newsroom):
    before = snapshot()
    content = "slug,title,url\nnew-slug,A poorer title,https://cbc.ca/news/meeting\n"
    response = confirm(admin_client, "source", upload(admin_client, "source", content.encode()), address_2="keep")
    assert "Imported sources: 0 new, 0 updated, 1 unchanged. Everything was saved." in messages_of(response)
    after = snapshot()
    after.pop("admin.LogEntry"), before.pop("admin.LogEntry")
    assert after == before


def test_an_event_may_name_its_sources_by_address(admin_client, newsroom):
    content = (
        "slug,title,summary,start_date,sources\nmeeting,Leaders meet,S.,2025-05-06,http://www.cbc.ca/news/meeting/\n"
    )
    confirm(admin_client, "event", upload(admin_client, "event", content.encode()))
    assert list(Event.objects.get().sources.all()) == [newsroom["source"]]


# The confirmation tells the truth


def test_a_topic_deleted_between_preview_and_confirmation_refuses_the_import_and_writes_nothing(admin_client, newsroom):
    content = "slug,title,summary,start_date,topics\nmeeting,Leaders meet,They met.,2025-05-06,trade\n"
    before = snapshot()
    preview = upload(admin_client, "event", content.encode())
    assert preview.context["result"].totals["new"] == 1
    Topic.objects.filter(slug="trade").delete()
    before["timeline.Topic"] = snapshot()["timeline.Topic"]
    response = confirm(admin_client, "event", preview)
    assert response.status_code == 302 and response.url == reverse("admin:timeline_event_import")
    said = messages_of(response)
    assert "Nothing was imported: the file no longer imports as it did in the preview." in said
    assert "Row 2, topics: No topic is \u201ctrade\u201d: check the spelling, or import it first." in said
    assert not any("Imported:" in message for message in said)
    assert snapshot() == before  # no event, no history, no log entry, no upload left


def test_an_event_changed_between_preview_and_confirmation_refuses_the_import(admin_client, newsroom):
    event = DraftEventFactory(slug="meeting", title="Leaders meet", summary="They met.")
    preview = upload(admin_client, "event", b"slug,title,summary,start_date\nmeeting,Leaders meet,New.,2025-05-06\n")
    event.summary = "Someone else's better summary."
    event.save()
    response = confirm(admin_client, "event", preview)
    assert any("the data changed since your preview" in message for message in messages_of(response))
    event.refresh_from_db()
    assert event.summary == "Someone else's better summary."
    assert not ImportUpload.objects.exists()


def test_a_second_click_on_confirm_imports_nothing_more(admin_client, newsroom):
    preview = upload(admin_client, "topic", b"slug,name\ntariffs,Tariffs\n")
    confirm(admin_client, "topic", preview)
    response = confirm(admin_client, "topic", preview)
    assert any("This preview can no longer be confirmed" in message for message in messages_of(response))
    assert Topic.objects.filter(slug="tariffs").count() == 1


def test_another_editor_cannot_confirm_my_preview(admin_client, client, editor, newsroom):
    preview = upload(admin_client, "topic", b"slug,name\ntariffs,Tariffs\n")
    client.force_login(editor)
    response = confirm(client, "topic", preview)
    assert any("This preview can no longer be confirmed" in message for message in messages_of(response))
    assert not Topic.objects.filter(slug="tariffs").exists()
    assert ImportUpload.objects.count() == 1  # still mine to confirm


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_write_the_file_once(admin_user, newsroom):
    """Two previews of one file, confirmed at the same moment: one import writes, the other is refused (or, on
    SQLite, which may turn a second writer away instead of waiting, both may be refused); never two copies."""
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(admin_user)
    previews = [upload(client, "topic", b"slug,name\ntariffs,Tariffs\neconomy,Economy\n") for client in clients]
    start = threading.Barrier(2)
    responses = [None, None]

    def go(index):
        start.wait()
        try:
            responses[index] = confirm(clients[index], "topic", previews[index])
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = []
    for response in responses:
        if response.status_code == 503:
            # SQLite may refuse a second writer at once instead of waiting (a transaction that has read cannot
            # start writing while another writes): a 503 that wrote nothing.
            assert connection.vendor == "sqlite"
            outcomes.append("refused")
            continue
        said = messages_of(response)
        written = any("Imported topics: 2 new" in message for message in said)
        refused = any(message.startswith("Nothing was imported") for message in said)
        assert response.status_code == 302 and written != refused, said  # each is told exactly one outcome
        outcomes.append("written" if written else "refused")
    if connection.vendor == "postgresql":
        assert sorted(outcomes) == ["refused", "written"]  # the second waited for the first, then saw it
    assert outcomes.count("written") <= 1
    assert Topic.objects.filter(slug="tariffs").count() == outcomes.count("written")
    assert not ImportUpload.objects.filter(confirmed_at__isnull=False).exists()


# Nothing is left behind


def test_a_refused_file_leaves_no_upload_behind(admin_client, newsroom):
    upload(admin_client, "event", b"slug,title\nx,X\nshort\n")
    upload(admin_client, "event", b"slug,title,start_date\nx,X,2025-02-30\n")
    assert not ImportUpload.objects.exists()


def test_a_preview_nobody_confirms_is_deleted_a_day_later(admin_client, newsroom):
    upload(admin_client, "topic", b"slug,name\ntariffs,Tariffs\n")
    ImportUpload.objects.update(created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    upload(admin_client, "topic", b"slug,name\neconomy,Economy\n")
    assert ImportUpload.objects.count() == 1


# What an exported file says, edited and imported again


def exported(client, model: str) -> tablib.Dataset:
    """The admin's CSV export of `model`, as the signed-in editor downloads it to edit."""
    url = reverse(f"admin:timeline_{model}_export")
    data = form_data(client.get(url), index=1)  # the page's forms: log out, then export
    data.update({"format": [CSV], "resource": ["0"]})
    response = client.post(url, data)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return tablib.Dataset().load(body.decode("utf-8-sig"), format="csv")


def edited(dataset: tablib.Dataset, slug: str, **cells) -> bytes:
    """The exported file with the row of `slug` changed as an editor would in a spreadsheet."""
    rows = [dict(row) for row in dataset.dict]
    for row in rows:
        if row["slug"] == slug:
            row.update(cells)
    return tablib.Dataset(*[list(row.values()) for row in rows], headers=dataset.headers).export("csv").encode()


@pytest.mark.parametrize(("before", "after"), [("published", "draft"), ("draft", "published")])
def test_a_publishers_file_that_changes_only_the_status_is_honoured(client, publisher, newsroom, before, after):
    """The status is a read-only column, so the library's "unchanged" check never compared it: a status change
    alone was previewed as unchanged and ignored."""
    event = EventFactory(slug="meeting", status=before, sources=[newsroom["source"]])
    client.force_login(publisher)
    preview = upload(client, "event", edited(exported(client, "event"), "meeting", status=after))
    assert preview_rows(preview) == [(2, "update", "its slug")]
    response = confirm(client, "event", preview)
    assert any("0 new, 1 updated, 0 unchanged" in message for message in messages_of(response))
    event.refresh_from_db()
    assert event.status == after
    # publish() or unpublish() wrote it, and nothing else did: one history record, theirs.
    reason = {"draft": "Unpublished", "published": "Published"}[after]
    assert [record.history_change_reason for record in event.history.all()] == [reason, None]


def test_an_editors_status_change_is_not_applied_and_the_preview_says_why(client, editor, newsroom):
    EventFactory(slug="meeting", sources=[newsroom["source"]])
    DraftEventFactory(slug="plan", sources=[newsroom["source"]])
    client.force_login(editor)
    file = edited(exported(client, "event"), "meeting", status="draft")
    preview = upload(client, "event", edited(csv_of(file), "plan", status="published"))
    notes = sorted((row.import_type, note) for row in preview.context["result"].rows for note in row.notes)
    assert notes == [
        ("skip", "Only a publisher may publish or unpublish: this event stays a draft."),
        ("skip", "Only a publisher may publish or unpublish: this event stays published."),
    ]
    assert "Only a publisher may publish or unpublish: this event stays a draft." in preview.content.decode()
    confirm(client, "event", preview)
    assert dict(Event.objects.values_list("slug", "status")) == {"meeting": "published", "plan": "draft"}


def csv_of(content: bytes) -> tablib.Dataset:
    return tablib.Dataset().load(content.decode(), format="csv")


# Yes-or-no and number columns


@pytest.mark.parametrize(
    ("cell", "approximate"),
    [
        ("1", True),
        ("0", False),
        ("yes", True),
        ("No", False),
        ("oui", True),
        ("NON", False),
        ("True", True),
        ("false", False),
        (" Yes ", True),
        ("", False),
    ],  # fmt: skip
)
def test_a_yes_or_no_column_takes_what_the_export_writes_and_the_plain_words(admin_client, newsroom, cell, approximate):
    """A blank cell is no, as an unticked box in the admin: the export writes 1 and 0, never a blank."""
    event = DraftEventFactory(slug="meeting", approximate=not approximate)
    preview = upload(admin_client, "event", edited(exported(admin_client, "event"), "meeting", approximate=cell))
    assert preview_rows(preview) == [(2, "update", "its slug")]
    confirm(admin_client, "event", preview)
    event.refresh_from_db()
    assert event.approximate is approximate


@pytest.mark.parametrize("cell", ["x", "2", "maybe", "-1"])
def test_a_yes_or_no_column_refuses_anything_else_by_row_and_column(admin_client, newsroom, cell):
    """Anything but 1/true was read as no, silently."""
    event = DraftEventFactory(slug="meeting", approximate=True)
    preview = upload(admin_client, "event", edited(exported(admin_client, "event"), "meeting", approximate=cell))
    assert preview.context["problems"] == [f"Row 2, approximate: “{cell}”: use 1 (yes) or 0 (no)."]
    assert "confirm_form" not in preview.context
    event.refresh_from_db()
    assert event.approximate is True


@pytest.mark.parametrize("model", ["event", "statement"])
@pytest.mark.parametrize("cell", ["high", "2.5", "4", "0", "1e0", "NaN"])
def test_an_importance_other_than_1_2_or_3_is_refused_by_row_and_column(admin_client, newsroom, caplog, model, cell):
    """ "high" reached the error path as decimal.ConversionSyntax, naming no column and logging a traceback; "2.5"
    was stored as 2."""
    event = EventFactory(slug="meeting", importance=3, sources=[newsroom["source"]])
    StatementFactory(slug="quote", event=event, speaker=newsroom["carney"], importance=3, sources=[newsroom["source"]])
    slug = "meeting" if model == "event" else "quote"
    preview = upload(admin_client, model, edited(exported(admin_client, model), slug, importance=cell))
    assert preview.context["problems"] == [f"Row 2, importance: “{cell}”: use 1, 2 or 3."]
    assert "confirm_form" not in preview.context
    assert not [record for record in caplog.records if record.levelname in ("WARNING", "ERROR")]
    assert Event.objects.get().importance == Statement.objects.get().importance == 3


@pytest.mark.parametrize(("cell", "importance"), [("1", 1), (" 2 ", 2), ("3.0", 3)])
def test_an_importance_is_read_as_written(admin_client, newsroom, cell, importance):
    event = DraftEventFactory(slug="meeting", importance=2 if importance != 2 else 3)
    preview = upload(admin_client, "event", edited(exported(admin_client, "event"), "meeting", importance=cell))
    confirm(admin_client, "event", preview)
    event.refresh_from_db()
    assert event.importance == importance


# A confirmation altered by hand


@pytest.mark.parametrize(
    "altered",
    [
        {"format": "99"},
        {"format": "abc"},
        {"import_file_name": "abc"},
        {"import_file_name": "999999"},
        {"resource": "99"},
    ],
    ids=["format-99", "format-abc", "upload-abc", "upload-999999", "resource-99"],
)
def test_a_confirmation_altered_by_hand_is_refused_as_stale(admin_client, newsroom, altered):
    """A format out of range was an IndexError, an upload id that is no UUID a ValidationError: both a 500."""
    preview = upload(admin_client, "topic", b"slug,name\ntariffs,Tariffs\n")
    response = confirm(admin_client, "topic", preview, **altered)
    assert response.status_code == 302 and response["Location"] == reverse("admin:timeline_topic_import")
    assert any("This preview can no longer be confirmed" in message for message in messages_of(response))
    assert not Topic.objects.filter(slug="tariffs").exists()
