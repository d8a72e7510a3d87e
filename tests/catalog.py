"""Read the French catalog (timeline/locale/fr/LC_MESSAGES/django.po) the way gettext does, for the tests that hold
the catalog complete and the French pages free of English: one reader of .po files for every test."""

import ast
import dataclasses
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "timeline" / "locale"
FRENCH_PO = LOCALE / "fr" / "LC_MESSAGES" / "django.po"
FRENCH_MO = FRENCH_PO.with_suffix(".mo")

KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')
# What is not words in a message: placeholders, HTML tags.
NOT_WORDS = re.compile(r"%\(\w+\)[sd]|%[sd]|<[^>]+>")


@dataclasses.dataclass
class Entry:
    context: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstrs: list[str] = dataclasses.field(default_factory=list)
    flags: set[str] = dataclasses.field(default_factory=set)

    @property
    def english(self) -> list[str]:
        return [self.msgid] + ([self.msgid_plural] if self.msgid_plural else [])

    @property
    def translated(self) -> bool:
        return bool(self.msgstrs) and all(self.msgstrs)


def entries(path: Path = FRENCH_PO) -> list[Entry]:
    """Every entry but the header, in file order."""
    found: list[Entry] = []
    entry, target = Entry(), None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if target is not None:
                found.append(entry)
            entry, target = Entry(), None
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif match := KEYWORD.match(line):
            keyword, index, text = match.groups()
            value = ast.literal_eval(text)
            if keyword == "msgctxt":
                entry.context, target = value, "context"
            elif keyword == "msgid":
                entry.msgid, target = value, "msgid"
            elif keyword == "msgid_plural":
                entry.msgid_plural, target = value, "msgid_plural"
            else:
                entry.msgstrs.append(value)
                target = ("msgstr", len(entry.msgstrs) - 1)
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(target, tuple):
                entry.msgstrs[target[1]] += value
            else:
                setattr(entry, target, getattr(entry, target) + value)
    return [entry for entry in found if entry.msgid]


def fragments(message: str) -> list[str]:
    """The runs of words of a message, without its placeholders and tags: "Page %(n)s of %(t)s" -> ["Page", "of"]."""
    parts = (part.strip(" \u00a0\u202f.,;:!?()[]«»“”‘’\"'·–-") for part in NOT_WORDS.split(message))
    return [part for part in parts if re.search(r"[A-Za-z]", part)]
