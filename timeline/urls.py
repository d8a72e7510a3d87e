from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import path

from timeline import export_views, feeds, languages, views
from timeline.api import api
from timeline.caching import cache_public_page

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    # The API is one address in every language; it takes ?lang= instead.
    path("api/", api.urls),
    path("language/<str:code>/", languages.choose_language, name="choose_language"),
]

# Every page for readers in English at its unprefixed address and in French under /fr/ (timeline/languages.py).
urlpatterns += i18n_patterns(
    path("", views.event_list, name="event_list"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    # The images a shared link shows (OpenGraph, Twitter cards).
    path("preview.png", views.timeline_preview, name="timeline_preview"),
    path("events/<slug:slug>/preview.png", views.event_preview, name="event_preview"),
    path("statements/", views.statement_list, name="statement_list"),
    path("statements/<slug:slug>/", views.statement_detail, name="statement_detail"),
    path("participants/", views.participant_list, name="participant_list"),
    path("participants/<slug:slug>/", views.participant_detail, name="participant_detail"),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("sources/", views.source_list, name="source_list"),
    # Open data: feeds, downloads and the embeddable timeline. Feeds are cached and validated as pages are.
    path("feeds/events/", cache_public_page(feeds.NewEventsFeed()), name="feed_events"),
    path("feeds/topics/<slug:slug>/", cache_public_page(feeds.TopicEventsFeed()), name="feed_topic"),
    path("feeds/participants/<slug:slug>/", cache_public_page(feeds.ParticipantEventsFeed()), name="feed_participant"),
    path("feeds/corrections/", cache_public_page(feeds.CorrectionsFeed()), name="feed_corrections"),
    path("export/events.ics", export_views.events_ics, name="export_ics"),
    path("events/<slug:slug>/calendar.ics", export_views.event_ics, name="event_ics"),
    path("export/events.csv", export_views.events_csv, name="export_events_csv"),
    path("export/statements.csv", export_views.statements_csv, name="export_statements_csv"),
    path("export/timeline.json", export_views.events_timelinejs, name="export_timelinejs"),
    path("export/full/", export_views.full_download_index, name="export_full_index"),
    path("export/full/<str:name>", export_views.full_download, name="export_full"),
    path("embed/", export_views.embed, name="embed"),
    path("embed/build/", export_views.embed_builder, name="embed_builder"),
    prefix_default_language=False,
)

handler500 = "timeline.errors.server_error"
