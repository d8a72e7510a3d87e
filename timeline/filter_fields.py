"""The filters' fields: each parameter's parsing, and what is said about it (its label, how a note names it,
why a value is unknown, its help text and JSON Schema for the API's documentation).

The form fields keep what they understand and report the rest instead of failing as a whole: the timeline shows
a page anyway, with a note, and the API refuses the request naming the parameter (timeline.filters.Problem).
"""

import calendar
import datetime
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from timeline.search import SEARCH_MAX_LENGTH, search_query

MAX_VALUES = 20  # per repeatable parameter
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,200}$")
COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")
PARTIAL_DATE_RE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?$")
# A blank value means "no filter", as when the timeline's form is sent with an empty field.
BLANK = {"type": "string", "pattern": r"^\s*$"}


# Form fields


class PartialDateField(forms.DateField):
    """A date, or a month or year standing for its first day (or its last, with `period_end`)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, *args, period_end: bool = False, **kwargs):
        self.period_end = period_end
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, datetime.date) or value in self.empty_values:
            return super().to_python(value)
        match = PARTIAL_DATE_RE.match(str(value).strip())
        if not match:
            raise ValidationError(_("not a date (use YYYY-MM-DD, YYYY-MM or YYYY)"), code="invalid")
        year, month, day = (int(part) if part else None for part in match.group("year", "month", "day"))
        try:
            if month is None:
                return datetime.date(year, 12, 31) if self.period_end else datetime.date(year, 1, 1)
            if day is None:
                last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
                return datetime.date(year, month, last if self.period_end else 1)
            return datetime.date(year, month, day)
        except ValueError:
            raise ValidationError(_("no such date"), code="invalid") from None

    def bound_data(self, data, initial):
        # Show a shared "2025-06" in the date input as the day it stands for, so that submitting the form keeps it.
        try:
            return self.to_python(data) or data
        except ValidationError:
            return data


class LenientMultipleMixin:
    """Keep the recognised values of a repeatable parameter; remember the others in `ignored` and those past
    the first MAX_VALUES in `excess`."""

    def clean(self, value):
        self.ignored, self.excess = [], []
        if value in self.empty_values:
            return self.keep([])
        values = list(dict.fromkeys(v for v in value if isinstance(v, str) and v.strip()))
        self.excess = values[MAX_VALUES:]
        return self.keep(values[:MAX_VALUES])


class SlugMultipleChoiceField(LenientMultipleMixin, forms.ModelMultipleChoiceField):
    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, to_field_name="slug", **kwargs)

    def keep(self, values):
        well_formed = [v for v in values if SLUG_RE.match(v)]
        found = {obj.slug: obj for obj in self.queryset.filter(slug__in=well_formed)} if well_formed else {}
        self.ignored += [v for v in values if v not in found]
        return [found[v] for v in values if v in found]


class LenientMultipleChoiceField(LenientMultipleMixin, forms.MultipleChoiceField):
    def keep(self, values):
        known = {str(key) for key, _ in self.choices}
        self.ignored += [v for v in values if v not in known]
        return [v for v in values if v in known]


class CountryField(LenientMultipleMixin, forms.MultipleChoiceField):
    """Two-letter codes, of the countries `known(codes)` finds among them; the others are remembered in `malformed`
    (not such a code) and `ignored` (a code nothing is known of)."""

    def __init__(self, *, known, **kwargs):
        self.known = known
        super().__init__(**kwargs)

    def keep(self, values):
        self.malformed = [v for v in values if not COUNTRY_RE.match(v)]
        codes = [v for v in values if COUNTRY_RE.match(v)]
        known = self.known({code.upper() for code in codes}) if codes else set()
        self.ignored += [code for code in codes if code.upper() not in known]
        return list(dict.fromkeys(code.upper() for code in codes if code.upper() in known))


class LenientForm(forms.Form):
    """Invalid values are moved out of the form into `ignored` once validated: the form then shows, and
    submits again, only what is in force, and the problems say what was dropped."""

    dates_swapped = False

    def full_clean(self):
        super().full_clean()
        self.ignored = {
            name: (self.data.get(name, ""), errors.as_data())
            for name, errors in self._errors.items()
            if name in self.fields
        }
        if self._errors:
            data = self.data.copy()
            for name in self.ignored:
                data.pop(name, None)
            self.data = data
            self._errors = ErrorDict()

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            # Someone typed the range backwards: read it the way they meant it, each period typed read in the other
            # role, so that "from 2026 to 2024" is 1 January 2024 to 31 December 2026, not 31 December 2024 to
            # 1 January 2026.
            data["start"] = self.fields["start"].clean(self["end"].data)
            data["end"] = self.fields["end"].clean(self["start"].data)
            # The form shows, and so submits again, the range in force: showing the days as typed would narrow it
            # to 31 December 2024 - 1 January 2026 at the reader's next change.
            self.data = self.data.copy()
            self.data["start"], self.data["end"] = data["start"].isoformat(), data["end"].isoformat()
            self.dates_swapped = True
        return data


# Filters: a parameter's field, and what is said about it


class Parameter:
    """A filter that describes its parameter: `noun` names it in a note ("Ignored the From date ..."), `unknown`
    says why a value matched nothing, `malformed` why one could not be read (for a field that tells the two apart),
    `help_text` documents it in the API's schema."""

    def __init__(self, *args, noun="", unknown="", malformed="", help_text="", **kwargs):
        self.noun, self.unknown, self.malformed, self.help_text = noun, unknown, malformed, help_text
        super().__init__(*args, **kwargs)

    @property
    def repeatable(self) -> bool:
        return getattr(self.field.widget, "allow_multiple_selected", False)

    def json_schema(self) -> dict:
        """The values accepted, as JSON Schema (strings: a query string has no other type)."""
        schema = {"type": "string"}
        if getattr(self.field, "max_length", None):
            schema["maxLength"] = self.field.max_length
        return schema


def validate_search(value: str) -> None:
    """A search made only of operators or punctuation ("---", "or", '""') has nothing to look for: the timeline
    ignores it with a note, and the API and the downloads refuse it, as any value they cannot use."""
    if value and "\x00" not in value and not search_query(value):  # a NUL has its own message
        raise ValidationError(_("it has no words to look for"), code="invalid")


class SearchFilter(Parameter, django_filters.CharFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", SEARCH_MAX_LENGTH)
        kwargs.setdefault("validators", [validate_search])
        super().__init__(*args, **kwargs)


class ChoiceParameter(Parameter, django_filters.ChoiceFilter):
    def json_schema(self) -> dict:
        return {"type": "string", "enum": [str(value) for value, _ in self.field.choices]}


class PartialDateFilter(Parameter, django_filters.DateFilter):
    field_class = PartialDateField

    def json_schema(self) -> dict:
        date = re.sub(r"\(\?P<\w+>", "(", PARTIAL_DATE_RE.pattern).strip("^$")  # no named groups: portable
        return {"type": "string", "pattern": rf"^\s*{date}\s*$|^$"}


class SlugMultipleFilter(Parameter, django_filters.ModelMultipleChoiceFilter):
    field_class = SlugMultipleChoiceField

    def json_schema(self) -> dict:
        return {"anyOf": [{"type": "string", "pattern": SLUG_RE.pattern}, BLANK]}


class LenientMultipleFilter(Parameter, django_filters.MultipleChoiceFilter):
    field_class = LenientMultipleChoiceField

    def json_schema(self) -> dict:
        return {"anyOf": [{"type": "string", "enum": [str(value) for value, _ in self.field.choices]}, BLANK]}


class CountryFilter(Parameter, django_filters.MultipleChoiceFilter):
    field_class = CountryField

    def json_schema(self) -> dict:
        return {"anyOf": [{"type": "string", "pattern": COUNTRY_RE.pattern}, BLANK]}
