import pytest
from django.core.management import CommandError, call_command

from tests.factories import EventFactory
from timeline.dates import is_truncated
from timeline.models import Event, Involvement, Participant, Role, Source, Statement, Topic

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything generated, minus the timestamps the database sets."""
    return (
        list(
            Event.objects.order_by("slug").values_list(
                "slug",
                "title",
                "summary",
                "start_date",
                "date_precision",
                "end_date",
                "status",
                "importance",
            )
        ),
        list(Statement.objects.order_by("slug").values_list("slug", "text", "language", "said_on", "speaker__slug")),
        list(Source.objects.order_by("slug").values_list("slug", "url", "published_on", "events__slug")),
        list(
            Involvement.objects.order_by("event__slug", "order").values_list("event__slug", "participant__slug", "part")
        ),
        list(Participant.objects.order_by("slug").values_list("slug", "name", "kind")),
        list(
            Role.objects.order_by("participant__slug", "title").values_list(
                "participant__slug", "title", "start", "end"
            )
        ),
        list(
            Event.topics.through.objects.order_by("event__slug", "topic__slug").values_list(
                "event__slug", "topic__slug"
            )
        ),
    )


def test_same_seed_gives_the_same_data_whatever_the_batch_size():
    call_command("generate_synthetic", "--events", "60", "--seed", "7", "--batch-size", "1000", verbosity=0)
    first = snapshot()
    call_command("generate_synthetic", "--events", "60", "--seed", "7", "--batch-size", "7", "--flush", verbosity=0)
    assert snapshot() == first
    call_command("generate_synthetic", "--events", "60", "--seed", "8", "--flush", verbosity=0)
    assert snapshot() != first


def test_sizes_scale_with_the_number_of_events_and_drafts_are_about_five_percent():
    call_command("generate_synthetic", "--events", "500", verbosity=0)
    assert Event.objects.count() == 500
    assert Participant.objects.count() == 100
    assert Topic.objects.count() == 30
    assert 2.5 <= Statement.objects.count() / 500 <= 3.5
    assert 1.5 <= Source.objects.count() / 500 <= 2.5
    assert 10 <= Event.objects.filter(status=Event.Status.DRAFT).count() <= 40
    # Dates lean to recent years, yet reach back to the nineteenth century, at every precision.
    assert Event.objects.filter(start_date__year__gte=2000).count() > 250
    assert Event.objects.filter(start_date__year__lt=1900).exists()
    assert set(Event.objects.values_list("date_precision", flat=True)) == {"day", "month", "year"}
    assert set(Statement.objects.values_list("language", flat=True)) == {"en", "fr"}


def test_generated_rows_pass_every_model_validation():
    """bulk_create skips clean() and save(): check that the rows still obey every rule a form would apply."""
    call_command("generate_synthetic", "--events", "150", verbosity=0)
    for model in (Event, Statement, Source, Participant, Role, Topic, Involvement):
        for obj in model.objects.all():
            obj.full_clean()
    for event in Event.objects.all():
        assert is_truncated(event.start_date, event.date_precision)
        assert event.published_at is None if event.status == Event.Status.DRAFT else event.published_at
    for source in Source.objects.exclude(url=""):
        assert source.normalized_url
    assert not Statement.objects.filter(sources=None).exists(), "every statement cites a source"
    assert not Event.objects.filter(sources=None).exists()


def test_content_says_it_is_synthetic():
    call_command("generate_synthetic", "--events", "40", verbosity=0)
    assert all(title.startswith("Synthetic ") for title in Event.objects.values_list("title", flat=True))
    assert all(
        text.startswith(("Synthetic ", "Citation synthétique", "Paraphrase synthétique"))
        for text in Statement.objects.values_list("text", flat=True)
    )
    assert all(
        url.startswith("https://synthetic.example/")
        for url in Source.objects.exclude(url="").values_list("url", flat=True)
    )


def test_refuses_a_database_with_data_and_changes_nothing():
    event = EventFactory()
    with pytest.raises(CommandError, match="already holds timeline data"):
        call_command("generate_synthetic", "--events", "10", verbosity=0)
    assert list(Event.objects.all()) == [event]
    assert not Participant.objects.exists()


def test_flush_replaces_existing_data():
    EventFactory(slug="real-event")
    call_command("generate_synthetic", "--events", "10", "--flush", verbosity=0)
    assert not Event.objects.filter(slug="real-event").exists()
    assert Event.objects.count() == 10


@pytest.mark.parametrize("argument", [["--events", "0"], ["--batch-size", "0"]])
def test_rejects_nonsense_sizes(argument):
    with pytest.raises(CommandError):
        call_command("generate_synthetic", *argument, verbosity=0)
