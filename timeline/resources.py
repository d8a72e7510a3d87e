"""Import and export of the timeline's data, so that files move between databases and spreadsheets unchanged.

Rules every import follows:
- All or nothing: a file with any invalid row writes nothing; each bad row is reported by its spreadsheet row
  number, with its column and a fix, and a file that cannot be read at all gets one sentence saying why.
- Idempotent: a row names an existing item by its slug or, when the slug is blank or absent, by what an editor
  would recognise it by (a statement by its speaker, date and words; a source by its address; an event by its
  title and date). A row that changes nothing is "unchanged": nothing is saved, no history is written.
- Imports never publish for someone who may not publish. A new event arrives as a draft and an existing event
  keeps its status, unless the importing user is a publisher: then the `status` column is honoured, through the
  same publishing rule as the admin's buttons (a published event needs sources, and so does each statement).
- Dates are read as written ("2025-05-06", "2025-05", "2025", "May 2025"...): what was written sets the precision.
- Yes-or-no columns (`approximate`) take 1 or 0, as exports write them, or true/false, yes/no, oui/non; a blank
  cell is no, as an unticked box is. Any other value is refused.
- Participants in an event are one column, "slug:part" pairs: `mark-carney:guest, donald-trump:host`.
- Text written in both languages is two columns: `title` is the English, `title_fr` the French (see
  timeline/translation.py). A blank French cell is French not written yet, and readers then see the English.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export import fields

from timeline import publishing
from timeline.date_input import parse_date
from timeline.import_columns import (
    SEPARATOR,
    ReferencesWidget,
    ReferenceWidget,
    cell,
    dated,
    find_reference,
    french,
    parse_participants,
    text_key,
)
from timeline.import_rows import TimelineResource
from timeline.models import Event, Involvement, Participant, Source, Statement, Topic, normalize_url
from timeline.participant_resources import ParticipantResource, RoleResource

# The models.


class TopicResource(TimelineResource):
    example = {
        "slug": "trade",
        "name": "Trade",
        "name_fr": "Commerce",
        "description": "Trade agreements, trade talks and the exchange of goods and services between countries.",
        "description_fr": "Accords commerciaux, négociations commerciales et échanges de biens et de services "
        "entre pays.",
    }
    identities = [("slug",), ("name",)]
    slug_from = "name"
    name_fr = french("name")
    description_fr = french("description")

    class Meta:
        model = Topic
        import_id_fields = ["slug"]
        fields = ["slug", "name", "name_fr", "description", "description_fr"]

    def row_key(self, row):
        return super().row_key(row) or (("name", text_key(cell(row, "name"))) if cell(row, "name") else None)

    def find_by_identity(self, row):
        found = find_reference(Topic, cell(row, "name")) if cell(row, "name") else None
        return (found, "name") if found else (None, None)


class SourceResource(TimelineResource):
    """Sources are recognised by their address above all: the same page cited twice is one source. A row whose
    address is already a source's waits for the editor's choice in the preview: update that source with the
    row, or keep it as it is and only match it."""

    example = {
        "slug": "ipolitics-carney-wins-liberal-leadership",
        "title": "Carney wins Liberal leadership, will become Canada's 24th prime minister",
        "publisher": "iPolitics",
        "url": "https://old.ipolitics.ca/2025/03/09/carney-wins-liberal-leadership-will-become-canadas-24th-prime-minister/",
        "published_on": "2025-03-09",
        "kind": "news",
    }
    identities = [("slug",), ("url",), ("title",)]
    slug_from = "title"
    extra_columns = tuple(Source.date_precisions.values())
    published_on = dated(Source, "published_on")
    accessed_on = dated(Source, "accessed_on")

    class Meta:
        model = Source
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "title",
            "title_is_descriptive",
            "publisher",
            "author",
            "url",
            "published_on",
            "accessed_on",
            "archive_url",
            "kind",
        ]

    def row_key(self, row):
        if cell(row, "url"):
            return ("url", normalize_url(cell(row, "url")))
        return super().row_key(row) or (("title", text_key(cell(row, "title"))) if cell(row, "title") else None)

    def find_existing(self, row):
        slug, url = cell(row, "slug"), cell(row, "url")
        by_slug = self.by_slug.get(slug) if slug else None
        by_url = Source.objects.filter(normalized_url=normalize_url(url)).first() if url else None
        if by_slug is not None:
            return by_slug, "slug"  # a clash with another source's address is reported by check_row
        if by_url is not None:
            self.row_state["url_match"] = by_url
            return by_url, "address"
        if not slug and cell(row, "title"):
            found = Source.objects.filter(
                title__iexact=cell(row, "title"), publisher__iexact=cell(row, "publisher")
            ).first()
            if found:
                return found, "title"
        return None, None

    def import_instance(self, instance, row, **kwargs):
        match = self.row_state.get("url_match")
        if match is None:
            return super().import_instance(instance, row, **kwargs)
        number = str(self.row_state["number"])
        self.choices[number] = match.pk
        choice = (kwargs.get("url_choices") or {}).get(number)
        if choice == "keep":
            self.row_state["keep"] = True
            self.row_state["notes"].append(_("Matched with the existing source, kept as it is."))
            return None
        slug = instance.slug
        super().import_instance(instance, row, **kwargs)
        instance.slug = slug  # the existing source keeps its slug, which other files may name
        self.row_state["notes"].append(
            _("This address is already the source “%(source)s”: it is updated with this row.") % {"source": match.slug}
            if choice == "update"
            else _(
                "This address is already the source “%(source)s”: choose below whether to update it "
                "with this row or keep it as it is."
            )
            % {"source": match.slug}
        )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if self.row_state.get("keep"):
            return True
        return super().skip_row(instance, original, row, import_validation_errors)

    def check_row(self, instance, row, **kwargs):
        url = cell(row, "url")
        if url and instance.pk:
            other = Source.objects.filter(normalized_url=normalize_url(url)).exclude(pk=instance.pk).first()
            if other:
                return {
                    "url": [
                        _(
                            "This address is already the source “%(title)s” (%(slug)s): leave the slug "
                            "blank to update that source, or use its slug."
                        )
                        % {"title": other.title, "slug": other.slug}
                    ]
                }
        return {}


class EventResource(TimelineResource):
    validate_constraints = False
    example = {
        "slug": "carney-wins-liberal-leadership-2025-03-09",
        "title": "Mark Carney wins the Liberal Party leadership",
        "title_fr": "Mark Carney remporte la direction du Parti libéral",
        "summary": "Mark Carney, a former central bank governor, won the Liberal leadership in a single round of "
        "voting, taking 85.9% of the points and beating Chrystia Freeland by a wide margin. The result put him in "
        "line to succeed Justin Trudeau as prime minister.",
        "summary_fr": "Ancien gouverneur de banque centrale, Mark Carney remporte la direction libérale dès le premier "
        "tour, avec 85,9\u00a0% des points, loin devant Chrystia Freeland. Ce résultat fait de lui le successeur "
        "désigné de Justin Trudeau au poste de premier ministre.",
        "start_date": "2025-03-09",
        "event_type": "election",
        "importance": "2",
        "topics": "elections",
        "sources": "https://old.ipolitics.ca/2025/03/09/carney-wins-liberal-leadership-will-become-canadas-24th-prime-minister/",
        "participants": "mark-carney:subject, chrystia-freeland:subject",
        "status": "draft",
    }
    identities = [("slug",), ("title", "start_date")]
    slug_from = "title"
    extra_columns = tuple(Event.date_precisions.values())
    start_date = dated(Event, "start_date")
    end_date = dated(Event, "end_date")
    topics = fields.Field("topics", "topics", ReferencesWidget(Topic))
    sources = fields.Field("sources", "sources", ReferencesWidget(Source))
    participants = fields.Field(column_name="participants")
    status = fields.Field("status", "status", readonly=True)
    title_fr = french("title")
    summary_fr = french("summary")
    body_fr = french("body")
    location_fr = french("location")

    class Meta:
        model = Event
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "title",
            "title_fr",
            "summary",
            "summary_fr",
            "body",
            "body_fr",
            "start_date",
            "approximate",
            "end_date",
            "event_type",
            "location",
            "location_fr",
            "importance",
            "topics",
            "sources",
            "participants",
            "status",
        ]

    def row_key(self, row):
        if super().row_key(row):
            return super().row_key(row)
        if cell(row, "title") and cell(row, "start_date"):
            return ("title", text_key(cell(row, "title")), cell(row, "start_date"))
        return None

    def find_by_identity(self, row):
        try:
            start = parse_date(row.get("start_date"))
        except ValidationError:
            return None, None
        if start is None or not cell(row, "title"):
            return None, None
        title = text_key(cell(row, "title"))
        for event in Event.objects.filter(start_date=start.date):
            if text_key(event.title) == title:
                return event, "title-date"
        return None, None

    def dehydrate_participants(self, event):
        if event.pk is None:
            return ""
        return SEPARATOR.join(
            f"{i.participant.slug}:{i.part}" for i in event.involvements.select_related("participant")
        )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        pairs = getattr(instance, "_imported_involvements", None)
        if pairs is not None and pairs != self.current_involvements(original):
            return False
        # The status is read-only to the library, which never compares it: a publisher's row changing the status
        # alone is still a change, written by publish() or unpublish() with their own history record.
        self.row_state["status_only"] = self.row_state.get("status_wanted", False)
        return not self.row_state["status_only"]

    def save_instance(self, instance, is_create, row, **kwargs):
        if not self.row_state.get("status_only"):
            super().save_instance(instance, is_create, row, **kwargs)

    @staticmethod
    def current_involvements(event):
        if event.pk is None:
            return []
        return [(i.participant, i.part) for i in event.involvements.select_related("participant")]

    def check_row(self, instance, row, **kwargs):
        errors = {}
        if "participants" in row:
            pairs, problems = [], []
            for name, part in parse_participants(row["participants"]):
                participant = find_reference(Participant, name)
                if participant is None:
                    problems.append(
                        _("No participant is “%(name)s”: import participants first, or fix the slug.") % {"name": name}
                    )
                else:
                    pairs.append((participant, part))
            parts = set(Involvement.Part.values)
            problems += [
                _("“%(part)s” is not a part: use one of %(parts)s.") % {"part": part, "parts": ", ".join(sorted(parts))}
                for _name, part in parse_participants(row["participants"])
                if part not in parts
            ]
            if len(set(pairs)) != len(pairs):
                problems.append(_("A participant is listed twice with the same part: list each once."))
            if problems:
                errors["participants"] = problems
            instance._imported_involvements = pairs
        status = cell(row, "status")
        if status and status not in Event.Status.values:
            errors["status"] = [_("“%(status)s” is not a status: use draft or published.") % {"status": status}]
        elif status and status != instance.status:
            user = kwargs.get("user")
            if user is not None and publishing.can_publish(user):
                self.row_state["status_wanted"] = True
            else:  # the rule stands, but the editor who wrote the cell is told it was not applied
                self.row_state["notes"].append(
                    _("Only a publisher may publish or unpublish: this event stays published.")
                    if instance.is_published
                    else _("Only a publisher may publish or unpublish: this event stays a draft.")
                )
        return errors

    def save_m2m(self, instance, row, **kwargs):
        pairs = getattr(instance, "_imported_involvements", None)
        if "proposal" in self.row_state:
            if "sources" in row and publishing.needs_source(instance, self.fields["sources"].clean(row)):
                raise ValidationError({"sources": [str(publishing.EVENT_NEEDS_SOURCE)]})
            wanted = None if pairs is None else [(p, part, order) for order, (p, part) in enumerate(pairs)]
            return self.propose(instance, row, kwargs.get("user"), involvements=wanted)
        super().save_m2m(instance, row, **kwargs)
        if pairs is not None and (self.row_state.get("new") or pairs != self.current_involvements(instance)):
            if not self.row_state.get("new"):
                instance.involvements.all().delete()
            Involvement.objects.bulk_create(
                Involvement(event=instance, participant=participant, part=part, order=order)
                for order, (participant, part) in enumerate(pairs)
            )
        self.apply_status(instance, cell(row, "status"), kwargs.get("user"))

    def apply_status(self, event, wanted, user):
        """Publishers' files may publish or unpublish, through the publishing rule; anyone else's never do."""
        try:
            if user is not None and publishing.can_publish(user) and wanted:
                if wanted == Event.Status.PUBLISHED:
                    publishing.publish(event, user)
                else:
                    publishing.unpublish(event, user)
            elif event.is_published:
                problems = publishing.publication_problems(event)
                if problems:
                    raise publishing.PublishingRefused(event, problems)
        except publishing.WeakSourcesNotSeen as refusal:
            # A file cannot say it was shown the warning: the publisher is told, and publishes from the form.
            advice = _("Import it as a draft, then publish it from its page in the admin once you have checked.")
            message = " ".join([warning.message for warning in refusal.warnings] + [advice])
            raise ValidationError({"status": [message]}) from None
        except publishing.PublishingRefused as refusal:
            raise ValidationError({"status": [str(refusal)]}) from None


class StatementResource(TimelineResource):
    """A statement is its speaker, its date and its words: the same quote imported twice is one statement, whatever
    its slug (or none) says. A slug that names an existing statement still wins, so that an export can correct a
    quote's words on the way back."""

    validate_constraints = False
    example = {
        "speaker": "mark-carney",
        "event": "carney-wins-liberal-leadership-2025-03-09",
        "text": "Donald Trump has put unjustified tariffs on what we build, what we sell, and how we earn a living,",
        "kind": "quote",
        "language": "en",
        "said_on": "2025-03-09",
        "importance": "3",
        "sources": "https://old.ipolitics.ca/2025/03/09/carney-wins-liberal-leadership-will-become-canadas-24th-prime-minister/",
    }
    identities = [("slug",), ("speaker", "text")]
    extra_columns = tuple(Statement.date_precisions.values())
    speaker = fields.Field("speaker", "speaker", ReferenceWidget(Participant))
    event = fields.Field("event", "event", ReferenceWidget(Event))
    said_on = dated(Statement, "said_on")
    sources = fields.Field("sources", "sources", ReferencesWidget(Source))

    class Meta:
        model = Statement
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "speaker",
            "speaker_label",
            "event",
            "text",
            "kind",
            "language",
            "said_on",
            "context",
            "importance",
            "sources",
        ]

    def row_key(self, row):
        if not (cell(row, "speaker") and cell(row, "text")):
            return super().row_key(row)
        try:
            said = parse_date(row.get("said_on"))
        except ValidationError:
            said = cell(row, "said_on")
        speaker = find_reference(Participant, cell(row, "speaker"))  # "Mark Carney" and "mark-carney" are one
        who = speaker.pk if speaker else cell(row, "speaker").casefold()
        return ("said", who, str(said or ""), text_key(cell(row, "text")))

    def find_existing(self, row):
        slug = cell(row, "slug")
        if slug and slug in self.by_slug:
            return self.by_slug[slug], "slug"
        return self.find_by_identity(row)  # whatever slug the row gives, the same words are the same statement

    def find_by_identity(self, row):
        speaker = find_reference(Participant, cell(row, "speaker")) if cell(row, "speaker") else None
        if speaker is None or not cell(row, "text"):
            return None, None
        try:
            said = parse_date(row.get("said_on"))
        except ValidationError:
            return None, None
        words = text_key(cell(row, "text"))
        candidates = Statement.objects.filter(speaker=speaker, said_on=said.date if said else None)
        for statement in candidates:
            if text_key(statement.text) == words:
                return statement, "words"
        return None, None

    def import_instance(self, instance, row, **kwargs):
        slug = instance.slug
        super().import_instance(instance, row, **kwargs)
        if instance.pk and self.row_state["matched_by"] != "slug":
            instance.slug = slug  # recognised by its words: it keeps the slug it has

    def check_row(self, instance, row, **kwargs):
        if "speaker" in row and not cell(row, "speaker"):
            return {"speaker": [_("Every statement needs a speaker: give the participant's slug or name.")]}
        if instance.pk and self.row_state["matched_by"] == "slug":
            twin, _how = self.find_by_identity(row)
            if twin is not None and twin.pk != instance.pk:
                return {
                    "text": [
                        _("These words are already the statement “%(slug)s”, by the same speaker that day.")
                        % {"slug": twin.slug}
                    ]
                }
        return {}

    def save_m2m(self, instance, row, **kwargs):
        event = instance.event if instance.event_id else None
        sources = self.fields["sources"].clean(row) if "sources" in row else instance.pk and instance.sources.exists()
        if publishing.needs_source(event, sources):
            raise ValidationError({"sources": [str(publishing.STATEMENT_NEEDS_SOURCE)]})
        super().save_m2m(instance, row, **kwargs)


# The order a whole database is imported in: each file only names rows of the files before it.
IMPORT_ORDER = [TopicResource, ParticipantResource, SourceResource, RoleResource, EventResource, StatementResource]


def import_all(datasets: dict, user=None, dry_run: bool = False) -> dict:
    """Import several files as one: if any row of any file is invalid, nothing of any file is written."""
    results = {}
    with transaction.atomic():
        for resource_class in IMPORT_ORDER:
            dataset = datasets.get(resource_class._meta.model._meta.model_name)
            if dataset is not None:
                results[resource_class] = resource_class().import_data(dataset, dry_run=dry_run, user=user)
        if dry_run or any(r.has_errors() or r.has_validation_errors() for r in results.values()):
            transaction.set_rollback(True)
    return results
