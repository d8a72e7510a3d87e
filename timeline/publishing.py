"""Publishing and unpublishing events: the one place that decides whether an event may go public.

The admin's change-form buttons, its changelist actions and the importer all call these functions, and the
forms and import hooks that edit a published event's sources call `needs_source`, so the rule ("every published
event and every statement in it cites a source") cannot drift between them.
"""

import dataclasses

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from timeline.models import Event, Statement

PUBLISH_PERMISSION = "timeline.publish_event"
NO_SOURCE = _("It has no source: add at least one under Sources.")
EVENT_NEEDS_SOURCE = _("A published event needs at least one source: add one, or ask a publisher to unpublish it.")
STATEMENT_NEEDS_SOURCE = _(
    "A statement in a published event needs a source: add one, or ask a publisher to unpublish it."
)


class PublishingRefused(Exception):
    """The event breaks the publishing rule; `problems` says what to fix, one sentence each."""

    def __init__(self, event: Event, problems: list[str]):
        self.event = event
        self.problems = problems
        super().__init__(
            gettext("“%(event)s” was not published: %(problems)s") % {"event": event, "problems": " ".join(problems)}
        )


def can_publish(user) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)


def needs_source(event: Event | None, sources, publishing: bool = False) -> bool:
    """The rule: a published event, and every statement in it, cites at least one source.

    Whether `sources` (the event's own, or one statement's: anything with a truth value) break it, with `event`
    published, or about to be (`publishing`)."""
    return event is not None and (publishing or event.is_published) and not sources


def statement_problem(statement: Statement) -> str:
    text = statement.text[:60] + ("..." if len(statement.text) > 60 else "")
    return gettext("The statement “%(text)s” by %(speaker)s has no source: add one to it.") % {
        "text": text,
        "speaker": statement.speaker,
    }


def publication_problems(event: Event) -> list[str]:
    """Why `event` may not be published, as sentences an editor can act on; empty when it may."""
    problems = []
    if needs_source(event, event.sources.exists(), publishing=True):
        problems.append(str(NO_SOURCE))
    for statement in event.statements.annotate(source_count=Count("sources")).select_related("speaker"):
        if needs_source(event, statement.source_count, publishing=True):
            problems.append(statement_problem(statement))
    return problems


# Weak publishers: a warning, not a rule. An editor may have good reason to cite only such pages for a while, but
# a publisher must have seen, by name, what rests on them before the event goes public.


@dataclasses.dataclass(frozen=True)
class WeakSources:
    """The event, or one of its statements, citing only pages from publishers an editor has marked as weak."""

    key: str  # "event-12", "statement-34": what a publisher acknowledges by publishing anyway
    message: str


def _weak_publishers_cited(obj) -> str:
    names = obj.sources.with_weak_publisher().values_list("weak_publisher", flat=True)
    return ", ".join(sorted(set(names), key=str.lower))


def weak_statements(statements) -> list[WeakSources]:
    """Each of `statements` whose sources are all from weak publishers, named with those publishers."""
    warnings = []
    flagged = statements.with_only_weak_sources().filter(only_weak_sources=True).select_related("speaker")
    for statement in flagged.order_by("pk"):
        text = statement.text[:60] + ("..." if len(statement.text) > 60 else "")
        message = gettext(
            "The statement “%(text)s” by %(speaker)s cites only pages from publishers marked as weak: %(publishers)s."
        ) % {"text": text, "speaker": statement.speaker, "publishers": _weak_publishers_cited(statement)}
        warnings.append(WeakSources(f"statement-{statement.pk}", message))
    return warnings


def weak_source_warnings(event: Event) -> list[WeakSources]:
    """The event, and each statement in it, whose sources are all from weak publishers, named with them."""
    warnings = []
    if Event.objects.with_only_weak_sources().filter(pk=event.pk, only_weak_sources=True).exists():
        message = gettext("The event “%(event)s” cites only pages from publishers marked as weak: %(publishers)s.") % {
            "event": event,
            "publishers": _weak_publishers_cited(event),
        }
        warnings.append(WeakSources(f"event-{event.pk}", message))
    return warnings + weak_statements(event.statements.all())


class WeakSourcesNotSeen(PublishingRefused):
    """Publishing would put up pages resting on weak publishers only, and the publisher has not seen which."""

    def __init__(self, event: Event, warnings: list[WeakSources]):
        self.warnings = warnings
        advice = gettext("Cite a reputable page beside them, or publish it anyway once you have checked them.")
        super().__init__(event, [warning.message for warning in warnings] + [advice])


def _require_permission(user) -> None:
    if not can_publish(user):
        raise PermissionDenied(gettext("Only publishers may publish or unpublish events."))


@transaction.atomic
def publish(event: Event, user, weak_sources_seen=()) -> Event:
    """Publish `event` for `user`, or raise PermissionDenied / PublishingRefused and change nothing.

    Where the event or a statement in it cites only weak publishers, the publisher must have seen the warning:
    `weak_sources_seen` holds the keys of the warnings shown to them; any other raises WeakSourcesNotSeen.
    """
    _require_permission(user)
    problems = publication_problems(event)
    if problems:
        raise PublishingRefused(event, problems)
    if not event.is_published:
        unseen = [warning for warning in weak_source_warnings(event) if warning.key not in set(weak_sources_seen)]
        if unseen:
            raise WeakSourcesNotSeen(event, unseen)
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
