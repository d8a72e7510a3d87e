"""The editors' own records: uploaded import files, and changes to published items waiting for review."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from timeline.models.base import limited_text
from timeline.models.events import Event
from timeline.text import PlainTextFields


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


class Revision(PlainTextFields, models.Model):
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
