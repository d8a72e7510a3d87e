"""The timeline's facets: the choices beside each filter, with how many events each would give, and how a chosen
value is named to a reader.

Each facet's counts are taken with every other filter in force but its own (as Datasette does), one query per
facet however many events match. The FilterSet says which values are in force (`filterset.cleaned`); this module
only counts and names them, so that another way of counting can replace it whole.
"""

import dataclasses

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Exists, F, OuterRef
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from timeline.dates import format_date
from timeline.models import Event, Involvement, Participant, Statement, Topic

FACETS = ("participant", "topic", "type", "country", "has_statements")
FACET_LIMIT = 12  # choices shown per facet, besides the selected ones

# Names for the codes participants are likely to carry; any other code is shown as itself.
COUNTRY_NAMES = {
    "CA": _("Canada"),
    "US": _("United States"),
    "MX": _("Mexico"),
    "GB": _("United Kingdom"),
    "FR": _("France"),
    "DE": _("Germany"),
    "CN": _("China"),
    "JP": _("Japan"),
    "IN": _("India"),
    "IT": _("Italy"),
    "UA": _("Ukraine"),
    "RU": _("Russia"),
    "DK": _("Denmark"),
    "GL": _("Greenland"),
    "KR": _("South Korea"),
    "AU": _("Australia"),
}


def country_name(code: str) -> str:
    return str(COUNTRY_NAMES.get(code, code))


@dataclasses.dataclass
class FacetChoice:
    value: str
    label: str
    count: int
    selected: bool


def ranked_counts(links, key: str, model, limit: int) -> list[tuple[str, str, int]]:
    """(slug, name, number of distinct events) of the `limit` most frequent `key` objects among `links` (rows of a
    table linking events to `model`), most first, then by name.

    The events are counted per id in a subquery and only the winners are joined to their names: grouping the
    link rows by slug and name instead sorts every row by text (at 300,000 involvements, 560 ms against 260 ms
    on PostgreSQL). Django cannot select from a subquery, hence the SQL around the ORM's own.
    """
    counted = links.values(linked=F(key)).annotate(n=Count("event", distinct=True)).order_by()
    try:
        inner, params = counted.query.sql_with_params()
    except EmptyResultSet:  # the filters can match nothing (a search with no words): Django then writes no SQL
        return []
    connection = connections[links.db]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = (
        f"SELECT o.slug, o.name, c.n FROM ({inner}) c JOIN {table} o ON o.{pk} = c.linked "
        f"ORDER BY c.n DESC, o.name, o.{pk} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, limit))
        return [tuple(row) for row in cursor.fetchall()]


def filtered_except(filterset, excluded: str):
    """The events matching every filter in force but `excluded`: what a facet's counts are taken from."""
    queryset = filterset.queryset.all()
    for name, value in filterset.cleaned.items():
        if name != excluded:
            queryset = filterset.filters[name].filter(queryset, value)
    return queryset.order_by()


def with_selected(rows: list[FacetChoice], selected: list[FacetChoice]) -> list[FacetChoice]:
    """Top choices by count, with every selected choice present even when nothing matches it."""
    chosen = {choice.value: choice for choice in selected}
    choices = [dataclasses.replace(row, selected=row.value in chosen) for row in rows]
    present = {choice.value for choice in choices}
    choices += [choice for value, choice in chosen.items() if value not in present]
    top = [c for c in choices if not c.selected][:FACET_LIMIT]
    return [c for c in choices if c.selected or c in top]


def linked_facet(filterset, name: str, links, model) -> list[FacetChoice]:
    """A facet over a table linking events to `model` (participants, topics), its choices named by slug."""
    selected = filterset.cleaned.get(name) or []
    counts = links.filter(event__in=filtered_except(filterset, name).values("pk"))
    rows = ranked_counts(counts, name, model, FACET_LIMIT + len(selected))
    found = [FacetChoice(slug, label, n, False) for slug, label, n in rows]
    return with_selected(found, [FacetChoice(obj.slug, obj.name, 0, True) for obj in selected])


def type_facet(filterset) -> list[FacetChoice]:
    selected = filterset.cleaned.get("type") or []
    events = filtered_except(filterset, "type")
    rows = events.values("event_type").annotate(n=Count("pk")).order_by("-n", "event_type")
    found = [FacetChoice(r["event_type"], type_label(r["event_type"]), r["n"], False) for r in rows]
    return with_selected(found, [FacetChoice(v, type_label(v), 0, True) for v in selected])


def country_facet(filterset) -> list[FacetChoice]:
    selected = filterset.cleaned.get("country") or []
    events = filtered_except(filterset, "country").values("pk")
    rows = (
        Involvement.objects.filter(event__in=events)
        .exclude(participant__country="")
        .values("participant__country")
        .annotate(n=Count("event", distinct=True))
        .order_by("-n", "participant__country")
    )
    code = "participant__country"
    found = [FacetChoice(r[code], country_name(r[code]), r["n"], False) for r in rows]
    return with_selected(found, [FacetChoice(c, country_name(c), 0, True) for c in selected])


def has_statements_facet(filterset) -> list[FacetChoice]:
    # One EXISTS per event, counted once: "without" is the rest.
    selected = filterset.cleaned.get("has_statements") or ""
    said = Exists(Statement.objects.filter(event=OuterRef("pk")))
    counts = filtered_except(filterset, "has_statements").aggregate(total=Count("pk"), yes=Count("pk", filter=said))
    return [
        FacetChoice("yes", str(STATEMENTS_CHOICES["yes"]), counts["yes"], selected == "yes"),
        FacetChoice("no", str(STATEMENTS_CHOICES["no"]), counts["total"] - counts["yes"], selected == "no"),
    ]


def facets(filterset) -> dict[str, list[FacetChoice]]:
    """Choices with counts for each facet of the timeline's filters."""
    return {
        "participant": linked_facet(filterset, "participant", Involvement.objects.all(), Participant),
        "topic": linked_facet(filterset, "topic", Event.topics.through.objects.all(), Topic),
        "type": type_facet(filterset),
        "country": country_facet(filterset),
        "has_statements": has_statements_facet(filterset),
    }


# How a chosen value is named: in a facet, and in the list of filters in force above the results.

STATEMENTS_CHOICES = {"yes": _("With statements"), "no": _("Without statements")}
ACTIVE_STATEMENTS = {"yes": _("with statements"), "no": _("without statements")}


def type_label(value: str) -> str:
    return str(dict(Event.Type.choices).get(value, value))


ACTIVE_LABELS = {
    "q": lambda v: gettext("“%(search)s”") % {"search": v},
    "start": lambda v: _("from %(date)s") % {"date": format_date(v)},
    "end": lambda v: _("to %(date)s") % {"date": format_date(v)},
    "participant": lambda v: v.name,
    "topic": lambda v: v.name,
    "type": type_label,
    "country": country_name,
    "has_statements": lambda v: str(ACTIVE_STATEMENTS[v]),
}


def active_filters(filterset) -> list[dict]:
    """The filters in force, each with what a reader calls it and a link to the timeline without it."""
    active = []
    for name, label in ACTIVE_LABELS.items():
        value = filterset.cleaned.get(name)
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item not in (None, ""):
                others = [other for other in values if other != item] if isinstance(value, list) else None
                active.append({"label": str(label(item)), "url": filterset.url(**{name: others})})
    return active
