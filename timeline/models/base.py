"""What the models share: date precision checks, addresses compared as readers mean them, text limits, slugs."""

import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.utils.translation import pgettext

from timeline.dates import Precision, format_date, is_truncated

country_validator = RegexValidator(r"^[A-Z]{2}$", "Use a two-letter ISO 3166 country code in capitals, e.g. CA or US.")


wikidata_validator = RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata ID is a Q followed by digits, e.g. Q42.")


def validate_precision(value: datetime.date | None, precision: str, label: str) -> None:
    if value is not None and not is_truncated(value, precision):
        kind = "the first of the month" if precision == Precision.MONTH else "1 January"
        raise ValidationError(
            f"{label} is known only to the {precision}: enter {kind} ({format_date(value, precision)}), "
            f"or choose day precision."
        )


def domain_of(url: str) -> str:
    """The site a page is on, as editors name it: the host in lower case, without "www." or a port."""
    host = (urlsplit(url.strip()).hostname or "") if "//" in url else url.strip().split("/")[0].split(":")[0]
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


# Parameters that say how a reader arrived, not which page it is.
TRACKING_PARAMETERS = set(
    "fbclid gclid dclid gbraid wbraid msclkid yclid igshid mc_cid mc_eid mkt_tok _ga _gl _hsenc _hsmi cmpid ocid smid "
    "ref_src".split()
)


def normalize_url(url: str) -> str:
    """The form every citation of one page shares, so that a page is one source however its address was copied.

    http and https, a leading "www.", the default port, a trailing slash, tracking parameters (utm_* and the
    usual click identifiers) and the fragment are ignored: "http://www.cbc.ca/news/x/?utm_source=rss#top" and
    "https://cbc.ca/news/x" are both "cbc.ca/news/x". Other schemes keep theirs.
    """
    parts = urlsplit(url.strip())
    if not parts.scheme and not parts.netloc:  # "www.cbc.ca/news/x", as pasted without its scheme
        parts = urlsplit("//" + url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    default_port = {"http": 80, "https": 443}.get(scheme)
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: keep the address as written
        port = None
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMETERS
        ]
    )
    path = parts.path.rstrip("/")
    if scheme in ("http", "https", ""):
        return f"{netloc}{path}" + (f"?{query}" if query else "")
    return urlunsplit((scheme, netloc, path, query, ""))


def limited_text(limit: int, **kwargs) -> models.TextField:
    """A TextField whose length is limited by a validator, which full_clean() (and so every form and import)
    checks, and the admin states (timeline/admin.py). Not by max_length: on SQLite a changed max_length rebuilds
    the table, and a TextField has no length in the database anyway."""
    return models.TextField(validators=[MaxLengthValidator(limit)], **kwargs)


def text_limit(field) -> int | None:
    """The most characters a text field takes: its max_length, or its MaxLengthValidator's."""
    limits = [v.limit_value for v in field.validators if isinstance(v, MaxLengthValidator)]
    return getattr(field, "max_length", None) or (min(limits) if limits else None)


def dated_words(words: str, value: datetime.date, precision: str) -> str:
    """ "from 14 March 2025", "until May 2025", "as of 2025": a date with the words before it, which French
    writes differently before a day ("depuis le 14 mars 2025") and a month or year ("depuis mars 2025")."""
    date = format_date(value, precision)
    on_day = precision == Precision.DAY
    phrases = {
        ("from", True): pgettext("before a day", "from %(date)s"),
        ("from", False): pgettext("before a month or a year", "from %(date)s"),
        ("until", True): pgettext("before a day", "until %(date)s"),
        ("until", False): pgettext("before a month or a year", "until %(date)s"),
        ("on", True): pgettext("before a day", "on %(date)s"),
        ("on", False): pgettext("before a month or a year", "in %(date)s"),
        ("as of", True): pgettext("before a day", "as of %(date)s"),
        ("as of", False): pgettext("before a month or a year", "as of %(date)s"),
    }
    return phrases[words, on_day] % {"date": date}


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class NamedBySlug:
    """A model that fixtures and backups name by its slug, so that they load into any database."""

    def natural_key(self):
        return (self.slug,)
