"""How the cells of an import file are read: dates as written (with their precision), references to other rows by
slug, name or address, an event's participants, a translated text's French, and the form of a text two copies of
it share.

Every problem is a ValueError saying what is wrong and how to write it, reported by django-import-export against
the row and column it was found in."""

import collections
import contextlib
import contextvars
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from import_export import fields, widgets

from timeline.date_input import PreciseDate, parse_date
from timeline.dates import Precision, iso_date
from timeline.models import Involvement, Participant, Source, Topic, normalize_url

SEPARATOR = ", "
QUOTE_MARKS = str.maketrans({"\u2018": "'", "\u2019": "'", "“": '"', "”": '"', "\u00ab": '"', "\u00bb": '"'})


def text_key(value) -> str:
    """What two copies of one text share: case, spacing, curly or straight quotes, outer quotation marks and the
    closing punctuation set aside ("We will never, ever be part of America," is the same quote without its comma)."""
    text = unicodedata.normalize("NFKC", force_str(value or "")).translate(QUOTE_MARKS)
    text = re.sub(r"\s+", " ", text).strip().strip(" \"'.,;:!?…").casefold()
    return text


def cell(row, column: str) -> str:
    value = row.get(column)
    return "" if value is None else force_str(value).strip()


# Widgets that say what is wrong and how to fix it.


class PreciseDateWidget(widgets.Widget):
    """A date as written, its precision with it: "2025-03" is March 2025. Exported the same way."""

    def __init__(self, day_only: bool = False):
        super().__init__(coerce_to_string=True)
        self.day_only = day_only

    def clean(self, value, row=None, **kwargs):
        try:
            precise = parse_date(value)
        except ValidationError as error:
            raise ValueError(error.messages[0]) from None
        if precise is not None and self.day_only and precise.precision != Precision.DAY:
            raise ValueError(_("“%(value)s”: give the full date, e.g. 2025-05-06.") % {"value": value})
        return precise

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, PreciseDate):
            return str(value)
        return iso_date(value)


def dated(model, name: str) -> "PreciseDateField":
    """The column of `model`'s date `name`, with the precision field the model pairs it with (if any)."""
    return PreciseDateField(name, model.date_precisions.get(name))


class PreciseDateField(fields.Field):
    """A date column that also sets its precision field. A precision column, where a file still has one, must
    agree with the date: "2025-05-01" with "month" is May 2025; "2025-05" with "day" is refused."""

    def __init__(self, attribute: str, precision_attribute: str | None = None, **kwargs):
        super().__init__(
            attribute=attribute,
            column_name=attribute,
            widget=PreciseDateWidget(day_only=precision_attribute is None),
            **kwargs,
        )
        self.precision_attribute = precision_attribute

    def get_value(self, instance):
        value = getattr(instance, self.attribute, None)
        if value is None or self.precision_attribute is None:
            return value
        return PreciseDate(value, getattr(instance, self.precision_attribute))

    def save(self, instance, row, is_m2m=False, **kwargs):
        precise = self.clean(row, **kwargs)
        if self.precision_attribute is None:
            setattr(instance, self.attribute, precise.date if precise else None)
            return
        stated = cell(row, self.precision_attribute)
        if precise is not None and stated:
            if stated not in Precision.values:
                raise ValueError(
                    _("“%(value)s” is not a precision: use day, month or year, or leave it blank.") % {"value": stated}
                )
            if precise.precision == Precision.DAY and stated != Precision.DAY:
                precise = PreciseDate(precise.date, stated)  # "2025-05-01" + "month": the older files' way
            elif precise.precision != stated:
                raise ValueError(
                    _(
                        "“%(value)s” is known to the %(written)s, but %(column)s says %(stated)s: "
                        "leave %(column)s blank, the date says it."
                    )
                    % {
                        "value": cell(row, self.column_name),
                        "written": precise.precision,
                        "column": self.precision_attribute,
                        "stated": stated,
                    }
                )
        setattr(instance, self.attribute, precise.date if precise else None)
        setattr(instance, self.precision_attribute, precise.precision if precise else Precision.DAY)


class YesNoWidget(widgets.BooleanWidget):
    """A yes-or-no column: 1 or 0 as exports write it, or true/false, yes/no, oui/non in any case. A blank cell is
    no, as an unticked box is in the admin. Anything else is refused: the library read it as no, silently."""

    WORDS = {"1": True, "true": True, "yes": True, "oui": True, "0": False, "false": False, "no": False, "non": False}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, int | float) and value in (0, 1):  # a JSON or spreadsheet cell's own true or 1
            return bool(value)
        text = force_str(value if value is not None else "").strip().casefold()
        if not text:
            return False
        if text not in self.WORDS:
            raise ValueError(_("“%(value)s”: use 1 (yes) or 0 (no).") % {"value": value})
        return self.WORDS[text]


class WholeNumberWidget(widgets.IntegerWidget):
    """A whole number within its field's bounds (3, or 3.0 as a spreadsheet may keep it). The library's read "high"
    into an error naming no column, and cut 2.5 down to 2."""

    def __init__(self, minimum: int, maximum: int, **kwargs):
        super().__init__(**kwargs)
        self.minimum, self.maximum = minimum, maximum

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        text = force_str(value).strip()
        number = int(text.partition(".")[0]) if re.fullmatch(r"[+-]?\d+(\.0*)?", text) else None
        if number is None or not self.minimum <= number <= self.maximum:
            raise ValueError(_("“%(value)s”: use %(allowed)s.") % {"value": value, "allowed": self.allowed()})
        return number

    def allowed(self) -> str:
        """1, 2 or 3; or, for a wide range, its bounds."""
        if self.maximum - self.minimum >= 10:
            return _("a whole number from %(minimum)s to %(maximum)s") % {
                "minimum": self.minimum,
                "maximum": self.maximum,
            }
        numbers = [str(n) for n in range(self.minimum, self.maximum + 1)]
        return _(" or ").join(filter(None, [", ".join(numbers[:-1]), numbers[-1]]))


class ReferenceWidget(widgets.ForeignKeyWidget):
    """A foreign key named by slug (or, for people and sources, by name or address); an unknown one is an error,
    never a silent blank."""

    def __init__(self, model):
        super().__init__(model, field="slug")
        self.noun = model._meta.verbose_name  # lazy: translated when a message is made

    def clean(self, value, row=None, **kwargs):
        value = force_str(value).strip() if value is not None else ""
        if not value:
            return None
        found = find_reference(self.model, value)
        if found is None:
            raise ValueError(
                _("No %(noun)s is “%(value)s”: check the spelling, or import that %(noun)s first.")
                % {"noun": self.noun, "value": value}
            )
        return found

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.slug


class References(collections.OrderedDict):
    """The references looked up during one import, so that the 500 rows naming the same topic look it up once. A
    large import keeps them from chunk to chunk, the least recently used forgotten past `limit` so that memory
    stays bounded however many sources a file names."""

    def __init__(self, limit: int = 20_000):
        super().__init__()
        self.limit = limit

    def __getitem__(self, key):
        self.move_to_end(key)
        return super().__getitem__(key)

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        if len(self) > self.limit:
            self.popitem(last=False)


_references: contextvars.ContextVar[References | None] = contextvars.ContextVar("references", default=None)


@contextlib.contextmanager
def remembered_references():
    """References looked up once for everything imported inside, unless an outer import already remembers them."""
    if _references.get() is not None:
        yield
        return
    token = _references.set(References())
    try:
        yield
    finally:
        _references.reset(token)


def find_reference(model, value: str):
    """The row `value` names: its slug, else (for participants and topics) its name, else (sources) its address."""
    known = _references.get()
    if known is None:
        return _find_reference(model, value)
    key = (model, value)
    if key not in known:
        known[key] = _find_reference(model, value)
    return known[key]


def _find_reference(model, value: str):
    found = model.objects.filter(slug=value).first()
    if found is None and model in (Participant, Topic):
        named = list(model.objects.filter(name__iexact=value)[:2])
        found = named[0] if len(named) == 1 else None
    if found is None and model is Source and ("://" in value or value.startswith("www.")):
        found = Source.objects.filter(normalized_url=normalize_url(value)).first()
    return found


class ReferencesWidget(widgets.ManyToManyWidget):
    """Many references, comma-separated (slugs, or names or addresses as for `ReferenceWidget`); all must exist."""

    def __init__(self, model):
        super().__init__(model, separator=",", field="slug")
        self.noun = model._meta.verbose_name  # lazy: translated when a message is made

    def clean(self, value, row=None, **kwargs):
        names = [name.strip() for name in force_str(value or "").split(",") if name.strip()]
        found, unknown = [], []
        for name in names:
            item = find_reference(self.model, name)
            (found if item is not None else unknown).append(item or name)
        if unknown:
            listed = ", ".join(f"“{name}”" for name in unknown)
            raise ValueError(
                _("No %(noun)s is %(names)s: check the spelling, or import it first.")
                % {"noun": self.noun, "names": listed}
            )
        return found  # a list serves as well as a queryset, and costs no second query

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return SEPARATOR.join(sorted(item.slug for item in value.all()))


class FrenchWidget(widgets.CharWidget):
    """A French column: a blank cell is French not written yet (None), as the admin leaves an empty field."""

    def clean(self, value, row=None, **kwargs):
        return super().clean(value, row, **kwargs).strip() or None


class FrenchField(fields.Field):
    """The French of a translated field (`title_fr`). Blank and missing are one: a file that leaves it empty changes
    nothing on an item whose French was never written, whichever way the admin stored that."""

    def __init__(self, name: str):
        column = f"{name}_fr"
        super().__init__(attribute=column, column_name=column, widget=FrenchWidget())

    def get_value(self, instance):
        return super().get_value(instance) or None


def french(name: str) -> FrenchField:
    """The column of the French of `name` (a translated field, timeline/translation.py): `title` -> `title_fr`."""
    return FrenchField(name)


def parse_participants(value) -> list[tuple[str, str]]:
    """`mark-carney:guest, donald-trump` -> [("mark-carney", "guest"), ("donald-trump", "attendee")]."""
    pairs = []
    for item in force_str(value or "").split(","):
        if not item.strip():
            continue
        slug, _sep, part = item.partition(":")
        pairs.append((slug.strip(), part.strip() or Involvement.Part.ATTENDEE))
    return pairs
