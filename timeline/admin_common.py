"""What the editors' ModelAdmins share: every text field's limit stated, changes to related lists kept in history,
and the flag on what only weak publishers source."""

from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import ngettext

from timeline.models import text_limit


class RelatedChangesInHistory:
    """Writes changes to an object's many-to-many lists (and inline rows) into its history record's change reason.

    simple-history versions each record's own fields; this keeps "who added or removed which source, and when"
    in the same history, instead of losing it.
    """

    history_related = {}  # label: function(obj) -> set of strings describing the related rows

    def related_state(self, obj) -> dict[str, set[str]]:
        if obj.pk is None:
            return {label: set() for label in self.history_related}
        return {label: describe(obj) for label, describe in self.history_related.items()}

    def save_related(self, request, form, formsets, change):
        before = self.related_state(form.instance) if change else {label: set() for label in self.history_related}
        super().save_related(request, form, formsets, change)
        after = self.related_state(form.instance)
        notes = []
        for label in self.history_related:
            added, removed = sorted(after[label] - before[label]), sorted(before[label] - after[label])
            if added:
                notes.append(f"{label} added: {', '.join(added)}")
            if removed:
                notes.append(f"{label} removed: {', '.join(removed)}")
        record = form.instance.history.first() if notes else None
        if record is not None:
            reason = "; ".join(filter(None, [record.history_change_reason, *notes]))
            form.instance.history.filter(pk=record.pk).update(history_change_reason=reason)


class StatesLimits:
    """States every text field's limit under it, from the model field's max_length, the one owner of that fact."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        limit = text_limit(db_field) if isinstance(db_field, TEXT_FIELDS) else None
        if formfield is not None and limit and not db_field.choices:
            formfield.widget.attrs.setdefault("maxlength", str(limit))
            stated = ngettext("At most %(count)s character.", "At most %(count)s characters.", limit) % {
                "count": f"{limit:,}"
            }
            formfield.help_text = format_lazy("{} {}", formfield.help_text, stated) if formfield.help_text else stated
        return formfield


TEXT_FIELDS = (models.CharField, models.TextField)


def changelist_link(model: str, query: str, count: int, noun: str):
    url = reverse(f"admin:timeline_{model}_changelist")
    return format_html('<a href="{}?{}">{} {}</a>', url, query, count, noun if count == 1 else noun + "s")


class WeakSourcesFilter(admin.SimpleListFilter):
    """Events or statements whose sources all come from publishers marked as weak (the changelist annotates
    `only_weak_sources`)."""

    title = "sources"
    parameter_name = "weak_sources"

    def lookups(self, request, model_admin):
        return [("only", "Only from weak publishers"), ("not", "Not only from weak publishers")]

    def queryset(self, request, queryset):
        if self.value() in ("only", "not"):
            return queryset.filter(only_weak_sources=self.value() == "only")
        return queryset


def weak_sources_column(obj):
    if obj.only_weak_sources:
        return format_html('<span class="weak-sources">{}</span>', "only weak publishers")
    return ""
