"""The fields editors write in English and in French (django-modeltranslation): each gets `<field>_en` and
`<field>_fr` columns, the English required and the French optional. Reading `event.title` gives the reader's
language, or the English where the French is still missing (templates mark such text, timeline.languages.fallback).

Statements are not here: a statement is shown in the language it was spoken, never translated. Nor are names,
slugs, sources or what editors write for each other (notes, contexts): they are the same in both languages.

The stored history of events, participants and roles records both languages, so that a French correction is in
the record like any other.
"""

from django.conf import settings
from django.db.models import Q
from modeltranslation.translator import TranslationOptions, register, translator

from timeline.models import Correction, Event, Participant, Role, Topic


class Bilingual(TranslationOptions):
    required_languages = ("en",)


@register(Event)
class EventTranslation(Bilingual):
    fields = ("title", "summary", "body", "location")


@register(Topic)
class TopicTranslation(Bilingual):
    fields = ("name", "description")


@register(Role)
class RoleTranslation(Bilingual):
    fields = ("title", "organisation")


@register(Participant)
class ParticipantTranslation(Bilingual):
    fields = ("description",)


@register(Correction)
class CorrectionTranslation(Bilingual):
    fields = ("note",)


for model, options in [(Event, EventTranslation), (Participant, ParticipantTranslation), (Role, RoleTranslation)]:
    translator.register(model.history.model, options)


def translated_fields(model) -> tuple[str, ...]:
    """The fields of `model` written in each language (none for a model that has no translated field)."""
    if model not in translator.get_registered_models():
        return ()
    return tuple(translator.get_options_for_model(model).fields)


def missing(model, language: str) -> Q:
    """Rows with a translated field written in English but not yet in `language`: what still needs translating."""
    default = settings.LANGUAGE_CODE
    condition = Q()
    for field in translated_fields(model):
        written = Q(**{f"{field}_{default}__gt": ""})
        empty = Q(**{f"{field}_{language}__isnull": True}) | Q(**{f"{field}_{language}": ""})
        condition |= written & empty
    return condition
