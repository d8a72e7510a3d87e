"""Import and export of the timeline's data, keyed by natural keys (slugs) so files move between databases.

Rules every import follows:
- All or nothing: a file with any invalid row writes nothing; each bad row is reported with its field and a fix.
- Imports never publish for someone who may not publish. A new event arrives as a draft and an existing event
  keeps its status, unless the importing user is a publisher: then the `status` column is honoured, through the
  same publishing rule as the admin's buttons (a published event needs sources, and so does each statement).
- Participants in an event are one column, "slug:part" pairs: `mark-carney:guest, donald-trump:host`.
"""

import csv
import io

import tablib
from diff_match_patch import diff_match_patch
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.encoding import force_str
from django.utils.html import format_html_join
from django.utils.translation import gettext
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV

from timeline import publishing
from timeline.models import Event, Involvement, Participant, Source, Statement, Topic

SEPARATOR = ", "


class StrictCSV(CSV):
    """CSV read strictly: tablib would pad a short row with blanks and take a stray quote as text."""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = in_stream.decode(self.encoding or "utf-8-sig")
        try:
            rows = [row for row in csv.reader(io.StringIO(in_stream), strict=True) if row]
        except csv.Error as error:
            raise ValueError(f"the CSV is malformed ({error}); check its quotes") from None
        if not rows:
            return tablib.Dataset()
        header, body = rows[0], rows[1:]
        for number, row in enumerate(body, 1):
            if len(row) != len(header):
                raise ValueError(
                    f"row {number} has {len(row)} columns but the header has {len(header)}; "
                    "quote any value that contains a comma"
                )
        return tablib.Dataset(*body, headers=header)


# Widgets that say what is wrong and how to fix it.


class ISODateWidget(widgets.DateWidget):
    """Dates as YYYY-MM-DD only: 05/06/2025 means different days in Canada and the United States."""

    def __init__(self):
        super().__init__(format="%Y-%m-%d")

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(f"\u201c{value}\u201d is not a date: write it as YYYY-MM-DD, e.g. 2025-05-06.") from None


class SlugWidget(widgets.ForeignKeyWidget):
    """A foreign key named by its slug; an unknown slug is an error, never a silent blank."""

    def __init__(self, model, noun: str):
        super().__init__(model, field="slug")
        self.noun = noun

    def clean(self, value, row=None, **kwargs):
        value = (value or "").strip() if isinstance(value, str) else value
        if not value:
            return None
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(
                f"No {self.noun} has the slug \u201c{value}\u201d: check the spelling, "
                f"or import that {self.noun} first."
            ) from None


class SlugsWidget(widgets.ManyToManyWidget):
    """Many slugs, comma-separated; every one must exist."""

    def __init__(self, model, noun: str):
        super().__init__(model, separator=",", field="slug")
        self.noun = noun

    def clean(self, value, row=None, **kwargs):
        slugs = [slug.strip() for slug in str(value or "").split(",") if slug.strip()]
        found = self.model.objects.filter(slug__in=slugs)
        unknown = sorted(set(slugs) - {obj.slug for obj in found})
        if unknown:
            names = ", ".join(f"\u201c{slug}\u201d" for slug in unknown)
            raise ValueError(f"No {self.noun} has the slug {names}: check the spelling, or import it first.")
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return SEPARATOR.join(sorted(item.slug for item in value.all()))


def parse_participants(value) -> list[tuple[str, str]]:
    """`mark-carney:guest, donald-trump` -> [("mark-carney", "guest"), ("donald-trump", "attendee")]."""
    pairs = []
    for item in str(value or "").split(","):
        if not item.strip():
            continue
        slug, _, part = item.partition(":")
        pairs.append((slug.strip(), part.strip() or Involvement.Part.ATTENDEE))
    return pairs


class PreviewDiff(resources.Diff):
    """The dry run's changes as <ins> and <del>, without the inline styles that the Content-Security-Policy
    blocks (diff-match-patch's own HTML colours every change with a style attribute)."""

    TAGS = {-1: "del", 0: "span", 1: "ins"}

    def __init__(self, resource, instance, new):
        super().__init__(resource, instance, new)
        self.left = self.values(resource, instance)

    def compare_with(self, resource, instance):
        self.right = self.values(resource, instance)

    @staticmethod
    def values(resource, instance):
        # Through the resource, so that computed columns (an event's participants) are previewed too.
        return [resource.export_field(field, instance) for field in resource.get_import_fields()]

    def as_html(self):
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
    """All-or-nothing imports keyed by slug, with per-row, per-field errors."""

    def get_diff_class(self):
        return PreviewDiff

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.duplicate_rows: dict[str, list[int]] = {}

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

    def import_data(self, dataset, **kwargs):
        # The importer rolls back on errors; rolling back on invalid rows too is what makes it all or nothing.
        kwargs["rollback_on_validation_errors"] = True
        kwargs.setdefault("use_transactions", True)
        return super().import_data(dataset, **kwargs)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if "slug" in (dataset.headers or []):
            rows_by_slug: dict[str, list[int]] = {}
            for number, slug in enumerate(dataset["slug"], 1):
                if slug:
                    rows_by_slug.setdefault(str(slug).strip(), []).append(number)
            self.duplicate_rows = {slug: rows for slug, rows in rows_by_slug.items() if len(rows) > 1}

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # Many-to-many columns are saved after the row, but checked with it, so they report like any field.
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [str(error)]
        slug = str(row.get("slug") or "").strip()
        if slug in self.duplicate_rows:
            rows = " and ".join(str(n) for n in self.duplicate_rows[slug])
            errors["slug"] = [f"The slug \u201c{slug}\u201d is used by rows {rows}: give each row its own slug."]
        errors.update(self.check_row(instance, row, **kwargs))
        if errors:
            raise ValidationError(errors)

    def check_row(self, instance, row, **kwargs) -> dict[str, list[str]]:
        """Errors found in the row beyond its fields' own, by field."""
        return {}


# The models.


class TopicResource(TimelineResource):
    class Meta:
        model = Topic
        import_id_fields = ["slug"]
        fields = ["slug", "name", "description"]
        clean_model_instances = True


class ParticipantResource(TimelineResource):
    class Meta:
        model = Participant
        import_id_fields = ["slug"]
        fields = ["slug", "name", "kind", "country", "description", "wikidata_id"]
        clean_model_instances = True


class SourceResource(TimelineResource):
    published_on = fields.Field("published_on", "published_on", ISODateWidget())
    accessed_on = fields.Field("accessed_on", "accessed_on", ISODateWidget())

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
            "published_precision",
            "accessed_on",
            "archive_url",
            "kind",
        ]
        clean_model_instances = True


class EventResource(TimelineResource):
    start_date = fields.Field("start_date", "start_date", ISODateWidget())
    end_date = fields.Field("end_date", "end_date", ISODateWidget())
    topics = fields.Field("topics", "topics", SlugsWidget(Topic, "topic"))
    sources = fields.Field("sources", "sources", SlugsWidget(Source, "source"))
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
            "date_precision",
            "approximate",
            "end_date",
            "end_precision",
            "event_type",
            "location",
            "importance",
            "topics",
            "sources",
            "participants",
            "status",
        ]
        clean_model_instances = True

    def dehydrate_participants(self, event):
        if event.pk is None:
            return ""
        return SEPARATOR.join(
            f"{i.participant.slug}:{i.part}" for i in event.involvements.select_related("participant")
        )

    def check_row(self, instance, row, **kwargs):
        errors = {}
        if "participants" in row:
            pairs = parse_participants(row["participants"])
            known = set(Participant.objects.filter(slug__in=[slug for slug, _ in pairs]).values_list("slug", flat=True))
            problems = [
                f"No participant has the slug \u201c{slug}\u201d: import participants first, or fix the slug."
                for slug, _ in pairs
                if slug not in known
            ]
            parts = set(Involvement.Part.values)
            problems += [
                f"\u201c{part}\u201d is not a part: use one of {', '.join(sorted(parts))}."
                for _, part in pairs
                if part not in parts
            ]
            if len(set(pairs)) != len(pairs):
                problems.append("A participant is listed twice with the same part: list each once.")
            if problems:
                errors["participants"] = problems
            instance._imported_involvements = pairs
        status = str(row.get("status") or "").strip()
        if status and status not in Event.Status.values:
            errors["status"] = [f"\u201c{status}\u201d is not a status: use draft or published."]
        return errors

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        pairs = getattr(instance, "_imported_involvements", None)
        if pairs is not None:
            participants = {p.slug: p for p in Participant.objects.filter(slug__in=[slug for slug, _ in pairs])}
            instance.involvements.all().delete()
            Involvement.objects.bulk_create(
                Involvement(event=instance, participant=participants[slug], part=part, order=order)
                for order, (slug, part) in enumerate(pairs)
            )
        self.apply_status(instance, str(row.get("status") or "").strip(), kwargs.get("user"))

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
            advice = gettext("Import it as a draft, then publish it from its page in the admin once you have checked.")
            message = " ".join([warning.message for warning in refusal.warnings] + [advice])
            raise ValidationError({"status": [message]}) from None
        except publishing.PublishingRefused as refusal:
            raise ValidationError({"status": [str(refusal)]}) from None


class StatementResource(TimelineResource):
    speaker = fields.Field("speaker", "speaker", SlugWidget(Participant, "participant"))
    event = fields.Field("event", "event", SlugWidget(Event, "event"))
    said_on = fields.Field("said_on", "said_on", ISODateWidget())
    sources = fields.Field("sources", "sources", SlugsWidget(Source, "source"))

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
            "said_precision",
            "context",
            "importance",
            "sources",
        ]
        clean_model_instances = True

    def check_row(self, instance, row, **kwargs):
        if "speaker" in row and not str(row["speaker"] or "").strip():
            return {"speaker": ["Every statement needs a speaker: give the participant's slug."]}
        return {}

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        event = instance.event if instance.event_id else None
        if publishing.needs_source(event, instance.sources.exists()):
            raise ValidationError({"sources": [str(publishing.STATEMENT_NEEDS_SOURCE)]})


# The order a whole database is imported in: each file only names rows of the files before it.
IMPORT_ORDER = [TopicResource, ParticipantResource, SourceResource, EventResource, StatementResource]


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
