"""CSV and XLSX files to and from tablib Datasets: encodings, delimiters, title rows, ragged rows."""

import csv
import io
import itertools
from decimal import Decimal

import tablib

from apps.budgets.budget_file.columns import CELLS, COLUMN_BY_HEADER, COLUMNS, ROW, FileError, canonical


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


def _dataset(rows):
    """A tablib Dataset of the rows, each cut or padded to the header, with two hidden columns.

    ROW keeps the row number a spreadsheet program shows (blank rows and title rows counted), so an
    error names the row the user sees; CELLS keeps the row's real cell count, so a ragged row is
    named, not padded silently. The header is the first row naming a known column, searched among
    the first rows; without one, the first non-empty row (and the check names the missing columns).
    """
    rows = enumerate(rows, start=1)
    candidates = []
    header_at = None
    for number, cells in rows:
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
    for number, cells in itertools.chain(candidates[header_at + 1 :], rows):
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


def rows_by_number(dataset):
    """{spreadsheet row number: the row's cells, without the hidden columns}."""
    return {cells[-2]: cells[:-2] for cells in dataset}


def _delimiter(text):
    """Comma, unless the header line has none and uses semicolons or tabs (as some locales' spreadsheets save)."""
    first = next((line for line in io.StringIO(text) if line.strip()), "")
    counts = {delimiter: first.count(delimiter) for delimiter in ",;\t"}
    best = max(counts, key=counts.get)
    return best if counts[best] and not counts[","] else ","


def read_csv(raw):
    text = decode(raw) if isinstance(raw, bytes) else raw
    try:
        return _dataset(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
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


def _sheet_rows(sheet):
    return ([_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))


def _budget_sheet(workbook):
    """The first worksheet with a budget header near its top (a workbook may open on an instructions sheet)."""
    for sheet in workbook.worksheets:
        top = itertools.islice((cells for cells in _sheet_rows(sheet) if any(c.strip() for c in cells)), HEADER_SEARCH)
        if any(_is_header(cells) for cells in top):
            return sheet
    return workbook.worksheets[0]


def read_xlsx(raw):
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:
        raise FileError(f"The file is not a readable XLSX workbook ({type(exc).__name__}).") from None
    try:
        return _dataset(_sheet_rows(_budget_sheet(workbook)))
    finally:
        workbook.close()


def read(raw, filename=""):
    """The budget file as a Dataset: XLSX when it is a zip (or named .xlsx), else CSV."""
    if raw[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        return read_xlsx(raw)
    return read_csv(raw)


def write(lines, fmt):
    """Budget lines as a file (csv or xlsx) in the columns `read` and `check` take back unchanged."""
    dataset = tablib.Dataset(headers=COLUMNS)
    for line in lines:
        dataset.append(
            [
                line.cost_code.code,
                _text(line.cost_type_id),
                _text(line.description),
                "" if line.quantity is None else f"{line.quantity.normalize():f}",
                _text(line.uom),
                _text(line.unit_cost),
                _text(line.original_amount),
                "yes" if line.calculation == "manual" else "no",
            ]
        )
    return dataset.export(fmt)


def _text(value):
    return "" if value is None else str(value)
