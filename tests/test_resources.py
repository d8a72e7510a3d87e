"""Import and export: natural keys, a dry run first, all or nothing, clear errors, and a faithful round trip."""

import datetime
import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import (
    DraftEventFactory,
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    RoleFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)
from tests.htmlparse import form_data
from timeline.importing import problems_of
from timeline.models import Correction, Event, Involvement, Participant, Role, Source, Statement, Topic, WeakPublisher
from timeline.resources import (
    IMPORT_ORDER,
    EventResource,
    ParticipantResource,
    RoleResource,
    SourceResource,
    StatementResource,
    import_all,
)

pytestmark = pytest.mark.django_db

CSV, JSON, XLSX = "0", "1", "2"  # the admin's format choices, in the order the admin lists them
EVENT_HEADER = "slug,title,summary,start_date,end_date,event_type,participants,sources,topics,status"


def csv_dataset(text: str) -> tablib.Dataset:
    return tablib.Dataset().load(text.strip() + "\n", format="csv")


@pytest.fixture
def people_and_sources():
    ParticipantFactory(slug="mark-carney", name="Mark Carney")
    ParticipantFactory(slug="donald-trump", name="Donald Trump")
    SourceFactory(slug="cbc-meeting", url="https://www.cbc.ca/news/meeting")
    TopicFactory(slug="trade", name="Trade")


def upload(client, model: str, content: bytes, name: str = "events.csv", file_format: str = CSV):
    """Step one of an admin import: upload a file and get the dry-run preview."""
    return client.post(
        reverse(f"admin:timeline_{model}_import"),
        {"resource": "0", "format": file_format, "import_file": SimpleUploadedFile(name, content)},
    )


def invalid_rows(response) -> dict[int, dict[str, list[str]]]:
    """What the preview reports, by row number and field."""
    result = response.context["result"]
    return {
        row.number: {field: list(messages) for field, messages in row.error_dict.items()} for row in result.invalid_rows
    }


# The dry run and the confirmation


def test_import_shows_a_dry_run_preview_and_writes_only_after_confirmation(admin_client, people_and_sources):
    content = (
        f"{EVENT_HEADER}\n"
        "carney-meets-trump,Carney meets Trump,They met.,2025-05-06,,meeting,"
        '"mark-carney:guest, donald-trump:host",cbc-meeting,trade,draft\n'
    ).encode()
    response = upload(admin_client, "event", content)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 1
    preview = response.content.decode()
    assert "Carney meets Trump" in preview
    assert "<ins>mark-carney:guest, donald-trump:host</ins>" in preview  # computed columns are previewed too
    assert 'style="' not in preview.split("<h2>")[-1]  # no inline styles, which the CSP would block
    assert not Event.objects.exists()  # the preview wrote nothing

    confirm = response.context["confirm_form"].initial
    response = admin_client.post(reverse("admin:timeline_event_process_import"), confirm)
    assert response.status_code == 302
    event = Event.objects.get(slug="carney-meets-trump")
    assert event.status == Event.Status.DRAFT
    assert [(i.participant.slug, i.part) for i in event.involvements.all()] == [
        ("mark-carney", "guest"),
        ("donald-trump", "host"),
    ]
    assert [s.slug for s in event.sources.all()] == ["cbc-meeting"]
    assert [t.slug for t in event.topics.all()] == ["trade"]
    assert event.history.first().history_user.is_superuser


def test_a_file_mixing_good_and_bad_rows_reports_each_bad_row_and_field_and_writes_nothing(
    admin_client, people_and_sources
):
    """Rows are numbered as the spreadsheet numbers them: the header is row 1, the first event row 2."""
    content = (
        f"{EVENT_HEADER}\n"
        "good-one,A good event,Fine.,2025-05-06,,meeting,mark-carney:guest,cbc-meeting,trade,draft\n"
        "unknown-person,Bad participant,S.,2025-05-06,,meeting,justin-nobody:guest,cbc-meeting,,draft\n"
        "bad-date,Bad date,S.,2025-02-30,,meeting,,,,draft\n"
        "backwards,End before start,S.,2025-05-06,2025-05-01,meeting,,,,draft\n"
        "twice,First of two,S.,2025-05-06,,meeting,,,,draft\n"
        "twice,Second of two,S.,2025-05-07,,meeting,,,,draft\n"
        "good-two,Another good event,Fine.,2025-05-07,,meeting,,cbc-meeting,,draft\n"
    ).encode()
    response = upload(admin_client, "event", content)
    assert response.status_code == 200
    assert "confirm_form" not in response.context  # no way to go on with a bad file
    assert invalid_rows(response) == {
        3: {
            "participants": ["No participant is \u201cjustin-nobody\u201d: import participants first, or fix the slug."]
        },
        4: {"start_date": ["30 February 2025 does not exist."]},
        5: {"end_date": ["End date must be on or after the start date (6 May 2025)."]},
        6: {"slug": ["Rows 6 and 7 are the same event: keep one of them."]},
        7: {"slug": ["Rows 6 and 7 are the same event: keep one of them."]},
    }
    content = response.content.decode()
    assert "Row 4, start_date: 30 February 2025 does not exist." in content  # one line per problem
    assert "justin-nobody" in content
    assert not Event.objects.exists()


def test_the_confirmation_step_also_writes_nothing_when_a_row_is_invalid(people_and_sources):
    """Even without the admin's preview, a bad row means no row at all is written."""
    dataset = csv_dataset(
        f"{EVENT_HEADER}\n"
        "good-one,A good event,Fine.,2025-05-06,,meeting,mark-carney:guest,cbc-meeting,trade,draft\n"
        "bad-date,Bad date,S.,2025-13-45,,meeting,,,,draft\n"
    )
    result = EventResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    assert not Event.objects.exists() and not Involvement.objects.exists()


def test_unknown_speaker_and_unknown_source_are_named_for_statements(people_and_sources):
    dataset = csv_dataset(
        "slug,speaker,event,text,sources\n"
        "ok,mark-carney,,We said it.,cbc-meeting\n"
        "who,nobody-at-all,,Who said it?,cbc-meeting\n"
        "where,mark-carney,,Where from?,missing-source\n"
        "which,mark-carney,no-such-event,Which event?,\n"
    )
    result = StatementResource().import_data(dataset, dry_run=False)
    errors = {row.number: dict(row.error_dict) for row in result.invalid_rows}
    assert errors == {
        3: {
            "speaker": [
                "No participant is \u201cnobody-at-all\u201d: check the spelling, or import that participant first."
            ]
        },
        4: {"sources": ["No source is \u201cmissing-source\u201d: check the spelling, or import it first."]},
        5: {"event": ["No event is \u201cno-such-event\u201d: check the spelling, or import that event first."]},
    }
    assert not Statement.objects.exists()


def test_a_source_whose_address_belongs_to_another_source_is_refused_by_name(people_and_sources):
    """A row naming one source by slug and another by address cannot be both: the clash is named."""
    SourceFactory(slug="other", url="https://example.org/other")
    dataset = csv_dataset("slug,title,url\nother,Same story,https://WWW.cbc.ca/news/meeting/\n")
    result = SourceResource().import_data(dataset, dry_run=False)
    [row] = result.invalid_rows
    assert "cbc-meeting" in row.error_dict["url"][0]
    assert Source.objects.get(slug="other").url == "https://example.org/other"


def test_a_malformed_csv_is_refused_with_a_clear_message(admin_client, people_and_sources):
    content = f"{EVENT_HEADER}\nshort-row,Only three,columns\n".encode()
    response = upload(admin_client, "event", content)
    [error] = response.context["form"].errors["import_file"]
    assert error == (
        "Row 2 has 3 columns but the header has 10: put quotation marks around any value that contains commas. "
        "Nothing was imported."
    )
    assert not Event.objects.exists()


def test_a_csv_with_a_stray_quote_is_refused(admin_client, people_and_sources):
    content = f'{EVENT_HEADER}\nx,"Unclosed,S.,2025-05-06,,meeting,,,,draft\n'.encode()
    response = upload(admin_client, "event", content)
    [error] = response.context["form"].errors["import_file"]
    assert error == "Row 2 cannot be read (unexpected end of data): check its quotation marks. Nothing was imported."
    assert not Event.objects.exists()


def test_a_file_in_the_wrong_encoding_is_refused_with_a_clear_message(admin_client, people_and_sources):
    content = f"{EVENT_HEADER}\nmontreal,Rencontre à Montréal,Été.,2025-05-06,,meeting,,,,draft\n".encode("latin-1")
    response = upload(admin_client, "event", content)
    [error] = response.context["form"].errors["import_file"]
    assert "not UTF-8" in error and "CSV UTF-8" in error
    assert not Event.objects.exists()


def test_a_file_with_a_bad_value_for_a_choice_names_the_field(people_and_sources):
    dataset = csv_dataset(f"{EVENT_HEADER}\nx,X,S.,2025-05-06,,picnic,mark-carney:chef,,,live\n")
    result = EventResource().import_data(dataset, dry_run=True)
    [row] = result.invalid_rows
    assert set(row.error_dict) == {"event_type", "participants", "status"}
    assert "\u201cchef\u201d is not a part" in row.error_dict["participants"][0]
    assert row.error_dict["status"] == ["\u201clive\u201d is not a status: use draft or published."]


def test_a_control_character_in_a_text_column_is_refused_naming_the_row_and_the_field(people_and_sources):
    dataset = csv_dataset(
        f"{EVENT_HEADER}\n"
        "meeting,Carney meets\x0bTrump,Leaders met.,2025-05-06,,meeting,,,,\n"
        "summit,Summit,Leaders\x00 met.,2025-06-16,,summit,,,,\n"
    )
    result = EventResource().import_data(dataset, dry_run=False)
    # As the editor reads them: once per column of the file (its "title" fills title_en too), by spreadsheet row.
    assert problems_of(result) == [
        "Row 2, title: This text holds an invisible control character (U+000B, vertical tab) after \u201cCarney "
        "meets\u201d: delete it, or paste the text again as plain text.",
        "Row 3, summary: This text holds an invisible control character (U+0000, NUL) after \u201cLeaders\u201d: "
        "delete it, or paste the text again as plain text.",
    ]
    assert not Event.objects.exists()


@pytest.mark.parametrize("day", ["10000-01-01", "0000-12-31", "-0001-01-01"])
def test_a_date_outside_years_1_to_9999_is_refused_with_a_message(people_and_sources, day):
    dataset = csv_dataset(f"{EVENT_HEADER}\nmeeting,Meeting,Leaders met.,{day},,meeting,,,,\n")
    result = EventResource().import_data(dataset, dry_run=False)
    [row] = result.invalid_rows
    [message] = row.error_dict["start_date"]
    assert message.startswith(f"\u201c{day}\u201d is not a date: "), message
    assert not Event.objects.exists()


def test_statement_import_keeps_the_published_event_rule(people_and_sources):
    EventFactory(slug="live-event", sources=[Source.objects.get()])
    dataset = csv_dataset("slug,speaker,event,text,sources\nno-source,mark-carney,live-event,Unsourced words.,\n")
    result = StatementResource().import_data(dataset, dry_run=False)
    [row] = result.invalid_rows
    assert row.error_dict == {
        "sources": ["A statement in a published event needs a source: add one, or ask a publisher to unpublish it."]
    }
    assert not Statement.objects.exists()


# Who may publish through an import


PUBLISHED_ROW = f"{EVENT_HEADER}\nlive,Live,S.,2025-05-06,,meeting,mark-carney:guest,cbc-meeting,,published\n"


def test_an_editors_import_never_publishes(people_and_sources, editor):
    result = EventResource().import_data(csv_dataset(PUBLISHED_ROW), user=editor)
    assert not result.has_validation_errors()
    assert Event.objects.get(slug="live").status == Event.Status.DRAFT


def test_an_editors_import_keeps_a_published_event_published_and_a_draft_a_draft(people_and_sources, editor):
    EventFactory(slug="live", sources=[Source.objects.get()])
    DraftEventFactory(slug="draft")
    dataset = csv_dataset(
        f"{EVENT_HEADER}\n"
        "live,New title,S.,2025-05-06,,meeting,,cbc-meeting,,draft\n"
        "draft,Other title,S.,2025-05-06,,meeting,,cbc-meeting,,published\n"
    )
    EventResource().import_data(dataset, user=editor)
    assert dict(Event.objects.values_list("slug", "status")) == {"live": "published", "draft": "draft"}
    # The published event's new title waits for a publisher (tests/test_review.py); the draft's is written.
    assert Event.objects.get(slug="live").title != "New title"
    assert Event.objects.get(slug="live").revisions.get().proposed["fields"]["title_en"] == "New title"
    assert Event.objects.get(slug="draft").title == "Other title"


def test_an_import_without_a_user_never_publishes(people_and_sources):
    EventResource().import_data(csv_dataset(PUBLISHED_ROW))
    assert Event.objects.get(slug="live").status == Event.Status.DRAFT


def test_a_publishers_import_publishes_through_the_publishing_rule(people_and_sources, publisher):
    EventResource().import_data(csv_dataset(PUBLISHED_ROW), user=publisher)
    event = Event.objects.get(slug="live")
    assert event.status == Event.Status.PUBLISHED and event.published_at is not None
    assert event.history.first().history_change_reason == "Published"


def test_a_publishers_import_of_an_unsourced_published_event_is_refused_whole(people_and_sources, publisher):
    dataset = csv_dataset(
        f"{EVENT_HEADER}\n"
        "fine,Fine,S.,2025-05-06,,meeting,,cbc-meeting,,published\n"
        "unsourced,Unsourced,S.,2025-05-06,,meeting,,,,published\n"
    )
    result = EventResource().import_data(dataset, user=publisher)
    [row] = result.invalid_rows
    assert row.number == 3
    assert row.error_dict == {
        "status": ["\u201cUnsourced\u201d was not published: It has no source: add at least one under Sources."]
    }
    assert not Event.objects.exists()


def test_a_publishers_import_does_not_publish_what_rests_on_weak_publishers_only(people_and_sources, publisher):
    WeakPublisher.objects.create(domain="cbc.ca", name="A weak CBC, for the test")
    result = EventResource().import_data(csv_dataset(PUBLISHED_ROW), user=publisher)
    [row] = result.invalid_rows
    assert row.error_dict == {
        "status": [
            "The event \u201cLive\u201d cites only pages from publishers marked as weak: A weak CBC, for the test. "
            "Import it as a draft, then publish it from its page in the admin once you have checked."
        ]
    }
    assert not Event.objects.exists()


def test_an_editor_may_import_through_the_admin(client, editor, people_and_sources):
    client.force_login(editor)
    assert client.get(reverse("admin:timeline_event_import")).status_code == 200
    response = upload(client, "event", PUBLISHED_ROW.encode())
    assert response.context["result"].totals["new"] == 1
    client.post(reverse("admin:timeline_event_process_import"), response.context["confirm_form"].initial)
    assert Event.objects.get(slug="live").status == Event.Status.DRAFT


# Export


def test_export_names_related_rows_by_slug_not_id(people_and_sources):
    event = DraftEventFactory(slug="meeting", sources=[Source.objects.get()], topics=[Topic.objects.get()])
    InvolvementFactory(event=event, participant=Participant.objects.get(slug="mark-carney"), part="guest")
    StatementFactory(
        slug="quote", event=event, speaker=Participant.objects.get(slug="mark-carney"), sources=[Source.objects.get()]
    )
    [event_row] = EventResource().export().dict
    assert (event_row["participants"], event_row["sources"], event_row["topics"]) == (
        "mark-carney:guest",
        "cbc-meeting",
        "trade",
    )
    assert "id" not in event_row
    [statement_row] = StatementResource().export().dict
    assert (statement_row["speaker"], statement_row["event"], statement_row["sources"]) == (
        "mark-carney",
        "meeting",
        "cbc-meeting",
    )


@pytest.mark.parametrize(
    ("file_format", "content_type"),
    [
        (CSV, "text/csv"),
        (JSON, "application/json"),
        (XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_admin_exports_csv_json_and_xlsx(admin_client, people_and_sources, file_format, content_type):
    url = reverse("admin:timeline_participant_export")
    data = form_data(admin_client.get(url), index=1)  # the page's forms: log out, then export
    assert data["participantresource_slug"] == ["on"]
    data.update({"format": [file_format], "resource": ["0"]})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    dataset = tablib.Dataset().load(
        io.BytesIO(body) if file_format == XLSX else body.decode("utf-8-sig"),
        format={CSV: "csv", JSON: "json", XLSX: "xlsx"}[file_format],
    )
    assert sorted(dataset["slug"]) == ["donald-trump", "mark-carney"]


# The round trip


def build_a_small_database():
    topic = TopicFactory(slug="trade", name="Trade", description="Tariffs and agreements.")
    carney = ParticipantFactory(
        slug="mark-carney",
        name="Mark Carney",
        kind="person",
        country="CA",
        wikidata_id="Q42",
        description="Prime Minister",
    )
    trump = ParticipantFactory(slug="donald-trump", name="Donald Trump", country="US")
    cbc = SourceFactory(
        slug="cbc",
        title="Carney, Trump meet",
        url="https://www.cbc.ca/news/a",
        published_on=datetime.date(2025, 5, 6),
        accessed_on=datetime.date(2025, 5, 7),
    )
    print_source = SourceFactory(
        slug="print",
        title="A print story",
        url="",
        published_on=datetime.date(2025, 5, 1),
        published_precision="month",
        kind="other",
    )
    meeting = EventFactory(
        slug="meeting",
        title="Carney meets Trump",
        summary='They met, with commas, and "quotes".',
        body="Line one.\nLine two.",
        start_date=datetime.date(2025, 5, 6),
        approximate=False,
        location="Washington",
        importance=3,
        sources=[cbc],
        topics=[topic],
    )
    InvolvementFactory(event=meeting, participant=trump, part="host", order=0)
    InvolvementFactory(event=meeting, participant=carney, part="guest", order=1)
    DraftEventFactory(
        slug="draft-range",
        title="A range",
        start_date=datetime.date(2025, 1, 1),
        date_precision="year",
        end_date=datetime.date(2025, 6, 1),
        end_precision="month",
        approximate=True,
        sources=[print_source],
    )
    StatementFactory(
        slug="quote",
        speaker=carney,
        event=meeting,
        text="« Le Canada n'est pas à vendre. »",
        language="fr",
        said_on=datetime.date(2025, 5, 6),
        context="In the Oval Office.",
        sources=[cbc, print_source],
    )
    StatementFactory(
        slug="undated", speaker=trump, event=None, text="A paraphrase.", kind="paraphrase", said_on=None, sources=[]
    )
    RoleFactory(participant=carney, title="Prime Minister", start=datetime.date(2025, 3, 14), source=cbc)
    RoleFactory(
        participant=trump,
        title="President",
        start=None,
        attested_on=datetime.date(2025, 5, 1),
        attested_precision="month",
    )


def export_everything() -> dict[str, tablib.Dataset]:
    return {r._meta.model._meta.model_name: r().export() for r in IMPORT_ORDER}


@pytest.mark.parametrize("file_format", ["csv", "json", "xlsx"])
def test_an_export_reimported_into_an_empty_database_gives_the_same_data(publisher, file_format):
    build_a_small_database()
    before = export_everything()
    files = {name: dataset.export(file_format) for name, dataset in before.items()}

    for model in [Correction, Statement, Involvement, Event, Role, Source, Participant, Topic]:
        model.objects.all().delete()
    assert not Event.objects.exists()

    datasets = {name: tablib.Dataset().load(content, format=file_format) for name, content in files.items()}
    results = import_all(datasets, user=publisher)
    assert not any(r.has_errors() or r.has_validation_errors() for r in results.values())

    after = export_everything()
    for name in before:
        assert after[name].dict == before[name].dict, name
    assert Event.objects.get(slug="meeting").status == Event.Status.PUBLISHED
    assert Event.objects.get(slug="draft-range").status == Event.Status.DRAFT


def test_import_all_writes_nothing_when_a_later_file_has_a_bad_row(publisher):
    datasets = {
        "participant": csv_dataset("slug,name\nmark-carney,Mark Carney\n"),
        "statement": csv_dataset("slug,speaker,text\nbad,nobody,Who?\n"),
    }
    results = import_all(datasets, user=publisher)
    assert results[StatementResource].has_validation_errors()
    assert not Participant.objects.exists()
    assert ParticipantResource in results


# Roles, in bulk


ROLES = (
    "participant,title,start,end,attested_on,source\n"
    "mark-carney,Prime Minister of Canada,2025-03-14,,,cbc-meeting\n"
    "Mark Carney,Governor of the Bank of England,July 2013,March 2020,,\n"
    "donald-trump,President of the United States,,,May 2025,https://www.cbc.ca/news/meeting\n"
)


def test_roles_import_with_their_dates_as_written_and_a_second_import_changes_nothing(admin_client, people_and_sources):
    response = upload(admin_client, "role", ROLES.encode(), name="roles.csv")
    assert response.context["result"].totals["new"] == 3
    admin_client.post(reverse("admin:timeline_role_process_import"), response.context["confirm_form"].initial)
    governor = Role.objects.get(title="Governor of the Bank of England")
    assert (governor.start, governor.start_precision, governor.end, governor.end_precision) == (
        datetime.date(2013, 7, 1),
        "month",
        datetime.date(2020, 3, 1),
        "month",
    )
    president = Role.objects.get(title="President of the United States")
    assert (president.start, president.attested_on, president.attested_precision, president.source.slug) == (
        None,
        datetime.date(2025, 5, 1),
        "month",
        "cbc-meeting",
    )
    again = upload(admin_client, "role", ROLES.encode(), name="roles.csv")
    assert [row.import_type for row in again.context["result"].rows] == ["skip", "skip", "skip"]


def test_roles_export_as_they_import(people_and_sources):
    carney = Participant.objects.get(slug="mark-carney")
    RoleFactory(
        participant=carney, title="Governor", start=datetime.date(2013, 7, 1), start_precision="month", end=None
    )
    [row] = RoleResource().export().dict
    assert (row["participant"], row["title"], row["start"], row["end"], row["attested_on"]) == (
        "mark-carney",
        "Governor",
        "2013-07",
        "",
        "",
    )


def test_a_role_file_naming_an_unknown_participant_is_refused_by_row(admin_client, people_and_sources):
    response = upload(admin_client, "role", b"participant,title,start\nnobody,Minister,2025\n", name="roles.csv")
    assert response.context["problems"] == [
        "Row 2, participant: No participant is \u201cnobody\u201d: check the spelling, "
        "or import that participant first."
    ]
