"""The editor's path in a real browser: an editor writes an event as a draft, a publisher publishes it, and a
reader then finds it at its address."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import ParticipantFactory
from timeline.models import Event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-123"  # the editor and publisher fixtures' password


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(f"{base}/admin/")


def log_out(page: Page) -> None:
    page.click("#logout-form button")
    expect(page.locator("#content h1")).to_have_text("Logged out")


def choose(page: Page, select_id: str, search: str, option: str) -> None:
    """Pick `option` in an autocomplete (select2) widget by typing `search`, as an editor does."""
    page.click(f"#{select_id} + .select2 .select2-selection")
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results__option", has_text=option).click()


def test_editor_drafts_an_event_and_a_publisher_publishes_it(page: Page, live_server, editor, publisher, browser):
    ParticipantFactory(name="Mark Carney", slug="mark-carney")
    ParticipantFactory(name="Donald Trump", slug="donald-trump")
    base = live_server.url
    page.set_default_timeout(20_000)

    # The editor writes the event.
    log_in(page, base, "editor")
    page.goto(f"{base}/admin/timeline/event/add/")
    page.locator("#id_title_en").press_sequentially("Carney and Trump meet at the White House")
    expect(page.locator("#id_slug")).to_have_value("carney-and-trump-meet-at-the-white-house")
    page.fill("#id_summary_en", "The two leaders met to talk about tariffs.")
    page.fill("#id_start_date", "2025-05-06")
    page.select_option("#id_event_type", "meeting")
    assert page.locator('input[name="_publish"]').count() == 0  # editors have no publish control

    page.get_by_role("button", name="Add another Participant").click()
    choose(page, "id_involvements-0-participant", "Carney", "Mark Carney")
    page.select_option("#id_involvements-0-part", "guest")
    page.get_by_role("button", name="Add another Participant").click()
    choose(page, "id_involvements-1-participant", "Trump", "Donald Trump")
    page.select_option("#id_involvements-1-part", "host")

    page.get_by_role("button", name="Add another Statement").click()
    choose(page, "id_statements-0-speaker", "Carney", "Mark Carney")
    page.fill("#id_statements-0-text", "A quote entered in the browser test.")
    # A new source, added from the statement through the "+" beside its sources.
    with page.expect_popup() as popup_info:
        page.click("#add_id_statements-0-sources")
    popup = popup_info.value
    popup.locator("#id_title").press_sequentially("Leaders meet in Washington")
    expect(popup.locator("#id_slug")).to_have_value("leaders-meet-in-washington")
    popup.fill("#id_url", "https://news.example.org/leaders-meet")
    popup.fill("#id_publisher", "Example News")
    popup.click('input[name="_save"]')
    popup.wait_for_event("close")
    expect(page.locator("#id_statements-0-sources option:checked")).to_have_text(
        "Leaders meet in Washington (Example News)"
    )
    # The same source backs the event itself.
    page.click("#id_sources + .select2 .select2-selection")
    page.locator("#id_sources + .select2 .select2-search__field").fill("Leaders")
    page.locator(".select2-results__option", has_text="Leaders meet in Washington").click()

    page.click('input[name="_save"]')
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    event = Event.objects.get(slug="carney-and-trump-meet-at-the-white-house")
    assert event.status == Event.Status.DRAFT
    assert [(i.participant.slug, i.part) for i in event.involvements.all()] == [
        ("mark-carney", "guest"),
        ("donald-trump", "host"),
    ]
    statement = event.statements.get()
    assert [s.url for s in statement.sources.all()] == ["https://news.example.org/leaders-meet"]
    assert list(event.sources.all()) == list(statement.sources.all())

    reader = browser.new_page()
    assert reader.goto(f"{base}{event.get_absolute_url()}").status == 404  # a draft is not public
    log_out(page)

    # The publisher publishes it.
    log_in(page, base, "publisher")
    page.goto(f"{base}/admin/timeline/event/{event.pk}/change/")
    page.click('input[name="_publish"]')
    expect(page.locator(".messagelist")).to_contain_text("is published")
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED

    # An anonymous reader now sees it.
    response = reader.goto(f"{base}{event.get_absolute_url()}")
    assert response.status == 200
    expect(reader.locator("h1")).to_have_text("Carney and Trump meet at the White House")
    expect(reader.locator("body")).to_contain_text("A quote entered in the browser test.")
    assert re.search(r"/events/carney-and-trump-meet-at-the-white-house/$", reader.url)
    reader.close()


def test_import_previews_then_writes_and_export_pages_keep_the_csp(page: Page, live_server, editor, tmp_path):
    """An import in the browser: the dry run first, then the confirmed write; both pages work under the CSP."""
    ParticipantFactory(name="Mark Carney", slug="mark-carney")
    base = live_server.url
    page.set_default_timeout(20_000)
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    log_in(page, base, "editor")

    csv_file = tmp_path / "events.csv"
    csv_file.write_text(
        "slug,title,summary,start_date,event_type,participants,status\n"
        "imported-meeting,An imported meeting,Imported in a browser.,2025-05-06,meeting,mark-carney:guest,published\n",
        encoding="utf-8",
    )
    page.goto(f"{base}/admin/timeline/event/import/")
    page.set_input_files("#id_import_file", str(csv_file))
    page.select_option("#id_format", label="csv")
    page.click('input[type="submit"]')
    expect(page.locator("body")).to_contain_text("An imported meeting")  # the dry-run preview
    assert not Event.objects.filter(slug="imported-meeting").exists()
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
    page.click('input[name="confirm"]')
    expect(page.locator(".messagelist")).to_contain_text("Imported events: 1 new")
    event = Event.objects.get(slug="imported-meeting")
    assert event.status == Event.Status.DRAFT  # an editor's import never publishes
    assert [i.participant.slug for i in event.involvements.all()] == ["mark-carney"]

    page.goto(f"{base}/admin/timeline/event/export/")
    page.uncheck("#select-all-toggle")
    assert page.locator(".selectable-field-export-row input[type=checkbox]:checked").count() == 0
    page.check("#select-all-toggle")
    assert page.locator(".selectable-field-export-row input[type=checkbox]:checked").count() > 10
    assert [e for e in console_errors if "Content Security Policy" in e] == []
