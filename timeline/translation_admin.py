"""The admin's side of the two languages: each translated field's English and French side by side on one row,
and on each changelist a filter, with its counts, of what still lacks its French (timeline/translation.py)."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from timeline.translation import missing

LANGUAGES = ("en", "fr")


def side_by_side(*fields: str) -> list:
    """Admin `fields` with each translated field as one row of its languages: "title" -> ("title_en", "title_fr").
    Fields written as "name*" are translated; the others are left as they are."""
    return [tuple(f"{field[:-1]}_{code}" for code in LANGUAGES) if field.endswith("*") else field for field in fields]


class FrenchFilter(admin.SimpleListFilter):
    """Rows still missing French in any translated field, or complete, each choice with its count (one query)."""

    title = gettext_lazy("French")
    parameter_name = "french"

    def lookups(self, request, model_admin):
        lacking = missing(model_admin.model, "fr")
        counts = model_admin.model.objects.aggregate(missing=Count("pk", filter=lacking), total=Count("pk"))
        return [
            ("missing", _("missing (%(count)s)") % {"count": counts["missing"]}),
            ("complete", _("complete (%(count)s)") % {"count": counts["total"] - counts["missing"]}),
        ]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(missing(queryset.model, "fr"))
        if self.value() == "complete":
            return queryset.exclude(missing(queryset.model, "fr"))
        return queryset
