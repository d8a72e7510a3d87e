"""Who held office (Prime Ministers of Canada, Presidents of the United States), from the participants' roles: the
bands above the overview, so that a reader sees the era of each event."""

import dataclasses
import datetime

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from timeline.dates import Precision, format_tenure, period_end


@dataclasses.dataclass(frozen=True)
class Office:
    key: str
    label: str  # what readers call it
    short: str  # beside its band, where space is short
    title: str  # the English title a role of this office starts with, as editors enter it


OFFICES = (
    Office(
        "prime-minister",
        _("Prime Minister of Canada"),
        pgettext_lazy("beside the band of prime ministers", "PM"),
        "Prime Minister of Canada",
    ),
    Office(
        "president",
        _("President of the United States"),
        pgettext_lazy("beside the band of presidents", "President"),
        "President of the United States",
    ),
)


@dataclasses.dataclass(frozen=True)
class Term:
    """A person's time in an office, as the roles record it."""

    office: str
    participant_id: int
    name: str
    start: datetime.date
    end: datetime.date | None  # None: still held
    tenure: str  # as the reader is told it: "14 March 2025 – present", "as of 12 May 1958"

    @property
    def short_name(self) -> str:
        # The band is narrow: a family name says who it is ("Trudeau"); the full name is read out beside it.
        return self.name.split()[-1] if self.name.split() else self.name

    def overlaps(self, start: datetime.date, end: datetime.date) -> bool:
        return self.start <= end and (self.end is None or self.end >= start)


def office_terms(roles) -> list[Term]:
    """The terms of each office in OFFICES, from `roles` (with their participants): a role held from a start to
    an end, or a role only attested on a date, which counts for that day (or month, or year).

    An office has one holder at a time, so a term the record leaves open ends when the next one of that office
    begins: the band then shows who held the office rather than two holders at once."""
    terms = []
    for office in OFFICES:
        held = []
        for role in roles:
            if not role.title.startswith(office.title):
                continue
            if role.start or role.end:
                start = role.start or role.end
                end = period_end(role.end, role.end_precision) if role.end else None
            else:
                start, end = role.attested_on, period_end(role.attested_on, role.attested_precision)
            held.append((start, end, role))
        held.sort(key=lambda item: (item[0], item[2].pk))
        for index, (start, end, role) in enumerate(held):
            successor = next((later[0] for later in held[index + 1 :] if later[0] > start), None)
            recorded_end = end
            if end is None and successor is not None:
                end = successor
            tenure = (
                role.period
                if recorded_end is not None or end is None
                else format_tenure(role.start, role.start_precision, end, Precision.DAY)
            )
            terms.append(Term(office.key, role.participant_id, role.participant.name, start, end, tenure))
    return terms


def office_roles():
    """The roles of OFFICES held by participants readers can see (a participant of drafts alone stays unseen).

    Asked of each role the titles keep: the list of every public participant, read first, had SQLite look up
    the roles of each of 20,000 participants (32 ms) for the few who held an office."""
    from timeline import eventkeys
    from timeline.models import Role

    titles = Q()
    for office in OFFICES:
        titles |= Q(title__startswith=office.title)
    public = eventkeys.has_value_sql(*eventkeys.PUBLIC_PARTICIPANT, of="participant_id")
    # office_terms orders them itself. By the holder's name (the roles' default), SQLite walked all 20,000
    # participants in name order for the few roles (24 ms); by holder, it reads the titles from the index of
    # (participant, title, start) rather than from every role's row (2.6 ms).
    return Role.objects.filter(titles, public).select_related("participant").order_by("participant_id")
