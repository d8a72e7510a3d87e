"""Translated fields: what readers see in each language, where the French is missing, and how editors write it."""

import datetime
import importlib
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from tests.factories import (
    EventFactory,
    InvolvementFactory,
    ParticipantFactory,
    RoleFactory,
    SourceFactory,
    StatementFactory,
    TopicFactory,
)
from tests.htmlparse import Page, elements, form_data
from timeline.models import Correction, Topic

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def half_translated():
    """An event with its French, and one without: the reader of French sees the English of the second, marked."""
    tariffs = TopicFactory(slug="tariffs", name="Tariffs", name_fr="Droits de douane")
    trade = TopicFactory(slug="trade", name="Trade", description="Goods and services.")
    carney = ParticipantFactory(slug="mark-carney", name="Mark Carney", description="Economist")
    RoleFactory(participant=carney, title="Prime Minister of Canada", title_fr="premier ministre du Canada")
    done = EventFactory(
        slug="done",
        title="Carney meets Trump",
        title_fr="Carney rencontre Trump",
        summary="They met.",
        summary_fr="Ils se sont rencontrés.",
        location="White House",
        location_fr="Maison-Blanche",
        topics=[tariffs],
        sources=[SourceFactory()],
    )
    InvolvementFactory(event=done, participant=carney)
    source = SourceFactory()
    StatementFactory(event=done, speaker=carney, text="It's not for sale.", language="en", sources=[source])
    StatementFactory(event=done, speaker=carney, text="Le Canada n’est pas à vendre.", language="fr", sources=[source])
    Correction.objects.create(event=done, note="The place was wrong.", note_fr="Le lieu était erroné.")
    todo = EventFactory(
        slug="todo",
        title="Steel tariffs doubled",
        summary="The duty went to 50%.",
        body="A longer account.",
        start_date=D(2025, 6, 4),
        topics=[trade],
    )
    InvolvementFactory(event=todo, participant=carney)
    Correction.objects.create(event=todo, note="A figure was wrong.")
    return done, todo


def test_the_french_page_shows_the_french_fields(client, half_translated):
    [article] = elements(client.get("/fr/events/done/").content, "article")
    text = " ".join(article["_text"].split())
    assert "Carney rencontre Trump" in text and "Ils se sont rencontrés." in text
    assert "Maison-Blanche" in text and "Droits de douane" in text
    assert "Mark Carney, premier ministre du Canada" in text
    assert "Le lieu était erroné." in text
    assert "Carney meets Trump" not in text and "(en anglais)" not in text


def test_the_english_page_never_shows_the_french(client, half_translated):
    html = Page(client.get("/events/done/").content)
    assert "Carney meets Trump" in html.text and "They met." in html.text and "Prime Minister of Canada" in html.text
    assert "Carney rencontre Trump" not in html.text and "(in English)" not in html.text
    assert html.find("span", class_="in-english") == []


def test_missing_french_falls_back_to_the_english_marked_as_english(client, half_translated):
    response = client.get("/fr/events/todo/")
    html = Page(response.content)
    english = [text for text, language in html.read if language == "en"]
    assert "Steel tariffs doubled" in english and "The duty went to 50%." in english
    assert "A longer account." in english and "A figure was wrong." in english and "Trade" in english
    notes = html.find("span", class_="in-english")
    assert len(notes) >= 5 and {note["lang"] for note in notes} == {"fr"}
    assert re.search(r"Steel tariffs doubled\s*\(en anglais\)", html.text)
    # The title in <title> and the card on the timeline fall back the same way.
    timeline = Page(client.get("/fr/").content)
    assert "Steel tariffs doubled" in [text for text, language in timeline.read if language == "en"]
    assert "Carney rencontre Trump" in [text for text, language in timeline.read if language == "fr"]


def test_statements_are_shown_in_the_language_they_were_spoken(client, half_translated):
    for path in ["/events/done/", "/fr/events/done/"]:
        quotes = {q["_text"].strip(): q["lang"] for q in elements(client.get(path).content, "blockquote")}
        assert quotes == {"It's not for sale.": "en", "Le Canada n’est pas à vendre.": "fr"}


def test_a_topic_and_a_participant_in_french(client, half_translated):
    topic = Page(client.get("/fr/topics/tariffs/").content)
    assert topic.find("h1")[0] is not None and "Droits de douane" in topic.text
    assert "Tariffs" not in topic.text
    topics = Page(client.get("/fr/topics/").content)
    assert topics.text.index("Droits de douane") < topics.text.index("Trade")  # French names, in French order
    participant = Page(client.get("/fr/participants/mark-carney/").content)
    assert "Premier ministre du Canada" in participant.text  # capitalised where it opens a line
    assert "Economist" in [text for text, language in participant.read if language == "en"]


def test_the_facets_and_active_filters_name_topics_in_french(client, half_translated):
    response = client.get("/fr/?topic=tariffs")
    labels = [" ".join(label["_text"].split()) for label in elements(response.content, "label")]
    assert "Droits de douane 1 événement" in labels and "Trade 1 événement" in labels
    active = [
        " ".join(a["_text"].split()) for a in elements(response.content, "a") if a.get("hx-target") == "#timeline"
    ]
    assert "Retirer le filtre : Droits de douane ×" in [text.replace("\u00a0", " ") for text in active]


def test_queries_are_made_in_the_fields_of_both_languages_whatever_the_language(client, half_translated):
    """A French page filters, counts and orders the same events as the English one."""
    english = [a["id"] for a in elements(client.get("/?topic=tariffs&topic=trade").content, "article")]
    french = [a["id"] for a in elements(client.get("/fr/?topic=tariffs&topic=trade").content, "article")]
    assert english == french == ["event-done", "event-todo"]


# Editors


def test_the_admin_sets_english_and_french_side_by_side(admin_client, half_translated):
    done, _ = half_translated
    response = admin_client.get(reverse("admin:timeline_event_change", args=[done.pk]))
    rows = {
        tuple(cls.removeprefix("field-") for cls in div["class"].split() if cls.startswith("field-"))
        for div in elements(response.content, "div")
        if "form-row" in div.get("class", "").split()
    }
    for field in ["title", "summary", "body", "location"]:
        assert (f"{field}_en", f"{field}_fr") in rows, rows
    data = form_data(response, "event_form")
    data["summary_fr"] = ["Ils se sont vus à la Maison-Blanche."]
    assert admin_client.post(reverse("admin:timeline_event_change", args=[done.pk]), data).status_code == 302
    done.refresh_from_db()
    assert (done.summary_en, done.summary_fr) == ("They met.", "Ils se sont vus à la Maison-Blanche.")


def test_english_is_required_and_french_is_not(admin_client):
    url = reverse("admin:timeline_topic_add")
    response = admin_client.post(url, {"name_en": "", "name_fr": "Commerce", "slug": "commerce"})
    assert "name_en" in response.context["adminform"].form.errors
    response = admin_client.post(url, {"name_en": "Trade", "name_fr": "", "slug": "trade"})
    assert response.status_code == 302
    assert Topic.objects.get(slug="trade").name_en == "Trade"


@pytest.mark.parametrize("model", ["event", "topic", "participant", "role", "correction"])
def test_each_changelist_filters_and_counts_what_lacks_french(admin_client, half_translated, model):
    RoleFactory(participant=half_translated[0].participants.get(), title="Governor of the Bank of Canada")
    url = reverse(f"admin:timeline_{model}_changelist")
    choices = [a["_text"] for a in elements(admin_client.get(url).content, "a") if "french=" in a.get("href", "")]
    expected = {"event": (1, 1), "topic": (1, 1), "participant": (1, 0), "role": (1, 1), "correction": (1, 1)}[model]
    assert choices == [f"missing ({expected[0]})", f"complete ({expected[1]})"]
    missing = admin_client.get(url, {"french": "missing"}).context["cl"].result_count
    complete = admin_client.get(url, {"french": "complete"}).context["cl"].result_count
    assert (missing, complete) == expected


# The migration that brought the French fields keeps the text already written as its English.


def test_existing_text_becomes_the_english():
    migration = importlib.import_module("timeline.migrations.0012_translated_fields")
    state = MigrationExecutor(connection).loader.project_state(("timeline", "0012_translated_fields")).apps
    topic = TopicFactory(slug="trade")
    Topic.objects.filter(pk=topic.pk).rewrite(False).update(name="Trade", description="Goods.", name_en=None)
    migration.english_from_the_text_written(state, None)
    topic.refresh_from_db()
    assert (topic.name_en, topic.description_en, topic.name_fr) == ("Trade", "Goods.", None)


@pytest.mark.django_db(transaction=True)
def test_a_database_with_its_triggers_migrates_to_the_translated_fields():
    """SQLite rebuilds the roles table to add its per-language constraints: the data-version triggers that name it
    (installed by every migrate) must not stop a site that already runs from upgrading."""
    before = "0011_changes_for_review"
    try:
        call_command("migrate", "timeline", before, verbosity=0)  # ends by installing the triggers, as a deploy does
        call_command("migrate", verbosity=0)
        assert "title_fr" in {
            column.name
            for column in connection.introspection.get_table_description(connection.cursor(), "timeline_role")
        }
        assert RoleFactory(title="Envoy").title_en == "Envoy"
    finally:
        call_command("migrate", verbosity=0)
        call_command("flush", verbosity=0, interactive=False)
