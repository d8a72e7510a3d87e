"""The rows edited inside an event's or a participant's page: participants, statements, corrections and roles."""

from django.contrib import admin
from modeltranslation.admin import TranslationStackedInline, TranslationTabularInline

from timeline.admin_common import StatesLimits
from timeline.admin_review import InlineDeletion
from timeline.forms import CorrectionForm, RoleForm, StatementAdminForm
from timeline.models import Correction, Involvement, Role, Statement
from timeline.translation_admin import side_by_side


class InvolvementInline(StatesLimits, admin.TabularInline):
    model = Involvement
    extra = 0
    autocomplete_fields = ["participant"]
    verbose_name = "participant"
    verbose_name_plural = "participants and their part in the event"


class StatementInline(InlineDeletion, StatesLimits, admin.StackedInline):
    model = Statement
    form = StatementAdminForm
    extra = 0
    autocomplete_fields = ["speaker", "sources"]
    fields = [
        ("speaker", "speaker_label"),
        "text",
        ("kind", "language", "importance"),
        "said_on",
        "sources",
        "context",
    ]
    show_change_link = True


class CorrectionInline(StatesLimits, TranslationStackedInline):
    """Public corrections; editors see them, publishers add them (the group permissions decide)."""

    model = Correction
    form = CorrectionForm
    extra = 0
    fields = side_by_side("published_on", "statement", "note*")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        statement_field = formset.form.base_fields.get("statement")
        if statement_field is not None:
            # Only this event's statements can be corrected here.
            statement_field.queryset = (
                Statement.objects.filter(event=obj).select_related("speaker") if obj else (Statement.objects.none())
            )
        return formset


class RoleInline(InlineDeletion, StatesLimits, TranslationTabularInline):
    model = Role
    form = RoleForm
    extra = 0
    autocomplete_fields = ["source"]
    fields = [
        "title_en",
        "title_fr",
        "organisation_en",
        "organisation_fr",
        "start",
        "end",
        "attested_on",
        "source",
        "note",
    ]
