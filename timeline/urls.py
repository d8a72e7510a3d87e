from django.conf import settings
from django.contrib import admin
from django.urls import path

from timeline import views

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("participants/", views.participant_list, name="participant_list"),
    path("participants/<slug:slug>/", views.participant_detail, name="participant_detail"),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("sources/", views.source_list, name="source_list"),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler500 = "timeline.errors.server_error"
