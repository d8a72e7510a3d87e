from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from timeline.models import Event, Involvement, Participant, Statement, Topic


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    events = Event.objects.published().for_list().chronological()
    return render(request, "timeline/event_list.html", {"events": events})


@require_GET
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(
        Event.objects.published().prefetch_related(
            "topics",
            "sources",
            Prefetch(
                "involvements",
                queryset=Involvement.objects.select_related("participant").prefetch_related("participant__roles"),
            ),
            Prefetch("statements", queryset=Statement.objects.select_related("speaker").prefetch_related("sources")),
        ),
        slug=slug,
    )
    return render(request, "timeline/event_detail.html", {"event": event})


@require_GET
def participant_detail(request: HttpRequest, slug: str) -> HttpResponse:
    participant = get_object_or_404(Participant.objects.prefetch_related("roles"), slug=slug)
    statements = Statement.objects.published().filter(speaker=participant).select_related("event")
    events = Event.objects.published().filter(involvements__participant=participant).distinct().chronological()
    context = {"participant": participant, "statements": statements, "events": events}
    return render(request, "timeline/participant_detail.html", context)


@require_GET
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    events = Event.objects.published().filter(topics=topic).for_list().chronological()
    return render(request, "timeline/topic_detail.html", {"topic": topic, "events": events})
