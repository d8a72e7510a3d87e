"""Caching of public pages: never stale, never showing a draft, and retired only by what readers can see.

Everything cached is keyed by the data versions of timeline/versions.py, which the database changes with what
readers can see (never with a draft). Nothing is ever deleted from the cache; every worker and every app server
sees a new version on its next request, since it is read from the database (one primary-key lookup per request).

The layers:
- `cache_public_page`, a view decorator: anonymous GETs get validators (an ETag that is a digest of the body,
  so it changes only when the page does; a Last-Modified once it is unambiguous, see `last_modified`),
  `Cache-Control: public, max-age=...` (fragments keep the `private, no-store` their view gives them), and the
  response is kept in Django's cache (`CACHE_URL`: in memory per worker, or Redis shared by all). Logged-in users
  bypass all of it and get `private, no-store`: an editor's response is never stored anywhere.
- `cached_aggregate`: expensive values (facet counts, the density chart, totals, rendered event cards) under a
  key of the caller's choosing, per version.

Only views whose response depends on nothing but the URL, the htmx headers, the language and published data may use
these; a response that sets a cookie, used a CSRF token or a CSP nonce is never stored.
"""

import datetime
import functools
import hashlib
import logging
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a locked dependency, but only a Redis cache needs it
    RedisError = OSError

from timeline.versions import DataVersion, data_version, data_versions, request_versions

logger = logging.getLogger(__name__)

# Request headers that select a different response from the same URL: the Vary of a view whose response depends
# on them (with Cookie, which the session adds) and part of every stored page's key.
VARYING_HEADERS = ("HX-Request", "HX-Target")


# A Last-Modified is sent only once its second is over and this many more have passed, so that no change
# committed later can carry a time in the same second (a change is stamped by its statement, a little before
# its transaction commits). Within that window the ETag alone validates.
LAST_MODIFIED_SETTLE = datetime.timedelta(seconds=2)


@functools.cache
def code_version() -> tuple[str, datetime.datetime]:
    """A digest and the time of the newest change of the code, templates and static files, so that a deploy
    that changes how pages look also retires what was cached under the code before it."""
    digest = hashlib.sha256()
    newest = 0.0
    for root in (Path(settings.BASE_DIR) / "timeline", Path(settings.BASE_DIR) / "templates"):
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".py", ".html", ".css", ".js", ".svg", ".txt", ".xml", ".mo"}:
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
                newest = max(newest, path.stat().st_mtime)
    return digest.hexdigest()[:16], datetime.datetime.fromtimestamp(int(newest), tz=datetime.UTC)


# The cache itself. A shared cache that cannot be reached must not take the site down with it: reads miss and
# writes are dropped (one log line each), and every page is computed as if caching were off.

CACHE_ERRORS = (RedisError, OSError)
MISSING = object()


def cache_get(cache_key: str, default=None):
    try:
        return cache.get(cache_key, default)
    except CACHE_ERRORS as error:
        logger.warning("Cache unavailable, read missed: %s", error)
        return default


def cache_get_many(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except CACHE_ERRORS as error:
        logger.warning("Cache unavailable, read missed: %s", error)
        return {}


def cache_set(cache_key: str, value, timeout: int | None = None) -> None:
    try:
        cache.set(cache_key, value, settings.TIMELINE_CACHE_SECONDS if timeout is None else timeout)
    except CACHE_ERRORS as error:
        logger.warning("Cache unavailable, write dropped: %s", error)


def cache_set_many(values: dict, timeout: int | None = None) -> None:
    try:
        cache.set_many(values, settings.TIMELINE_CACHE_SECONDS if timeout is None else timeout)
    except CACHE_ERRORS as error:
        logger.warning("Cache unavailable, write dropped: %s", error)


# Aggregates


def key(kind: str, *parts) -> str:
    """A cache key: `kind`, then a digest of `parts`, of the code version (a deploy retires it all) and of the
    language the value is written in (a French page or facet is never served for an English one)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return f"timeline:{kind}:" + hashlib.sha256(repr((code_version()[0], language, *parts)).encode()).hexdigest()


def cached_aggregate(name: str, params, compute, *, public: bool | None = None):
    """`compute()`, cached under `name` and `params` (the filters it depends on) for as long as what it depends on
    is unchanged: the selection version when it depends only on which events filters select and what facets call
    them; the public version (`public=True`) when it depends on anything else readers see, words in the events
    (as a search does) or sources' publishers. `params` holding a search ("q") makes it public by default."""
    params = list(params)
    versions = data_versions() if settings.TIMELINE_CACHE else None
    if versions is None:
        return compute()
    if public is None:
        public = any(name == "q" for name, _ in params)
    version = versions.public if public else versions.selection
    cache_key = key("aggregate", name, version.token, params)
    value = cache_get(cache_key, MISSING)
    if value is MISSING:
        value = compute()
        cache_set(cache_key, value)
    return value


# Pages


def page_identity(request: HttpRequest, parameters) -> list[str]:
    """What tells one page from another: the URL (with only the query `parameters` the view reads, when it says
    which) and the varying headers."""
    if parameters is None:
        url = request.get_full_path()
    else:
        query = urlencode(
            [(name, value) for name, values in request.GET.lists() if name in parameters for value in values]
        )
        url = request.path + (f"?{query}" if query else "")
    return [request.scheme, request.get_host(), url, *(request.headers.get(name, "") for name in VARYING_HEADERS)]


def storable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # A page holding a CSRF token or a CSP nonce is specific to this visitor and this response.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and getattr(request, "_csp_nonce", None) is None
    )


def body_etag(response: HttpResponse) -> str:
    """The same bytes of the same type, the same ETag: a change elsewhere in the data leaves it as it was."""
    digest = hashlib.sha256(response.get("Content-Type", "").encode() + b"\n" + response.content)
    return quote_etag(digest.hexdigest()[:32])


def last_modified(version: DataVersion, now: datetime.datetime | None = None) -> str | None:
    """The Last-Modified of a page of this version: its time, to the second, once no other change can fall in
    that second (see LAST_MODIFIED_SETTLE); None until then, and the ETag alone validates."""
    now = now or datetime.datetime.now(tz=datetime.UTC)
    changed = max(version.changed_at, code_version()[1]).replace(microsecond=0)
    if now < changed + datetime.timedelta(seconds=1) + LAST_MODIFIED_SETTLE:
        return None
    return http_date(changed.timestamp())


def cache_public_page(view=None, *, parameters=None):
    """Validators, CDN-friendly Cache-Control and a server-side copy for anonymous GETs (module docstring).

    `parameters` names the query parameters the view reads: any other one is left out of the stored page's key,
    so that `?utm_source=x` is the same page. Without it, the whole query string is part of the key.
    """
    if view is None:
        return functools.partial(cache_public_page, parameters=parameters)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "GET":
            return view(request, *args, **kwargs)
        memo = request_versions.set({})
        try:
            return _serve(request, view, parameters, *args, **kwargs)
        finally:
            request_versions.reset(memo)

    return wrapper


# Headers the cache layer sets itself on every answer, never stored with the page.
VALIDATORS = ("ETag", "Last-Modified")


def _serve(request: HttpRequest, view, parameters, *args, **kwargs) -> HttpResponse:
    if request.user.is_authenticated:
        # Editors may one day see more than the public does: never let their pages into any cache.
        response = view(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response
    version = data_version()
    if version is None:
        return view(request, *args, **kwargs)

    page_key = key("page", version.token, page_identity(request, parameters))
    stored = cache_get(page_key) if settings.TIMELINE_CACHE else None
    if stored is not None:
        response = HttpResponse(stored["content"], status=200)
        for header, value in stored["headers"]:
            response[header] = value
    else:
        response = view(request, *args, **kwargs)
        if not storable(request, response):
            return response
        for header in VALIDATORS:
            del response[header]  # a view's own (a feed's Last-Modified): the ones below hold for every surface
        response["ETag"] = body_etag(response)
        cache_control = response.get("Cache-Control", "")
        if "private" not in cache_control and "no-store" not in cache_control:
            patch_cache_control(response, public=True, max_age=settings.TIMELINE_PUBLIC_MAX_AGE)
        if settings.TIMELINE_CACHE and len(response.content) <= settings.TIMELINE_CACHE_MAX_BYTES:
            stored = {"content": response.content, "headers": list(response.items())}
            cache_set(page_key, stored)
    if modified := last_modified(version):
        response["Last-Modified"] = modified
    return (
        get_conditional_response(request, etag=response["ETag"], last_modified=_timestamp(modified), response=response)
        or response
    )


def _timestamp(value: str | None) -> int | None:
    from django.utils.http import parse_http_date_safe

    return parse_http_date_safe(value) if value else None
