"""The files editors import and export: CSV (UTF-8, with commas, or semicolons as Excel writes them in French),
XLSX and JSON.

Reading: a problem with the file as a whole raises ImportRefused, one sentence naming the row as a spreadsheet
numbers it (the header is row 1), never a traceback. Rows are read one at a time, so a file of any size is read in
bounded memory (`read_rows`); each row keeps its spreadsheet number through the import (`Dataset.row_numbers`).

Writing, and the formats the admin offers, are in timeline/import_formats.py.
"""

import codecs
import csv
import itertools
import json
import re
import zipfile
from collections.abc import Iterable, Iterator

import tablib
from django.utils.translation import gettext as _

from timeline.spreadsheets import from_csv_text, from_xlsx_text

CHUNK_ROWS = 500  # rows imported at a time; what bounds an import's memory


class ImportRefused(ValueError):
    """A file that cannot be imported as it is; the message is one sentence for the editor."""


def row_label(number: int, noun: str = "row") -> str:
    """ "Row 3" (as a spreadsheet numbers it: the header is row 1) or, in JSON, "Record 3"."""
    return (_("Record %(number)s") if noun == "record" else _("Row %(number)s")) % {"number": f"{number:,}"}


def is_blank(values: Iterable) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


# Reading


def _csv_rows(binary) -> tuple[list[str], Iterator[tuple[int, list]]]:
    lines = _utf8_lines(binary)
    try:
        first_line = next(lines, "")
    except NotUTF8 as error:
        raise _not_utf8(1, error) from None
    delimiter = _delimiter(first_line)
    reader = csv.reader(itertools.chain([first_line], lines), delimiter=delimiter, strict=True)

    def records():
        number = 0
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except NotUTF8 as error:
                raise _not_utf8(number + 1, error) from None
            except csv.Error as error:
                where = row_label(number + 1)
                if "field larger than field limit" in str(error):
                    raise ImportRefused(
                        _("%(row)s has a cell longer than %(limit)s characters, far more than any column takes.")
                        % {"row": where, "limit": f"{csv.field_size_limit():,}"}
                    ) from None
                raise ImportRefused(
                    _("%(row)s cannot be read (%(error)s): check its quotation marks.") % {"row": where, "error": error}
                ) from None
            number += 1
            yield number, [from_csv_text(value) for value in record]

    rows = records()
    header = next((values for _number, values in rows if not is_blank(values)), None)
    if header is None:
        raise ImportRefused(_("The file is empty: it needs a header row and at least one row of data."))
    header = _trimmed([name.strip() for name in header])
    separator = {",": _("commas"), ";": _("semicolons"), "\t": _("tabs")}[delimiter]

    def data():
        for number, values in rows:
            if is_blank(values):
                continue
            if len(values) > len(header) and is_blank(values[len(header) :]):
                values = values[: len(header)]  # the empty columns a spreadsheet leaves after the last
            if len(values) != len(header):
                raise ImportRefused(
                    _(
                        "%(row)s has %(count)s columns but the header has %(expected)s: put quotation marks around "
                        "any value that contains %(separator)s."
                    )
                    % {"row": row_label(number), "count": len(values), "expected": len(header), "separator": separator}
                )
            yield number, values

    return header, data()


class NotUTF8(ValueError):
    def __init__(self, around: str):
        super().__init__(around)
        self.around = around


LONE_CR = re.compile(r"(?<=\r)(?!\n)")


def _utf8_lines(binary) -> Iterator[str]:
    """The file's lines, decoded one at a time, so that a byte that is not UTF-8 is found in the row it is in (a
    decoder reading blocks would find it rows later). Line ends are kept, as csv.reader wants them; a lone "\r"
    ends a line too, as in TextIOWrapper(newline="")."""
    for index, raw in enumerate(binary):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            around = raw[max(0, error.start - 20) : error.end + 20].decode("utf-8", "replace").strip()
            raise NotUTF8(around) from None
        if index == 0:
            text = text.removeprefix("\ufeff")
        yield from (part for part in LONE_CR.split(text) if part)


def _not_utf8(number: int, error: NotUTF8) -> ImportRefused:
    return ImportRefused(
        _(
            "%(row)s is not UTF-8 text (“%(text)s”), so the file cannot be read safely: save it again as "
            "“CSV UTF-8” (or as an Excel workbook) and import that file."
        )
        % {"row": row_label(number), "text": error.around}
    )


def NOT_UTF8() -> str:
    return _(
        "This file is not UTF-8 text, so it cannot be read safely: save it again as “CSV UTF-8” "
        "(or as an Excel workbook) and import that file."
    )


def _delimiter(header_line: str) -> str:
    """Commas, or the semicolons (or tabs) Excel writes in locales where the comma is the decimal sign."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    if counts[best] == 0 or best == ",":
        return ","
    if best == "|":
        raise ImportRefused(
            _(
                "Row 1 (the header) separates its columns with “|”: save the file as CSV UTF-8, "
                "with commas (or semicolons) between columns."
            )
        )
    return best


def _xlsx_rows(binary) -> tuple[list[str], Iterator[tuple[int, list]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(binary, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise ImportRefused(
            _("This file is not an Excel workbook (.xlsx) that can be read: save it again as .xlsx, or as CSV UTF-8.")
        ) from None
    first = _the_sheet_with_data(book)
    cells = enumerate(first.iter_rows(), 1)
    header = []
    for _number, row in cells:
        values = [cell.value for cell in row]
        if not is_blank(values):
            header = _trimmed([("" if value is None else from_xlsx_text(str(value))).strip() for value in values])
            break

    def data():
        for number, row in cells:
            values = []
            for position, cell in enumerate(row):
                if cell.value is None:
                    values.append(None)
                    continue
                if getattr(cell, "data_type", None) == "f":
                    raise ImportRefused(
                        _(
                            "%(row)s, column “%(column)s” holds a formula (%(formula)s) rather than a "
                            "value: copy the column and paste it back as values only, then import again."
                        )
                        % {
                            "row": row_label(number),
                            "column": header[position] if position < len(header) else position + 1,
                            "formula": str(cell.value)[:40],
                        }
                    )
                values.append(from_xlsx_text(cell.value) if isinstance(cell.value, str) else cell.value)
            if is_blank(values):
                continue
            if not is_blank(values[len(header) :]):
                raise ImportRefused(
                    _("%(row)s has values beyond the last column with a heading: give that column a heading in row 1.")
                    % {"row": row_label(number)}
                )
            values = values[: len(header)] + [None] * (len(header) - len(values))
            yield number, values

    return header, data()


def _the_sheet_with_data(book):
    """The first sheet, if it is the only one with data: rows on another sheet would be left out unseen."""
    with_data = [
        sheet for sheet in book.worksheets if not all(is_blank(row) for row in sheet.iter_rows(values_only=True))
    ]
    first = book.worksheets[0] if book.worksheets else None
    if not with_data:
        raise ImportRefused(_("The workbook is empty: it needs a header row and at least one row of data."))
    if len(with_data) > 1:
        names = ", ".join(f"“{sheet.title}”" for sheet in with_data)
        raise ImportRefused(
            _(
                "The workbook has data on more than one sheet (%(names)s): put the rows to import on one sheet, "
                "alone in the file, so that nothing is left out without your knowing."
            )
            % {"names": names}
        )
    if with_data[0] is not first:
        raise ImportRefused(
            _(
                "The data is on the sheet “%(sheet)s”, but the first sheet (“%(first)s”) is "
                "empty: delete the empty sheet, or move the data to the first sheet."
            )
            % {"sheet": with_data[0].title, "first": first.title}
        )
    return first


def _trimmed(header: list[str]) -> list[str]:
    while header and not header[-1]:
        header.pop()
    return header


JSON_SPACE = re.compile(r"[ \t\r\n]*")
JSON_RECORD_LIMIT = 16 * 1024 * 1024  # characters of one record; far more than any row takes, and what bounds memory


class _JSONText:
    """A JSON file's text, read a block at a time: the part not yet consumed is all that is held, and positions
    are kept as line and column for messages."""

    def __init__(self, binary):
        self.reader = codecs.getreader("utf-8-sig")(binary)
        self.buffer, self.at, self.ended = "", 0, False
        self.line, self.column = 1, 1  # of buffer[0]

    def more(self) -> bool:
        if self.ended:
            return False
        self.drop()
        try:
            block = self.reader.read(max(1 << 16, len(self.buffer)))
        except UnicodeDecodeError:
            raise ImportRefused(NOT_UTF8()) from None
        self.ended = not block
        self.buffer += block
        return not self.ended

    def drop(self):
        consumed, self.buffer, self.at = self.buffer[: self.at], self.buffer[self.at :], 0
        if "\n" in consumed:
            self.line += consumed.count("\n")
            self.column = len(consumed) - consumed.rfind("\n")
        else:
            self.column += len(consumed)

    def peek(self) -> str:
        """The next character that is not white space ("" at the end of the file)."""
        while True:
            self.at = JSON_SPACE.match(self.buffer, self.at).end()
            if self.at < len(self.buffer) or not self.more():
                return self.buffer[self.at : self.at + 1]

    def value(self, number: int):
        """The JSON value that starts here, read whole before it is decoded."""
        decoder = json.JSONDecoder()
        self.peek()
        while True:
            try:
                item, end = decoder.raw_decode(self.buffer, self.at)
            except json.JSONDecodeError as error:
                if len(self.buffer) - self.at > JSON_RECORD_LIMIT:
                    raise ImportRefused(
                        _("%(record)s is longer than %(limit)s characters, far more than any record takes.")
                        % {"record": row_label(number, "record"), "limit": f"{JSON_RECORD_LIMIT:,}"}
                    ) from None
                where = error.pos - self.at  # reading more drops what was read before self.at
                if self.more():
                    continue
                raise self.invalid(error.msg, self.at + where) from None
            # A number or word may go on in the next block ("12" then "34"): it ends only where something follows.
            if end < len(self.buffer) or not self.more():
                self.at = end
                return item

    def invalid(self, problem: str, pos: int | None = None) -> ImportRefused:
        before = self.buffer[: self.at if pos is None else pos]
        line = self.line + before.count("\n")
        column = len(before) - before.rfind("\n") if "\n" in before else self.column + len(before)
        return ImportRefused(
            _("This file is not valid JSON (line %(line)s, column %(column)s: %(problem)s).")
            % {"line": line, "column": column, "problem": problem}
        )

    def take(self, character: str) -> None:
        self.at += len(character)


def _json_records(binary) -> Iterator[tuple[int, dict]]:
    """The records of a JSON list, decoded one at a time, so that a file of any size is read in bounded memory."""

    def not_records():
        example = '[{"slug": "...", "title": "..."}, ...]'
        return ImportRefused(_("A JSON import is a list of records: %(example)s.") % {"example": example})

    text = _JSONText(binary)
    if text.peek() != "[":
        text.value(0)  # refused as not JSON, if it is not
        raise not_records()
    text.take("[")
    number = 0
    if text.peek() == "]":
        text.take("]")
    else:
        while True:
            number += 1
            record = text.value(number)
            if not isinstance(record, dict):
                raise not_records()
            yield number, record
            following = text.peek()
            if following == "]":
                text.take("]")
                break
            if following != ",":
                raise text.invalid("Expecting ',' delimiter")
            text.take(",")
    if text.peek():
        raise text.invalid("Extra data")


def _json_rows(binary) -> tuple[list[str], Iterator[tuple[int, list]]]:
    # Read twice: once for the columns (every key any record has), then for the rows.
    start = binary.tell()
    header = list(dict.fromkeys(key for _number, record in _json_records(binary) for key in record))
    binary.seek(start)

    def value(number, key, item):
        if isinstance(item, list) and all(not isinstance(x, dict | list) for x in item):
            return ", ".join(str(x) for x in item)  # ["trade", "tariffs"] as the cell "trade, tariffs"
        if isinstance(item, dict | list):
            raise ImportRefused(
                _("%(record)s, “%(column)s” holds a nested object: give it as text.")
                % {"record": row_label(number, "record"), "column": key}
            )
        return item

    def data():
        for number, record in _json_records(binary):
            yield number, [value(number, key, record.get(key)) for key in header]

    return header, data()


READERS = {"csv": _csv_rows, "xlsx": _xlsx_rows, "json": _json_rows}


def read_rows(binary, kind: str) -> tuple[list[str], Iterator[tuple[int, list]], str]:
    """The header, the data rows as (number, values), and what a row is called ("row" or "record")."""
    header, rows = READERS[kind](binary)
    if not header:
        raise ImportRefused(_("The file has no header row: row 1 names the columns, e.g. slug, title, summary."))
    return header, rows, ("record" if kind == "json" else "row")


def dataset_of(header: list[str], rows: Iterable[tuple[int, list]], noun: str = "row") -> tablib.Dataset:
    dataset = tablib.Dataset(headers=header)
    dataset.row_numbers = []
    dataset.row_noun = noun
    for number, values in rows:
        dataset.append(values)
        dataset.row_numbers.append(number)
    return dataset


def chunks(binary, kind: str, size: int = CHUNK_ROWS) -> Iterator[tablib.Dataset]:
    """The file as datasets of `size` rows, so that the whole of it is never in memory."""
    header, rows, noun = read_rows(binary, kind)
    while batch := list(itertools.islice(rows, size)):
        yield dataset_of(header, batch, noun)


def count_rows(binary, kind: str) -> int:
    """Data rows in the file, read through once (and checked on the way)."""
    _header, rows, _noun = read_rows(binary, kind)
    return sum(1 for _ in rows)
