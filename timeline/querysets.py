"""Every reader-facing query starts here: `published()` is the one definition of what the public may see."""

import datetime

from django.db import models
from django.db.models import Count, Prefetch, Q


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def between(self, start: datetime.date | None = None, end: datetime.date | None = None):
        """Events overlapping [start, end]: a range event counts if any part of it falls inside."""
        qs = self
        if start is not None:
            qs = qs.filter(Q(end_date__gte=start) | Q(end_date__isnull=True, start_date__gte=start))
        if end is not None:
            qs = qs.filter(start_date__lte=end)
        return qs

    def chronological(self, newest_first: bool = False):
        if newest_first:
            return self.order_by("-start_date", "-importance", "-pk")
        return self.order_by("start_date", "-importance", "pk")

    def for_list(self):
        """What a timeline card shows, in a fixed number of queries however many events there are."""
        from timeline.models import Involvement, Statement

        return self.annotate(
            statement_count=Count(
                "statements", filter=Q(statements__in=Statement.objects.published()), distinct=True
            ),
            source_count=Count("sources", distinct=True),
        ).prefetch_related(
            "topics",
            Prefetch(
                "involvements",
                queryset=Involvement.objects.select_related("participant").order_by("order", "pk"),
            ),
        )


class StatementQuerySet(models.QuerySet):
    def published(self):
        """A statement is public once, and only while, the event it belongs to is published."""
        from timeline.models import Event

        return self.filter(event__in=Event.objects.published())


class ParticipantQuerySet(models.QuerySet):
    def public(self):
        """Participants a reader can reach: those in a published event or with a published statement."""
        from timeline.models import Event, Statement

        return self.filter(
            Q(involvements__event__in=Event.objects.published())
            | Q(statements__in=Statement.objects.published())
        ).distinct()
