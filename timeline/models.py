"""The timeline's data: events, the participants in them and their dated roles, statements, and sources."""

import datetime
import re
import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from simple_history.models import HistoricalRecords

from timeline.dates import Precision, format_date, format_range, format_tenure, is_truncated, period_end
from timeline.querysets import (
    CorrectionQuerySet,
    EventQuerySet,
    ParticipantQuerySet,
    SourceQuerySet,
    StatementQuerySet,
    TopicQuerySet,
    WeakPublisherQuerySet,
)

country_validator = RegexValidator(r"^[A-Z]{2}$", "Use a two-letter ISO 3166 country code in capitals, e.g. CA or US.")
wikidata_validator = RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata ID is a Q followed by digits, e.g. Q42.")


def validate_precision(value: datetime.date | None, precision: str, label: str) -> None:
    if value is not None and not is_truncated(value, precision):
        kind = "the first of the month" if precision == Precision.MONTH else "1 January"
        raise ValidationError(
            f"{label} is known only to the {precision}: enter {kind} ({format_date(value, precision)}), "
            f"or choose day precision."
        )


def domain_of(url: str) -> str:
    """The site a page is on, as editors name it: the host in lower case, without "www." or a port."""
    host = (urlsplit(url.strip()).hostname or "") if "//" in url else url.strip().split("/")[0].split(":")[0]
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


# Parameters that say how a reader arrived, not which page it is.
TRACKING_PARAMETERS = set(
    "fbclid gclid dclid gbraid wbraid msclkid yclid igshid mc_cid mc_eid mkt_tok _ga _gl _hsenc _hsmi cmpid ocid smid "
    "ref_src".split()
)


def normalize_url(url: str) -> str:
    """The form every citation of one page shares, so that a page is one source however its address was copied.

    http and https, a leading "www.", the default port, a trailing slash, tracking parameters (utm_* and the
    usual click identifiers) and the fragment are ignored: "http://www.cbc.ca/news/x/?utm_source=rss#top" and
    "https://cbc.ca/news/x" are both "cbc.ca/news/x". Other schemes keep theirs.
    """
    parts = urlsplit(url.strip())
    if not parts.scheme and not parts.netloc:  # "www.cbc.ca/news/x", as pasted without its scheme
        parts = urlsplit("//" + url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    default_port = {"http": 80, "https": 443}.get(scheme)
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: keep the address as written
        port = None
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMETERS
        ]
    )
    path = parts.path.rstrip("/")
    if scheme in ("http", "https", ""):
        return f"{netloc}{path}" + (f"?{query}" if query else "")
    return urlunsplit((scheme, netloc, path, query, ""))


def limited_text(limit: int, **kwargs) -> models.TextField:
    """A TextField whose length is limited by a validator, which full_clean() (and so every form and import)
    checks, and the admin states (timeline/admin.py). Not by max_length: on SQLite a changed max_length rebuilds
    the table, and a TextField has no length in the database anyway."""
    return models.TextField(validators=[MaxLengthValidator(limit)], **kwargs)


def text_limit(field) -> int | None:
    """The most characters a text field takes: its max_length, or its MaxLengthValidator's."""
    limits = [v.limit_value for v in field.validators if isinstance(v, MaxLengthValidator)]
    return getattr(field, "max_length", None) or (min(limits) if limits else None)


def dated_words(words: str, value: datetime.date, precision: str) -> str:
    """ "from 14 March 2025", "until May 2025", "as of 2025": a date with the words before it, which French
    writes differently before a day ("depuis le 14 mars 2025") and a month or year ("depuis mars 2025")."""
    date = format_date(value, precision)
    on_day = precision == Precision.DAY
    phrases = {
        ("from", True): pgettext("before a day", "from %(date)s"),
        ("from", False): pgettext("before a month or a year", "from %(date)s"),
        ("until", True): pgettext("before a day", "until %(date)s"),
        ("until", False): pgettext("before a month or a year", "until %(date)s"),
        ("on", True): pgettext("before a day", "on %(date)s"),
        ("on", False): pgettext("before a month or a year", "in %(date)s"),
        ("as of", True): pgettext("before a day", "as of %(date)s"),
        ("as of", False): pgettext("before a month or a year", "as of %(date)s"),
    }
    return phrases[words, on_day] % {"date": date}


# Natural keys, so that fixtures name rows by slug and load into any database.


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class NamedBySlug:
    """A model that fixtures and backups name by its slug, so that they load into any database."""

    def natural_key(self):
        return (self.slug,)


class Participant(NamedBySlug, models.Model):
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

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("participant_detail", args=[self.slug])

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


class Role(models.Model):
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


class Topic(NamedBySlug, models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = limited_text(1000, blank=True)

    objects = SlugManager.from_queryset(TopicQuerySet)()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("topic_detail", args=[self.slug])


class Source(NamedBySlug, models.Model):
    class Kind(models.TextChoices):
        # In the order readers see them: the record itself first, then the closest account of it.
        PRIMARY = "primary", _("Primary document")
        TRANSCRIPT = "transcript", _("Transcript")
        WIRE = "wire", _("Wire service")
        NEWS = "news", _("News report")
        OTHER = "other", _("Other")

    slug = models.SlugField(max_length=200, unique=True)
    title = models.CharField(max_length=500)
    title_is_descriptive = models.BooleanField(
        "the title describes the page",
        default=False,
        help_text="Tick when the page's headline was not available and the title says what the page is: readers "
        "then see it as a description, not as the headline.",
    )
    publisher = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=200, blank=True)
    url = models.URLField(
        "URL", max_length=1000, blank=True, help_text="Blank for a broadcast or print article with no web address."
    )
    normalized_url = models.CharField(max_length=1000, null=True, blank=True, unique=True, editable=False)
    # The site, kept with the row so that the list of weak publishers can be matched in the database.
    domain = models.CharField(max_length=255, blank=True, editable=False, db_index=True)
    published_on = models.DateField(null=True, blank=True)
    published_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    accessed_on = models.DateField(null=True, blank=True)
    archive_url = models.URLField("archive URL", max_length=1000, blank=True)
    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        default=Kind.NEWS,
        help_text="Primary document: the record itself (an order, a release, a ruling, a post). Wire service: a "
        "news agency's report, wherever it is printed. News report: an outlet's own reporting.",
    )

    date_precisions = {"published_on": "published_precision"}

    objects = SlugManager.from_queryset(SourceQuerySet)()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return f"{self.title} ({self.publisher})" if self.publisher else self.title

    def save(self, *args, **kwargs):
        self.domain = domain_of(self.url) if self.url else ""
        super().save(*args, **kwargs)

    @property
    def published_display(self) -> str:
        return format_date(self.published_on, self.published_precision)

    def clean(self):
        validate_precision(self.published_on, self.published_precision, "The publication date")
        if self.url:
            duplicate = Source.objects.filter(normalized_url=normalize_url(self.url)).exclude(pk=self.pk).first()
            if duplicate:
                message = f"This URL is already cited as \u201c{duplicate}\u201d ({duplicate.slug}); use that source."
                raise ValidationError({"url": message})


class WeakPublisherManager(models.Manager.from_queryset(WeakPublisherQuerySet)):
    def get_by_natural_key(self, domain):
        return self.get(domain=domain)


class WeakPublisher(models.Model):
    """A site whose pages alone do not support a fact: a mirror, an aggregator, a partisan or fringe site. An
    event or statement whose only sources are on such sites is flagged in the admin, and named to a publisher
    before it is published."""

    domain = models.CharField(
        max_length=255,
        unique=True,
        help_text='The site\'s address, e.g. "rebelnews.com" (a page address is cut down to it); its subdomains '
        "count too.",
    )
    name = models.CharField(max_length=200, blank=True, help_text="How editors know it, e.g. Rebel News.")
    reason = models.TextField(blank=True, help_text="Why its pages need a reputable source beside them.")

    objects = WeakPublisherManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["domain"]

    def __str__(self):
        return f"{self.name} ({self.domain})" if self.name and self.name != self.domain else self.domain

    def save(self, *args, **kwargs):
        self.domain = domain_of(self.domain)
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.domain,)

    def clean(self):
        self.domain = domain_of(self.domain)
        if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", self.domain):
            raise ValidationError({"domain": "Enter a site's address, such as rebelnews.com."})


@receiver(pre_save, sender=Source)
def set_normalized_url(sender, instance, raw=False, **kwargs):
    """On every save, loaddata's raw ones included, so that no fixture or backup can carry a stale form."""
    instance.normalized_url = normalize_url(instance.url) if instance.url else None


class Event(NamedBySlug, models.Model):
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
        return reverse("event_detail", args=[self.slug])

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


class Involvement(models.Model):
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


class Statement(models.Model):
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
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

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
        indexes = [models.Index(fields=["speaker", "said_on"], name="statement_speaker_date_idx")]

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
        return reverse("statement_detail", args=[self.slug])

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


class Correction(models.Model):
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


class ImportUpload(models.Model):
    """A file uploaded for import, kept from its preview until it is confirmed.

    In the database rather than a temporary file, so that any server process can confirm it and nothing is left
    on disk: deleted once confirmed or refused, and a day after a preview nobody confirmed (timeline/importing.py).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    data = models.BinaryField()
    # What the preview found in the database for each row, so that a confirmation finding anything else is refused.
    fingerprint = models.CharField(max_length=64, blank=True)
    # Rows the editor must decide about before confirming (a source whose address is already known).
    choices = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Import upload {self.pk}"


class Revision(models.Model):
    """A change an editor proposed to something readers see, waiting for a publisher.

    Readers keep seeing the published version: nothing of the change is written to the item until a publisher
    approves it, and then all of it at once (timeline/review.py). `proposed` holds the new values of the changed
    fields, many-to-many lists and participants; `base` the published values they replace, as they were when the
    change was proposed, so that a change made in between is noticed rather than silently undone.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Sent back")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="Blank for a new item.")
    target = GenericForeignKey("content_type", "object_id")
    event = models.ForeignKey(
        Event,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="revisions",
        help_text="The event concerned.",
    )
    summary = models.CharField(max_length=300)
    proposed = models.JSONField(default=dict)
    base = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    note = limited_text(1000, blank=True, help_text="The publisher's note when a change is sent back.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "state"], name="revision_target_state_idx")]
        verbose_name = _("change for review")
        verbose_name_plural = _("changes for review")

    def __str__(self):
        return self.summary
