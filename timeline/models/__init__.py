"""The timeline's data: events, the participants in them and their dated roles, statements, and sources.

One module per part of the record; everything is imported from here, as Django expects of an app's models."""

from timeline.models.base import (
    TRACKING_PARAMETERS,
    NamedBySlug,
    SlugManager,
    country_validator,
    dated_words,
    domain_of,
    limited_text,
    normalize_url,
    text_limit,
    validate_precision,
    wikidata_validator,
)
from timeline.models.editing import ImportUpload, Revision
from timeline.models.events import Event, Involvement, InvolvementManager, Topic
from timeline.models.participants import Participant, Role, RoleManager
from timeline.models.sources import Source, WeakPublisher, WeakPublisherManager, set_normalized_url
from timeline.models.statements import Correction, Statement

__all__ = [
    "country_validator",
    "wikidata_validator",
    "validate_precision",
    "domain_of",
    "TRACKING_PARAMETERS",
    "normalize_url",
    "limited_text",
    "text_limit",
    "dated_words",
    "SlugManager",
    "NamedBySlug",
    "Source",
    "WeakPublisherManager",
    "WeakPublisher",
    "set_normalized_url",
    "Participant",
    "RoleManager",
    "Role",
    "Topic",
    "Event",
    "InvolvementManager",
    "Involvement",
    "Statement",
    "Correction",
    "ImportUpload",
    "Revision",
]
