"""Import and export of the timeline's data, so that files move between databases and spreadsheets unchanged.

Rules every import follows:
- All or nothing: a file with any invalid row writes nothing; each bad row is reported by its spreadsheet row
  number, with its column and a fix, and a file that cannot be read at all gets one sentence saying why.
- Idempotent: a row names an existing item by its slug or, when the slug is blank or absent, by what an editor
  would recognise it by (a statement by its speaker, date and words; a source by its address; an event by its
  title and date). A row that changes nothing is "unchanged": nothing is saved, no history is written.
- Imports never publish for someone who may not publish. A new event arrives as a draft and an existing event
  keeps its status, unless the importing user is a publisher: then the `status` column is honoured, through the
  same publishing rule as the admin's buttons (a published event needs sources, and so does each statement).
- Dates are read as written ("2025-05-06", "2025-05", "2025", "May 2025"...): what was written sets the precision.
- Participants in an event are one column, "slug:part" pairs: `mark-carney:guest, donald-trump:host`.
"""

import contextvars
import difflib
import hashlib
import re
import unicodedata

from diff_match_patch import diff_match_patch
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.encoding import force_str
from django.utils.html import format_html_join
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.results import Error, Result

from timeline import publishing, review
from timeline.date_input import PreciseDate, parse_date
from timeline.dates import Precision, iso_date
from timeline.import_files import ImportRefused, looks_like_formula, row_label
from timeline.models import Event, Involvement, Participant, Role, Source, Statement, Topic, normalize_url

SEPARATOR = ", "
# How a row was recognised as an existing item, as the preview says it.
MATCHED_BY = {
    "slug": gettext_lazy("its slug"),
    "name": gettext_lazy("its name"),
    "wikidata": gettext_lazy("its Wikidata ID"),
    "address": gettext_lazy("its address"),
    "title": gettext_lazy("its title and publisher"),
    "title-date": gettext_lazy("its title and date"),
    "words": gettext_lazy("its speaker, date and words"),
    "role": gettext_lazy("its participant, title and dates"),
}
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


# The references looked up during one import (or one chunk of a large one), so that the 500 rows naming the same
# topic look it up once.
_references: contextvars.ContextVar[dict | None] = contextvars.ContextVar("references", default=None)


def find_reference(model, value: str):
    """The row `value` names: its slug, else (for participants and topics) its name, else (sources) its address."""
    known = _references.get()
    if known is None:
        return _find_reference(model, value)
    if (model, value) not in known:
        known[model, value] = _find_reference(model, value)
    return known[model, value]


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


def parse_participants(value) -> list[tuple[str, str]]:
    """`mark-carney:guest, donald-trump` -> [("mark-carney", "guest"), ("donald-trump", "attendee")]."""
    pairs = []
    for item in force_str(value or "").split(","):
        if not item.strip():
            continue
        slug, _sep, part = item.partition(":")
        pairs.append((slug.strip(), part.strip() or Involvement.Part.ATTENDEE))
    return pairs


class PreviewDiff(resources.Diff):
    """The dry run's changes as <ins> and <del>, without the inline styles that the Content-Security-Policy
    blocks (diff-match-patch's own HTML colours every change with a style attribute). What it reads of the
    existing item is also what the preview's fingerprint is made of (see TimelineResource.import_row)."""

    TAGS = {-1: "del", 0: "span", 1: "ins"}

    def __init__(self, resource, instance, new):  # the library's reads every field a second time
        self.new, self.right = new, []
        self.html = resource.html_diff  # without a preview to show (the import_file command), nothing to read
        self.left = self.values(resource, instance) if self.html else []
        resource.row_state["before"] = self.left

    def compare_with(self, resource, instance):
        self.right = self.values(resource, instance) if self.html else []

    @staticmethod
    def values(resource, instance):
        # Through the resource, so that computed columns (an event's participants) are previewed too.
        return [resource.export_field(field, instance) for field in resource.get_import_fields()]

    def as_html(self):
        if not self.html:
            return []
        cells = []
        for old, new in zip(self.left, self.right, strict=True):
            if old != new and self.new:
                old = ""
            changes = diff_match_patch().diff_main(force_str(old), force_str(new))
            diff_match_patch().diff_cleanupSemantic(changes)
            cells.append(format_html_join("", "<{0}>{1}</{0}>", ((self.TAGS[op], text) for op, text in changes)))
        return cells


# The shared behaviour.


class TimelineResource(resources.ModelResource):
    """All-or-nothing imports that recognise what already exists, with per-row, per-column messages."""

    @property
    def noun(self) -> str:
        return str(self._meta.model._meta.verbose_name)

    # The columns a row can be recognised by, each alternative enough on its own.
    identities: list[tuple[str, ...]] = [("slug",)]
    # Columns a file may have beside the fields (a precision column, read by its date column).
    extra_columns: tuple[str, ...] = ()
    # The column a new row's slug is made from when it has none.
    slug_from = ""

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_natural_foreign_keys = False

    def get_diff_class(self):
        return PreviewDiff

    # An empty spreadsheet cell in a long text column is an empty text, as it is for short text columns.

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if isinstance(f, models.TextField):
            return widgets.CharWidget
        return super().widget_from_django_field(f, default)

    @classmethod
    def widget_kwargs_for_field(cls, field_name, django_field):
        kwargs = super().widget_kwargs_for_field(field_name, django_field)
        if isinstance(django_field, models.TextField) and django_field.blank:
            kwargs.update(coerce_to_string=True, allow_blank=True)
        return kwargs

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.row_numbers: list[int] | None = None
        self.row_noun = "row"
        self.duplicate_rows: dict[tuple, list[int]] = {}
        self.seen: dict[tuple, int] = {}  # identity -> first row, across the chunks of a large file
        self.warnings: list[str] = []
        self.choices: dict[str, int] = {}  # row number -> the source whose address it repeats
        self.fingerprint = hashlib.sha256()
        self.row_state: dict = {}
        self.html_diff = True
        self.by_slug: dict = {}

    # The file as a whole

    def known_columns(self) -> list[str]:
        return [field.column_name for field in self.get_import_fields()] + list(self.extra_columns)

    def check_header(self, dataset) -> None:
        """Refuse unknown or missing columns by name; spelling is forgiven in case and spacing only."""
        known = self.known_columns()
        by_plain = {name.casefold(): name for name in known}
        header = []
        for position, name in enumerate(dataset.headers or [], 1):
            name = force_str(name if name is not None else "").strip()
            canonical = by_plain.get(name.casefold().replace(" ", "_"))
            if canonical is None:
                if not name:
                    raise ImportRefused(
                        _("Row 1 (the header): column %(position)s has no name; name it or delete it.")
                        % {"position": position}
                    )
                nearest = difflib.get_close_matches(name.casefold(), known, n=1, cutoff=0.6)
                hint = (_("did you mean “%(name)s”?") % {"name": nearest[0]}) if nearest else ""
                raise ImportRefused(
                    _("Row 1 (the header): “%(name)s” is not a column of this import; %(hint)s %(known)s")
                    % {
                        "name": name,
                        "hint": hint,
                        "known": _("the columns are %(columns)s.") % {"columns": ", ".join(known)},
                    }
                )
            if canonical in header:
                raise ImportRefused(_("Row 1 (the header): the column “%(name)s” appears twice.") % {"name": canonical})
            header.append(canonical)
        dataset.headers = header
        if not any(all(column in header for column in identity) for identity in self.identities):
            ways = _(" or ").join(_(" and ").join(f"“{c}”" for c in identity) for identity in self.identities)
            raise ImportRefused(
                _("Row 1 (the header): this import needs the column %(ways)s, to know which %(noun)s each row is.")
                % {"noun": self.noun, "ways": ways}
            )

    def number_of(self, index: int) -> int:
        """The spreadsheet row of the dataset's `index`th row (1-based), as editors will look for it."""
        return self.row_numbers[index - 1] if self.row_numbers else index + 1

    def label(self, number: int) -> str:
        return row_label(number, self.row_noun)

    def import_data(self, dataset, max_rows=None, skip_html_diff=False, **kwargs):
        """`max_rows`: refuse a larger file, with `too_large` set on the result (the admin names the command
        that takes it). `skip_html_diff`: no preview to show, so no diff to render (the import_file command)."""
        self.row_numbers = getattr(dataset, "row_numbers", None)
        self.row_noun = getattr(dataset, "row_noun", "row")
        self.html_diff = not skip_html_diff
        if max_rows is not None and len(dataset) > max_rows:
            result = Result()
            result.too_large, result.file_name = True, kwargs.get("file_name") or ""
            return self.finish(result)
        try:
            if len(dataset):  # a file of no rows (an export of nothing) has nothing to check
                self.check_header(dataset)
        except ImportRefused as refusal:
            result = Result()
            result.append_base_error(Error(refusal))
            return self.finish(result)
        # The importer rolls back on errors; rolling back on invalid rows too is what makes it all or nothing.
        kwargs["rollback_on_validation_errors"] = True
        kwargs.setdefault("use_transactions", True)
        references = _references.set({})
        try:
            return self.finish(super().import_data(dataset, **kwargs))
        finally:
            _references.reset(references)

    def finish(self, result):
        """The result as editors read it: rows numbered as in their spreadsheet, what the preview saw."""
        for invalid in result.invalid_rows:
            invalid.number = self.number_of(invalid.number)
        for error_row in result.error_rows:
            error_row.number = self.number_of(error_row.number)
        result.fingerprint = self.fingerprint.hexdigest()
        result.warnings = self.warnings
        result.choices = self.choices
        result.row_noun = self.row_noun
        proposed = [row for row in result.rows if getattr(row, "proposed", False)]
        result.proposed = {kind: sum(1 for row in proposed if row.import_type == kind) for kind in ("new", "update")}
        return result

    # Check constraints are validated again, one query each, for every row: a third of an event import's time.
    # Those of events and statements repeat what their fields and clean() check, with better sentences.
    validate_constraints = True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=errors.keys(), validate_unique=validate_unique, validate_constraints=self.validate_constraints
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _check_import_id_fields(self, headers):
        """Rows are matched by `identities`, checked with a sentence an editor can act on in check_header."""

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        rows_by_key: dict[tuple, list[int]] = {}
        for index, values in enumerate(dataset, 1):
            key = self.row_key(dict(zip(dataset.headers, values, strict=True)))
            if key:
                rows_by_key.setdefault(key, []).append(self.number_of(index))
        self.duplicate_rows = {key: rows for key, rows in rows_by_key.items() if len(rows) > 1}
        if "slug" in (dataset.headers or []):
            slugs = {force_str(slug).strip() for slug in dataset["slug"] if slug}
            self.by_slug = {item.slug: item for item in self._meta.model.objects.filter(slug__in=slugs)}

    # One row

    def row_key(self, row) -> tuple | None:
        """What makes two rows of a file the same item (compared before anything is looked up)."""
        slug = cell(row, "slug")
        return ("slug", slug) if slug else None

    def get_instance(self, instance_loader, row):
        instance, how = self.find_existing(row)
        self.row_state["matched_by"] = how
        self.row_state["new"] = instance is None
        return instance

    def find_existing(self, row) -> tuple[models.Model | None, str | None]:
        """The existing item the row names, and how it was recognised (for the preview)."""
        slug = cell(row, "slug")
        if slug:
            found = self.by_slug.get(slug)  # looked up for all the rows at once, in before_import
            return (found, "slug") if found else (None, None)
        return self.find_by_identity(row)

    def find_by_identity(self, row) -> tuple[models.Model | None, str | None]:
        return None, None

    def import_row(self, row, instance_loader, **kwargs):
        number = self.number_of(kwargs["row_number"])
        self.row_state = {"number": number, "notes": [], "before": None, "matched_by": None}
        row_result = super().import_row(row, instance_loader, **kwargs)
        row_result.number = number
        row_result.matched_by = MATCHED_BY.get(self.row_state["matched_by"])
        row_result.notes = self.row_state["notes"]
        row_result.proposed = "proposal" in self.row_state
        # The fingerprint: which item each row found, and what it held, as the preview showed it. Any other
        # answer at confirmation means someone changed the data in between.
        found = row_result.import_type not in ("new", "invalid", "error") and self.row_state["matched_by"]
        self.fingerprint.update(repr((number, bool(found), self.row_state["before"] if found else None)).encode())
        return row_result

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        slug = getattr(instance, "slug", None)
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if instance.pk and slug and "slug" in row and not cell(row, "slug"):
            instance.slug = slug  # recognised by what identifies it: a blank slug cell leaves its slug alone
        # Many-to-many columns are saved after the row, but checked with it, so they report like any field.
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [str(error)]
        number = self.row_state["number"]
        key = self.row_key(row)
        if key in self.duplicate_rows:
            rows = _(" and ").join(str(n) for n in self.duplicate_rows[key])
            errors["slug" if key[0] == "slug" else NON_FIELD] = [
                _("Rows %(rows)s are the same %(noun)s: keep one of them.") % {"rows": rows, "noun": self.noun}
            ]
        elif key is not None:
            first = self.seen.setdefault(key, number)
            if first != number:
                errors[NON_FIELD] = [
                    _("This row is the same %(noun)s as row %(first)s: keep one of them.")
                    % {"noun": self.noun, "first": first}
                ]
        if instance.pk is None and hasattr(instance, "slug") and not instance.slug and self.slug_from:
            instance.slug = self.new_slug(instance, cell(row, self.slug_from))
        for column, value in row.items():
            if looks_like_formula(value):
                self.warnings.append(
                    _(
                        "%(row)s, %(column)s begins like a spreadsheet formula (%(start)s…): it is kept as text, "
                        "and exports write it as text."
                    )
                    % {"row": self.label(number), "column": column, "start": force_str(value)[:20]}
                )
        errors.update(self.check_row(instance, row, **kwargs))
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        # History names who imported, also where there is no request to take the user from (import_file).
        if kwargs.get("user") is not None:
            instance._history_user = kwargs["user"]

    def save_instance(self, instance, is_create, row, **kwargs):
        """Something readers see is not written for an editor: the row becomes a change waiting for review."""
        user = kwargs.get("user")
        if user is not None and review.needs_review(instance, user):
            self.row_state["proposal"] = review.Proposal(instance)
            self.row_state["notes"].append(_("Seen by readers: this change will wait for a publisher’s review."))
            return
        super().save_instance(instance, is_create, row, **kwargs)

    def m2m_wanted(self, row) -> dict:
        return {
            field.attribute: field.clean(row)
            for field in self.get_import_fields()
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row
        }

    def propose(self, instance, row, user, **extra) -> None:
        proposal = self.row_state["proposal"]
        proposal.m2m = self.m2m_wanted(row)
        for name, value in extra.items():
            setattr(proposal, name, value)
        review.propose(proposal, user)

    def save_m2m(self, instance, row, **kwargs):
        """Many-to-many columns, written only where they change: a new item's rows in one insert each, an existing
        item's through set() (which touches only what differs)."""
        if "proposal" in self.row_state:
            return self.propose(instance, row, kwargs.get("user"))
        for field in self.get_import_fields():
            if not isinstance(field.widget, widgets.ManyToManyWidget) or field.column_name not in row:
                continue
            wanted = field.clean(row)
            manager = getattr(instance, field.attribute)
            if self.row_state.get("new"):
                through = manager.through
                through.objects.bulk_create(
                    through(**{manager.source_field_name: instance, manager.target_field_name: item}) for item in wanted
                )
            else:
                manager.set(wanted)

    def new_slug(self, instance, text: str) -> str:
        """A slug made from the title or name, numbered if taken: editors need not invent one."""
        field = self._meta.model._meta.get_field("slug")
        base = slugify(text)[: field.max_length - 4] or self.noun
        slug, n = base, 2
        while self._meta.model.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    def check_row(self, instance, row, **kwargs) -> dict[str, list[str]]:
        """Errors found in the row beyond its fields' own, by field."""
        return {}


NON_FIELD = "__all__"


# The models.


class TopicResource(TimelineResource):
    example = {
        "slug": "trade",
        "name": "Trade",
        "description": "Trade agreements, trade talks and the exchange of goods and services between countries.",
    }
    identities = [("slug",), ("name",)]
    slug_from = "name"

    class Meta:
        model = Topic
        import_id_fields = ["slug"]
        fields = ["slug", "name", "description"]

    def row_key(self, row):
        return super().row_key(row) or (("name", text_key(cell(row, "name"))) if cell(row, "name") else None)

    def find_by_identity(self, row):
        found = find_reference(Topic, cell(row, "name")) if cell(row, "name") else None
        return (found, "name") if found else (None, None)


class ParticipantResource(TimelineResource):
    example = {"slug": "mark-carney", "name": "Mark Carney", "kind": "person", "country": "CA"}
    identities = [("slug",), ("name",)]
    slug_from = "name"

    class Meta:
        model = Participant
        import_id_fields = ["slug"]
        fields = ["slug", "name", "kind", "country", "description", "wikidata_id"]

    def row_key(self, row):
        return super().row_key(row) or (("name", text_key(cell(row, "name"))) if cell(row, "name") else None)

    def find_by_identity(self, row):
        wikidata = cell(row, "wikidata_id")
        if wikidata:
            found = Participant.objects.filter(wikidata_id=wikidata).first()
            if found:
                return found, "wikidata"
        found = find_reference(Participant, cell(row, "name")) if cell(row, "name") else None
        return (found, "name") if found else (None, None)


class SourceResource(TimelineResource):
    """Sources are recognised by their address above all: the same page cited twice is one source. A row whose
    address is already a source's waits for the editor's choice in the preview: update that source with the
    row, or keep it as it is and only match it."""

    example = {
        "slug": "ipolitics-carney-wins-liberal-leadership",
        "title": "Carney wins Liberal leadership, will become Canada's 24th prime minister",
        "publisher": "iPolitics",
        "url": "https://old.ipolitics.ca/2025/03/09/carney-wins-liberal-leadership-will-become-canadas-24th-prime-minister/",
        "published_on": "2025-03-09",
        "kind": "news",
    }
    identities = [("slug",), ("url",), ("title",)]
    slug_from = "title"
    extra_columns = tuple(Source.date_precisions.values())
    published_on = dated(Source, "published_on")
    accessed_on = dated(Source, "accessed_on")

    class Meta:
        model = Source
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "title",
            "title_is_descriptive",
            "publisher",
            "author",
            "url",
            "published_on",
            "accessed_on",
            "archive_url",
            "kind",
        ]

    def row_key(self, row):
        if cell(row, "url"):
            return ("url", normalize_url(cell(row, "url")))
        return super().row_key(row) or (("title", text_key(cell(row, "title"))) if cell(row, "title") else None)

    def find_existing(self, row):
        slug, url = cell(row, "slug"), cell(row, "url")
        by_slug = self.by_slug.get(slug) if slug else None
        by_url = Source.objects.filter(normalized_url=normalize_url(url)).first() if url else None
        if by_slug is not None:
            return by_slug, "slug"  # a clash with another source's address is reported by check_row
        if by_url is not None:
            self.row_state["url_match"] = by_url
            return by_url, "address"
        if not slug and cell(row, "title"):
            found = Source.objects.filter(
                title__iexact=cell(row, "title"), publisher__iexact=cell(row, "publisher")
            ).first()
            if found:
                return found, "title"
        return None, None

    def import_instance(self, instance, row, **kwargs):
        match = self.row_state.get("url_match")
        if match is None:
            return super().import_instance(instance, row, **kwargs)
        number = str(self.row_state["number"])
        self.choices[number] = match.pk
        choice = (kwargs.get("url_choices") or {}).get(number)
        if choice == "keep":
            self.row_state["keep"] = True
            self.row_state["notes"].append(_("Matched with the existing source, kept as it is."))
            return None
        slug = instance.slug
        super().import_instance(instance, row, **kwargs)
        instance.slug = slug  # the existing source keeps its slug, which other files may name
        self.row_state["notes"].append(
            _("This address is already the source “%(source)s”: it is updated with this row.") % {"source": match.slug}
            if choice == "update"
            else _(
                "This address is already the source “%(source)s”: choose below whether to update it "
                "with this row or keep it as it is."
            )
            % {"source": match.slug}
        )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if self.row_state.get("keep"):
            return True
        return super().skip_row(instance, original, row, import_validation_errors)

    def check_row(self, instance, row, **kwargs):
        url = cell(row, "url")
        if url and instance.pk:
            other = Source.objects.filter(normalized_url=normalize_url(url)).exclude(pk=instance.pk).first()
            if other:
                return {
                    "url": [
                        _(
                            "This address is already the source “%(title)s” (%(slug)s): leave the slug "
                            "blank to update that source, or use its slug."
                        )
                        % {"title": other.title, "slug": other.slug}
                    ]
                }
        return {}


class EventResource(TimelineResource):
    validate_constraints = False
    example = {
        "slug": "carney-wins-liberal-leadership-2025-03-09",
        "title": "Mark Carney wins the Liberal Party leadership",
        "summary": "Mark Carney, a former central bank governor, won the Liberal leadership in a single round of "
        "voting, taking 85.9% of the points and beating Chrystia Freeland by a wide margin. The result put him in "
        "line to succeed Justin Trudeau as prime minister.",
        "start_date": "2025-03-09",
        "event_type": "election",
        "importance": "2",
        "topics": "elections",
        "sources": "https://old.ipolitics.ca/2025/03/09/carney-wins-liberal-leadership-will-become-canadas-24th-prime-minister/",
        "participants": "mark-carney:subject, chrystia-freeland:subject",
        "status": "draft",
    }
    identities = [("slug",), ("title", "start_date")]
    slug_from = "title"
    extra_columns = tuple(Event.date_precisions.values())
    start_date = dated(Event, "start_date")
    end_date = dated(Event, "end_date")
    topics = fields.Field("topics", "topics", ReferencesWidget(Topic))
    sources = fields.Field("sources", "sources", ReferencesWidget(Source))
    participants = fields.Field(column_name="participants")
    status = fields.Field("status", "status", readonly=True)

    class Meta:
        model = Event
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "title",
            "summary",
            "body",
            "start_date",
            "approximate",
            "end_date",
            "event_type",
            "location",
            "importance",
            "topics",
            "sources",
            "participants",
            "status",
        ]

    def row_key(self, row):
        if super().row_key(row):
            return super().row_key(row)
        if cell(row, "title") and cell(row, "start_date"):
            return ("title", text_key(cell(row, "title")), cell(row, "start_date"))
        return None

    def find_by_identity(self, row):
        try:
            start = parse_date(row.get("start_date"))
        except ValidationError:
            return None, None
        if start is None or not cell(row, "title"):
            return None, None
        title = text_key(cell(row, "title"))
        for event in Event.objects.filter(start_date=start.date):
            if text_key(event.title) == title:
                return event, "title-date"
        return None, None

    def dehydrate_participants(self, event):
        if event.pk is None:
            return ""
        return SEPARATOR.join(
            f"{i.participant.slug}:{i.part}" for i in event.involvements.select_related("participant")
        )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        pairs = getattr(instance, "_imported_involvements", None)
        return pairs is None or pairs == self.current_involvements(original)

    @staticmethod
    def current_involvements(event):
        if event.pk is None:
            return []
        return [(i.participant, i.part) for i in event.involvements.select_related("participant")]

    def check_row(self, instance, row, **kwargs):
        errors = {}
        if "participants" in row:
            pairs, problems = [], []
            for name, part in parse_participants(row["participants"]):
                participant = find_reference(Participant, name)
                if participant is None:
                    problems.append(
                        _("No participant is “%(name)s”: import participants first, or fix the slug.") % {"name": name}
                    )
                else:
                    pairs.append((participant, part))
            parts = set(Involvement.Part.values)
            problems += [
                _("“%(part)s” is not a part: use one of %(parts)s.") % {"part": part, "parts": ", ".join(sorted(parts))}
                for _name, part in parse_participants(row["participants"])
                if part not in parts
            ]
            if len(set(pairs)) != len(pairs):
                problems.append(_("A participant is listed twice with the same part: list each once."))
            if problems:
                errors["participants"] = problems
            instance._imported_involvements = pairs
        status = cell(row, "status")
        if status and status not in Event.Status.values:
            errors["status"] = [_("“%(status)s” is not a status: use draft or published.") % {"status": status}]
        return errors

    def save_m2m(self, instance, row, **kwargs):
        pairs = getattr(instance, "_imported_involvements", None)
        if "proposal" in self.row_state:
            if "sources" in row and publishing.needs_source(instance, self.fields["sources"].clean(row)):
                raise ValidationError({"sources": [str(publishing.EVENT_NEEDS_SOURCE)]})
            wanted = None if pairs is None else [(p, part, order) for order, (p, part) in enumerate(pairs)]
            return self.propose(instance, row, kwargs.get("user"), involvements=wanted)
        super().save_m2m(instance, row, **kwargs)
        if pairs is not None and (self.row_state.get("new") or pairs != self.current_involvements(instance)):
            if not self.row_state.get("new"):
                instance.involvements.all().delete()
            Involvement.objects.bulk_create(
                Involvement(event=instance, participant=participant, part=part, order=order)
                for order, (participant, part) in enumerate(pairs)
            )
        self.apply_status(instance, cell(row, "status"), kwargs.get("user"))

    def apply_status(self, event, wanted, user):
        """Publishers' files may publish or unpublish, through the publishing rule; anyone else's never do."""
        try:
            if user is not None and publishing.can_publish(user) and wanted:
                if wanted == Event.Status.PUBLISHED:
                    publishing.publish(event, user)
                else:
                    publishing.unpublish(event, user)
            elif event.is_published:
                problems = publishing.publication_problems(event)
                if problems:
                    raise publishing.PublishingRefused(event, problems)
        except publishing.WeakSourcesNotSeen as refusal:
            # A file cannot say it was shown the warning: the publisher is told, and publishes from the form.
            advice = _("Import it as a draft, then publish it from its page in the admin once you have checked.")
            message = " ".join([warning.message for warning in refusal.warnings] + [advice])
            raise ValidationError({"status": [message]}) from None
        except publishing.PublishingRefused as refusal:
            raise ValidationError({"status": [str(refusal)]}) from None


class StatementResource(TimelineResource):
    """A statement is its speaker, its date and its words: the same quote imported twice is one statement, whatever
    its slug (or none) says. A slug that names an existing statement still wins, so that an export can correct a
    quote's words on the way back."""

    validate_constraints = False
    example = {
        "speaker": "mark-carney",
        "event": "carney-wins-liberal-leadership-2025-03-09",
        "text": "Donald Trump has put unjustified tariffs on what we build, what we sell, and how we earn a living,",
        "kind": "quote",
        "language": "en",
        "said_on": "2025-03-09",
        "importance": "3",
        "sources": "https://old.ipolitics.ca/2025/03/09/carney-wins-liberal-leadership-will-become-canadas-24th-prime-minister/",
    }
    identities = [("slug",), ("speaker", "text")]
    extra_columns = tuple(Statement.date_precisions.values())
    speaker = fields.Field("speaker", "speaker", ReferenceWidget(Participant))
    event = fields.Field("event", "event", ReferenceWidget(Event))
    said_on = dated(Statement, "said_on")
    sources = fields.Field("sources", "sources", ReferencesWidget(Source))

    class Meta:
        model = Statement
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "speaker",
            "speaker_label",
            "event",
            "text",
            "kind",
            "language",
            "said_on",
            "context",
            "importance",
            "sources",
        ]

    def row_key(self, row):
        if not (cell(row, "speaker") and cell(row, "text")):
            return super().row_key(row)
        try:
            said = parse_date(row.get("said_on"))
        except ValidationError:
            said = cell(row, "said_on")
        speaker = find_reference(Participant, cell(row, "speaker"))  # "Mark Carney" and "mark-carney" are one
        who = speaker.pk if speaker else cell(row, "speaker").casefold()
        return ("said", who, str(said or ""), text_key(cell(row, "text")))

    def find_existing(self, row):
        found, how = super().find_existing(row)
        if found is None and cell(row, "slug"):
            found, how = self.find_by_identity(row)
        return found, how

    def find_by_identity(self, row):
        speaker = find_reference(Participant, cell(row, "speaker")) if cell(row, "speaker") else None
        if speaker is None or not cell(row, "text"):
            return None, None
        try:
            said = parse_date(row.get("said_on"))
        except ValidationError:
            return None, None
        words = text_key(cell(row, "text"))
        candidates = Statement.objects.filter(speaker=speaker, said_on=said.date if said else None)
        for statement in candidates:
            if text_key(statement.text) == words:
                return statement, "words"
        return None, None

    def import_instance(self, instance, row, **kwargs):
        slug = instance.slug
        super().import_instance(instance, row, **kwargs)
        if instance.pk and self.row_state["matched_by"] != "slug":
            instance.slug = slug  # recognised by its words: it keeps the slug it has

    def check_row(self, instance, row, **kwargs):
        if "speaker" in row and not cell(row, "speaker"):
            return {"speaker": [_("Every statement needs a speaker: give the participant's slug or name.")]}
        if instance.pk and self.row_state["matched_by"] == "slug":
            twin, _how = self.find_by_identity(row)
            if twin is not None and twin.pk != instance.pk:
                return {
                    "text": [
                        _("These words are already the statement “%(slug)s”, by the same speaker that day.")
                        % {"slug": twin.slug}
                    ]
                }
        return {}

    def save_m2m(self, instance, row, **kwargs):
        event = instance.event if instance.event_id else None
        sources = self.fields["sources"].clean(row) if "sources" in row else instance.pk and instance.sources.exists()
        if publishing.needs_source(event, sources):
            raise ValidationError({"sources": [str(publishing.STATEMENT_NEEDS_SOURCE)]})
        super().save_m2m(instance, row, **kwargs)


class RoleResource(TimelineResource):
    """A role is its participant, its title and its start (or the day it is attested on, when that is all the
    source gives)."""

    example = {
        "participant": "anita-anand",
        "title": "Minister of Innovation, Science and Industry",
        "start": "2025-03-14",
        "end": "2025-05-13",
    }
    identities = [("participant", "title")]
    extra_columns = tuple(Role.date_precisions.values())
    participant = fields.Field("participant", "participant", ReferenceWidget(Participant))
    start = dated(Role, "start")
    end = dated(Role, "end")
    attested_on = dated(Role, "attested_on")
    source = fields.Field("source", "source", ReferenceWidget(Source))

    class Meta:
        model = Role
        import_id_fields = ["participant", "title", "start"]
        fields = ["participant", "title", "organisation", "start", "end", "attested_on", "source", "note"]

    def row_key(self, row):
        if not (cell(row, "participant") and cell(row, "title")):
            return None
        return ("role", cell(row, "participant").casefold(), text_key(cell(row, "title")),
                cell(row, "start"), cell(row, "attested_on"))  # fmt: skip

    def find_existing(self, row):
        participant = find_reference(Participant, cell(row, "participant")) if cell(row, "participant") else None
        if participant is None or not cell(row, "title"):
            return None, None
        try:
            start, attested = parse_date(row.get("start")), parse_date(row.get("attested_on"))
        except ValidationError:
            return None, None
        title = text_key(cell(row, "title"))
        roles = Role.objects.filter(
            participant=participant,
            start=start.date if start else None,
            attested_on=attested.date if attested else None,
        )
        for role in roles:
            if text_key(role.title) == title:
                return role, "role"
        return None, None


# The order a whole database is imported in: each file only names rows of the files before it.
IMPORT_ORDER = [TopicResource, ParticipantResource, SourceResource, RoleResource, EventResource, StatementResource]


def import_all(datasets: dict, user=None, dry_run: bool = False) -> dict:
    """Import several files as one: if any row of any file is invalid, nothing of any file is written."""
    results = {}
    with transaction.atomic():
        for resource_class in IMPORT_ORDER:
            dataset = datasets.get(resource_class._meta.model._meta.model_name)
            if dataset is not None:
                results[resource_class] = resource_class().import_data(dataset, dry_run=dry_run, user=user)
        if dry_run or any(r.has_errors() or r.has_validation_errors() for r in results.values()):
            transaction.set_rollback(True)
    return results
