"""Text in the cells of files that people open in a spreadsheet: the admin's CSV and XLSX exports and the public
CSV downloads. Writing a cell has its exact inverse for reading one, so that for every string an exported file
imports back unchanged.

- CSV: a cell that a spreadsheet would run as a formula (OWASP "CSV injection") is written behind an apostrophe.
- XLSX: XML reads a carriage return back as a line feed, so one is written as the format's own escape, `_x000D_`
  (ECMA-376, ST_Xstring), which Excel and reading here turn back into a carriage return.
"""

import re

# A spreadsheet runs a cell that starts with one of these as a formula; the full-width forms are included because
# some spreadsheet programs normalise them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def _behind_an_apostrophe(text: str) -> bool:
    """A formula, or a formula behind apostrophes of its own ("'-5%"): the second kind gets one more apostrophe
    too, or reading would take its own for the one writing adds."""
    return looks_like_formula(text.lstrip("'"))


def as_text_for_csv(value):
    """A formula-like text behind an apostrophe, so that a spreadsheet shows it rather than runs it."""
    return "'" + value if isinstance(value, str) and _behind_an_apostrophe(value) else value


def from_csv_text(value: str) -> str:
    """The reverse of `as_text_for_csv`, so that an exported file imports back unchanged."""
    return value[1:] if value.startswith("'") and _behind_an_apostrophe(value[1:]) else value


XLSX_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")
# A carriage return, and the "_" of text that would read as an escape: "_x000D_" typed as such, or "_x0041" before
# a carriage return, whose escape starts with "_".
XLSX_ESCAPED = re.compile("\r|_(?=x[0-9A-Fa-f]{4}[_\r])")


def as_xlsx_text(text: str) -> str:
    """Text for an XLSX cell: openpyxl writes a carriage return raw, which XML reads back as a line feed."""
    return XLSX_ESCAPED.sub(lambda match: f"_x{ord(match.group()):04X}_", text)


def from_xlsx_text(text: str) -> str:
    """The reverse of `as_xlsx_text`, which also reads the escapes Excel writes (openpyxl leaves them as they are)."""
    return XLSX_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text) if "_x" in text else text
