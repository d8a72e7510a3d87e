"""Sources, the citations behind every event and statement, and the publishers editors have marked as weak."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from timeline.dates import Precision, format_date
from timeline.models.base import NamedBySlug, SlugManager, domain_of, normalize_url, validate_precision
from timeline.querysets import SourceQuerySet, WeakPublisherQuerySet, publisher_key
from timeline.text import PlainTextFields, control_character_problem


class Source(PlainTextFields, NamedBySlug, models.Model):
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
        indexes = [
            # The sources' index reads a page's publishers by their key (SourceQuerySet.with_publisher_key()).
            models.Index(publisher_key(), name="source_publisher_key_idx"),
            # The API lists the cited sources in this order, a page at a time.
            models.Index(fields=["title", "id"], name="source_title_idx"),
        ]

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
        # A URL holding a control character is refused by clean_fields, and cannot even be looked up (PostgreSQL).
        if self.url and not control_character_problem(self.url):
            duplicate = Source.objects.filter(normalized_url=normalize_url(self.url)).exclude(pk=self.pk).first()
            if duplicate:
                message = f"This URL is already cited as \u201c{duplicate}\u201d ({duplicate.slug}); use that source."
                raise ValidationError({"url": message})


class WeakPublisherManager(models.Manager.from_queryset(WeakPublisherQuerySet)):
    def get_by_natural_key(self, domain):
        return self.get(domain=domain)


class WeakPublisher(PlainTextFields, models.Model):
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
