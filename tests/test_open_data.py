"""The whole dataset as files (manage.py export_open_data, served at /export/full/), and the README's open-data
examples against the demo dataset. (That no open-data surface shows a draft is tests/test_drafts_never_leak.py's
business, with every other public surface.)"""

import csv
import datetime
import gzip
import io
import json
import re

import icalendar
import pytest
from django.conf import settings
from django.core.management import call_command

from tests.factories import DraftEventFactory, EventFactory, StatementFactory
from timeline import open_data

D = datetime.date


@pytest.mark.django_db
def test_every_example_url_in_the_readme_works_on_the_demo_data(client):
    """The README's open-data examples are written against the demo dataset: each must answer 200 with data."""
    call_command("loaddata", "demo", verbosity=0)
    call_command("export_open_data", verbosity=0)
    readme = (settings.BASE_DIR / "README.md").read_text()
    section = readme.split("## Open data", 1)[1].split("\n## ", 1)[0]
    urls = re.findall(r"`(/[^`\s<]*)`", section)

    assert len(urls) >= 15
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if url.endswith(".png"):
            assert response["Content-Type"] == "image/png" and response.content.startswith(b"\x89PNG"), url
            continue
        body = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
        if url.startswith(("/api/events?", "/api/statements", "/api/participants", "/api/sources", "/api/topics")):
            assert url.endswith("mark-carney") or response.json()["count"] > 0, url
        elif url.startswith("/feeds/") and "corrections" not in url:
            assert "<entry>" in body, url
        elif ".csv" in url:
            assert len(body.splitlines()) > 1, url
        elif ".ics" in url:
            assert "BEGIN:VEVENT" in body, url
        elif "timeline.json" in url:
            assert json.loads(body)["events"], url
        elif url.startswith("/embed/build/"):
            assert "<iframe" in body and "data-timeline-embed" in body, url
        elif url == "/export/full/":
            assert len(response.json()["files"]) == 4, url
        elif url.startswith("/embed/"):
            assert 'class="embed-event"' in body and "No events match" not in body, url


# The whole dataset


@pytest.fixture
def dataset(settings):
    settings.TIMELINE_DOWNLOAD_LIMIT = 2  # the files hold everything, far past what a download may
    for day in range(1, 6):
        StatementFactory(event=EventFactory(slug=f"day-{day}", start_date=D(2025, 5, day)), slug=f"said-{day}")
    StatementFactory(event=DraftEventFactory(slug="secret-draft"), slug="secret-words")


def export(**options) -> str:
    out = io.StringIO()
    call_command("export_open_data", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_the_export_writes_every_published_row_in_each_format_and_serves_it(client, dataset):
    report = export(base_url="https://timeline.example.org")
    assert "en/timeline-events.csv: 5 rows" in report and "en/timeline-statements.csv: 5 rows" in report
    assert "fr/timeline-events.csv: 5 rows" in report
    events = client.get("/export/full/timeline-events.csv")
    assert events.status_code == 200
    assert events["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert events["Content-Disposition"] == 'attachment; filename="timeline-events.csv"'
    rows = list(csv.DictReader(io.StringIO(b"".join(events.streaming_content).decode())))
    assert [row["slug"] for row in rows] == [f"day-{day}" for day in range(1, 6)]
    assert rows[0]["url"] == "https://timeline.example.org/events/day-1/"
    statements = b"".join(client.get("/export/full/timeline-statements.csv").streaming_content).decode()
    assert [row["slug"] for row in csv.DictReader(io.StringIO(statements))] == [f"said-{d}" for d in range(1, 6)]
    calendar = b"".join(client.get("/export/full/timeline-events.ics").streaming_content)
    assert len(icalendar.Calendar.from_ical(calendar).walk("VEVENT")) == 5
    timeline = json.loads(b"".join(client.get("/export/full/timeline.json").streaming_content))
    assert [event["unique_id"] for event in timeline["events"]] == [f"day-{day}" for day in range(1, 6)]
    for name in open_data.BY_NAME:
        body = b"".join(client.get(f"/export/full/{name}").streaming_content).decode()
        assert "secret" not in body, name


@pytest.mark.django_db
def test_a_client_that_takes_gzip_gets_the_same_file_gzipped_and_every_file_revalidates(client, dataset):
    export()
    for name in open_data.BY_NAME:
        plain = client.get(f"/export/full/{name}")
        packed = client.get(f"/export/full/{name}", headers={"Accept-Encoding": "br, gzip;q=0.8"})
        assert packed["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
        assert gzip.decompress(b"".join(packed.streaming_content)) == b"".join(plain.streaming_content)
        assert "Accept-Encoding" in plain["Vary"] and "Accept-Encoding" in packed["Vary"]
        assert plain["ETag"] != packed["ETag"]
        refused = client.get(f"/export/full/{name}", headers={"Accept-Encoding": "gzip;q=0"})
        assert "Content-Encoding" not in refused
        assert client.get(f"/export/full/{name}", headers={"If-None-Match": plain["ETag"]}).status_code == 304
        revalidated = client.get(
            f"/export/full/{name}", headers={"If-None-Match": packed["ETag"], "Accept-Encoding": "gzip"}
        )
        assert revalidated.status_code == 304


@pytest.mark.django_db
def test_an_export_writes_again_only_when_readers_could_see_a_change(client, dataset):
    export()
    first = client.get("/export/full/").json()
    assert export() == "Nothing readers can see has changed since the last export: nothing written.\n"
    DraftEventFactory(slug="another-draft")  # readers see no change
    assert "nothing written" in export()
    EventFactory(slug="day-9", start_date=D(2025, 5, 9))
    assert "en/timeline-events.csv: 6 rows" in export()
    second = client.get("/export/full/").json()
    assert second["generated_at"] >= first["generated_at"]
    assert [f["rows"] for f in second["files"] if f["name"] == "timeline-events.csv"] == [6]
    assert "en/timeline-events.csv: 6 rows" in export(force=True)
    # One export's folder at a time: the older ones are gone.
    assert len(list(open_data.directory().glob("export-*"))) == 1


@pytest.mark.django_db
def test_the_index_lists_each_file_with_its_address_size_and_rows(client, dataset):
    export()
    index = client.get("/export/full/")
    assert index.status_code == 200
    files = {file["name"]: file for file in index.json()["files"]}
    assert set(files) == set(open_data.BY_NAME)
    assert files["timeline-events.csv"]["url"] == "http://testserver/export/full/timeline-events.csv"
    assert files["timeline-events.csv"]["rows"] == 5 and files["timeline-events.csv"]["bytes"] > 0


@pytest.mark.django_db
def test_before_any_export_the_files_are_not_found_saying_why(client, dataset):
    for url in ["/export/full/", "/export/full/timeline-events.csv"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "has not been exported yet" in response.content.decode(), url
    export()
    for url in ["/export/full/manifest.json", "/export/full/..%2Fmanifest.json", "/export/full/timeline-events.csv.gz"]:
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_the_french_pages_link_the_french_files(client, dataset):
    """Each language's files hold its words and its pages' links, as its downloads do."""
    export(base_url="https://timeline.example.org")
    french = b"".join(client.get("/fr/export/full/timeline-events.csv").streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(french)))
    assert rows[0]["url"] == "https://timeline.example.org/fr/events/day-1/"
    calendar = b"".join(client.get("/fr/export/full/timeline-events.ics").streaming_content).decode()
    english = b"".join(client.get("/export/full/timeline-events.ics").streaming_content).decode()
    assert "X-WR-CALNAME:Chronologie" in calendar and "X-WR-CALNAME:Timeline: Canada" in english
    index = client.get("/fr/export/full/").json()
    assert {file["url"] for file in index["files"]} == {
        f"http://testserver/fr/export/full/{name}" for name in open_data.BY_NAME
    }
