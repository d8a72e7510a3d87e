"""Publishing and unpublishing events: the one place that decides whether an event may go public.

The admin's change-form buttons, its changelist actions and the importer all call these functions, so the rule
("every published event and every statement in it cites a source") cannot drift between them.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from timeline.models import Event, Statement

PUBLISH_PERMISSION = "timeline.publish_event"
NO_SOURCE = "It has no source: add at least one under Sources."
STATEMENT_NEEDS_SOURCE = "A statement in a published event needs a source: add one, or ask a publisher to unpublish it."


class PublishingRefused(Exception):
    """The event breaks the publishing rule; `problems` says what to fix, one sentence each."""

    def __init__(self, event: Event, problems: list[str]):
        self.event = event
        self.problems = problems
        super().__init__(f"\u201c{event}\u201d was not published: {' '.join(problems)}")


def can_publish(user) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)


def statement_problem(statement: Statement) -> str:
    return (
        f"The statement \u201c{statement.text[:60]}{'...' if len(statement.text) > 60 else ''}\u201d "
        f"by {statement.speaker} has no source: add one to it."
    )


def publication_problems(event: Event) -> list[str]:
    """Why `event` may not be published, as sentences an editor can act on; empty when it may."""
    problems = []
    if not event.sources.exists():
        problems.append(NO_SOURCE)
    for statement in event.statements.filter(sources=None).select_related("speaker"):
        problems.append(statement_problem(statement))
    return problems


def _require_permission(user) -> None:
    if not can_publish(user):
        raise PermissionDenied("Only publishers may publish or unpublish events.")


@transaction.atomic
def publish(event: Event, user) -> Event:
    """Publish `event` for `user`, or raise PermissionDenied / PublishingRefused and change nothing."""
    _require_permission(user)
    problems = publication_problems(event)
    if problems:
        raise PublishingRefused(event, problems)
    if not event.is_published:
        event.status = Event.Status.PUBLISHED
        event.published_at = timezone.now()
        event._history_user = user
        event._change_reason = "Published"
        event.save(update_fields=["status", "published_at", "version", "updated_at"])
    return event


@transaction.atomic
def unpublish(event: Event, user) -> Event:
    """Take `event` back to draft for `user`: readers no longer see it or its statements."""
    _require_permission(user)
    if event.is_published:
        event.status = Event.Status.DRAFT
        event.published_at = None
        event._history_user = user
        event._change_reason = "Unpublished"
        event.save(update_fields=["status", "published_at", "version", "updated_at"])
    return event
