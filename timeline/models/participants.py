"""Participants (people, organisations, governments) and the roles they held, dated as the sources date them."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from timeline.dates import Precision, format_date, format_tenure, period_end
from timeline.links import slug_url
from timeline.models.base import (
    NamedBySlug,
    SlugManager,
    country_validator,
    dated_words,
    limited_text,
    validate_precision,
    wikidata_validator,
)
from timeline.querysets import NameOrder, ParticipantQuerySet
from timeline.text import PlainTextFields


class Participant(PlainTextFields, NamedBySlug, models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")
        GOVERNMENT = "government", _("Government")

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[country_validator],
        help_text="ISO 3166 alpha-2 code (CA, US, MX, ...); blank for international bodies.",
    )
    description = models.CharField(max_length=300, blank=True)
    wikidata_id = models.CharField(
        "Wikidata ID", max_length=20, blank=True, validators=[wikidata_validator], help_text="e.g. Q42"
    )

    objects = SlugManager.from_queryset(ParticipantQuerySet)()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [
            # The admin's list, in the database's order of names.
            models.Index(fields=["name", "id"], name="participant_name_idx"),
            # The participants' index and the API's list, in readers' order of names (querysets.NameOrder), read in
            # order: sorting all 20,000 by name for a page of 100 took 13 ms at 100,000 events.
            models.Index(NameOrder("name"), F("id"), name="participant_readers_order_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("participant_detail", self.slug)

    def role_on(self, first: datetime.date | None, last: datetime.date | None = None):
        """The role the sources show this participant holding at some point from `first` to `last` (a day, or an
        event's whole period: see Event.period), from prefetched roles when available."""
        if first is None:
            return None
        held = [role for role in self.roles.all() if role.held_during(first, last or first)]
        # The latest begun wins; between roles begun the same day, the one entered first (the main title), since
        # databases return tied rows in no fixed order. Python's sort is stable, reversed or not.
        held.sort(key=lambda role: role.pk or 0)
        held.sort(key=lambda role: role.known_held()[0], reverse=True)
        return held[0] if held else None


class RoleManager(models.Manager):
    def get_by_natural_key(self, participant_slug, title, start, attested_on=None):
        # The English title, whatever language is active (a role's title is translated, timeline/translation.py).
        return self.get(participant__slug=participant_slug, title_en=title, start=start, attested_on=attested_on)


class Role(PlainTextFields, models.Model):
    """A title held over a period. Sources sometimes give only a date on which it was held (`attested_on`)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="roles")
    title = models.CharField(max_length=300)
    organisation = models.CharField(max_length=200, blank=True)
    start = models.DateField(null=True, blank=True)
    start_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    end = models.DateField(null=True, blank=True, help_text="Blank while the role is held.")
    end_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    attested_on = models.DateField(
        null=True, blank=True, help_text="When start and end are unknown: a date on which a source shows the role held."
    )
    attested_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    note = limited_text(1000, blank=True)
    source = models.ForeignKey("Source", null=True, blank=True, on_delete=models.PROTECT, related_name="roles")

    # Each date and the field saying how precisely it is known (timeline/forms.py, timeline/resources.py).
    date_precisions = {"start": "start_precision", "end": "end_precision", "attested_on": "attested_precision"}

    objects = RoleManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["participant", F("start").asc(nulls_first=True), F("attested_on").asc(nulls_first=True)]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=F("start")),
                name="role_end_after_start",
                violation_error_message="A role's end date must be on or after its start date.",
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=False) | Q(end__isnull=False) | Q(attested_on__isnull=False),
                name="role_has_a_date",
                violation_error_message="A role needs a start, an end, or a date on which it was held.",
            ),
            models.UniqueConstraint(fields=["participant", "title", "start"], name="role_unique_per_start"),
        ]

    def __str__(self):
        return f"{self.title} ({self.period})"

    def natural_key(self):
        # With the date it is attested on: a title seen "as of" two different days is two rows, not one.
        return (self.participant.slug, self.title_en, self.start, self.attested_on)

    natural_key.dependencies = ["timeline.participant", "timeline.source"]

    @property
    def period(self) -> str:
        return format_tenure(
            self.start, self.start_precision, self.end, self.end_precision, self.attested_on, self.attested_precision
        )

    def known_held(self) -> tuple[datetime.date, datetime.date | None]:
        """The first and last day the sources show this role held; None: still held. An unknown bound is not
        guessed: a role known only "as of" a day is known for that day (or month, or year); one whose end is known
        but not its start, from the day it is attested on, or else only on its end."""
        if self.start is None and self.end is None:
            return self.attested_on, period_end(self.attested_on, self.attested_precision)
        first = self.start or self.attested_on or self.end
        return first, period_end(self.end, self.end_precision) if self.end else None

    def held_during(self, first: datetime.date, last: datetime.date) -> bool:
        """Whether the sources show this role held on at least one day from `first` to `last`."""
        held_from, held_until = self.known_held()
        return held_from <= last and (held_until is None or held_until >= first)

    def held_on(self, day: datetime.date) -> bool:
        return self.held_during(day, day)

    def note_during(self, first: datetime.date, last: datetime.date) -> str:
        """What the sources say of this role within `first`..`last` when it does not cover all of it, in plain
        words: "as of May 2025", "from 14 March 2025", "until 16 December 2024"; "" when it covers it all."""
        held_from, held_until = self.known_held()
        if self.start is None and self.end is None:
            return dated_words("as of", self.attested_on, self.attested_precision)
        began = self.start is not None and held_from > first
        ended = held_until is not None and (held_until < last or self.start is None)
        if began and ended:
            if (self.start, self.start_precision) == (self.end, self.end_precision):
                return dated_words("on", self.start, self.start_precision)
            return format_tenure(self.start, self.start_precision, self.end, self.end_precision)
        if began:
            return dated_words("from", self.start, self.start_precision)
        if ended:
            return dated_words("until", self.end, self.end_precision)
        return ""

    def clean(self):
        validate_precision(self.start, self.start_precision, "The start")
        validate_precision(self.end, self.end_precision, "The end")
        if self.start and self.end and self.end < self.start:
            raise ValidationError(
                {"end": f"The end must be on or after the start ({format_date(self.start, self.start_precision)})."}
            )
