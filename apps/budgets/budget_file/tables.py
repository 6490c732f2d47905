"""CSV and XLSX files to and from tablib Datasets: encodings, delimiters, title rows, ragged rows."""

import csv
import io
import itertools
import re
from decimal import Decimal

import tablib

from apps.budgets.budget_file.columns import (
    CELLS,
    COLUMN_BY_HEADER,
    COLUMNS,
    COST_CODE,
    DESCRIPTION,
    ROW,
    UOM,
    FileError,
    canonical,
    max_rows,
    refuse_size,
)


def decode(raw):
    """UTF-8 (with or without BOM), else Windows-1252: what spreadsheet programs save CSV as."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise FileError("The file is neither UTF-8 nor Windows-1252 text: save it as CSV (UTF-8) or XLSX.") from None


#: Non-empty rows searched for the header: title rows above it (a report name, a date) are skipped.
HEADER_SEARCH = 20


def _is_header(cells):
    return any(canonical(c) in COLUMN_BY_HEADER for c in cells)


def _too_many_rows(limit):
    return FileError(
        f"The file has more than {limit:,} rows below its header; a budget file may have at most {limit:,}."
    )


def _dataset(rows, limit=None):
    """A tablib Dataset of the rows, each cut or padded to the header, with two hidden columns.

    ROW keeps the row number a spreadsheet program shows (blank rows and title rows counted), so an
    error names the row the user sees; CELLS keeps the row's real cell count, so a ragged row is
    named, not padded silently. The header is the first row naming a known column, searched among
    the first rows; without one, the first non-empty row (and the check names the missing columns).
    Reading stops past `limit` rows (blank ones too: a sheet can declare a million empty rows).
    """
    limit = max_rows() if limit is None else limit
    rows = enumerate(rows, start=1)
    candidates = []
    header_at = None
    for number, cells in rows:
        if number > limit:
            raise _too_many_rows(limit)
        if not any(c.strip() for c in cells):
            continue
        candidates.append((number, cells))
        if _is_header(cells):
            header_at = len(candidates) - 1
            break
        if len(candidates) == HEADER_SEARCH:
            break
    dataset = tablib.Dataset()
    if not candidates:
        return dataset
    if header_at is None:
        header_at = 0
    header_row, header = candidates[header_at]
    header = [c.strip().lstrip("\ufeff") for c in header]
    width = len(header)
    while width and not header[width - 1]:
        width -= 1  # trailing empty header cells, as spreadsheets write them
    dataset.headers = [*header[:width], ROW, CELLS]
    dataset.header_row = header_row
    last = header_row + limit
    for number, cells in itertools.chain(candidates[header_at + 1 :], rows):
        if number > last:
            raise _too_many_rows(limit)
        if not any(c.strip() for c in cells):
            continue
        count = len(cells)
        while count > width and not cells[count - 1].strip():
            count -= 1
        row = cells[:width] if len(cells) >= width else [*cells, *[""] * (width - len(cells))]
        dataset.append([*row, number, count])
    return dataset


def header_row(dataset):
    """The spreadsheet row of the dataset's header (1 unless title rows sit above it)."""
    return getattr(dataset, "header_row", 1)


def _delimiter(text):
    """Comma, unless the header line has none and uses semicolons or tabs (as some locales' spreadsheets save)."""
    first = next((line for line in io.StringIO(text) if line.strip()), "")
    counts = {delimiter: first.count(delimiter) for delimiter in ",;\t"}
    best = max(counts, key=counts.get)
    return best if counts[best] and not counts[","] else ","


#: Text a spreadsheet program would run as a formula (OWASP's CSV injection list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A cell the export quoted so that it is not a formula: one quote is dropped when the file is read back.
_QUOTED = re.compile(r"'+[=+\-@\t\r]")


def _unquote(cells):
    return [c[1:] if c[:1] == "'" and _QUOTED.match(c) else c for c in cells]


def read_csv(raw):
    if isinstance(raw, bytes):
        refuse_size(len(raw))
        refuse_non_spreadsheet(raw)
    text = decode(raw) if isinstance(raw, bytes) else raw
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        return _dataset(_unquote(cells) for cells in rows)
    except csv.Error as exc:
        raise FileError(f"The file is not valid CSV: {exc}.") from None


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float):
        # Spreadsheets store numbers as binary floats and show at most 15 significant digits: read the
        # number the user sees (=12*9500.1 is 114001.2, not 114001.20000000001), then check it like typed text.
        return f"{Decimal(f'{value:.15g}'):f}"
    return str(value)


#: Columns read from a sheet: a budget has eight, and a sheet's declared size may be far wider than its data.
MAX_COLUMNS = 100


def _sheet_rows(sheet):
    return ([_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS))


def _budget_sheet(workbook):
    """The first worksheet with a budget header near its top (a workbook may open on an instructions sheet)."""
    for sheet in workbook.worksheets:
        rows = itertools.islice(_sheet_rows(sheet), max_rows())
        top = itertools.islice((cells for cells in rows if any(c.strip() for c in cells)), HEADER_SEARCH)
        if any(_is_header(cells) for cells in top):
            return sheet
    return workbook.worksheets[0]


def read_xlsx(raw):
    import openpyxl

    refuse_size(len(raw))
    refuse_non_spreadsheet(raw)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:
        raise FileError(f"The file is not a readable XLSX workbook ({type(exc).__name__}).") from None
    try:
        return _dataset(_sheet_rows(_budget_sheet(workbook)))
    finally:
        workbook.close()


#: What a file that is not a spreadsheet starts with, and what to call it.
NOT_SPREADSHEETS = [
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
]


def refuse_non_spreadsheet(raw):
    """A FileError naming what the file is when it is plainly not CSV or XLSX (a PDF, an .xls, an image)."""
    kind = next((name for magic, name in NOT_SPREADSHEETS if raw.startswith(magic)), None)
    if kind is None and b"\x00" in raw[:4096] and raw[:2] != b"PK":
        kind = "not a text file"
    if kind is not None:
        what = kind if kind.startswith("not") else f"{kind}, not a spreadsheet"
        raise FileError(f"The file is {what}: save the budget as CSV or XLSX (File → Save As) and upload that.")


def read(raw, filename=""):
    """The budget file as a Dataset: XLSX when it is a zip (or named .xlsx), else CSV."""
    refuse_non_spreadsheet(raw)
    if raw[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        return read_xlsx(raw)
    return read_csv(raw)


#: Columns written as text: a value starting like a formula is kept text (quoted in CSV, a string cell in XLSX).
TEXT_COLUMNS = {COLUMNS.index(c) for c in (COST_CODE, DESCRIPTION, UOM)}


def _cells(line):
    return [
        line.cost_code.code,
        line.cost_type_id,
        line.description or "",
        line.quantity,
        line.uom or "",
        line.unit_cost,
        line.original_amount,
        "yes" if line.calculation == "manual" else "no",
    ]


def _csv_text(index, value):
    if value is None:
        return ""
    if index == COLUMNS.index("Unit Qty"):
        return f"{value.normalize():f}"
    text = str(value)
    if index in TEXT_COLUMNS and text.lstrip("'").startswith(FORMULA_START):
        return "'" + text  # OWASP: a leading quote makes a spreadsheet show the text, not run it
    return text


def _write_csv(lines):
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(COLUMNS)
    for line in lines:
        writer.writerow([_csv_text(i, v) for i, v in enumerate(_cells(line))])
    return stream.getvalue()


def _write_xlsx(lines):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Budget")
    sheet.append(COLUMNS)
    for line in lines:
        row = []
        for index, value in enumerate(_cells(line)):
            cell = WriteOnlyCell(sheet, value=value)
            if index in TEXT_COLUMNS:
                cell.data_type = "s"  # never a formula, whatever the text starts with
                if str(value).startswith(FORMULA_START):
                    cell.quotePrefix = True  # and the spreadsheet keeps it text when the cell is edited
            row.append(cell)
        sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def write(lines, fmt):
    """Budget lines as a file (csv or xlsx) in the columns `read` and `check` take back unchanged.

    Amounts are numbers (XLSX number cells); text that starts like a formula is written as text.
    """
    return _write_xlsx(lines) if fmt == "xlsx" else _write_csv(lines)
