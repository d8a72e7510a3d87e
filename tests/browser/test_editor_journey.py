"""The newsroom's journey in a real browser: an editor prepares a spreadsheet from the import page's template,
previews it, confirms it, imports it again (nothing changes), then proposes a change to a published event; a
publisher reads the change and approves it; a reader sees it only then."""

import csv

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_editor import log_in, log_out
from tests.factories import ParticipantFactory, SourceFactory, TopicFactory
from timeline.models import Event, Revision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def import_file(page: Page, base: str, path) -> None:
    page.goto(f"{base}/admin/timeline/event/import/")
    page.set_input_files("#id_import_file", str(path))
    page.select_option("#id_format", label="csv")
    page.click('input[type="submit"]')


def test_prepare_preview_confirm_reimport_propose_approve(
    page: Page, live_server, editor, publisher, browser, tmp_path
):
    ParticipantFactory(name="Mark Carney", slug="mark-carney")
    ParticipantFactory(name="Donald Trump", slug="donald-trump")
    SourceFactory(slug="cbc-meeting", url="https://www.cbc.ca/news/meeting", title="Leaders meet")
    TopicFactory(slug="trade", name="Trade")
    base = live_server.url
    page.set_default_timeout(20_000)
    log_in(page, base, "editor")

    # Prepare: the template gives the columns; the editor fills in two rows.
    page.goto(f"{base}/admin/timeline/event/import/")
    with page.expect_download() as download:
        page.click("text=CSV template")
    template = tmp_path / "template.csv"
    download.value.save_as(template)
    with template.open(encoding="utf-8-sig", newline="") as file:
        header = next(csv.reader(file))
    assert header[:6] == ["slug", "title", "title_fr", "summary", "summary_fr", "body"]
    events = tmp_path / "events.csv"
    with events.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=header)
        writer.writeheader()
        writer.writerow(
            {
                "title": "Carney meets Trump",
                "title_fr": "Carney rencontre Trump",
                "summary": "The two leaders met at the White House.",
                "start_date": "6 May 2025",
                "event_type": "meeting",
                "participants": "mark-carney:guest, donald-trump:host",
                "sources": "http://cbc.ca/news/meeting/",
                "topics": "trade",
            }
        )
        writer.writerow(
            {
                "title": "Tariff talks continue",
                "summary": "Officials kept talking.",
                "start_date": "2025-06",
                "event_type": "negotiation",
                "sources": "cbc-meeting",
            }
        )

    # Preview, then confirm.
    import_file(page, base, events)
    expect(page.locator("body")).to_contain_text("This file will give: 2 new, 0 updated, 0 unchanged.")
    assert not Event.objects.exists()
    page.click('input[name="confirm"]')
    expect(page.locator(".messagelist")).to_contain_text("Imported events: 2 new, 0 updated, 0 unchanged.")
    assert Event.objects.get(slug="tariff-talks-continue").date_precision == "month"
    assert Event.objects.get(slug="carney-meets-trump").title_fr == "Carney rencontre Trump"
    history = {event.slug: event.history.count() for event in Event.objects.all()}

    # The same file again: nothing changes.
    import_file(page, base, events)
    expect(page.locator("body")).to_contain_text("This file will give: 0 new, 0 updated, 2 unchanged.")
    expect(page.locator("td.import-type").first).to_contain_text("Unchanged")
    page.click('input[name="confirm"]')
    expect(page.locator(".messagelist")).to_contain_text("Imported events: 0 new, 0 updated, 2 unchanged.")
    assert {event.slug: event.history.count() for event in Event.objects.all()} == history
    log_out(page)

    # A publisher publishes them.
    log_in(page, base, "publisher")
    page.goto(f"{base}/admin/timeline/event/")
    page.check("#action-toggle")
    page.select_option('select[name="action"]', "publish_selected")
    page.click('button[name="index"]')
    expect(page.locator(".messagelist")).to_contain_text("Published 2 events.")
    log_out(page)

    # The editor proposes a change to a published event: readers keep the published version.
    event = Event.objects.get(slug="carney-meets-trump")
    log_in(page, base, "editor")
    page.goto(f"{base}/admin/timeline/event/{event.pk}/change/")
    page.fill("#id_title_en", "Carney and Trump meet at the White House")
    page.click('input[name="_save"]')
    expect(page.locator(".messagelist")).to_contain_text("waits for a publisher’s review")
    expect(page.locator(".pending-revisions")).to_contain_text("Change to the event “Carney meets Trump”")
    reader = browser.new_page()
    reader.goto(f"{base}/events/carney-meets-trump/")
    expect(reader.locator("h1")).to_have_text("Carney meets Trump")
    log_out(page)

    # The publisher reads what changed and approves it.
    log_in(page, base, "publisher")
    page.goto(f"{base}/admin/timeline/revision/")
    page.click("text=Change to the event “Carney meets Trump”")
    expect(page.locator("table.revision-diff ins")).to_contain_text(["and", " meet at the White House"])
    page.click('input[name="_approve"]')
    expect(page.locator(".messagelist")).to_contain_text("Approved: readers now see the change")
    assert Revision.objects.get().state == "approved"

    # Only now does a reader see it (in a new window: the first may keep its copy for the minute its cache allows).
    reader.close()
    reader = browser.new_page()
    reader.goto(f"{base}/events/carney-meets-trump/")
    expect(reader.locator("h1")).to_have_text("Carney and Trump meet at the White House")
    reader.close()
