"""Two languages for readers: English at the site's unprefixed addresses, French under /fr/.

Every reader page, feed, download and the embed has one address in each language, the same path and the same query
parameters but for the /fr prefix (i18n_patterns in timeline/urls.py), so that a link keeps its filters, page and
fragment when it changes language. The API stays unprefixed and takes `lang` instead (timeline/api.py).

A reader's first visit to an unprefixed page is guided by the browser's Accept-Language: a browser that prefers
French is sent to the French page, unless the reader has chosen a language with the switch, which is remembered in
a cookie, so that nobody is kept out of the English pages. Responses that this choice may change say so in Vary.
"""

import dataclasses
import functools
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import formats, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

DEFAULT = settings.LANGUAGE_CODE
NAMES = dict(settings.LANGUAGES)  # each language named in itself, as a switch shows it


def translate_path(path: str, language: str) -> str | None:
    """`path` (a site path in either language, no query) as the same page in `language`, or None when it is not
    one of the pages that exist in both languages (the admin, the API)."""
    source = translation.get_language_from_path(path) or DEFAULT
    with translation.override(source):
        try:
            match = resolve(path)
        except Resolver404:
            return None
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    translated = {}
    for code in {language, DEFAULT}:
        with translation.override(code):
            try:
                translated[code] = reverse(name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:
                return None
    if language != DEFAULT and translated[language] == translated[DEFAULT]:
        return None  # the same address in every language: not a bilingual page
    return translated[language]


def fallback(obj, field: str) -> str | None:
    """The language `obj.<field>` is shown in when it is not the reader's: "en" where the French is still missing
    (the translated fields fall back to the English, timeline/translation.py), else None."""
    current = translation.get_language() or DEFAULT
    if current == DEFAULT or not hasattr(obj, f"{field}_{current}"):
        return None
    if getattr(obj, f"{field}_{current}") or not getattr(obj, f"{field}_{DEFAULT}", None):
        return None
    return DEFAULT


def in_query_language(view=None, *, refuse=None):
    """A view that answers in the language its `lang` parameter names (English when there is none): how the API,
    which has one address, is asked for French. An unknown language gets `refuse(request)`, or else English."""
    if view is None:
        return functools.partial(in_query_language, refuse=refuse)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        language = request.GET.get("lang", "").strip() or DEFAULT  # blank, as an empty form field sends it
        if language not in NAMES:
            if refuse is not None:
                return refuse(request)
            language = DEFAULT
        with translation.override(language):
            response = view(request, *args, **kwargs)
        response["Content-Language"] = language
        return response

    return wrapped


def api_url(url: str) -> str:
    """An address of the API for the reader's language: the API has one address and takes ?lang=, English when
    it is not given."""
    current = translation.get_language() or DEFAULT
    if current == DEFAULT:
        return url
    return url + ("&" if "?" in url else "?") + urlencode({"lang": current})


def number(value: int) -> str:
    """A count as the active language writes it: "1,234" in English, "1 234" in French; a count estimated from a
    sample (timeline.facets.Estimate) to two significant figures, and marked so: "≈ 1,200"."""
    if getattr(value, "estimated", False):
        rounded = round(value, 2 - len(str(abs(int(value))))) if abs(value) >= 100 else int(value)
        # Translators: a count estimated from a sample of the events, e.g. "≈ 1,200".
        return gettext("≈ %(count)s") % {"count": formats.number_format(int(rounded), force_grouping=True)}
    return formats.number_format(value, force_grouping=True)


# The page in each language: alternates in <head>, and the switch


@dataclasses.dataclass(frozen=True)
class Version:
    code: str
    name: str
    url: str  # the absolute address of the page in this language
    switch_url: str  # the switch's link: remembers the choice, then opens `url`
    current: bool
    exact: bool  # this very page (an alternate); else the timeline, for a page that exists in one language only


def versions(request: HttpRequest, canonical_url: str | None) -> list[Version]:
    """This page in each language, from its canonical URL (so that only the filters and page in force are carried
    over). A page without one, such as an error page, offers the timeline in each language instead: nothing typed
    into the address bar is echoed back."""
    current = translation.get_language()
    parts = urlsplit(canonical_url or "")
    paths = {code: translate_path(parts.path, code) for code in NAMES} if canonical_url else {}
    exact = bool(paths) and None not in paths.values()
    if not exact:
        paths, parts = {code: translate_path("/", code) for code in NAMES}, urlsplit("/")
    found = []
    for code, name in settings.LANGUAGES:
        address = urlunsplit(("", "", paths[code], parts.query, ""))
        switch = reverse("choose_language", args=[code]) + "?" + urlencode({"next": address})
        found.append(Version(code, name, request.build_absolute_uri(address), switch, code == current, exact))
    return found


@require_GET
def choose_language(request: HttpRequest, code: str) -> HttpResponse:
    """The language switch: remember the reader's choice, then open the page they were on (`next`, in either
    language, with its query and #fragment) in the language chosen."""
    if code not in NAMES:
        raise Http404(gettext("No such language."))
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    parts = urlsplit(target)
    path = translate_path(parts.path, code) or translate_path("/", code)
    response = HttpResponseRedirect(urlunsplit(("", "", path, parts.query, parts.fragment)))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


class PreferredLanguageMiddleware:
    """A first visit to an unprefixed reader page, from a browser that prefers French, goes to the French page; so
    does every visit of a reader who chose French. A reader who chose English stays on English pages whatever the
    browser says. Only page views are redirected: never htmx's requests (their page has a language already), nor the
    API, the admin or the switch itself.

    After Django's LocaleMiddleware, which answers each request in the language of its address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if translation.get_language_from_path(path) or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        addresses = {code: translate_path(path, code) for code in NAMES}
        if None in addresses.values():
            return self.get_response(request)  # not a page that exists in both languages
        wanted = translation.get_language_from_request(request)  # the reader's choice, else Accept-Language
        if wanted != DEFAULT and "HX-Request" not in request.headers:
            query = request.META.get("QUERY_STRING", "")
            response = HttpResponseRedirect(addresses[wanted] + (f"?{query}" if query else ""))
            patch_cache_control(response, private=True)
        else:
            response = self.get_response(request)
        # The same address answers differently by the choice and the browser's languages.
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
