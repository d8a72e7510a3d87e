"""Import and export of who took part: participants, and the roles they held (see timeline/resources.py for the
rules every import follows)."""

from django.core.exceptions import ValidationError
from import_export import fields

from timeline.date_input import parse_date
from timeline.import_columns import ReferenceWidget, cell, dated, find_reference, french, text_key
from timeline.import_rows import TimelineResource
from timeline.models import Participant, Role, Source


class ParticipantResource(TimelineResource):
    example = {"slug": "mark-carney", "name": "Mark Carney", "kind": "person", "country": "CA"}
    identities = [("slug",), ("name",)]
    slug_from = "name"
    description_fr = french("description")

    class Meta:
        model = Participant
        import_id_fields = ["slug"]
        fields = ["slug", "name", "kind", "country", "description", "description_fr", "wikidata_id"]

    def row_key(self, row):
        return super().row_key(row) or (("name", text_key(cell(row, "name"))) if cell(row, "name") else None)

    def find_by_identity(self, row):
        wikidata = cell(row, "wikidata_id")
        if wikidata:
            found = Participant.objects.filter(wikidata_id=wikidata).first()
            if found:
                return found, "wikidata"
        found = find_reference(Participant, cell(row, "name")) if cell(row, "name") else None
        return (found, "name") if found else (None, None)


class RoleResource(TimelineResource):
    """A role is its participant, its title and its start (or the day it is attested on, when that is all the
    source gives)."""

    example = {
        "participant": "anita-anand",
        "title": "Minister of Innovation, Science and Industry",
        "title_fr": "ministre de l’Innovation, des Sciences et de l’Industrie",
        "start": "2025-03-14",
        "end": "2025-05-13",
    }
    identities = [("participant", "title")]
    extra_columns = tuple(Role.date_precisions.values())
    participant = fields.Field("participant", "participant", ReferenceWidget(Participant))
    start = dated(Role, "start")
    end = dated(Role, "end")
    attested_on = dated(Role, "attested_on")
    source = fields.Field("source", "source", ReferenceWidget(Source))
    title_fr = french("title")
    organisation_fr = french("organisation")

    class Meta:
        model = Role
        import_id_fields = ["participant", "title", "start"]
        fields = [
            "participant",
            "title",
            "title_fr",
            "organisation",
            "organisation_fr",
            "start",
            "end",
            "attested_on",
            "source",
            "note",
        ]

    def row_key(self, row):
        if not (cell(row, "participant") and cell(row, "title")):
            return None
        return ("role", cell(row, "participant").casefold(), text_key(cell(row, "title")),
                cell(row, "start"), cell(row, "attested_on"))  # fmt: skip

    def find_existing(self, row):
        participant = find_reference(Participant, cell(row, "participant")) if cell(row, "participant") else None
        if participant is None or not cell(row, "title"):
            return None, None
        try:
            start, attested = parse_date(row.get("start")), parse_date(row.get("attested_on"))
        except ValidationError:
            return None, None
        title = text_key(cell(row, "title"))
        roles = Role.objects.filter(
            participant=participant,
            start=start.date if start else None,
            attested_on=attested.date if attested else None,
        )
        for role in roles:
            if text_key(role.title) == title:
                return role, "role"
        return None, None
