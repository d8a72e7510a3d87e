"""The editors' workspace: one declarative ModelAdmin per model, with history on everything editors change.

Every changelist runs a fixed number of queries however many rows it shows (tests/test_admin.py pins them):
foreign keys come through list_select_related and counts through correlated subqueries.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from timeline import publishing
from timeline.admin_common import (
    RelatedChangesInHistory,
    StatesLimits,
    WeakSourcesFilter,
    changelist_link,
    weak_sources_column,
)
from timeline.admin_imports import ImportExportAdmin
from timeline.admin_inlines import CorrectionInline, InvolvementInline, RoleInline, StatementInline
from timeline.admin_review import ReviewedChanges
from timeline.forms import CorrectionForm, EventAdminForm, RoleForm, SourceAdminForm, StatementAdminForm
from timeline.models import (
    Correction,
    Event,
    Involvement,
    Participant,
    Role,
    Source,
    Statement,
    Topic,
    WeakPublisher,
)
from timeline.participant_resources import ParticipantResource, RoleResource
from timeline.querysets import count_of
from timeline.resources import EventResource, SourceResource, StatementResource, TopicResource
from timeline.translation_admin import FrenchFilter, side_by_side

# Events


@admin.register(Event)
class EventAdmin(
    ReviewedChanges, StatesLimits, RelatedChangesInHistory, TranslationAdmin, ImportExportAdmin, SimpleHistoryAdmin
):
    form = EventAdminForm
    resource_classes = [EventResource]
    history_related = {
        "Sources": lambda event: {source.slug for source in event.sources.all()},
        "Topics": lambda event: {topic.slug for topic in event.topics.all()},
        "Participants": lambda event: {
            f"{i.participant.slug}:{i.part}" for i in event.involvements.select_related("participant")
        },
    }
    list_display = ["title", "when", "event_type", "status", "statement_count", "source_count", "weak_sources"]
    list_filter = [
        "status",
        "event_type",
        WeakSourcesFilter,
        FrenchFilter,
        ("topics", admin.RelatedOnlyFieldListFilter),
        ("participants", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title_en", "title_fr", "summary_en", "summary_fr", "participants__name"]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["topics", "sources"]
    readonly_fields = ["status", "published_at"]
    inlines = [InvolvementInline, StatementInline, CorrectionInline]
    actions = ["publish_selected", "unpublish_selected"]
    fieldsets = [
        (
            None,
            {
                "fields": side_by_side("title*", "slug", "summary*", "body*"),
                "description": "English and French side by side: readers of French see the English, marked as "
                "such, where the French is left empty.",
            },
        ),
        (
            "When and where",
            {"fields": [("start_date", "approximate"), "end_date", *side_by_side("location*")]},
        ),
        ("Classification", {"fields": [("event_type", "importance"), "topics"]}),
        ("Sources", {"fields": ["sources"]}),
        (
            "Publication",
            {
                "fields": [("status", "published_at"), "loaded_version"],
                "description": "Events start as drafts; a publisher publishes them with the button below.",
            },
        ),
    ]

    def get_inlines(self, request, obj):
        # Corrections are notes to readers: a draft nobody has seen has nothing to correct.
        if obj is None or not (obj.is_published or obj.corrections.exists()):
            return [inline for inline in self.inlines if inline is not CorrectionInline]
        return self.inlines

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts().with_only_weak_sources()

    @admin.display(description=_("event date"), ordering="start_date")
    def when(self, event):
        return event.date_display  # as readers see it: "May 2025", "c. 2019", "16–17 June 2025"

    @admin.display(description="source check", ordering="only_weak_sources")
    def weak_sources(self, event):
        return weak_sources_column(event)

    @admin.display(description="statements", ordering="statement_count")
    def statement_count(self, event):
        return changelist_link("statement", f"event__id__exact={event.pk}", event.statement_count, "statement")

    @admin.display(description="sources", ordering="source_count")
    def source_count(self, event):
        return event.source_count

    def view_on_site(self, event):
        # Drafts have no public page: a link to one would be a 404 for the editor.
        return event.get_absolute_url() if event.is_published else None

    # Publishing: the change-form buttons and the changelist actions both go through timeline.publishing.

    def has_publish_permission(self, request):
        return publishing.can_publish(request.user)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_publish"] = publishing.can_publish(request.user) and self.has_change_permission(request, obj)
        # Shown to editors as a warning, and to a publisher, by name, before the event can be published.
        context["weak_sources"] = publishing.weak_source_warnings(obj) if obj is not None and obj.pk else []
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if "_publish" in request.POST:
            self.publish_from_form(request, obj)
            return HttpResponseRedirect(reverse("admin:timeline_event_change", args=[obj.pk]))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_publish" in request.POST or "_unpublish" in request.POST:
            self.publish_from_form(request, obj)
            return HttpResponseRedirect(reverse("admin:timeline_event_change", args=[obj.pk]))
        return super().response_change(request, obj)

    def publish_from_form(self, request, event):
        """Runs after the form, its sources and its inlines are saved, so the rule sees what the editor sees."""
        try:
            if "_unpublish" in request.POST:
                publishing.unpublish(event, request.user)
                self.message_user(request, f"\u201c{event}\u201d is now a draft: readers no longer see it.")
            else:
                publishing.publish(event, request.user, request.POST.getlist("weak_sources_seen"))
                self.message_user(
                    request,
                    format_html(
                        '\u201c{}\u201d is published: <a href="{}">see it as readers do</a>.',
                        event,
                        event.get_absolute_url(),
                    ),
                    messages.SUCCESS,
                )
        except PermissionDenied as refusal:
            self.message_user(request, f"Your changes were saved, but {refusal}", messages.ERROR)
        except publishing.WeakSourcesNotSeen as refusal:
            # Not an error: the publisher now sees what rests on weak publishers, and may publish it anyway.
            self.message_user(request, f"Your changes were saved, but {refusal}", messages.WARNING)
        except publishing.PublishingRefused as refusal:
            self.message_user(request, f"Your changes were saved as a draft, but {refusal}", messages.ERROR)

    @admin.action(description="Publish selected events", permissions=["publish"])
    def publish_selected(self, request, queryset):
        seen = request.POST.getlist("weak_sources_seen")
        if not seen:
            # First, the publisher is told by name what would go public resting on weak publishers only.
            held = [
                (event, warnings)
                for event in queryset.filter(status=Event.Status.DRAFT)
                if (warnings := publishing.weak_source_warnings(event))
            ]
            if held:
                return TemplateResponse(
                    request,
                    "admin/timeline/event/publish_weak_sources.html",
                    {
                        **self.admin_site.each_context(request),
                        "title": "Publish events whose sources are weak?",
                        "opts": self.model._meta,
                        "held": held,
                        "selected": queryset,
                        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    },
                )
        published, refused = [], []
        for event in queryset:
            try:
                publishing.publish(event, request.user, seen)
                published.append(event)
            except publishing.PublishingRefused as refusal:
                refused.append(refusal)
        if published:
            self.message_user(request, f"Published {len(published)} event{'s' if len(published) != 1 else ''}.")
        for refusal in refused:
            self.message_user(request, str(refusal), messages.ERROR)

    @admin.action(description="Unpublish selected events (back to draft)", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        for event in queryset:
            publishing.unpublish(event, request.user)
        count = len(queryset)
        self.message_user(request, f"Unpublished {count} event{'s' if count != 1 else ''}: readers no longer see them.")


# Participants


@admin.register(Participant)
class ParticipantAdmin(ReviewedChanges, StatesLimits, TranslationAdmin, ImportExportAdmin, SimpleHistoryAdmin):
    resource_classes = [ParticipantResource]
    list_display = ["name", "kind", "country", "statements", "event_count"]
    list_filter = ["kind", "country", FrenchFilter]
    search_fields = ["name", "slug", "description_en", "description_fr"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["statements"]
    fields = side_by_side("name", "slug", "kind", "country", "description*", "wikidata_id", "statements")
    inlines = [RoleInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                statement_count=count_of(Statement.objects.all(), "speaker"),
                event_count=count_of(Involvement.objects.all(), "participant"),
            )
        )

    @admin.display(description="statements", ordering="statement_count")
    def statements(self, participant):
        if participant.pk is None:
            return "-"
        return changelist_link(
            "statement", f"speaker__id__exact={participant.pk}", participant.statement_count, "statement"
        )

    @admin.display(description="events", ordering="event_count")
    def event_count(self, participant):
        return changelist_link("event", f"participants__id__exact={participant.pk}", participant.event_count, "event")


# Roles: dated titles, edited with their participant, and listed here to import and export them in bulk.


@admin.register(Role)
class RoleAdmin(ReviewedChanges, StatesLimits, TranslationAdmin, ImportExportAdmin, SimpleHistoryAdmin):
    form = RoleForm
    resource_classes = [RoleResource]
    list_display = ["title", "participant", "period", "source"]
    list_select_related = ["participant", "source"]
    list_filter = [FrenchFilter]
    search_fields = ["title_en", "title_fr", "organisation_en", "organisation_fr", "participant__name"]
    autocomplete_fields = ["participant", "source"]
    fields = [
        "participant",
        *side_by_side("title*", "organisation*"),
        ("start", "end"),
        "attested_on",
        "source",
        "note",
    ]


# Statements


@admin.register(Statement)
class StatementAdmin(ReviewedChanges, StatesLimits, RelatedChangesInHistory, ImportExportAdmin, SimpleHistoryAdmin):
    form = StatementAdminForm
    resource_classes = [StatementResource]
    history_related = {"Sources": lambda statement: {source.slug for source in statement.sources.all()}}
    list_display = ["short_text", "speaker", "event", "said", "language", "kind", "source_count", "weak_sources"]
    list_select_related = ["speaker", "event"]
    list_filter = ["language", "kind", "event__status", WeakSourcesFilter]
    search_fields = ["text", "speaker__name", "speaker_label"]
    autocomplete_fields = ["speaker", "event", "sources"]
    date_hierarchy = "said_on"
    fields = [
        ("speaker", "speaker_label"),
        "event",
        "text",
        ("kind", "language", "importance"),
        "said_on",
        "context",
        "sources",
        "slug",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_only_weak_sources()
            .annotate(source_count=count_of(Statement.sources.through.objects.all(), "statement"))
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["weak_sources"] = (
            publishing.weak_statements(Statement.objects.filter(pk=obj.pk)) if obj is not None and obj.pk else []
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="source check", ordering="only_weak_sources")
    def weak_sources(self, statement):
        return weak_sources_column(statement)

    @admin.display(description=_("said on"), ordering="said_on")
    def said(self, statement):
        return statement.date_display

    @admin.display(description="text", ordering="text")
    def short_text(self, statement):
        return statement.text if len(statement.text) <= 80 else statement.text[:77] + "..."

    @admin.display(description="sources", ordering="source_count")
    def source_count(self, statement):
        return statement.source_count


# Sources


@admin.register(Source)
class SourceAdmin(ReviewedChanges, StatesLimits, ImportExportAdmin, SimpleHistoryAdmin):
    form = SourceAdminForm
    exclude = ["published_precision"]  # the date typed sets it (timeline/forms.py)
    resource_classes = [SourceResource]
    list_display = ["title", "publisher", "published", "kind", "url", "weak_publisher", "citation_count"]
    list_filter = ["kind", "title_is_descriptive", "publisher"]
    search_fields = ["title", "publisher", "url", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_on"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_weak_publisher()
            .annotate(
                event_count=count_of(Event.sources.through.objects.all(), "source"),
                statement_count=count_of(Statement.sources.through.objects.all(), "source"),
            )
        )

    @admin.display(description=_("published on"), ordering="published_on")
    def published(self, source):
        return source.published_display

    @admin.display(description="weak publisher", ordering="weak_publisher")
    def weak_publisher(self, source):
        return source.weak_publisher or ""

    @admin.display(description="cited by")
    def citation_count(self, source):
        return format_html(
            "{}, {}",
            changelist_link("event", f"sources__id__exact={source.pk}", source.event_count, "event"),
            changelist_link("statement", f"sources__id__exact={source.pk}", source.statement_count, "statement"),
        )


@admin.register(WeakPublisher)
class WeakPublisherAdmin(SimpleHistoryAdmin):
    """The editors' list of publishers whose pages need a reputable page beside them."""

    list_display = ["domain", "name", "reason", "source_count"]
    search_fields = ["domain", "name", "reason"]
    fields = ["domain", "name", "reason"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_source_counts()

    @admin.display(description="sources on it", ordering="source_count")
    def source_count(self, weak):
        return changelist_link("source", f"q={weak.domain}", weak.source_count, "source")


# Topics and corrections


@admin.register(Topic)
class TopicAdmin(StatesLimits, TranslationAdmin, ImportExportAdmin):
    resource_classes = [TopicResource]
    list_display = ["name", "slug", "event_count"]
    list_filter = [FrenchFilter]
    search_fields = ["name_en", "name_fr", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = side_by_side("name*", "slug", "description*")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_count=count_of(Event.topics.through.objects.all(), "topic"))

    @admin.display(description="events", ordering="event_count")
    def event_count(self, topic):
        return changelist_link("event", f"topics__id__exact={topic.pk}", topic.event_count, "event")


@admin.register(Correction)
class CorrectionAdmin(StatesLimits, TranslationAdmin):
    form = CorrectionForm
    list_display = ["published_on", "event", "statement", "note"]
    list_select_related = ["event", "statement__speaker"]
    list_filter = [FrenchFilter]
    search_fields = ["note_en", "note_fr", "event__title_en", "event__title_fr"]
    fields = side_by_side("event", "statement", "published_on", "note*")
    autocomplete_fields = ["event", "statement"]
    date_hierarchy = "published_on"
