"""Control characters: refused at entry by every text field of every model (the admin and the importer), and
removed from text written around the app before any reader sees it."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
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
from tests.htmlparse import form_data
from timeline.models import Correction, Event, Participant, Revision, WeakPublisher
from timeline.text import CONTROL, control_character_problem, printable, text_fields

pytestmark = pytest.mark.django_db

# One of each kind: C0, DEL, C1, a lone surrogate, a non-character.
CONTROLS = ["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f", "\ud800", "\uffff"]


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("Carney\x0bmeets Trump", "Carney meets Trump"),  # a line break from a word processor: a space
        ("Page\x0cbreak", "Page break"),
        ("Tariffs\x00 \x1b[31mannounced\x7f", "Tariffs [31mannounced"),
        ("Line one\nline two\tand\r\na tab", "Line one\nline two\tand\r\na tab"),  # ordinary text stays
        ("Déclaration « commune » \u2014 \u00a0😀 \u202e", "Déclaration « commune » \u2014 \u00a0😀 \u202e"),
        ("\ud800\uffff\ufffe", ""),
    ],
)
def test_printable_removes_control_characters_and_keeps_text(text, cleaned):
    assert printable(text) == cleaned


def test_the_problem_names_the_character_and_where_it_is():
    assert control_character_problem("Fine text.\n") is None
    problem = str(control_character_problem("Carney meets\x0bTrump"))
    assert "U+000B, vertical tab" in problem and "after \u201cCarney meets\u201d" in problem
    assert "starts with" in str(control_character_problem("\x01Title"))
    assert "U+0085, next line" in str(control_character_problem("a\x85b"))


def instances():
    """A saved, valid instance of every model with text fields."""
    event = EventFactory()
    participant = ParticipantFactory()
    return {
        "participant": participant,
        "role": RoleFactory(participant=participant, organisation="Government of Canada", note="Sworn in."),
        "topic": TopicFactory(description="Trade between the two countries."),
        "source": SourceFactory(author="A. Reporter"),
        "event": event,
        "involvement": InvolvementFactory(event=event, participant=participant),
        "statement": StatementFactory(event=event, speaker=participant),
        "correction": Correction.objects.create(event=event, note="The date was wrong."),
        "weakpublisher": WeakPublisher.objects.create(domain="mirror.example", name="Mirror", reason="Copies."),
        "revision": Revision.objects.create(
            content_type=ContentType.objects.get_for_model(Event),
            object_id=event.pk,
            event=event,
            summary="Title changed",
            proposed={"title": "New"},
            base={"title": "Old"},
            note="Check the date.",
            author=get_user_model().objects.create(username="editor"),
        ),
    }


# Models whose text only the software writes: an upload awaiting confirmation keeps a digest of what it previewed.
MACHINE_WRITTEN = {"importupload"}


def free_text(field) -> bool:
    return type(field) in (models.CharField, models.TextField) and not field.choices and not field._validators


def test_every_text_field_of_every_model_refuses_a_control_character():
    objects = instances()
    models = {
        m._meta.model_name for m in apps.get_app_config("timeline").get_models() if not hasattr(m, "instance_type")
    }
    models -= MACHINE_WRITTEN
    assert {name for name in models if text_fields(apps.get_model("timeline", name))} <= set(objects), (
        "a model with text fields is missing from instances()"
    )
    for name, obj in objects.items():
        obj.full_clean()  # valid as made
        for field in text_fields(obj):
            original = getattr(obj, field.attname) or ""  # a French field not written yet is None
            for character in ["\x0b", "\x00", "\x9f"]:
                setattr(obj, field.attname, f"{original[:3]}{character}{original[3:]}")
                with pytest.raises(ValidationError) as refused:
                    obj.full_clean()
                assert field.name in refused.value.message_dict, (name, field.name)
                if free_text(field):  # slugs, codes, URLs and choices say so in their own words
                    assert "control character" in refused.value.message_dict[field.name][0], (name, field.name)
            setattr(obj, field.attname, original)


def test_a_control_character_written_around_the_app_is_removed_when_read():
    """As psql, a bulk update or an older version of the site might have written it."""
    event = EventFactory(title="Summit")
    Event.objects.filter(pk=event.pk).update(title="Sum\x0bmit\x01", summary="\x1bA\x7f summary.")
    event = Event.objects.get(pk=event.pk)
    assert (event.title, event.summary) == ("Sum mit", "A summary.")
    statement = StatementFactory(event=event)
    Participant.objects.filter(pk=statement.speaker_id).update(name="Mark\x0cCarney")
    assert Event.objects.prefetch_related("statements__speaker").get().statements.get().speaker.name == "Mark Carney"


def test_the_admin_refuses_a_vertical_tab_in_a_title_saying_where(admin_client):
    event = EventFactory(title="Carney meets Trump")
    url = reverse("admin:timeline_event_change", args=[event.pk])
    data = form_data(admin_client.get(url), "event_form")
    data["title_en"] = ["Carney meets\x0bTrump"]  # the English title, beside the French one
    response = admin_client.post(url, data)
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["title_en"]
    assert "U+000B, vertical tab" in error and "after \u201cCarney meets\u201d" in error
    assert Event.objects.get().title == "Carney meets Trump"


@pytest.mark.parametrize("character", CONTROLS)
def test_control_character_set_is_the_one_refused(character):
    assert CONTROL.fullmatch(character)
