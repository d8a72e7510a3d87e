"""Events, the topics they are filed under, and who took part in them."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from timeline.dates import Precision, format_date, format_range, period_end
from timeline.links import slug_url
from timeline.models.base import (
    NamedBySlug,
    SlugManager,
    limited_text,
    validate_precision,
)
from timeline.models.participants import Participant
from timeline.models.sources import Source
from timeline.querysets import EventQuerySet, TopicQuerySet
from timeline.text import PlainTextFields


class Topic(PlainTextFields, NamedBySlug, models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = limited_text(1000, blank=True)

    objects = SlugManager.from_queryset(TopicQuerySet)()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("topic_detail", self.slug)


class Event(PlainTextFields, NamedBySlug, models.Model):
    class Type(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        SUMMIT = "summit", _("Summit")
        TARIFF_ACTION = "tariff_action", _("Tariff action")
        RETALIATION = "retaliation", _("Retaliation")
        AGREEMENT = "agreement", _("Agreement")
        LEGISLATION = "legislation", _("Legislation")
        ELECTION = "election", _("Election")
        APPOINTMENT = "appointment", _("Appointment")
        STATEMENT = "statement", _("Statement")
        DISPUTE = "dispute", _("Dispute")
        NEGOTIATION = "negotiation", _("Negotiation")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    summary = limited_text(1000, help_text="Two or three sentences in our own words.")
    body = limited_text(10000, blank=True)
    start_date = models.DateField(help_text="For a month or year, enter its first day and set the precision.")
    date_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    approximate = models.BooleanField(default=False, help_text='Shown as "c. 2019".')
    end_date = models.DateField(null=True, blank=True, help_text="Only for events that span a period.")
    end_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    event_type = models.CharField(max_length=20, choices=Type.choices, default=Type.OTHER)
    location = models.CharField(max_length=200, blank=True)
    importance = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(3)], help_text="1 minor, 2 notable, 3 major."
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="events")
    participants = models.ManyToManyField(Participant, through="Involvement", blank=True, related_name="events")
    sources = models.ManyToManyField(Source, blank=True, related_name="events")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every save, so that a stale edit can be refused instead of silently overwriting another.
    version = models.PositiveIntegerField(default=1, editable=False)

    date_precisions = {"start_date": "date_precision", "end_date": "end_precision"}

    objects = SlugManager.from_queryset(EventQuerySet)()
    # The change reason also lists sources, topics and participants added or removed (see timeline/admin.py).
    history = HistoricalRecords(excluded_fields=["version"], history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["start_date", "-importance", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="event_end_after_start",
                violation_error_message="An event's end date must be on or after its start date.",
            ),
            models.CheckConstraint(
                condition=Q(importance__gte=1, importance__lte=3),
                name="event_importance_1_to_3",
                violation_error_message="Importance is 1, 2 or 3.",
            ),
            models.CheckConstraint(condition=Q(status__in=["draft", "published"]), name="event_status_valid"),
            models.CheckConstraint(
                condition=Q(date_precision__in=["day", "month", "year"])
                & Q(end_precision__in=["day", "month", "year"]),
                name="event_precision_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "start_date"], name="event_status_start_idx"),
            # The published events alone, with what their dates and type filters read: an index-only scan instead
            # of the whole table (its stored search column makes every row wide).
            models.Index(
                fields=["start_date", "end_date", "event_type", "id"],
                condition=Q(status="published"),
                name="event_published_idx",
            ),
            # "Anything overlapping the range": the day an event ends (or starts, without an end) is on or after it.
            models.Index(
                Coalesce("end_date", "start_date"),
                "start_date",
                "event_type",
                "id",
                condition=Q(status="published"),
                name="event_published_last_idx",
            ),
            # The timeline's order, with the day an event ends: a page of events under a date range is picked from
            # the index alone (timeline.paging.page_of), the events starting before the range and ending before
            # it skipped without reading them (PostgreSQL read 70,000 of them at 100,000 events: 92 ms, now 9).
            models.Index(
                fields=["start_date", "-importance", "id", "end_date"],
                condition=Q(status="published"),
                name="event_published_order_idx",
            ),
            # The events that span a period, by the day they end: those starting before a date range and reaching
            # into it are a few of these (timeline.eventkeys.ranged_sql), not every event before the range.
            models.Index(
                fields=["end_date", "start_date", "id"],
                condition=Q(status="published", end_date__isnull=False),
                name="event_ranged_idx",
            ),
            # The feeds' order (EventQuerySet.newest_published): their fifty newest events read from here, not every
            # published event sorted for them (85 ms on PostgreSQL at 100,000 events, 340 on SQLite).
            models.Index(
                Coalesce("published_at", "created_at").desc(),
                F("id").desc(),
                condition=Q(status="published"),
                name="event_published_newest_idx",
            ),
        ]
        permissions = [("publish_event", "Can publish and unpublish events")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.pk:
            self.version = (self.version or 0) + 1
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("event_detail", self.slug)

    # A list's events (EventQuerySet.for_list) hold their topics and involvements as plain lists: prefetched into
    # the relations' own caches, each event got a queryset built for each relation (a third of the time the
    # prefetches took for a page of 50 events).

    @property
    def listed_topics(self) -> list:
        """Its topics: as EventQuerySet.for_list fetched them, or else through the relation."""
        return self.__dict__["topic_list"] if "topic_list" in self.__dict__ else list(self.topics.all())

    @property
    def listed_involvements(self) -> list:
        """Its involvements (in order, with their participants): as EventQuerySet.for_list fetched them, or else
        through the relation."""
        if "involvement_list" in self.__dict__:
            return self.__dict__["involvement_list"]
        return list(self.involvements.all())

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def date_display(self) -> str:
        return format_range(self.start_date, self.date_precision, self.end_date, self.end_precision, self.approximate)

    @property
    def period(self) -> tuple[datetime.date, datetime.date]:
        """The first and last day of the event as its dates are known: May 2025 is 1 to 31 May."""
        last, precision = (
            (self.end_date, self.end_precision) if self.end_date else (self.start_date, self.date_precision)
        )
        return self.start_date, period_end(last, precision)

    @property
    def is_one_day(self) -> bool:
        first, last = self.period
        return first == last

    def role_of(self, participant):
        """The participant's role at some point of this event, as the sources show it (Participant.role_on)."""
        return participant.role_on(*self.period)

    def clean(self):
        errors = {}
        for field, value, precision, label in [
            ("start_date", self.start_date, self.date_precision, "The start date"),
            ("end_date", self.end_date, self.end_precision, "The end date"),
        ]:
            try:
                validate_precision(value, precision, label)
            except ValidationError as error:
                errors[field] = error
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = (
                f"End date must be on or after the start date ({format_date(self.start_date, self.date_precision)})."
            )
        if errors:
            raise ValidationError(errors)


class InvolvementManager(models.Manager):
    def get_by_natural_key(self, event_slug, participant_slug, part):
        return self.get(event__slug=event_slug, participant__slug=participant_slug, part=part)


class Involvement(PlainTextFields, models.Model):
    """A participant's part in an event: host, guest, subject, speaker, signatory, attendee."""

    class Part(models.TextChoices):
        HOST = "host", _("Host")
        GUEST = "guest", _("Guest")
        SUBJECT = "subject", _("Subject")
        SPEAKER = "speaker", _("Speaker")
        SIGNATORY = "signatory", _("Signatory")
        ATTENDEE = "attendee", _("Attendee")
        OTHER = "other", _("Other")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="involvements")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="involvements")
    part = models.CharField(max_length=20, choices=Part.choices, default=Part.ATTENDEE)
    order = models.PositiveSmallIntegerField(default=0)

    objects = InvolvementManager()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "participant", "part"], name="involvement_unique"),
        ]

    def __str__(self):
        return f"{self.participant} ({self.get_part_display().lower()})"

    def natural_key(self):
        return (self.event.slug, self.participant.slug, self.part)

    natural_key.dependencies = ["timeline.event", "timeline.participant"]
