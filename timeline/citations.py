"""A statement cited as a reader would paste it into an article or a paper: who said it (with the role held
then), what, when, where the words were reported, and this page's address."""

from django.utils.translation import gettext, pgettext

from timeline.models import Statement


def cite(statement: Statement, url: str) -> str:
    """One paragraph of plain text, in the reader's language (the words themselves as said)."""
    speaker = statement.speaker_label or statement.speaker.name
    role = statement.speaker_role()
    if role and not statement.speaker_label:
        speaker = gettext("%(name)s, %(role)s") % {"name": speaker, "role": role.title}
    words = pgettext("quoted words", "“%(text)s”") % {"text": statement.text}
    if statement.kind == Statement.Kind.QUOTE:
        said = gettext("%(speaker)s: %(words)s") % {"speaker": speaker, "words": words}
    else:
        said = gettext("%(speaker)s (paraphrase): %(words)s") % {"speaker": speaker, "words": words}
    parts = [said]
    if statement.date_display:
        parts.append(statement.date_display)
    sources = [
        ", ".join(part for part in (source.publisher, source.title if not source.title_is_descriptive else "") if part)
        for source in statement.sources.all()
    ]
    sources = [source for source in sources if source]
    if sources:
        parts.append(gettext("Reported by %(sources)s") % {"sources": "; ".join(sources)})
    parts.append(gettext("Timeline: Canada–U.S. relations, %(url)s") % {"url": url})
    return ". ".join(part.rstrip(".") for part in parts) + "."
