"""The formats the admin's import and export offer: CSV, XLSX and JSON, read through `read_rows` (so that the
admin and the import_file command read a file the same way) and written safely.

Writing: text that a spreadsheet would run as a formula (timeline.spreadsheets.FORMULA_TRIGGERS) is written as
text: in XLSX as a text cell; in CSV behind an apostrophe. Reading undoes exactly what writing did (a carriage
return in XLSX is written as `_x000D_`), so an exported file imports back unchanged. CSVs start with a
byte-order mark, without which Excel reads UTF-8 accents as Windows-1252 ("MontrÃ©al").
"""

import io

import tablib
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, JSON, XLSX

from timeline.import_files import ImportRefused, dataset_of, read_rows
from timeline.spreadsheets import as_text_for_csv, as_xlsx_text


class ReadsRows:
    """A django-import-export format that reads through `read_rows`, so that the admin and the import_file
    command read a file the same way."""

    kind = ""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        header, rows, noun = read_rows(io.BytesIO(in_stream), self.kind)
        dataset = dataset_of(header, rows, noun)
        if not len(dataset):
            raise ImportRefused(_("The file has a header row but no rows to import under it."))
        return dataset

    def is_binary(self):
        return True  # decoded here, so that a wrong encoding is a sentence rather than an exception

    def get_read_mode(self):
        return "rb"


class CSVFile(ReadsRows, CSV):
    kind = "csv"

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + super().export_data(dataset, **kwargs)

    def _escape_formulae(self, dataset):
        for index, row in enumerate(dataset._data):
            dataset._data[index] = tablib.core.Row([as_text_for_csv(value) for value in row], tags=row.tags)


class XLSXFile(ReadsRows, XLSX):
    kind = "xlsx"

    def export_data(self, dataset, **kwargs):
        """One sheet, a bold frozen header, and every text a text cell: "=..." is shown, never run."""
        import openpyxl
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet(dataset.title or "Sheet1")
        sheet.freeze_panes = "A2"
        header = []
        for name in dataset.headers or []:
            cell = WriteOnlyCell(sheet, value=as_xlsx_text(name))
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in dataset:
            cells = []
            for value in row:
                if isinstance(value, str):
                    cell = WriteOnlyCell(sheet, value=as_xlsx_text(value))
                    cell.data_type = "s"
                else:
                    cell = WriteOnlyCell(sheet, value=value)
                cells.append(cell)
            sheet.append(cells)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


class JSONFile(ReadsRows, JSON):
    kind = "json"

    def is_binary(self):
        return False  # exported as text

    def _escape_formulae(self, dataset):
        """JSON is read by programs, not spreadsheets: its text is left exactly as it is."""


FORMATS = [CSVFile, JSONFile, XLSXFile]
