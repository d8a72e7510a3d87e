"""Caching of public pages that is never stale and never shows a draft.

Everything cached is keyed by the *data version*: a random token in the one row of the timeline_dataversion
table (migration 0005), replaced by database triggers whenever any timeline table changes (a save in the admin,
an import, a bulk update, SQL typed into psql), in the same transaction as the change. A change therefore retires
every cached page and aggregate at once; nothing needs to be deleted, and every worker process sees the new version
on its next request.

Three layers use it:
- `cache_public_page`, a view decorator: anonymous GETs get an ETag and Last-Modified, so a browser or CDN
  revalidates with a 304, `Cache-Control: public, max-age=...` (fragments keep the `private, no-store` their
  view gives them), and the rendered response is kept in Django's cache. Logged-in users bypass all of it and
  get `private, no-store`: an editor's response is never stored anywhere.
- `cached_aggregate`: expensive numbers (facet counts, the density chart, totals) per filter combination, under
  a key the caller's FilterSet gives (`EventFilter.selection()`).
- `install_triggers`: run after every `migrate`, so tables added later are covered too.

Only views whose response depends on nothing but the URL, the htmx headers and published data may use these;
a response that sets a cookie, used a CSRF token or a CSP nonce is never stored.
"""

import contextvars
import dataclasses
import datetime
import functools
import hashlib
from pathlib import Path
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection as default_connection
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe, quote_etag

# Request headers that select a different response from the same URL: the Vary of a view whose response depends
# on them (with Cookie, which the session adds) and part of every stored page's key.
VARYING_HEADERS = ("HX-Request", "HX-Target")


# The data version and the triggers that maintain it


def tracked_tables() -> list[str]:
    """Every table of the timeline app whose rows can reach a public page: not the history tables (a change
    there always comes with one in the table it records) nor the version itself."""
    tables = []
    for model in apps.get_app_config("timeline").get_models(include_auto_created=True):
        if hasattr(model, "instance_type"):  # simple_history's historical models
            continue
        tables.append(model._meta.db_table)
    return sorted(tables)


POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION timeline_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO timeline_dataversion (id, token, changed_at)
    VALUES (1, replace(gen_random_uuid()::text, '-', ''), clock_timestamp())
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, changed_at = EXCLUDED.changed_at;
    RETURN NULL;
END
$$
"""
# SQLite has no statement-level triggers: one per changed row, cheap for the few rows an edit touches.
SQLITE_TRIGGER = """
CREATE TRIGGER {name} AFTER {operation} ON {table} BEGIN
    INSERT OR REPLACE INTO timeline_dataversion (id, token, changed_at)
    VALUES (1, lower(hex(randomblob(16))), strftime('%Y-%m-%d %H:%M:%f', 'now'));
END
"""


def install_triggers(using=None, connection=None, **kwargs) -> None:
    """(Re)create the triggers on every tracked table; idempotent, run after every migrate (see apps.py)."""
    if connection is None:
        from django.db import connections

        connection = connections[using] if using else default_connection
    quote = connection.ops.quote_name
    existing = set(connection.introspection.table_names())
    if "timeline_dataversion" not in existing:
        return  # migrated back before the version table existed
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_FUNCTION)
            for table in (t for t in tracked_tables() if t in existing):
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER timeline_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                    f"ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION timeline_data_changed()"
                )
        elif connection.vendor == "sqlite":
            for table in (t for t in tracked_tables() if t in existing):
                for operation in ("INSERT", "UPDATE", "DELETE"):
                    name = quote(f"timeline_data_changed_{table}_{operation.lower()}")
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(SQLITE_TRIGGER.format(name=name, operation=operation, table=quote(table)))


@dataclasses.dataclass(frozen=True)
class DataVersion:
    token: str
    changed_at: datetime.datetime


def current_version(connection=None) -> DataVersion | None:
    """The data version, one primary-key lookup; None (nothing is cached) if the row is missing."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT token, changed_at FROM timeline_dataversion WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return None
    token, changed_at = row
    if isinstance(changed_at, str):  # SQLite keeps it as text, in UTC
        changed_at = datetime.datetime.fromisoformat(changed_at)
    if changed_at.tzinfo is None:
        changed_at = changed_at.replace(tzinfo=datetime.UTC)
    return DataVersion(token, changed_at)


# The data version read during the current request, so that the page and its aggregates read it once.
_request_version: contextvars.ContextVar[dict | None] = contextvars.ContextVar("timeline_data_version", default=None)


def data_version() -> DataVersion | None:
    """The data version: read once per request served through `cache_public_page`, else every time."""
    memo = _request_version.get()
    if memo is None:
        return current_version()
    if "version" not in memo:
        memo["version"] = current_version()
    return memo["version"]


@functools.cache
def code_version() -> tuple[str, datetime.datetime]:
    """A digest and the time of the newest change of the code, templates and static files, so that a deploy
    that changes how pages look also changes their ETags even when the data did not change."""
    digest = hashlib.sha256()
    newest = 0.0
    for root in (Path(settings.BASE_DIR) / "timeline", Path(settings.BASE_DIR) / "templates"):
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".py", ".html", ".css", ".js", ".svg", ".txt", ".xml"}:
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
                newest = max(newest, path.stat().st_mtime)
    return digest.hexdigest()[:16], datetime.datetime.fromtimestamp(int(newest), tz=datetime.UTC)


# Aggregates


def cached_aggregate(name: str, params, compute):
    """`compute()`, cached per data version under `name` and `params` (the filters it depends on)."""
    version = data_version() if settings.TIMELINE_CACHE else None
    if version is None:
        return compute()
    key = "timeline:aggregate:" + hashlib.sha256(repr((name, version.token, list(params))).encode()).hexdigest()
    missing = object()
    value = cache.get(key, missing)
    if value is missing:
        value = compute()
        cache.set(key, value, settings.TIMELINE_CACHE_SECONDS)
    return value


# Pages


def page_key(request: HttpRequest, version: DataVersion, parameters) -> str:
    """What a stored page is found by: the URL (with only the query `parameters` the view reads, when it says which)
    and the varying headers, under the data and code versions."""
    if parameters is None:
        url = request.get_full_path()
    else:
        query = urlencode(
            [(name, value) for name, values in request.GET.lists() if name in parameters for value in values]
        )
        url = request.path + (f"?{query}" if query else "")
    parts = [
        version.token,
        code_version()[0],
        request.scheme,
        request.get_host(),
        url,
        *(request.headers.get(name, "") for name in VARYING_HEADERS),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def storable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # A page holding a CSRF token or a CSP nonce is specific to this visitor and this response.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and getattr(request, "_csp_nonce", None) is None
    )


def cache_public_page(view=None, *, parameters=None):
    """Conditional GET, CDN-friendly Cache-Control and a server-side copy for anonymous GETs (module docstring).

    `parameters` names the query parameters the view reads: any other one is left out of the stored page's key,
    so that `?utm_source=x` is the same page. Without it, the whole query string is part of the key.
    """
    if view is None:
        return functools.partial(cache_public_page, parameters=parameters)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "GET":
            return view(request, *args, **kwargs)
        memo = _request_version.set({})
        try:
            return _serve(request, view, parameters, *args, **kwargs)
        finally:
            _request_version.reset(memo)

    return wrapper


def _serve(request: HttpRequest, view, parameters, *args, **kwargs) -> HttpResponse:
    if request.user.is_authenticated:
        # Editors may one day see more than the public does: never let their pages into any cache.
        response = view(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response
    version = data_version()
    if version is None:
        return view(request, *args, **kwargs)

    digest = page_key(request, version, parameters)
    key = "timeline:page:" + digest
    stored = cache.get(key) if settings.TIMELINE_CACHE else None
    if stored is not None:
        response = HttpResponse(stored["content"], status=200)
        for header, value in stored["headers"]:
            response[header] = value
    else:
        response = view(request, *args, **kwargs)
        if not storable(request, response):
            return response
        response["ETag"] = quote_etag(digest[:32])
        last_modified = max(version.changed_at, code_version()[1])
        response["Last-Modified"] = http_date(last_modified.timestamp())
        cache_control = response.get("Cache-Control", "")
        if "private" not in cache_control and "no-store" not in cache_control:
            patch_cache_control(response, public=True, max_age=settings.TIMELINE_PUBLIC_MAX_AGE)
        if settings.TIMELINE_CACHE:
            stored = {"content": response.content, "headers": list(response.items())}
            cache.set(key, stored, settings.TIMELINE_CACHE_SECONDS)
    return (
        get_conditional_response(request, etag=response["ETag"], last_modified=_timestamp(response), response=response)
        or response
    )


def _timestamp(response: HttpResponse) -> int | None:
    return parse_http_date_safe(response.get("Last-Modified", ""))
