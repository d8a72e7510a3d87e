"""What every import does with a row, whatever the model (timeline/resources.py has one resource per model).

- A row names an existing item by its slug or, when the slug is blank or absent, by what identifies it
  (`find_existing`); a row that changes nothing is "unchanged" (django-import-export's skip_unchanged), and a row
  repeating another of the file is refused.
- Rows are numbered as the spreadsheet numbers them (the header is row 1), in every message.
- The preview's fingerprint records what each row found, so that a confirmation finding anything else is refused
  (timeline/importing.py).
- A row changing something readers see, for an editor, becomes a change waiting for review (timeline/review.py),
  once: the same change already waiting is an unchanged row, and the preview says it waits.
- Text that begins like a spreadsheet formula is kept as text, and flagged.
"""

import difflib
import hashlib
import logging
import sqlite3

from diff_match_patch import diff_match_patch
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.html import format_html_join
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources, widgets
from import_export.results import Error, Result, RowResult

from timeline import review
from timeline.import_columns import WholeNumberWidget, YesNoWidget, cell, remembered_references
from timeline.import_files import ImportRefused, row_label
from timeline.spreadsheets import looks_like_formula

logger = logging.getLogger(__name__)

NON_FIELD = "__all__"  # a row's errors that belong to no one column

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


class SeenRows:
    """The first row of each identity (slug, or title and date...) a file has had, across the chunks of a large file.

    Kept in a private SQLite database on disk, which SQLite deletes when it is closed, with SQLite's small default
    cache: in memory, identities grew by some 250 bytes a row (more for statements, whose identity is their words),
    the one thing that still grew through a 200,000-row import once a chunk was done."""

    def __init__(self):
        self.connection = None

    def first(self, key: tuple, number: int) -> int:
        """The row that first had `key`: `number` itself the first time."""
        if self.connection is None:
            self.connection = sqlite3.connect("", check_same_thread=False)  # "": temporary, deleted on close
            self.connection.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, number INTEGER) WITHOUT ROWID")
        self.connection.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (repr(key), number))
        return self.connection.execute("SELECT number FROM seen WHERE key = ?", (repr(key),)).fetchone()[0]


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


class ErrorWithoutTraceback(Error):
    """An import error as the admin shows it: its message alone. Its traceback names the server's files, so it goes
    to the log, and to the page only while DEBUG is on, whatever the import template prints."""

    def __init__(self, error, row=None, number=None):
        super().__init__(error, row, number)
        if error.__traceback__ is not None:  # raised somewhere unexpected, not a refusal the importer wrote
            logger.warning("Import error%s: %s", f" in row {number}" if number else "", error, exc_info=error)

    @property
    def traceback(self):
        return super().traceback if settings.DEBUG else ""


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

    def get_error_result_class(self):
        return ErrorWithoutTraceback

    # An empty spreadsheet cell in a long text column is an empty text, as it is for short text columns; yes-or-no
    # and number columns refuse, by row and column, what the library's widgets misread.

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if isinstance(f, models.TextField):
            return widgets.CharWidget
        if isinstance(f, models.BooleanField):
            return YesNoWidget
        if isinstance(f, models.IntegerField):
            return WholeNumberWidget
        return super().widget_from_django_field(f, default)

    @classmethod
    def widget_kwargs_for_field(cls, field_name, django_field):
        kwargs = super().widget_kwargs_for_field(field_name, django_field)
        if isinstance(django_field, models.TextField) and django_field.blank:
            kwargs.update(coerce_to_string=True, allow_blank=True)
        if isinstance(django_field, models.IntegerField):
            # Its validators: the model's own (importance: 1 to 3) beside the range Django adds for the database's.
            validators = django_field.validators
            kwargs["minimum"] = max(v.limit_value for v in validators if isinstance(v, MinValueValidator))
            kwargs["maximum"] = min(v.limit_value for v in validators if isinstance(v, MaxValueValidator))
        return kwargs

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.row_numbers: list[int] | None = None
        self.row_noun = "row"
        self.duplicate_rows: dict[tuple, list[int]] = {}
        self.seen = SeenRows()  # identity -> first row, across the chunks of a large file
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

    def export(self, *args, **kwargs):
        # The columns named as the fields are (title) hold the English, whatever language the admin is shown in.
        with translation.override(settings.LANGUAGE_CODE):
            return super().export(*args, **kwargs)

    def import_data(self, *args, **kwargs):
        # As for export: a "title" cell is the English title, and `event.title` reads the English to match rows.
        with translation.override(settings.LANGUAGE_CODE):
            return self._import_data(*args, **kwargs)

    def _import_data(self, dataset, max_rows=None, skip_html_diff=False, **kwargs):
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
            result.append_base_error(self.get_error_result_class()(refusal))
            return self.finish(result)
        # The importer rolls back on errors; rolling back on invalid rows too is what makes it all or nothing.
        kwargs["rollback_on_validation_errors"] = True
        kwargs.setdefault("use_transactions", True)
        with remembered_references():
            return self.finish(super().import_data(dataset, **kwargs))

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
        if not slug:
            return self.find_by_identity(row)
        found = self.by_slug.get(slug)  # looked up for all the rows at once, in before_import
        if found is not None:
            return found, "slug"
        twin, how = self.find_by_identity(row)
        if twin is not None:  # a new slug for what looks like an existing item: said, not guessed
            self.row_state["notes"].append(
                _("Looks like the existing %(noun)s “%(item)s” (%(how)s): if it is the same, use its slug, %(slug)s.")
                % {"noun": self.noun, "item": twin, "how": MATCHED_BY[how], "slug": twin.slug}
            )
        return None, None

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
        if row_result.proposed and self.row_state["proposal"].already_waiting:
            row_result.import_type, row_result.proposed = RowResult.IMPORT_TYPE_SKIP, False
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
            first = self.seen.first(key, number)
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
        self.row_state["notes"].append(
            _("This change is already waiting for a publisher’s review: nothing new is proposed.")
            if proposal.already_waiting
            else _("Seen by readers: this change will wait for a publisher’s review.")
        )

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
