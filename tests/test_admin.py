"""The editors' workspace as a superuser sees it: every page renders, lists stay cheap, forms help."""

import datetime

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
    TopicFactory,
)
from tests.htmlparse import add_inline_row, form_data
from timeline.models import Correction, Event, Source, WeakPublisher

pytestmark = pytest.mark.django_db

MODELS = ["event", "participant", "statement", "source", "topic", "correction", "weakpublisher"]
HISTORY_MODELS = ["event", "participant", "statement", "source", "weakpublisher"]


def one_of_everything():
    topic = TopicFactory()
    source = SourceFactory()
    event = EventFactory(topics=[topic], sources=[source])
    participant = ParticipantFactory()
    RoleFactory(participant=participant, source=source)
    InvolvementFactory(event=event, participant=participant)
    statement = StatementFactory(event=event, speaker=participant, sources=[source])
    correction = Correction.objects.create(event=event, statement=statement, note="The date was corrected.")
    weak = WeakPublisher.objects.create(domain="weak.example", name="Weak Daily")
    return {
        "event": event,
        "participant": participant,
        "statement": statement,
        "source": source,
        "topic": topic,
        "correction": correction,
        "weakpublisher": weak,
    }


# Every page renders.


@pytest.mark.parametrize("model", MODELS)
def test_changelist_add_change_and_delete_pages_render_for_a_superuser(admin_client, model):
    obj = one_of_everything()[model]
    for url in [
        reverse(f"admin:timeline_{model}_changelist"),
        reverse(f"admin:timeline_{model}_add"),
        reverse(f"admin:timeline_{model}_change", args=[obj.pk]),
        reverse(f"admin:timeline_{model}_delete", args=[obj.pk]),
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("model", HISTORY_MODELS)
def test_history_pages_render_for_a_superuser(admin_client, model):
    obj = one_of_everything()[model]
    response = admin_client.get(reverse(f"admin:timeline_{model}_history", args=[obj.pk]))
    assert response.status_code == 200
    record = obj.history.first()
    response = admin_client.get(reverse(f"admin:timeline_{model}_simple_history", args=[obj.pk, record.pk]))
    assert response.status_code == 200


def test_admin_index_lists_every_model(admin_client):
    content = admin_client.get(reverse("admin:index")).content.decode()
    for model in MODELS:
        assert reverse(f"admin:timeline_{model}_changelist") in content


# Changelists run a fixed number of queries.


@pytest.fixture
def hundred_of_each():
    """100 rows of every model, each event with a topic, a source, a participant, a statement and a correction."""
    topics = [TopicFactory() for _ in range(100)]
    for i in range(100):
        source = SourceFactory()
        event = EventFactory(
            topics=[topics[i]], sources=[source], start_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=i)
        )
        participant = ParticipantFactory()
        InvolvementFactory(event=event, participant=participant)
        statement = StatementFactory(event=event, speaker=participant, sources=[source])
        Correction.objects.create(event=event, statement=statement, note=f"Correction {i}")


@pytest.mark.parametrize(
    ("model", "queries"),
    [
        # session, user, the topic and participant filter choices, the French filter's counts, two counts, the
        # page, date hierarchy (2)
        ("event", 10),
        # session, user, two counts, the page, the country filter choices, the French filter's counts
        ("participant", 7),
        # session, user, two counts, the page (speaker and event joined), date hierarchy (2)
        ("statement", 7),
        # session, user, publisher filter choices, two counts, the page, date hierarchy (2)
        ("source", 8),
        # session, user, the French filter's counts, two counts, the page
        ("topic", 6),
        # session, user, the French filter's counts, two counts, the page (event, statement and speaker joined),
        # date hierarchy (2)
        ("correction", 8),
    ],
)
def test_changelist_query_count_with_100_rows(admin_client, hundred_of_each, django_assert_num_queries, model, queries):
    """Guards against N+1 queries on the list: a related name or a count fetched once per row would add 100."""
    url = reverse(f"admin:timeline_{model}_changelist")
    with django_assert_num_queries(queries):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 100


# Events


def test_event_list_shows_status_and_counts(admin_client):
    event = DraftEventFactory(title="Carney meets Trump", sources=[SourceFactory(), SourceFactory()])
    StatementFactory(event=event)
    response = admin_client.get(reverse("admin:timeline_event_changelist"))
    row = response.context["cl"].result_list[0]
    assert (row.statement_count, row.source_count) == (1, 2)
    content = response.content.decode()
    assert "Draft" in content
    assert f"{reverse('admin:timeline_statement_changelist')}?event__id__exact={event.pk}" in content


def test_event_search_finds_participant_names(admin_client):
    event = EventFactory(title="White House meeting")
    InvolvementFactory(event=event, participant=ParticipantFactory(name="Mark Carney"))
    EventFactory(title="Something else")
    response = admin_client.get(reverse("admin:timeline_event_changelist"), {"q": "carney"})
    assert list(response.context["cl"].result_list) == [event]


def test_event_filters_by_participant_topic_status_and_date(admin_client):
    carney = ParticipantFactory(name="Mark Carney")
    topic = TopicFactory(name="Tariffs")
    wanted = DraftEventFactory(topics=[topic], start_date=datetime.date(2025, 5, 6))
    InvolvementFactory(event=wanted, participant=carney)
    other = EventFactory(topics=[topic], start_date=datetime.date(2025, 5, 7))
    InvolvementFactory(event=other, participant=carney)
    EventFactory(start_date=datetime.date(2024, 1, 1))
    url = reverse("admin:timeline_event_changelist")
    response = admin_client.get(url)
    content = response.content.decode()
    assert "By participants" in content and "Mark Carney" in content and "Tariffs" in content
    cases = [
        ({"participants__id__exact": carney.pk}, {wanted, other}),
        ({"topics__id__exact": topic.pk}, {wanted, other}),
        ({"status__exact": "draft"}, {wanted}),
        ({"start_date__year": 2025, "start_date__month": 5, "start_date__day": 6}, {wanted}),
    ]
    for params, expected in cases:
        response = admin_client.get(url, params)
        assert set(response.context["cl"].result_list) == expected, params


def test_new_event_form_prepopulates_the_slug_from_the_title(admin_client):
    response = admin_client.get(reverse("admin:timeline_event_add"))
    prepopulated = response.context["adminform"].prepopulated_fields
    assert [(p["field"].name, [d.name for d in p["dependencies"]]) for p in prepopulated] == [("slug", ["title_en"])]


def test_view_on_site_is_offered_only_for_published_events(admin_client):
    published, draft = EventFactory(), DraftEventFactory()
    published_page = admin_client.get(reverse("admin:timeline_event_change", args=[published.pk])).content.decode()
    draft_page = admin_client.get(reverse("admin:timeline_event_change", args=[draft.pk])).content.decode()
    assert "View on site" in published_page
    assert "View on site" not in draft_page


def test_event_change_page_has_participant_statement_and_correction_inlines(admin_client):
    event = one_of_everything()["event"]
    data = form_data(admin_client.get(reverse("admin:timeline_event_change", args=[event.pk])), "event_form")
    for prefix in ["involvements", "statements", "corrections"]:
        assert data[f"{prefix}-INITIAL_FORMS"] == ["1"], prefix


def test_sources_and_topics_use_autocomplete(admin_client):
    SourceFactory(title="Carney and Trump meet")
    SourceFactory(title="Something unrelated")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "carney", "app_label": "timeline", "model_name": "event", "field_name": "sources"},
    )
    assert [result["text"] for result in response.json()["results"]] == ["Carney and Trump meet (The Canadian Press)"]
    page = admin_client.get(reverse("admin:timeline_event_add")).content.decode()
    assert 'name="sources"' in page and "admin-autocomplete" in page


def test_end_before_start_error_names_the_field_and_the_fix(admin_client):
    event = DraftEventFactory(start_date=datetime.date(2025, 5, 6))
    url = reverse("admin:timeline_event_change", args=[event.pk])
    data = form_data(admin_client.get(url), "event_form")
    data["end_date"] = ["2025-05-01"]
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["end_date"] == [
        "End date must be on or after the start date (6 May 2025)."
    ]
    event.refresh_from_db()
    assert event.end_date is None


def test_editor_creates_an_event_with_participants_and_a_statement_in_one_form(admin_client):
    carney, trump = ParticipantFactory(name="Mark Carney"), ParticipantFactory(name="Donald Trump")
    source = SourceFactory()
    url = reverse("admin:timeline_event_add")
    data = form_data(admin_client.get(url), "event_form")
    data.update(
        {
            "title_en": ["Carney meets Trump"],
            "slug": ["carney-meets-trump"],
            "summary_en": ["They met."],
            "start_date": ["2025-05-06"],
            "sources": [str(source.pk)],
        }
    )
    add_inline_row(data, "involvements", participant=carney.pk, part="guest", order=0)
    add_inline_row(data, "involvements", participant=trump.pk, part="host", order=1)
    add_inline_row(
        data,
        "statements",
        speaker=carney.pk,
        text="A quote.",
        kind="quote",
        language="en",
        importance=2,
        said_precision="day",
        sources=[str(source.pk)],
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get(slug="carney-meets-trump")
    assert event.status == Event.Status.DRAFT
    assert {i.participant.name: i.part for i in event.involvements.all()} == {
        "Mark Carney": "guest",
        "Donald Trump": "host",
    }
    assert list(event.statements.values_list("text", flat=True)) == ["A quote."]
    assert list(event.statements.get().sources.all()) == [source]


# Participants


def test_participant_statements_are_one_click_away(admin_client):
    speaker = ParticipantFactory(name="Mark Carney")
    StatementFactory(speaker=speaker, text="Ours.")
    StatementFactory(speaker=speaker, text="Also ours.")
    StatementFactory(text="Someone else's.")
    content = admin_client.get(reverse("admin:timeline_participant_changelist")).content.decode()
    link = f"{reverse('admin:timeline_statement_changelist')}?speaker__id__exact={speaker.pk}"
    assert f'<a href="{link}">2 statements</a>' in content
    change_page = admin_client.get(reverse("admin:timeline_participant_change", args=[speaker.pk])).content.decode()
    assert link in change_page
    listed = admin_client.get(link).context["cl"].result_list
    assert sorted(s.text for s in listed) == ["Also ours.", "Ours."]


def test_participant_roles_are_edited_inline(admin_client):
    participant = RoleFactory(title="Prime Minister").participant
    data = form_data(
        admin_client.get(reverse("admin:timeline_participant_change", args=[participant.pk])), "participant_form"
    )
    assert data["roles-INITIAL_FORMS"] == ["1"]
    assert data["roles-0-title_en"] == ["Prime Minister"]


def test_participant_search(admin_client):
    carney = ParticipantFactory(name="Mark Carney")
    ParticipantFactory(name="Donald Trump")
    response = admin_client.get(reverse("admin:timeline_participant_changelist"), {"q": "carn"})
    assert list(response.context["cl"].result_list) == [carney]


# Statements


def test_statement_search_covers_text_and_speaker(admin_client):
    quote = StatementFactory(text="We will not be the 51st state.", speaker=ParticipantFactory(name="Mark Carney"))
    StatementFactory(text="Something else.")
    url = reverse("admin:timeline_statement_changelist")
    assert list(admin_client.get(url, {"q": "51st"}).context["cl"].result_list) == [quote]
    assert list(admin_client.get(url, {"q": "carney"}).context["cl"].result_list) == [quote]


def test_statement_of_a_published_event_needs_a_source(admin_client):
    statement = StatementFactory(event=EventFactory(), sources=[SourceFactory()])
    url = reverse("admin:timeline_statement_change", args=[statement.pk])
    data = form_data(admin_client.get(url), "statement_form")
    data["sources"] = []
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["sources"] == [
        "A statement in a published event needs a source: add one, or ask a publisher to unpublish it."
    ]
    assert statement.sources.count() == 1


# Sources


def test_a_source_address_typed_without_a_scheme_means_https(admin_client):
    url = reverse("admin:timeline_source_add")
    data = form_data(admin_client.get(url), "source_form")
    data.update(
        {"title": ["Trade"], "slug": ["trade"], "url": ["cbc.ca/news/trade"], "archive_url": ["web.archive.org/x"]}
    )
    assert admin_client.post(url, data).status_code == 302
    source = Source.objects.get(slug="trade")
    assert (source.url, source.archive_url) == ("https://cbc.ca/news/trade", "https://web.archive.org/x")


def test_duplicate_source_url_names_and_links_the_existing_source(admin_client):
    existing = SourceFactory(title="Carney meets Trump", url="https://www.cbc.ca/news/story")
    url = reverse("admin:timeline_source_add")
    data = form_data(admin_client.get(url), "source_form")
    data.update({"title": ["Copy"], "slug": ["copy"], "url": ["https://WWW.cbc.ca/news/story/?utm_source=x"]})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["url"]
    assert "Carney meets Trump" in error and existing.slug in error
    assert reverse("admin:timeline_source_change", args=[existing.pk]) in response.content.decode()
    assert Source.objects.count() == 1


def test_source_search_covers_title_publisher_and_url(admin_client):
    source = SourceFactory(title="Trade talks", publisher="CBC News", url="https://www.cbc.ca/news/trade")
    SourceFactory(title="Other", publisher="Reuters", url="https://www.reuters.com/x")
    url = reverse("admin:timeline_source_changelist")
    for term in ["trade talks", "cbc news", "cbc.ca/news"]:
        assert list(admin_client.get(url, {"q": term}).context["cl"].result_list) == [source], term


def test_source_list_links_to_what_cites_it(admin_client):
    source = SourceFactory()
    EventFactory(sources=[source])
    content = admin_client.get(reverse("admin:timeline_source_changelist")).content.decode()
    assert f'?sources__id__exact={source.pk}">1 event</a>' in content
    assert f'?sources__id__exact={source.pk}">0 statements</a>' in content


# Topics and corrections


def test_topic_list_counts_events(admin_client):
    topic = TopicFactory(name="Tariffs")
    EventFactory(topics=[topic])
    EventFactory(topics=[topic])
    row = admin_client.get(reverse("admin:timeline_topic_changelist")).context["cl"].result_list[0]
    assert (row.name, row.event_count) == ("Tariffs", 2)


def test_correction_statement_choices_are_the_events_own(admin_client):
    objects = one_of_everything()
    StatementFactory(text="A statement of another event.")
    response = admin_client.get(reverse("admin:timeline_event_change", args=[objects["event"].pk]))
    formset = response.context["inline_admin_formsets"][2].formset
    assert formset.prefix == "corrections"
    assert list(formset.forms[0].fields["statement"].queryset) == [objects["statement"]]


# Corrections


def correction_post(client, event, **fields):
    url = reverse("admin:timeline_event_change", args=[event.pk])
    data = form_data(client.get(url), "event_form")
    add_inline_row(data, "corrections", **fields)
    return client.post(url, data)


def test_publisher_attaches_a_public_correction_to_a_published_event(client, publisher):
    event = EventFactory(sources=[SourceFactory()])
    statement = StatementFactory(event=event, sources=[SourceFactory()])
    client.force_login(publisher)
    response = correction_post(
        client,
        event,
        published_on="2025-05-08",
        statement=statement.pk,
        note_en="The quote was attributed to the wrong minister.",
    )
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert (correction.event, correction.statement, correction.published_on) == (
        event,
        statement,
        datetime.date(2025, 5, 8),
    )
    client.logout()
    public_page = client.get(event.get_absolute_url()).content.decode()
    assert "The quote was attributed to the wrong minister." in public_page


def test_editor_sees_corrections_but_cannot_add_them(client, editor):
    event = EventFactory(sources=[SourceFactory()])
    Correction.objects.create(event=event, note="An earlier correction.")
    client.force_login(editor)
    response = client.get(reverse("admin:timeline_event_change", args=[event.pk]))
    assert "An earlier correction." in response.content.decode()
    [corrections] = [f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "corrections"]
    assert (corrections.has_add_permission, corrections.has_change_permission) == (False, False)
    correction_post(client, event, published_on="2025-05-08", note_en="Sneaked in.")
    assert list(Correction.objects.values_list("note", flat=True)) == ["An earlier correction."]


def test_a_draft_has_no_corrections_section_and_a_crafted_one_is_ignored(client, publisher):
    event = DraftEventFactory()
    client.force_login(publisher)
    response = client.get(reverse("admin:timeline_event_change", args=[event.pk]))
    assert "corrections" not in [f.formset.prefix for f in response.context["inline_admin_formsets"]]
    data = form_data(response, "event_form")
    data.update(
        {
            "corrections-TOTAL_FORMS": ["1"],
            "corrections-INITIAL_FORMS": ["0"],
            "corrections-0-published_on": ["2025-05-08"],
            "corrections-0-note": ["Not needed."],
        }
    )
    assert client.post(reverse("admin:timeline_event_change", args=[event.pk]), data).status_code == 302
    assert not Correction.objects.exists()


def test_a_correction_of_a_draft_is_refused_with_a_reason(client, publisher):
    event = DraftEventFactory()
    client.force_login(publisher)
    url = reverse("admin:timeline_correction_add")
    data = form_data(client.get(url), "correction_form")
    data.update({"event": [str(event.pk)], "published_on": ["2025-05-08"], "note_en": ["Not needed."]})
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Corrections are for events readers have seen: this event is a draft, so just edit it."
    ]
    assert not Correction.objects.exists()


def test_a_correction_must_be_about_a_statement_of_its_event(client, publisher):
    event = EventFactory(sources=[SourceFactory()])
    other = StatementFactory(text="Another event's statement.")
    client.force_login(publisher)
    url = reverse("admin:timeline_correction_add")
    data = form_data(client.get(url), "correction_form")
    data.update(
        {
            "event": [str(event.pk)],
            "statement": [str(other.pk)],
            "published_on": ["2025-05-08"],
            "note_en": ["Wrong statement."],
        }
    )
    response = client.post(url, data)
    assert response.context["adminform"].form.errors["statement"] == [
        "Choose a statement of this event, or leave it blank for the whole event."
    ]
    assert not Correction.objects.exists()


# Weak publishers: the editors' list, and the flags it raises on events and statements.


@pytest.fixture
def weak_story():
    """An event citing only a weak publisher's page, one citing it beside a reputable page, and their quotes."""
    WeakPublisher.objects.create(domain="weak.example", name="Weak Daily")
    weak, good = SourceFactory(url="https://news.weak.example/a", publisher="Weak Daily"), SourceFactory()
    only_weak = DraftEventFactory(title="Resting on a weak page", sources=[weak])
    mixed = EventFactory(title="Also reported properly", sources=[weak, good])
    weak_quote = StatementFactory(event=mixed, text="Only a weak page prints this.", sources=[weak])
    good_quote = StatementFactory(event=mixed, text="Printed properly.", sources=[good, weak])
    return {"only_weak": only_weak, "mixed": mixed, "weak_quote": weak_quote, "good_quote": good_quote}


def test_changelists_flag_and_filter_what_rests_on_weak_publishers_only(client, editor, weak_story):
    client.force_login(editor)
    url = reverse("admin:timeline_event_changelist")
    rows = {event.title: event.only_weak_sources for event in client.get(url).context["cl"].result_list}
    assert rows == {"Resting on a weak page": True, "Also reported properly": False}
    assert "only weak publishers" in client.get(url).content.decode()
    only = client.get(url, {"weak_sources": "only"}).context["cl"].result_list
    assert [event.title for event in only] == ["Resting on a weak page"]
    others = client.get(url, {"weak_sources": "not"}).context["cl"].result_list
    assert [event.title for event in others] == ["Also reported properly"]

    url = reverse("admin:timeline_statement_changelist")
    only = client.get(url, {"weak_sources": "only"}).context["cl"].result_list
    assert [statement.text for statement in only] == ["Only a weak page prints this."]


def test_change_forms_warn_by_name_when_every_source_is_from_a_weak_publisher(client, editor, weak_story):
    client.force_login(editor)
    event = weak_story["only_weak"]
    content = client.get(reverse("admin:timeline_event_change", args=[event.pk])).content.decode()
    assert (
        '<li class="warning">The event \u201cResting on a weak page\u201d cites only pages from publishers marked '
        "as weak: Weak Daily.</li>"
    ) in content
    mixed = client.get(reverse("admin:timeline_event_change", args=[weak_story["mixed"].pk])).content.decode()
    assert "The event \u201cAlso reported properly\u201d" not in mixed  # it cites a reputable page too
    assert "The statement \u201cOnly a weak page prints this.\u201d by" in mixed  # but one of its quotes does not
    assert "Printed properly." not in mixed.split('class="messagelist weak-sources-warning"')[1].split("</ul>")[0]

    statement = weak_story["weak_quote"]
    content = client.get(reverse("admin:timeline_statement_change", args=[statement.pk])).content.decode()
    assert "cites only pages from publishers marked as weak: Weak Daily." in content
    good = client.get(reverse("admin:timeline_statement_change", args=[weak_story["good_quote"].pk]))
    assert "weak-sources-warning" not in good.content.decode()


def test_editors_keep_the_list_of_weak_publishers(client, editor):
    client.force_login(editor)
    SourceFactory(url="https://www.fringe.example/story")
    SourceFactory(url="https://blog.fringe.example/post")
    response = client.post(
        reverse("admin:timeline_weakpublisher_add"),
        {"domain": "https://www.fringe.example/some/page", "name": "Fringe", "reason": "Partisan site."},
    )
    assert response.status_code == 302
    weak = WeakPublisher.objects.get(name="Fringe")
    assert weak.domain == "fringe.example"
    row = next(
        w
        for w in client.get(reverse("admin:timeline_weakpublisher_changelist")).context["cl"].result_list
        if w.pk == weak.pk
    )
    assert row.source_count == 2
    assert weak.history.first().history_user == editor
    response = client.post(reverse("admin:timeline_weakpublisher_add"), {"domain": "not a site", "name": "x"})
    assert response.status_code == 200 and "Enter a site" in response.content.decode()
    response = client.post(reverse("admin:timeline_weakpublisher_delete", args=[weak.pk]), {"post": "yes"})
    assert response.status_code == 302 and not WeakPublisher.objects.filter(pk=weak.pk).exists()


def test_source_changelist_names_the_weak_publisher_of_each_source(admin_client):
    WeakPublisher.objects.create(domain="weak.example", name="Weak Daily")
    weak, good = SourceFactory(url="https://weak.example/a"), SourceFactory()
    rows = {
        s.pk: s.weak_publisher
        for s in admin_client.get(reverse("admin:timeline_source_changelist")).context["cl"].result_list
    }
    assert (rows[weak.pk], rows[good.pk]) == ("Weak Daily", None)


def test_weak_publisher_changelist_query_count(admin_client, django_assert_num_queries):
    """The number of sources on each site is a subquery, not a query per row."""
    for n in range(30):
        WeakPublisher.objects.create(domain=f"weak{n}.example")
        SourceFactory(url=f"https://weak{n}.example/a")
    with django_assert_num_queries(5):  # session, user, two counts, the page
        response = admin_client.get(reverse("admin:timeline_weakpublisher_changelist"))
    assert response.status_code == 200


# Dates typed as written, shown as readers see them


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2025-03", (datetime.date(2025, 3, 1), "month")),
        ("March 2025", (datetime.date(2025, 3, 1), "month")),
        ("mars 2025", (datetime.date(2025, 3, 1), "month")),
        ("2025", (datetime.date(2025, 1, 1), "year")),
        ("6 May 2025", (datetime.date(2025, 5, 6), "day")),
    ],
)
def test_an_event_date_typed_as_a_month_or_year_sets_its_precision(admin_client, typed, stored):
    url = reverse("admin:timeline_event_add")
    data = form_data(admin_client.get(url), "event_form")
    data.update({"title_en": ["T"], "slug": ["t"], "summary_en": ["S."], "start_date": [typed]})
    assert admin_client.post(url, data).status_code == 302
    event = Event.objects.get(slug="t")
    assert (event.start_date, event.date_precision) == stored


def test_the_event_form_has_no_precision_dropdown_and_shows_a_month_as_a_month(admin_client):
    event = DraftEventFactory(start_date=datetime.date(2025, 4, 1), date_precision="month")
    data = form_data(admin_client.get(reverse("admin:timeline_event_change", args=[event.pk])), "event_form")
    assert data["start_date"] == ["2025-04"]
    assert "date_precision" not in data and "end_precision" not in data


def test_an_impossible_date_is_named_in_the_form(admin_client):
    event = DraftEventFactory()
    url = reverse("admin:timeline_event_change", args=[event.pk])
    data = form_data(admin_client.get(url), "event_form")
    data["start_date"] = ["2025-02-30"]
    response = admin_client.post(url, data)
    assert response.context["adminform"].form.errors["start_date"] == ["30 February 2025 does not exist."]


def test_role_source_and_statement_dates_are_typed_with_their_precision(admin_client):
    participant = ParticipantFactory()
    url = reverse("admin:timeline_participant_change", args=[participant.pk])
    data = form_data(admin_client.get(url), "participant_form")
    add_inline_row(data, "roles", title_en="Premier", attested_on="May 2025")
    assert admin_client.post(url, data).status_code == 302
    role = participant.roles.get()
    assert (role.start, role.attested_on, role.attested_precision) == (None, datetime.date(2025, 5, 1), "month")

    source = SourceFactory()
    url = reverse("admin:timeline_source_change", args=[source.pk])
    data = form_data(admin_client.get(url), "source_form")
    data["published_on"] = ["2025"]
    assert admin_client.post(url, data).status_code == 302
    source.refresh_from_db()
    assert (source.published_on, source.published_precision) == (datetime.date(2025, 1, 1), "year")

    statement = StatementFactory(event=DraftEventFactory())
    url = reverse("admin:timeline_statement_change", args=[statement.pk])
    data = form_data(admin_client.get(url), "statement_form")
    data["said_on"] = ["June 2025"]
    assert admin_client.post(url, data).status_code == 302
    statement.refresh_from_db()
    assert (statement.said_on, statement.said_precision) == (datetime.date(2025, 6, 1), "month")


def test_the_lists_show_dates_as_the_site_shows_them(admin_client):
    """A month event listed as "April 1, 1817" was a day it never claimed to be."""
    EventFactory(title="A month", start_date=datetime.date(1817, 4, 1), date_precision="month")
    EventFactory(title="A range", start_date=datetime.date(2025, 6, 16), end_date=datetime.date(2025, 6, 17))
    page = admin_client.get(reverse("admin:timeline_event_changelist")).content.decode()
    assert '<td class="field-when">April 1817</td>' in page
    assert '<td class="field-when">16–17 June 2025</td>' in page
    StatementFactory(said_on=datetime.date(2025, 5, 1), said_precision="month", text="Said in May.")
    page = admin_client.get(reverse("admin:timeline_statement_changelist")).content.decode()
    assert '<td class="field-said">May 2025</td>' in page
    SourceFactory(title="Yearly report", published_on=datetime.date(2024, 1, 1), published_precision="year")
    page = admin_client.get(reverse("admin:timeline_source_changelist")).content.decode()
    assert '<td class="field-published">2024</td>' in page
