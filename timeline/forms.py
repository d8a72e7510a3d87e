"""The admin's forms: what an editor may change, checked before anything is saved."""

import datetime

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from timeline import publishing
from timeline.date_input import PreciseDate, parse_date
from timeline.dates import Precision, iso_date
from timeline.models import Correction, Event, Role, Source, Statement, normalize_url


def describe_change(event: Event) -> str:
    """Who last saved `event`, and when, from its history: "Ana Lopez (ana) on 6 May 2025 at 14:05"."""
    record = event.history.select_related("history_user").order_by("-history_date", "-history_id").first()
    if record is None:
        return "someone"
    user = record.history_user
    who = (
        "someone"
        if user is None
        else (f"{user.get_full_name()} ({user.get_username()})" if user.get_full_name() else user.get_username())
    )
    when = date_format(timezone.localtime(record.history_date), "j F Y \\a\\t H:i")
    return f"{who} on {when}"


class PreciseDateField(forms.Field):
    """A date typed as a day, a month or a year (2025-05-06, 2025-05, May 2025, 2025, mars 2025): what is typed
    sets the precision (timeline/date_input.py reads it, as every import does)."""

    widget = AdminDateWidget
    default_error_messages = {"required": _("Type a date: a day, a month or a year.")}

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", _("A day, a month or a year, as you would write it: 2025-05-06, May 2025 (or 2025-05), 2025.")
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return parse_date(value)

    def prepare_value(self, value):
        if isinstance(value, PreciseDate):
            return str(value)
        return iso_date(value) if isinstance(value, datetime.date) else value


class DatesWithPrecision:
    """A ModelForm whose dates are typed with their precision: each date field of the model's `date_precisions`
    becomes a PreciseDateField, and its precision field (left out of the form) follows what was typed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, precision in self._meta.model.date_precisions.items():
            field = self.fields.get(name)
            self.fields.pop(precision, None)  # what is typed says it; the admin's fieldsets leave it out too
            if field is None:
                continue
            self.fields[name] = PreciseDateField(required=field.required, label=field.label)
            value = getattr(self.instance, name, None)
            if value is not None and not self.is_bound:
                self.initial[name] = PreciseDate(value, getattr(self.instance, precision))

    def clean(self):
        cleaned_data = super().clean()
        for name, precision in self._meta.model.date_precisions.items():
            if name in cleaned_data and name in self.fields:
                typed = cleaned_data[name]
                cleaned_data[name] = typed.date if typed else None
                setattr(self.instance, precision, typed.precision if typed else Precision.DAY)
        return cleaned_data


class EventAdminForm(DatesWithPrecision, forms.ModelForm):
    """Carries the event's version, so that a save based on an outdated page is refused instead of overwriting.

    The status is not a field here: only the publishing service changes it, so no POST, history revert or
    crafted form can publish or unpublish an event.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Event
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk and not self.is_bound:
            if getattr(instance, "_history", None) is not None:
                # A past version opened for restoring: the page is based on the event as it is now.
                instance.version = Event.objects.filter(pk=instance.pk).values_list("version", flat=True).get()
            self.fields["loaded_version"].initial = instance.version

    def clean(self):
        cleaned_data = super().clean()
        if not self.instance.pk:
            self.instance.status = Event.Status.DRAFT
            self.instance.published_at = None
            return cleaned_data
        rows = Event.objects.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            # Held until the admin's transaction commits, so two saves cannot both pass this check.
            rows = rows.select_for_update()
        current = rows.values("version", "status", "published_at").get()
        submitted = cleaned_data.get("loaded_version")
        if submitted is None:
            raise forms.ValidationError(
                "This form came without the version of the event it was opened on, so saving it could overwrite "
                "someone else's changes: open the event again and redo your changes.",
                code="no_version",
            )
        if submitted != current["version"]:
            raise forms.ValidationError(
                "This event was changed by %(who)s, after you opened it. Your changes were not saved, so "
                "nothing was overwritten: open the event again to see the latest version, then redo your changes.",
                code="stale",
                params={"who": describe_change(self.instance)},
            )
        # Publication state comes from the database, never from the page (or from a restored old version).
        self.instance.version = current["version"]
        self.instance.status = current["status"]
        self.instance.published_at = current["published_at"]
        if "sources" in cleaned_data and publishing.needs_source(self.instance, cleaned_data["sources"]):
            self.add_error("sources", publishing.EVENT_NEEDS_SOURCE)
        return cleaned_data


class HttpsURLField(forms.URLField):
    """An editor pasting "cbc.ca/news/..." means the secure page."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class SourceAdminForm(DatesWithPrecision, forms.ModelForm):
    class Meta:
        model = Source
        fields = "__all__"
        field_classes = {"url": HttpsURLField, "archive_url": HttpsURLField}

    def clean_url(self):
        url = self.cleaned_data["url"]
        if url:
            duplicate = Source.objects.filter(normalized_url=normalize_url(url)).exclude(pk=self.instance.pk).first()
            if duplicate:
                raise forms.ValidationError(
                    format_html(
                        'This URL is already cited as <a href="{}">\u201c{}\u201d</a> ({}): '
                        "use that source instead of adding it again.",
                        reverse("admin:timeline_source_change", args=[duplicate.pk]),
                        duplicate,
                        duplicate.slug,
                    ),
                    code="duplicate",
                )
        return url


def event_of(form: forms.ModelForm, cleaned_data: dict):
    """The event a statement's or a correction's form belongs to: the one chosen in the form, or else (in an event's
    inline, which has no event field) the one its row hangs from."""
    if "event" in cleaned_data:
        return cleaned_data["event"]
    return form.instance.event if form.instance.event_id else None


class StatementAdminForm(DatesWithPrecision, forms.ModelForm):
    """Keeps the publishing rule true after publication: a statement in a published event cites a source."""

    class Meta:
        model = Statement
        fields = "__all__"

    def clean(self):
        cleaned_data = super().clean()
        event = event_of(self, cleaned_data)
        if "sources" in cleaned_data and publishing.needs_source(event, cleaned_data["sources"]):
            self.add_error("sources", publishing.STATEMENT_NEEDS_SOURCE)
        return cleaned_data


class RoleForm(DatesWithPrecision, forms.ModelForm):
    class Meta:
        model = Role
        fields = "__all__"


class CorrectionForm(forms.ModelForm):
    class Meta:
        model = Correction
        fields = "__all__"

    def clean(self):
        cleaned_data = super().clean()
        event = event_of(self, cleaned_data)
        if event is not None and not event.is_published and not self.instance.pk:
            raise forms.ValidationError(
                "Corrections are for events readers have seen: this event is a draft, so just edit it.",
                code="draft",
            )
        statement = cleaned_data.get("statement")
        if event is not None and statement is not None and statement.event_id != event.pk:
            self.add_error("statement", "Choose a statement of this event, or leave it blank for the whole event.")
        return cleaned_data
