"""Text held to what every reader's format can carry: no control characters.

A vertical tab pasted from a word processor is invisible in the admin, yet XML 1.0 (the Atom feeds) cannot hold it
at all, iCalendar forbids it and a spreadsheet shows it as a box. So:

- At entry, every text field of every model refuses one, saying which and where (`PlainTextFields.clean_fields`):
  the admin's forms and the importer both validate through the model.
- On the way out, text read from the database is cleaned (`PlainTextFields.from_db`), so that a character written
  some other way (SQL in psql, a bulk update, an older version of the site) reaches no reader in any format: HTML,
  feeds, calendars, CSV or JSON. Text the database computes itself (search headlines, names read by raw SQL) is
  cleaned with `printable` where it is read.

Tab, line feed and carriage return are ordinary text and stay.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# C0 controls but tab, line feed and carriage return; DEL; C1 controls; and what no UTF-8 text or XML document can
# hold at all: lone surrogates (from a JSON "\ud800"), U+FFFE and U+FFFF.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Those that stand between words where they occur (a line break typed in a word processor): a space, not nothing.
BREAKS = {"\x0b", "\x0c", "\x85"}

# Translators: names of invisible control characters, as an editor is told about one in a text.
NAMES = {
    "\x00": "NUL",
    "\x08": _("backspace"),
    "\x0b": _("vertical tab"),
    "\x0c": _("form feed"),
    "\x1b": _("escape"),
    "\x7f": _("delete"),
    "\x85": _("next line"),
}


# Ordinary white space; not the no-break spaces (U+00A0, U+202F) French puts before : ; ! ? and inside « », which
# str.split() would also split on.
WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")


def single_spaced(text: str) -> str:
    """`text` on one line, each run of ordinary white space one space, no-break spaces kept."""
    return WHITESPACE.sub(" ", text).strip(" ")


def _replacement(match: re.Match) -> str:
    return " " if match.group(0) in BREAKS else ""


def printable(text: str) -> str:
    """`text` without control characters (a line break between words becomes a space)."""
    if text.isprintable() or not CONTROL.search(text):  # isprintable() is the fast common case
        return text
    return CONTROL.sub(_replacement, text)


def control_character_problem(text: str) -> str | None:
    """What an editor is told about the first control character in `text`, or None when there is none."""
    match = CONTROL.search(text)
    if match is None:
        return None
    character = match.group(0)
    code = f"U+{ord(character):04X}"
    name = NAMES.get(character)
    what = f"{code}, {name}" if name else code
    before = text[: match.start()][-20:].strip()
    if not before:
        return _(
            "This text starts with an invisible control character (%(what)s): delete it, or paste the text again as "
            "plain text."
        ) % {"what": what}
    return _(
        "This text holds an invisible control character (%(what)s) after “%(before)s”: delete it, or paste "
        "the text again as plain text."
    ) % {"what": what, "before": printable(before)}


def text_fields(model) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if isinstance(field, models.CharField | models.TextField)]


class PlainTextFields:
    """A model mixin: its text fields refuse control characters at entry and are cleaned when read (see above)."""

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in text_fields(self):
            if field.name in (exclude or ()) or field.name in errors:
                continue
            value = field.value_from_object(self)
            if isinstance(value, str) and (problem := control_character_problem(value)):
                errors[field.name] = [ValidationError(problem, code="control_character")]
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_db(cls, db, field_names, values):
        values = [printable(value) if isinstance(value, str) else value for value in values]
        return super().from_db(db, field_names, values)
