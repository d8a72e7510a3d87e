"""Review before readers see an editor's change: the one place that decides what waits for a publisher, and that
applies an approved change.

What readers see is published events, their statements, their participants (with their roles) and their sources.
A change an editor makes to any of these (in the admin, through an event's or a participant's inline rows, by
restoring an old version, or by an import) is not written to it: it becomes a Revision holding the proposed values
(`propose`). Readers keep the published version until a publisher approves the revision (`approve`), which writes
all of it at once, checked by the same rules as any edit (model validation, and the publishing rule that a
published event and its statements cite a source), or sends it back with a note (`send_back`). Publishers' own
changes, and everything in a draft, are written at once, as before.

A revision records the published values it replaces (`base`): if any of them changed since (someone else's
approved change), approving it is refused rather than undoing that change.
"""

import dataclasses
import datetime
import decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from modeltranslation.fields import TranslationField

from timeline import publishing
from timeline.dates import format_date
from timeline.models import Event, Involvement, Participant, Revision, Role, Source, Statement
from timeline.translation import translated_fields

# The models whose published rows wait for review, and their many-to-many fields.
REVIEWED = {Event: ("topics", "sources"), Statement: ("sources",), Participant: (), Source: (), Role: ()}
NOT_PROPOSED = {"id", "status", "published_at", "created_at", "updated_at", "version", "normalized_url", "domain"}


class ReviewRefused(Exception):
    """An approval that cannot be made as it stands; the message says why, for the publisher."""


# What readers see


def is_public(obj) -> bool:
    """Whether readers see `obj` now (as saved), or would see it as it stands in memory (a statement moved into a
    published event, a role given to a public participant)."""
    if isinstance(obj, Event):
        return obj.pk is not None and Event.objects.filter(pk=obj.pk, status=Event.Status.PUBLISHED).exists()
    if isinstance(obj, Statement):
        events = {obj.event_id}
        if obj.pk:
            events.add(Statement.objects.filter(pk=obj.pk).values_list("event_id", flat=True).first())
        return Event.objects.published().filter(pk__in=[e for e in events if e]).exists()
    if isinstance(obj, Participant):
        return obj.pk is not None and Participant.objects.public().filter(pk=obj.pk).exists()
    if isinstance(obj, Role):
        people = {obj.participant_id}
        if obj.pk:
            people.add(Role.objects.filter(pk=obj.pk).values_list("participant_id", flat=True).first())
        return Participant.objects.public().filter(pk__in=[p for p in people if p]).exists()
    if isinstance(obj, Source):
        if obj.pk is None:
            return False
        by_roles = Role.objects.filter(source=obj, participant__in=Participant.objects.public())
        return Source.objects.cited().filter(pk=obj.pk).exists() or by_roles.exists()
    return False


def needs_review(obj, user) -> bool:
    """Whether `user`'s change to `obj` must wait for a publisher."""
    return type(obj) in REVIEWED and not publishing.can_publish(user) and is_public(obj)


def event_of(obj) -> Event | None:
    if isinstance(obj, Event):
        return obj
    if isinstance(obj, Statement) and obj.event_id:
        return obj.event
    return None


# Values as a revision keeps them


def editable_fields(model) -> list[models.Field]:
    """The fields a change is made of. A translated field is its language columns (title_en, title_fr): the field
    itself (title) only reads or writes the language active at the time, which is no value of its own."""
    skipped = NOT_PROPOSED | set(translated_fields(model))
    return [f for f in model._meta.concrete_fields if f.editable and f.name not in skipped]


def dump(value):
    """A field's value as JSON keeps it."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def field_values(obj) -> dict:
    return {f.attname: dump(value_of(obj, f)) for f in editable_fields(type(obj))}


def value_of(obj, field: models.Field):
    """A field's value; a language column left empty is None however it was stored (the admin's forms save "" for
    some, the columns start as NULL), so that an untouched French field is no change."""
    value = getattr(obj, field.attname)
    if isinstance(field, TranslationField) and value == "":
        return None
    return value


def m2m_values(obj, names) -> dict:
    if obj.pk is None:
        return {name: [] for name in names}
    return {name: sorted(getattr(obj, name).values_list("pk", flat=True)) for name in names}


def involvement_values(event) -> list:
    if event.pk is None:
        return []
    return [[i.participant_id, i.part, i.order] for i in event.involvements.order_by("order", "pk")]


@dataclasses.dataclass
class Proposal:
    """What an editor's save or import row would have written; `propose` keeps only what differs."""

    obj: models.Model  # in memory, with the editor's field values; its pk is None for a new item
    m2m: dict = dataclasses.field(default_factory=dict)  # name -> the items wanted
    involvements: list | None = None  # [(participant, part, order)] wanted, for an event
    already_waiting: bool = False  # set by `propose`: this very change was waiting already

    def current(self):
        model = type(self.obj)
        return model.objects.get(pk=self.obj.pk) if self.obj.pk else model()


def propose(proposal: Proposal, author) -> Revision | None:
    """Keep the change as a revision waiting for review; None when it changes nothing.

    The very change already waiting (the same file imported twice) is not kept twice: that revision is returned,
    with `proposal.already_waiting` set. A change made from other published values is another change."""
    current = proposal.current()
    before, after = field_values(current), field_values(proposal.obj)
    changed = {name: value for name, value in after.items() if value != before[name] or not current.pk}
    m2m_before = m2m_values(current, proposal.m2m)
    m2m_after = {name: sorted(item.pk for item in items) for name, items in proposal.m2m.items()}
    m2m_changed = {name: pks for name, pks in m2m_after.items() if pks != m2m_before[name]}
    wanted = proposal.involvements
    people = [[p.pk, part, order] for p, part, order in wanted] if wanted is not None else None
    people_changed = people is not None and people != involvement_values(current)
    if not (changed or m2m_changed or people_changed):
        return None
    proposed = {"fields": changed, "m2m": m2m_changed}
    base = {"fields": {name: before[name] for name in changed}, "m2m": {n: m2m_before[n] for n in m2m_changed}}
    if people_changed:
        proposed["involvements"], base["involvements"] = people, involvement_values(current)
    for waiting in pending_for(current):
        if (waiting.proposed, waiting.base) == (proposed, base):
            proposal.already_waiting = True
            return waiting
    event = event_of(proposal.obj) or event_of(current)
    return Revision.objects.create(
        content_type=ContentType.objects.get_for_model(type(proposal.obj)),
        object_id=current.pk,
        event=event if event is not None and event.pk else None,
        summary=describe(proposal.obj, current),
        proposed=proposed,
        base=base,
        author=author,
    )


def describe(obj, current) -> str:
    noun = type(obj)._meta.verbose_name
    name = str(current if current.pk else obj)[:200]
    if current.pk:
        return _("Change to the %(noun)s “%(name)s”") % {"noun": noun, "name": name}
    return _("New %(noun)s: “%(name)s”") % {"noun": noun, "name": name}


def pending_for(obj):
    """The revisions of `obj` waiting for review."""
    return Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk, state=Revision.State.PENDING
    )


# What a publisher reads: the change, field by field


@dataclasses.dataclass
class Change:
    label: str
    before: str
    after: str


def changes(revision: Revision) -> list[Change]:
    """Each change as a label, the published value and the proposed one, as an editor would read them."""
    model = revision.content_type.model_class()
    found = []
    fields = {f.attname: f for f in model._meta.concrete_fields}
    for name, value in revision.proposed.get("fields", {}).items():
        field = fields[name]
        before = revision.base.get("fields", {}).get(name)
        found.append(Change(str(field.verbose_name), shown(field, before), shown(field, value)))
    for name, pks in revision.proposed.get("m2m", {}).items():
        field = model._meta.get_field(name)
        before = revision.base.get("m2m", {}).get(name, [])
        found.append(
            Change(str(field.verbose_name), listed(field.related_model, before), listed(field.related_model, pks))
        )
    if "involvements" in revision.proposed:
        found.append(
            Change(
                _("Participants"),
                people(revision.base.get("involvements", [])),
                people(revision.proposed["involvements"]),
            )
        )
    return found


def shown(field, value) -> str:
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        related = field.related_model.objects.filter(pk=value).first()
        return str(related) if related else "?"
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, models.DateField):
        return format_date(datetime.date.fromisoformat(value))
    return str(value)


def listed(model, pks) -> str:
    names = {item.pk: str(item) for item in model.objects.filter(pk__in=pks)}
    return "; ".join(sorted(names.get(pk, "?") for pk in pks))


def people(rows) -> str:
    names = dict(Participant.objects.filter(pk__in=[row[0] for row in rows]).values_list("pk", "name"))
    parts = dict(Involvement.Part.choices)
    return "; ".join(f"{names.get(pk, '?')} ({parts.get(part, part)})" for pk, part, _order in rows)


# Approving and sending back


def _require_publisher(user) -> None:
    if not publishing.can_publish(user):
        raise PermissionDenied(_("Only publishers may approve or send back a change."))


def conflicts(revision: Revision, current) -> list[str]:
    """The proposed changes whose published value changed since they were proposed, named for the publisher."""
    model = type(current)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    now = field_values(current)
    found = [
        str(fields[name].verbose_name)
        for name, value in revision.base.get("fields", {}).items()
        if revision.object_id and now.get(name) != value
    ]
    m2m_now = m2m_values(current, revision.base.get("m2m", {}))
    found += [
        str(model._meta.get_field(name).verbose_name)
        for name, value in revision.base.get("m2m", {}).items()
        if m2m_now[name] != value
    ]
    if "involvements" in revision.base and involvement_values(current) != revision.base["involvements"]:
        found.append(_("Participants"))
    return found


@transaction.atomic
def approve(revision: Revision, user):
    """Write the revision, all of it or (raising ReviewRefused or PermissionDenied) none of it."""
    _require_publisher(user)
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    if revision.state != Revision.State.PENDING:
        raise ReviewRefused(
            _("This change was already reviewed (%(state)s).") % {"state": revision.get_state_display()}
        )
    model = revision.content_type.model_class()
    if revision.object_id:
        obj = model.objects.select_for_update().filter(pk=revision.object_id).first()
        if obj is None:
            raise ReviewRefused(_("The item this change was proposed for has been deleted since."))
    else:
        obj = model()
    changed_since = conflicts(revision, obj)
    if changed_since:
        raise ReviewRefused(
            _(
                "Since this change was proposed, someone else changed %(fields)s: approving it would undo that. "
                "Send it back, so that it is redone on the current version."
            )
            % {"fields": ", ".join(changed_since)}
        )
    fields = {f.attname: f for f in model._meta.concrete_fields}
    for name, value in revision.proposed.get("fields", {}).items():
        setattr(obj, name, fields[name].to_python(value))
    try:
        obj.full_clean()
    except ValidationError as error:
        raise ReviewRefused(
            _("This change cannot be written as it stands: %(problems)s Send it back with a note.")
            % {"problems": " ".join(error.messages)}
        ) from None
    author = revision.author
    obj._history_user = author or user
    obj._change_reason = _("Proposed by %(author)s, approved by %(publisher)s") % {
        "author": author.get_username() if author else "?",
        "publisher": user.get_username(),
    }
    obj.save()
    for name, pks in revision.proposed.get("m2m", {}).items():
        getattr(obj, name).set(pks)
    if "involvements" in revision.proposed:
        obj.involvements.all().delete()
        Involvement.objects.bulk_create(
            Involvement(event=obj, participant_id=pk, part=part, order=order)
            for pk, part, order in revision.proposed["involvements"]
        )
    check_publishing_rule(obj)
    revision.state, revision.reviewer, revision.reviewed_at = Revision.State.APPROVED, user, timezone.now()
    revision.object_id = obj.pk
    revision.save(update_fields=["state", "reviewer", "reviewed_at", "object_id"])
    return obj


def check_publishing_rule(obj) -> None:
    """An approved change must leave the published record sourced, as an edit would have to."""
    if isinstance(obj, Event) and obj.is_published:
        problems = publishing.publication_problems(obj)
        if problems:
            raise ReviewRefused(" ".join(problems))
    if isinstance(obj, Statement) and publishing.needs_source(event_of(obj), obj.sources.exists()):
        raise ReviewRefused(str(publishing.STATEMENT_NEEDS_SOURCE))


@transaction.atomic
def send_back(revision: Revision, user, note: str) -> Revision:
    """Refuse the change, with a note saying why, for its author; nothing of it is written."""
    _require_publisher(user)
    if not note.strip():
        raise ReviewRefused(_("Say in a note why the change is sent back, so that its author can act on it."))
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    if revision.state != Revision.State.PENDING:
        raise ReviewRefused(
            _("This change was already reviewed (%(state)s).") % {"state": revision.get_state_display()}
        )
    revision.state, revision.reviewer, revision.reviewed_at, revision.note = (
        Revision.State.RETURNED,
        user,
        timezone.now(),
        note.strip(),
    )
    revision.full_clean(exclude=["content_type", "author", "reviewer", "event"])
    revision.save(update_fields=["state", "reviewer", "reviewed_at", "note"])
    return revision


@transaction.atomic
def withdraw(revision: Revision, user) -> Revision:
    """Its author takes back a change still waiting."""
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    if revision.author_id != user.pk or revision.state != Revision.State.PENDING:
        raise ReviewRefused(_("Only its author may withdraw a change, and only while it waits."))
    revision.state, revision.reviewed_at = Revision.State.WITHDRAWN, timezone.now()
    revision.save(update_fields=["state", "reviewed_at"])
    return revision


# Deleting what published items rely on


def deletion_refusals(objs, user) -> list[str]:
    """Why `user` may not delete `objs`, one sentence each: an editor never deletes what readers see, and nobody
    deletes the last source of a published event or statement."""
    refusals = []
    for obj in objs:
        if type(obj) in REVIEWED and not publishing.can_publish(user) and is_public(obj):
            refusals.append(
                _("“%(item)s” is seen by readers: only a publisher may delete it (propose a change instead).")
                % {"item": obj}
            )
    sources = [obj for obj in objs if isinstance(obj, Source)]
    if sources:
        refusals += [
            _("The published event “%(item)s” would be left without a source: add another to it first.") % {"item": e}
            for e in left_unsourced(Event.objects.published(), "sources", sources)
        ]
        refusals += [
            _("The published statement “%(item)s” would be left without a source: add another to it first.")
            % {"item": s}
            for s in left_unsourced(Statement.objects.published(), "sources", sources)
        ]
    return refusals


def left_unsourced(queryset, field: str, sources) -> list:
    """The items of `queryset` citing any of `sources` and nothing else."""
    pks = [source.pk for source in sources]
    citing = queryset.filter(**{f"{field}__in": pks}).distinct()
    return [item for item in citing if not getattr(item, field).exclude(pk__in=pks).exists()]


def relying_on(source: Source) -> list:
    """The published events and statements that cite `source`, for a publisher about to delete it."""
    return [*Event.objects.published().filter(sources=source), *Statement.objects.published().filter(sources=source)]
