"""Statements (quotes and paraphrases, each said by a participant at an event) and public corrections."""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from timeline.dates import Precision, format_date, period_end
from timeline.links import slug_url
from timeline.models.base import (
    SlugManager,
    limited_text,
    validate_precision,
)
from timeline.models.events import Event
from timeline.models.participants import Participant
from timeline.models.sources import Source
from timeline.querysets import CorrectionQuerySet, StatementQuerySet
from timeline.text import PlainTextFields


class Statement(PlainTextFields, models.Model):
    class Kind(models.TextChoices):
        QUOTE = "quote", _("Verbatim quote")
        PARAPHRASE = "paraphrase", _("Paraphrase")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        FRENCH = "fr", _("French")

    slug = models.SlugField(max_length=200, unique=True, blank=True)
    speaker = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="statements")
    speaker_label = models.CharField(
        max_length=300,
        blank=True,
        help_text='The speaker as the source printed it, e.g. "International Trade Minister Dominic LeBlanc".',
    )
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT, related_name="statements")
    text = limited_text(2000, help_text="A quote exactly as printed, or a paraphrase.")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.QUOTE)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    said_on = models.DateField(null=True, blank=True, help_text="Blank when the source gives no date.")
    said_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    # Kept by the database, whatever a write carries (timeline/statementkeys.py): never set it.
    sort_date = models.DateField(
        null=True, editable=False, help_text="The day it was said, or else its event's first day: readers' order."
    )

    date_precisions = {"said_on": "said_precision"}
    context = limited_text(1000, blank=True, help_text="Where and how it was said, or why its date is uncertain.")
    importance = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text="The most important quote of an event is shown on the timeline.",
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="statements")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SlugManager.from_queryset(StatementQuerySet)()
    # What a search annotates (StatementQuerySet.search, matching_first), unset otherwise: a template asking for an
    # attribute a model lacks pays for an exception and a dir() of the whole instance, on every statement listed.
    search_text = None
    search_matched = False
    history = HistoricalRecords(excluded_fields=["sort_date"], history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = [F("said_on").asc(nulls_last=True), "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(importance__gte=1, importance__lte=3),
                name="statement_importance_1_to_3",
                violation_error_message="Importance is 1, 2 or 3.",
            ),
            models.CheckConstraint(condition=Q(language__in=["en", "fr"]), name="statement_language_valid"),
            models.CheckConstraint(condition=~Q(text=""), name="statement_text_not_empty"),
        ]
        indexes = [
            models.Index(fields=["speaker", "said_on"], name="statement_speaker_date_idx"),
            # The statements index's order: a page is read from it, oldest or newest first.
            models.Index(fields=["sort_date", "id"], name="statement_sort_date_idx"),
            # The statements of some events in that order, read from the index alone (querysets.py,
            # chronological_by_event).
            models.Index(fields=["event", "sort_date", "id"], name="statement_event_said_idx"),
            # A language's statements in that order: its page, and those a range of dates holds, read from the index
            # alone (French since 2025 at 100,000 events: every statement since then was read for its language).
            models.Index(fields=["language", "sort_date", "id"], name="statement_language_date_idx"),
        ]

    def __str__(self):
        short = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        return f"{self.speaker}: \u201c{short}\u201d" if self.speaker_id else short

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slugify(f"{self.speaker.slug} {self.said_on or ''} {' '.join(self.text.split()[:6])}")[:180]
            slug, n = base, 2
            while Statement.objects.filter(slug=slug).exclude(pk=self.pk).exists():
                slug, n = f"{base}-{n}", n + 1
            self.slug = slug
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("statement_detail", self.slug)

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["timeline.participant", "timeline.event", "timeline.source"]

    @property
    def period(self) -> tuple[datetime.date, datetime.date] | tuple[None, None]:
        """The first and last day it may have been said: the day, month or year given, or else its event's period."""
        if self.said_on:
            return self.said_on, period_end(self.said_on, self.said_precision)
        return self.event.period if self.event_id else (None, None)

    def speaker_role(self):
        """The speaker's role when it was said, by the rule an event's participants follow (Participant.role_on)."""
        return self.speaker.role_on(*self.period)

    @property
    def date(self) -> datetime.date | None:
        """When it was said, or else the event's date (sources sometimes give none)."""
        if self.said_on:
            return self.said_on
        return self.event.start_date if self.event_id else None

    @property
    def date_display(self) -> str:
        if self.said_on:
            return format_date(self.said_on, self.said_precision)
        return self.event.date_display if self.event_id else ""

    def clean(self):
        validate_precision(self.said_on, self.said_precision, "The date said")


class Correction(PlainTextFields, models.Model):
    """A public note that a published event or statement was materially changed, shown to readers."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="corrections")
    statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections"
    )
    published_on = models.DateField(default=datetime.date.today)
    note = limited_text(1000, help_text="What was wrong and what was changed, for readers.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-pk"]

    def __str__(self):
        return f"Correction of {format_date(self.published_on)}: {self.note[:60]}"
