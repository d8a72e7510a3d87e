"""Files as editors make them: every file the admin cannot import gets one sentence naming the row as the
spreadsheet numbers it, never a traceback, and writes nothing (not even a temporary upload); exports open in a
spreadsheet as text, accents intact; templates are there to start from."""

import csv
import io
import json
import os
import tempfile
import zipfile

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.dbstate import snapshot
from tests.factories import EventFactory, ParticipantFactory, SourceFactory, StatementFactory, TopicFactory
from tests.htmlparse import form_data
from timeline.import_files import ImportRefused, read_rows
from timeline.import_formats import XLSXFile
from timeline.models import Event, ImportUpload, Statement

pytestmark = pytest.mark.django_db

CSV, JSON, XLSX = "0", "1", "2"
HEADER = "slug,title,summary,start_date,participants,sources,topics"


@pytest.fixture
def newsroom():
    ParticipantFactory(slug="mark-carney", name="Mark Carney")
    SourceFactory(slug="cbc-meeting", url="https://www.cbc.ca/news/meeting")
    TopicFactory(slug="trade", name="Trade")


def workbook(*sheets: tuple[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def temporary_files(tmp_path, settings, monkeypatch):
    """Where an upload too large to hold in memory, and anything else made with tempfile, is written here."""
    folder = tmp_path / "temporary"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def refusal(client, content: bytes, model: str = "event", file_format: str = CSV, name: str = "file") -> str:
    """Upload a file that must be refused; return the one message, having checked that nothing was written: no
    row, no history, no upload kept for a confirmation, no temporary file left on disk."""
    from django.conf import settings

    before = snapshot()
    response = client.post(
        reverse(f"admin:timeline_{model}_import"),
        {"resource": "0", "format": file_format, "import_file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    page = response.content.decode()
    assert "Traceback" not in page and "traceback" not in page
    assert snapshot() == before and not ImportUpload.objects.exists()
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []
    form_errors = response.context["form"].errors.get("import_file")
    if form_errors:
        [message] = form_errors
        return message
    [message] = response.context["problems"]
    return message


# Columns


def test_a_misspelled_column_is_refused_by_name_with_the_nearest_valid_one(admin_client, newsroom):
    content = b"slug,title,summary,start_date,participant,topic\nx,X,S.,2025-05-06,mark-carney,trade\n"
    message = refusal(admin_client, content)
    assert message.startswith(
        "Row 1 (the header): \u201cparticipant\u201d is not a column of this import; "
        "did you mean \u201cparticipants\u201d?"
    )
    assert "the columns are slug, title, title_fr, summary, summary_fr, body, body_fr, start_date" in message


def test_a_column_named_in_another_case_or_with_spaces_is_understood(admin_client, newsroom):
    content = b"Slug,Title,Summary,Start date\nx,X,S.,2025-05-06\n"
    response = admin_client.post(
        reverse("admin:timeline_event_import"),
        {"resource": "0", "format": CSV, "import_file": SimpleUploadedFile("e.csv", content)},
    )
    assert response.context["result"].totals["new"] == 1


def test_a_file_without_any_column_to_recognise_rows_by_is_refused(admin_client, newsroom):
    message = refusal(admin_client, b"summary,start_date\nS.,2025-05-06\n")
    assert message == (
        "Row 1 (the header): this import needs the column \u201cslug\u201d or \u201ctitle\u201d and "
        "\u201cstart_date\u201d, to know which event each row is."
    )


def test_a_file_without_a_slug_column_imports_by_title_and_date(admin_client, newsroom):
    response = admin_client.post(
        reverse("admin:timeline_event_import"),
        {
            "resource": "0",
            "format": CSV,
            "import_file": SimpleUploadedFile("e.csv", b"title,summary,start_date\nX,S.,2025\n"),
        },
    )
    assert response.context["result"].totals["new"] == 1


def test_a_column_named_twice_is_refused(admin_client, newsroom):
    message = refusal(admin_client, b"slug,title,Title\nx,X,Y\n")
    assert message == "Row 1 (the header): the column \u201ctitle\u201d appears twice."


# Separators and encodings


def test_a_semicolon_csv_as_excel_writes_it_in_french_is_read(admin_client, newsroom):
    content = "slug;title;summary;start_date;topics\nrencontre;Rencontre à Washington;Ils se sont vus.;mai 2025;trade\n"
    response = admin_client.post(
        reverse("admin:timeline_event_import"),
        {"resource": "0", "format": CSV, "import_file": SimpleUploadedFile("e.csv", content.encode("utf-8-sig"))},
    )
    assert response.context["result"].totals["new"] == 1
    admin_client.post(reverse("admin:timeline_event_process_import"), response.context["confirm_form"].initial)
    event = Event.objects.get(slug="rencontre")
    assert (event.title, event.start_date.isoformat(), event.date_precision) == (
        "Rencontre à Washington",
        "2025-05-01",
        "month",
    )


def test_a_file_separated_by_pipes_is_refused(admin_client, newsroom):
    message = refusal(admin_client, b"slug|title|summary\nx|X|S.\n")
    assert message == (
        "Row 1 (the header) separates its columns with \u201c|\u201d: save the file as CSV UTF-8, with commas (or "
        "semicolons) between columns. Nothing was imported."
    )


def test_a_file_in_another_encoding_is_refused_at_the_row_of_its_first_other_character(admin_client, newsroom):
    message = refusal(admin_client, "slug,title\nx,Toronto\ny,Montréal\n".encode("latin-1"))
    assert message == (
        "Row 3 is not UTF-8 text (\u201cy,Montr\ufffdal\u201d), so the file cannot be read safely: save it again as "
        "\u201cCSV UTF-8\u201d (or as an Excel workbook) and import that file. Nothing was imported."
    )
    assert refusal(admin_client, "slug,títle\nx,X\n".encode("latin-1")).startswith(
        "Row 1 is not UTF-8 text (\u201cslug,t\ufffdtle\u201d)"
    )
    assert refusal(admin_client, '[{"slug": "Montréal"}]'.encode("latin-1"), file_format=JSON).startswith(
        "This file is not UTF-8 text, so it cannot be read safely"
    )


def test_an_empty_file_and_a_header_alone_are_refused(admin_client, newsroom):
    assert refusal(admin_client, b"") == "The submitted file is empty."  # Django's own, for zero bytes
    assert refusal(admin_client, b"\n\n") == (
        "The file is empty: it needs a header row and at least one row of data. Nothing was imported."
    )
    assert refusal(admin_client, b"slug,title\n") == (
        "The file has a header row but no rows to import under it. Nothing was imported."
    )


def test_a_row_with_too_many_columns_is_named(admin_client, newsroom):
    message = refusal(admin_client, b"slug,title\nx,X\n\ny,Y,extra\n")
    assert message.startswith("Row 4 has 3 columns but the header has 2")  # blank row 3 counted, as Excel does


# Workbooks


def test_data_on_a_second_sheet_behind_an_empty_first_one_is_refused_by_name(admin_client, newsroom):
    content = workbook(("Sheet1", []), ("Events", [["slug", "title"], ["x", "X"]]))
    message = refusal(admin_client, content, file_format=XLSX, name="e.xlsx")
    assert message == (
        "The data is on the sheet \u201cEvents\u201d, but the first sheet (\u201cSheet1\u201d) is empty: delete the "
        "empty sheet, or move the data to the first sheet. Nothing was imported."
    )


def test_data_on_two_sheets_is_refused(admin_client, newsroom):
    content = workbook(("Events", [["slug", "title"], ["x", "X"]]), ("Notes", [["to check"]]))
    message = refusal(admin_client, content, file_format=XLSX, name="e.xlsx")
    assert message.startswith("The workbook has data on more than one sheet (\u201cEvents\u201d, \u201cNotes\u201d)")


def test_a_live_formula_in_a_workbook_is_refused_by_row_and_column(admin_client, newsroom):
    content = workbook(("Events", [["slug", "title", "summary"], ["x", "X", "S."], ["y", '=HYPERLINK("x","y")', "S."]]))
    message = refusal(admin_client, content, file_format=XLSX, name="e.xlsx")
    assert message.startswith(
        'Row 3, column \u201ctitle\u201d holds a formula (=HYPERLINK("x","y")) rather than a value'
    )


def test_a_workbook_dates_numbers_and_blank_cells_are_read(admin_client, newsroom):
    import datetime

    content = workbook(
        (
            "Events",
            [
                ["slug", "title", "summary", "start_date", "importance"],
                ["x", "X", "S.", datetime.datetime(2025, 5, 6), 3],
                [None, None, None, None, None],
                ["y", "Y", "S.", 2025, 1],
            ],
        )
    )
    response = admin_client.post(
        reverse("admin:timeline_event_import"),
        {"resource": "0", "format": XLSX, "import_file": SimpleUploadedFile("e.xlsx", content)},
    )
    assert [(row.number, row.import_type) for row in response.context["result"].rows] == [(2, "new"), (4, "new")]
    admin_client.post(reverse("admin:timeline_event_process_import"), response.context["confirm_form"].initial)
    assert dict(Event.objects.values_list("slug", "date_precision")) == {"x": "day", "y": "year"}


def test_a_file_that_is_not_a_workbook_is_refused(admin_client, newsroom):
    message = refusal(admin_client, b"not a zip at all", file_format=XLSX, name="e.xlsx")
    assert message.startswith("This file is not an Excel workbook (.xlsx) that can be read")


# JSON


def test_json_that_is_not_a_list_of_records_is_refused(admin_client, newsroom):
    assert refusal(admin_client, b'{"slug": "x"}', file_format=JSON).startswith("A JSON import is a list of records")
    assert refusal(admin_client, b"[{", file_format=JSON).startswith("This file is not valid JSON (line 1")


# Values


def test_an_impossible_date_is_named_as_such(admin_client, newsroom):
    assert refusal(admin_client, b"slug,title,summary,start_date\nx,X,S.,2025-02-30\n") == (
        "Row 2, start_date: 30 February 2025 does not exist."
    )
    assert refusal(admin_client, b"slug,title,summary,start_date\nx,X,S.,05/06/2025\n").startswith(
        "Row 2, start_date: \u201c05/06/2025\u201d is not a date: write 2025-05-06, 2025-05 or 2025"
    )


@pytest.mark.parametrize("file_format", [CSV, JSON, XLSX])
def test_an_over_long_text_is_refused_in_every_format(admin_client, newsroom, file_format):
    """A 3 MB summary went into the home page; every text field has a limit, and every format keeps it."""
    summary = "a" * 1001
    records = [{"slug": "x", "title": "X", "summary": summary, "start_date": "2025-05-06"}]
    if file_format == CSV:
        content = (f"slug,title,summary,start_date\nx,X,{summary},2025-05-06\n").encode()
    elif file_format == JSON:
        content = json.dumps(records).encode()
    else:
        content = workbook(("Events", [list(records[0]), list(records[0].values())]))
    assert refusal(admin_client, content, file_format=file_format) == (
        "Row 2, summary: Ensure this value has at most 1000 characters (it has 1001)."
        if file_format != JSON
        else "Record 1, summary: Ensure this value has at most 1000 characters (it has 1001)."
    )


def test_a_cell_of_megabytes_in_a_csv_is_refused_for_its_length_not_its_quotes(admin_client, newsroom, settings):
    content = (f"slug,title,summary\nx,X,{'a' * 3_000_000}\n").encode()
    assert len(content) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE  # so Django writes it to disk while it reads it
    message = refusal(admin_client, content)
    assert message == (
        "Row 2 has a cell longer than 131,072 characters, far more than any column takes. Nothing was imported."
    )


def with_long_cell(content: bytes, placeholder: str, text: str) -> bytes:
    """The workbook with `placeholder` written as `text` however long: openpyxl cuts what it writes at Excel's
    32,767 characters a cell, but a file from elsewhere may hold more, and must be read as it is."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in source.infolist():
            copy.writestr(item, source.read(item).replace(placeholder.encode(), text.encode()))
    return out.getvalue()


@pytest.mark.parametrize("file_format", [JSON, XLSX])
def test_a_cell_of_megabytes_in_json_or_a_workbook_is_refused_for_its_length(admin_client, newsroom, file_format):
    """The trial's 3 MB summary was accepted from JSON and XLSX, and the home page then weighed 3.1 MB."""
    record = {"slug": "x", "title": "X", "summary": "a" * 3_000_000, "start_date": "2025-05-06"}
    if file_format == JSON:
        content, label, name = json.dumps([record]).encode(), "Record 1", "e.json"
    else:
        content = workbook(("Events", [list(record), [*list(record.values())[:2], "LONG", record["start_date"]]]))
        content, label, name = with_long_cell(content, "LONG", record["summary"]), "Row 2", "e.xlsx"
    assert refusal(admin_client, content, file_format=file_format, name=name) == (
        f"{label}, summary: Ensure this value has at most 1000 characters (it has 3000000)."
    )


def test_the_admin_states_every_text_limit(admin_client):
    page = admin_client.get(reverse("admin:timeline_event_add")).content.decode()
    assert "Two or three sentences in our own words. At most 1,000 characters." in page
    assert 'maxlength="1000"' in page and 'maxlength="10000"' in page
    page = admin_client.get(reverse("admin:timeline_statement_add")).content.decode()
    assert "At most 2,000 characters." in page


def test_formula_like_text_is_flagged_in_the_preview_and_kept_as_text(admin_client, newsroom):
    content = b'slug,title,summary,start_date\nx,"=HYPERLINK(""http://x"",""y"")",S.,2025-05-06\n'
    response = admin_client.post(
        reverse("admin:timeline_event_import"),
        {"resource": "0", "format": CSV, "import_file": SimpleUploadedFile("e.csv", content)},
    )
    assert response.context["result"].warnings == [
        'Row 2, title begins like a spreadsheet formula (=HYPERLINK("http://x\u2026): it is kept as text, and exports '
        "write it as text."
    ]
    admin_client.post(reverse("admin:timeline_event_process_import"), response.context["confirm_form"].initial)
    assert Event.objects.get().title == '=HYPERLINK("http://x","y")'


# Too large for a request


def test_a_file_with_more_rows_than_the_admin_takes_names_the_command(admin_client, newsroom, settings, monkeypatch):
    from timeline import importing

    monkeypatch.setattr(importing, "ADMIN_MAX_ROWS", 3)
    content = b"slug,name\n" + b"".join(f"t{i},Topic {i}\n".encode() for i in range(4))
    message = refusal(admin_client, content, model="topic", name="topics.csv")
    assert message == (
        "This file is larger than the admin can import while you wait (3 rows or 5 MB at most). Import it with the "
        "command, which shows its progress and also writes all or nothing: python manage.py import_file topic "
        "\u201ctopics.csv\u201d --user admin"
    )


# Exports


def export(client, model: str, file_format: str) -> bytes:
    url = reverse(f"admin:timeline_{model}_export")
    data = form_data(client.get(url), index=1)
    data.update({"format": [file_format], "resource": ["0"]})
    response = client.post(url, data)
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_csv_exports_start_with_a_byte_order_mark_and_keep_accents(admin_client):
    ParticipantFactory(slug="melanie-joly", name="Mélanie Joly")
    body = export(admin_client, "participant", CSV)
    assert body.startswith(b"\xef\xbb\xbf")
    assert "Mélanie Joly" in body.decode("utf-8-sig")


def test_formula_like_text_is_exported_as_text_and_imports_back_unchanged(admin_client):
    event = EventFactory(slug="x", title='=HYPERLINK("http://evil.example","click")', summary="+1 613 555 0100")
    csv_text = export(admin_client, "event", CSV).decode("utf-8-sig")
    assert "'=HYPERLINK(" in csv_text and "'+1 613 555 0100" in csv_text
    book = openpyxl.load_workbook(io.BytesIO(export(admin_client, "event", XLSX)))
    cells = {cell.value: cell.data_type for row in book.active.iter_rows() for cell in row}
    assert cells['=HYPERLINK("http://evil.example","click")'] == "s"  # text, never a live formula
    records = json.loads(export(admin_client, "event", JSON))
    assert records[0]["title"] == event.title  # JSON is data, not a spreadsheet: left exactly as it is

    response = admin_client.post(
        reverse("admin:timeline_event_import"),
        {"resource": "0", "format": CSV, "import_file": SimpleUploadedFile("e.csv", csv_text.encode("utf-8-sig"))},
    )
    assert [row.import_type for row in response.context["result"].rows] == ["skip"]


def test_a_whole_export_imports_back_as_unchanged(admin_client):
    source = SourceFactory()
    event = EventFactory(sources=[source], topics=[TopicFactory()])
    StatementFactory(event=event, sources=[source])
    for model in ["topic", "participant", "source", "event", "statement"]:
        for file_format, name in [(CSV, "x.csv"), (XLSX, "x.xlsx")]:
            response = admin_client.post(
                reverse(f"admin:timeline_{model}_import"),
                {
                    "resource": "0",
                    "format": file_format,
                    "import_file": SimpleUploadedFile(name, export(admin_client, model, file_format)),
                },
            )
            assert {row.import_type for row in response.context["result"].rows} == {"skip"}, (model, name)


def reimport(client, model: str, content: bytes, file_format: str, name: str):
    """Upload an export as it came, and confirm what the preview proposes; the preview is returned."""
    preview = client.post(
        reverse(f"admin:timeline_{model}_import"),
        {"resource": "0", "format": file_format, "import_file": SimpleUploadedFile(name, content)},
    )
    client.post(reverse(f"admin:timeline_{model}_process_import"), preview.context["confirm_form"].initial)
    return preview


def test_a_line_break_typed_in_the_change_form_survives_an_xlsx_round_trip(client, publisher):
    """A browser sends a line break as CR LF, stored as it came; XML reads a raw CR back as LF, so the XLSX
    export once made an unchanged file an update, a history entry and a new ETag on the event's page."""
    client.force_login(publisher)
    event = EventFactory(slug="x", summary="Leaders met.", sources=[SourceFactory()])
    url = reverse("admin:timeline_event_change", args=[event.pk])
    data = form_data(client.get(url), "event_form")
    data["summary_en"] = ["Leaders met.\r\nThey talked about trade."]
    client.post(url, data)
    event.refresh_from_db()
    assert event.summary == "Leaders met.\r\nThey talked about trade."
    reader = Client()
    history, etag = event.history.count(), reader.get(event.get_absolute_url())["ETag"]

    preview = reimport(client, "event", export(client, "event", XLSX), XLSX, "events.xlsx")
    assert [row.import_type for row in preview.context["result"].rows] == ["skip"]
    event.refresh_from_db()
    assert event.summary == "Leaders met.\r\nThey talked about trade."
    assert event.history.count() == history
    assert reader.get(event.get_absolute_url())["ETag"] == etag


@pytest.mark.parametrize(
    "summary",
    [
        "'-5% tariffs, as the headline put it",
        "''=1+1, quoted twice",
        "'\uff1dSUM(A1)",
        "'Twas a long night in the House.",
    ],
)
def test_a_summary_that_starts_with_an_apostrophe_survives_a_csv_round_trip(admin_client, summary):
    """Reading a CSV removed an apostrophe the export had not added, where a formula character followed it."""
    EventFactory(slug="x", summary=summary, sources=[SourceFactory()])
    preview = reimport(admin_client, "event", export(admin_client, "event", CSV), CSV, "events.csv")
    assert [row.import_type for row in preview.context["result"].rows] == ["skip"]
    assert Event.objects.get().summary == summary


def csv_summary(content: bytes) -> str:
    [row] = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    return row["summary"]


@pytest.mark.parametrize("start", ["\uff1d", "\uff0b", "\uff0d", "\uff20", "\n"])
def test_the_admin_csv_export_defuses_a_formula_as_the_public_csv_does(admin_client, client, start):
    """Some spreadsheets run a cell that starts with a full-width = + - @ or a line break: the public CSV
    defused them while the admin's CSV, the one editors open and send around, wrote them as they were."""
    summary = start + 'HYPERLINK("http://evil.example","click")'
    EventFactory(slug="x", summary=summary, sources=[SourceFactory()])
    content = export(admin_client, "event", CSV)
    assert csv_summary(content) == "'" + summary == csv_summary(client.get(reverse("export_events_csv")).content)
    preview = reimport(admin_client, "event", content, CSV, "events.csv")
    assert [row.import_type for row in preview.context["result"].rows] == ["skip"]
    assert Event.objects.get().summary == summary


# Templates


@pytest.mark.parametrize("model", ["topic", "participant", "source", "role", "event", "statement"])
def test_each_import_page_offers_csv_and_xlsx_templates_with_a_header_and_an_example_row(admin_client, model):
    page = admin_client.get(reverse(f"admin:timeline_{model}_import")).content.decode()
    csv_url = reverse(f"admin:timeline_{model}_import_template", args=["csv"])
    xlsx_url = reverse(f"admin:timeline_{model}_import_template", args=["xlsx"])
    assert csv_url in page and xlsx_url in page
    csv_file = admin_client.get(csv_url)
    assert csv_file["Content-Disposition"] == f'attachment; filename="{model}-import-template.csv"'
    from_csv = tablib.Dataset().load(csv_file.content.decode("utf-8-sig"), format="csv")
    from_xlsx = tablib.Dataset().load(io.BytesIO(admin_client.get(xlsx_url).content), format="xlsx")
    assert len(from_csv) == len(from_xlsx) == 1
    assert from_csv.headers == from_xlsx.headers
    assert any(from_csv[0])  # the example row is filled in
    assert "slug" in from_csv.headers or "participant" in from_csv.headers


def test_the_statement_template_imports_once_what_it_names_exists(admin_client):
    """The example row is real: with its speaker, event and source present, it imports as it stands."""
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney")
    source = SourceFactory(
        url="https://old.ipolitics.ca/2025/03/09/carney-wins-liberal-leadership-will-become-canadas-24th-prime-minister/"
    )
    EventFactory(slug="carney-wins-liberal-leadership-2025-03-09", sources=[source])
    template = admin_client.get(reverse("admin:timeline_statement_import_template", args=["xlsx"])).content
    response = admin_client.post(
        reverse("admin:timeline_statement_import"),
        {"resource": "0", "format": XLSX, "import_file": SimpleUploadedFile("s.xlsx", template)},
    )
    assert response.context["result"].totals["new"] == 1
    admin_client.post(reverse("admin:timeline_statement_process_import"), response.context["confirm_form"].initial)
    assert Statement.objects.get().speaker == carney


def test_xlsx_export_of_a_dataset_keeps_a_bold_frozen_header():
    dataset = tablib.Dataset(["x"], headers=["slug"])
    book = openpyxl.load_workbook(io.BytesIO(XLSXFile().export_data(dataset)))
    assert book.active.freeze_panes == "A2" and book.active["A1"].font.bold


# JSON read a record at a time


def json_rows(content: bytes) -> tuple[list, list]:
    header, rows, _noun = read_rows(io.BytesIO(content), "json")
    return header, list(rows)


def test_a_json_file_larger_than_a_block_reads_as_json_load_reads_it():
    """Blocks end anywhere: inside a number, a string, an escape, a multi-byte character or between records."""
    records = [
        {"slug": f"e-{n}", "title": f'Événement « {n} » \\"\u2019', "importance": n * 1234567, "ok": n % 2 == 0}
        | ({"extra": None} if n % 7 == 0 else {})
        for n in range(6000)
    ]
    content = (
        "\ufeff[\n " + ",\r\n  ".join(json.dumps(r, ensure_ascii=n % 3 == 0) for n, r in enumerate(records)) + "\n]\n"
    )
    content = content.encode()
    assert len(content) > 4 * (1 << 16)
    header, rows = json_rows(content)
    assert header == ["slug", "title", "importance", "ok", "extra"]
    assert rows == [
        (n, [r["slug"], r["title"], r["importance"], r["ok"], r.get("extra")]) for n, r in enumerate(records, 1)
    ]
    assert json_rows(b' [ {"a": 1} ] ') == (["a"], [(1, [1])])


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"[{",
        b'[{"a": 1}, {"a": 2}\n\n  {"a": 3}]',
        b'[{"a": 1},]',
        b'[{"a": 1}] [',
        b'[{"a": 1}, {"a": tru}]',
        b"[" + b'{"a": 1},\n' * 20000 + b'{"a": "unterminated}]',
    ],
)
def test_bad_json_is_refused_at_the_line_and_column_json_itself_names(content):
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(content.decode())
    with pytest.raises(ImportRefused) as refused:
        json_rows(content)
    error = expected.value
    assert str(refused.value).startswith(f"This file is not valid JSON (line {error.lineno}, column {error.colno}: ")


def test_a_large_json_file_is_read_in_bounded_memory():
    import tracemalloc

    record = json.dumps({"slug": "x", "title": "A title", "summary": "A summary of some length. " * 8})
    content = ("[" + ",\n".join([record] * 20000) + "]").encode()
    tracemalloc.start()
    try:
        _header, rows, _noun = read_rows(io.BytesIO(content), "json")
        assert sum(1 for _ in rows) == 20000
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < len(content) / 4, f"{peak:,} bytes at most for a file of {len(content):,}"


def test_a_json_record_longer_than_any_row_takes_is_refused_by_its_length(monkeypatch):
    from timeline import import_files

    monkeypatch.setattr(import_files, "JSON_RECORD_LIMIT", 100_000)
    content = b'[{"a": 1}, {"a": "' + b"x" * 300_000 + b'"}]'
    with pytest.raises(ImportRefused, match="Record 2 is longer than 100,000 characters"):
        json_rows(content)
