"""The French catalog: complete (no untranslated or fuzzy entry), compiled (the committed .mo says what the .po says),
up to date with the code and templates (makemessages finds nothing new), and typeset as French is.

The .mo is committed so that the site runs in French without gettext installed; these tests are what keeps it honest.
"""

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.catalog import FRENCH_MO, FRENCH_PO, NOT_WORDS, entries

ROOT = Path(__file__).resolve().parents[1]
NBSP, NNBSP = "\u00a0", "\u202f"


def test_every_message_is_translated_and_none_is_fuzzy():
    catalog = entries()
    assert len(catalog) > 200
    assert [entry.msgid for entry in catalog if not entry.translated] == []
    assert [entry.msgid for entry in catalog if "fuzzy" in entry.flags] == []


def test_msgfmt_counts_every_message_translated():
    """The same check by gettext's own tool, as CI prints it: no "untranslated", no "fuzzy"."""
    if not shutil.which("msgfmt"):
        pytest.skip("msgfmt is missing: install Debian's gettext package to check the catalog with it")
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(FRENCH_PO)], capture_output=True, text=True
    )
    print(result.stderr.strip())
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+ translated messages\.", result.stderr.strip()), result.stderr


def test_the_committed_mo_is_the_compiled_po():
    """Someone who edits the .po and forgets `manage.py compilemessages` would ship the old French."""
    with FRENCH_MO.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for entry in entries():
        key = f"{entry.context}\x04{entry.msgid}" if entry.context else entry.msgid
        if entry.msgid_plural:
            for n, text in enumerate(entry.msgstrs):
                assert compiled._catalog.get((key, n)) == text, entry.msgid
        else:
            assert compiled._catalog.get(key) == entry.msgstrs[0], entry.msgid
    messages = {key if isinstance(key, str) else key[0] for key in compiled._catalog if key}
    assert len(messages) == len(entries())


def test_the_catalog_has_every_string_of_the_code_and_templates(tmp_path):
    """makemessages, run on a copy of the code, finds exactly the messages the catalog has: none missing (a string
    readers would see in English) and none left over."""
    if not shutil.which("xgettext"):
        pytest.skip("xgettext is missing: install Debian's gettext package to check the catalog is up to date")
    for name in ["timeline", "templates"]:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path)
    fresh_po = tmp_path / FRENCH_PO.relative_to(ROOT)
    fresh_po.unlink()
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "timeline.settings"}
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "fr"], cwd=tmp_path, env=environment, check=True)

    def keys(path):
        return {(entry.context, entry.msgid, entry.msgid_plural) for entry in entries(path)}

    assert keys(fresh_po) - keys(FRENCH_PO) == set(), "run manage.py makemessages -l fr and translate"
    assert keys(FRENCH_PO) - keys(fresh_po) == set(), "run manage.py makemessages -l fr to drop unused messages"


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)[sd]", text))


def test_each_translation_keeps_the_placeholders_and_markup_of_its_message():
    for entry in entries():
        for n, text in enumerate(entry.msgstrs):
            english = entry.msgid_plural if n and entry.msgid_plural else entry.msgid
            assert placeholders(text) <= placeholders(english) | placeholders(entry.msgid), entry.msgid
            if not entry.msgid_plural:  # a singular may say "one" where the plural needs the number
                assert placeholders(text) == placeholders(english), entry.msgid
            assert re.findall(r"<[^>]+>", text) == re.findall(r"<[^>]+>", english), entry.msgid


def test_the_french_is_typeset_as_french():
    """« guillemets » with non-breaking spaces inside, a non-breaking space before : ; ? !, typographic apostrophes."""
    for entry in entries():
        for text in entry.msgstrs:
            words = NOT_WORDS.sub("", text)
            assert "“" not in words and "”" not in words and '"' not in words, text
            assert "'" not in words, text
            assert not re.search(r"«(?!\u00a0)|(?<!\u00a0)»", text), text
            assert not re.search(rf"[^{NBSP}{NNBSP}][:;?!](\s|$)", words), text
