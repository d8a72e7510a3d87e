from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from timeline.models import Correction, Event, Involvement, Participant, Role, Source, Statement, Topic


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["source"]


class InvolvementInline(admin.TabularInline):
    model = Involvement
    extra = 0
    autocomplete_fields = ["participant"]


@admin.register(Participant)
class ParticipantAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RoleInline]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "publisher", "published_on", "kind"]
    search_fields = ["title", "publisher", "url"]


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    list_display = ["title", "start_date", "event_type", "status"]
    list_filter = ["status", "event_type", "topics"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["topics", "sources"]
    date_hierarchy = "start_date"
    inlines = [InvolvementInline]


@admin.register(Statement)
class StatementAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "said_on", "language", "kind"]
    list_select_related = ["speaker"]
    search_fields = ["text", "speaker__name"]
    autocomplete_fields = ["speaker", "event", "sources"]


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["published_on", "event", "note"]
    list_select_related = ["event"]
    autocomplete_fields = ["event", "statement"]
