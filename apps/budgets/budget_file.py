"""Budget files (CSV, XLSX): reading them, and checking every row against the project before anything is written.

The columns are the ones the export writes, so an exported file imports back unchanged. Header
names are matched case-insensitively and in any order. Amounts may carry a currency sign and
thousands separators; more decimals than the field holds is an error, never a rounding.
"""

import csv
import io
import itertools
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import tablib

COST_CODE = "Cost Code"
COST_TYPE = "Cost Type"
DESCRIPTION = "Description"
QUANTITY = "Unit Qty"
UOM = "UOM"
UNIT_COST = "Unit Cost"
ORIGINAL = "Original Budget"
MANUAL = "Manual Calculation"
COLUMNS = [COST_CODE, COST_TYPE, DESCRIPTION, QUANTITY, UOM, UNIT_COST, ORIGINAL, MANUAL]
REQUIRED = [COST_CODE, COST_TYPE, ORIGINAL]
#: Added by the readers after the file's columns: the row's number in the spreadsheet, and how many cells it had.
ROW = "#row"
CELLS = "#cells"

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")
DESCRIPTION_LIMIT = 255
UOM_LIMIT = 20
YES = {"yes", "y", "true", "1", "manual"}
NO = {"no", "n", "false", "0", "automatic", "auto"}
#: An amount's currency sign, minus and accounting parentheses around the number itself.
_SIGNS = re.compile(r"^(?P<before>[-($\s]*)(?P<number>[^-($\s].*?)(?P<after>[)\s]*)$")
_NUMBER = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d*)?$|^\.\d+$")


class FileError(Exception):
    """The file cannot be read at all (not CSV or XLSX, not a known text encoding)."""


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    value: str
    message: str

    def as_dict(self):
        return {"row": self.row, "field": self.field, "value": self.value, "message": self.message}


@dataclass(frozen=True)
class Line:
    """One checked row, ready to be written."""

    row: int
    cost_code_id: int
    cost_type_id: int
    description: str
    quantity: Decimal | None
    uom: str
    unit_cost: Decimal | None
    calculation: str
    original_amount: Decimal


@dataclass
class Parsed:
    lines: list
    errors: list


# Reading -------------------------------------------------------------------------------------


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


def _canonical(header):
    return " ".join(header.split()).casefold()


#: {canonical header name: column}: header names match case-insensitively, spaces folded.
_COLUMN_BY_HEADER = {_canonical(c): c for c in COLUMNS}


def _is_header(cells):
    return any(_canonical(c) in _COLUMN_BY_HEADER for c in cells)


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


# Checking ------------------------------------------------------------------------------------


def parse_amount(text, *, places=2, allow_blank=True):
    """(Decimal or None, error message or None) for a typed amount such as `$30,000.00` or `1,234.5`."""
    value = text.strip()
    if not value:
        return (None, None) if allow_blank else (None, "is required")
    signs = _SIGNS.match(value)
    before, after = (signs["before"], signs["after"]) if signs else ("", "")
    if (
        not signs
        or not _NUMBER.match(signs["number"])
        or any(before.count(mark) > 1 for mark in "-($")
        or before.count("(") != after.count(")")
    ):
        return None, "is not a number (write it like 30000.00, 30,000.00 or $30,000.00)"
    negative = "-" in before or "(" in before  # -5, -$5, $-5, (5.00), ($5.00), $(5.00): accounting formats
    number = Decimal(signs["number"].replace(",", ""))
    if negative and number:
        return None, "must not be negative"
    if -number.as_tuple().exponent > places:
        return None, f"has more than {places} decimal places; amounts are never rounded, correct the file"
    if number > MAX_AMOUNT:
        return None, "is too large"
    return number, None


_NUMBERED_TYPE = re.compile(r"^(?P<code>\d)\s*[-–:.]?\s*(?P<name>\S.*?)\s*$")


def _code_number(text):
    """A cost code's numeric value: Sage keeps codes as numbers (2010.000), and spreadsheets drop the zeros (2010)."""
    try:
        return Decimal(text).normalize() if re.fullmatch(r"\d+(\.\d*)?", text) else None
    except ArithmeticError:
        return None


def _codes_by_number(project_cost_codes):
    """{numeric value: code} for the project's codes whose value no other code of the project shares."""
    by_number = {}
    for code in project_cost_codes:
        by_number.setdefault(_code_number(code), []).append(code)
    return {number: codes[0] for number, codes in by_number.items() if number is not None and len(codes) == 1}


def _columns(headers, row):
    """{column: index} for the known columns, and the file-level errors of the header row."""
    found, errors = {}, []
    for index, header in enumerate(headers):
        column = _COLUMN_BY_HEADER.get(_canonical(header))
        if column is None:
            continue
        if column in found:
            errors.append(RowError(row, column, header, f"The column '{column}' appears twice."))
        found[column] = index
    for column in REQUIRED:
        if column not in found:
            errors.append(
                RowError(row, column, "", f"The file has no '{column}' column. The columns are: {', '.join(COLUMNS)}.")
            )
    return found, errors


PROGRESS_EVERY = 5000


def check(dataset, *, project_cost_codes, cost_types, progress=None):
    """Every row checked; `lines` only when there is no error at all (a bad row imports nothing).

    project_cost_codes: {code: (cost_code_id, {cost type codes assigned on the project})}
    cost_types: {cost type code: name}
    progress: optional callable(label, done, total), called every few thousand rows.
    """
    headers = list(dataset.headers or [])[:-2]
    if not headers or not len(dataset):
        empty = "The file is empty: it needs a header row and at least one budget line."
        return Parsed([], [RowError(header_row(dataset), "", "", empty)])
    columns, errors = _columns(headers, header_row(dataset))
    if errors:
        return Parsed([], errors)
    width = len(headers)
    type_by_name = {name.casefold(): code for code, name in cost_types.items()}
    code_by_number = _codes_by_number(project_cost_codes)
    i_code, i_type, i_original = columns[COST_CODE], columns[COST_TYPE], columns[ORIGINAL]
    i_desc, i_qty, i_uom = columns.get(DESCRIPTION), columns.get(QUANTITY), columns.get(UOM)
    i_unit, i_manual = columns.get(UNIT_COST), columns.get(MANUAL)
    seen = {}
    lines = []
    total = len(dataset)
    for done, cells in enumerate(dataset, start=1):
        if progress and done % PROGRESS_EVERY == 0:
            progress("Checking rows", done, total)
        row_number, count = cells[-2], cells[-1]
        if count != width:
            errors.append(
                RowError(row_number, "", f"{count} cells", f"This row has {count} cells but the header has {width}.")
            )
            continue
        row_errors = []

        def fail(field, value, message, row_errors=row_errors, row_number=row_number):
            row_errors.append(RowError(row_number, field, value, message))

        code = cells[i_code].strip()
        code = code if code in project_cost_codes else code_by_number.get(_code_number(code), code)
        cost_code = project_cost_codes.get(code)
        if not code:
            fail(COST_CODE, code, "Cost Code is required.")
        elif cost_code is None:
            fail(
                COST_CODE,
                code,
                f"Cost code {code} is not one of this project's cost codes; add it to the project first.",
            )

        type_text = cells[i_type].strip()
        type_code = None
        if re.fullmatch(r"\d+(\.0+)?", type_text):
            type_code = int(Decimal(type_text))
        elif type_text:
            type_code = type_by_name.get(" ".join(type_text.split()).casefold())
            numbered = _NUMBERED_TYPE.match(type_text)
            if type_code is None and numbered:
                # "1 Material", "1 - Material": as the app and the ERP show types; number and name must agree.
                code_of_name = type_by_name.get(" ".join(numbered["name"].split()).casefold())
                type_code = code_of_name if code_of_name == int(numbered["code"]) else None
        if not type_text:
            fail(COST_TYPE, type_text, "Cost Type is required.")
        elif type_code not in cost_types:
            fail(COST_TYPE, type_text, f"Cost Type {type_text} is not a cost type: use 1 to 9 or a cost type's name.")
        elif cost_code is not None and type_code not in cost_code[1]:
            fail(
                COST_TYPE,
                type_text,
                f"Cost type {type_code} ({cost_types[type_code]}) is not assigned to cost code {code} on this project.",
            )

        if cost_code is not None and type_code in cost_types:
            first = seen.setdefault((code, type_code), row_number)
            if first != row_number:
                fail(
                    COST_TYPE,
                    type_text,
                    f"Cost code {code} with cost type {type_code} is already on row {first}; "
                    "a budget has one line per cost code and cost type.",
                )

        description = cells[i_desc].strip() if i_desc is not None else ""
        if len(description) > DESCRIPTION_LIMIT:
            fail(DESCRIPTION, description[:40] + "…", f"Description is longer than {DESCRIPTION_LIMIT} characters.")
        uom = cells[i_uom].strip() if i_uom is not None else ""
        if len(uom) > UOM_LIMIT:
            fail(UOM, uom, f"UOM is longer than {UOM_LIMIT} characters.")

        amounts = {}
        for column, index, places in ((QUANTITY, i_qty, 4), (UNIT_COST, i_unit, 2), (ORIGINAL, i_original, 2)):
            text = cells[index] if index is not None else ""
            amounts[column], problem = parse_amount(text, places=places)
            if problem:
                fail(column, text.strip(), f"{column} {problem}.")

        manual_text = cells[i_manual].strip() if i_manual is not None else ""
        manual = manual_text.casefold()
        if manual in YES:
            is_manual = True
        elif manual in NO:
            is_manual = False
        elif not manual:
            is_manual = amounts[ORIGINAL] is not None or bool(cells[i_original].strip())
        else:
            is_manual = None
            fail(MANUAL, manual_text, "Manual Calculation must be yes or no.")

        amount = amounts[ORIGINAL]
        if is_manual is False and not any(e.field in (QUANTITY, UNIT_COST, ORIGINAL) for e in row_errors):
            if amounts[QUANTITY] is None or amounts[UNIT_COST] is None:
                fail(
                    QUANTITY if amounts[QUANTITY] is None else UNIT_COST,
                    "",
                    "Unit Qty and Unit Cost are required when Manual Calculation is no.",
                )
            else:
                computed = (amounts[QUANTITY] * amounts[UNIT_COST]).quantize(CENT, rounding=ROUND_HALF_UP)
                if amount is not None and amount != computed:
                    fail(
                        ORIGINAL,
                        cells[i_original].strip(),
                        f"Original Budget {amount} is not Unit Qty × Unit Cost = {computed}; "
                        "set Manual Calculation to yes to keep a typed amount.",
                    )
                amount = computed

        if row_errors:
            errors.extend(row_errors)
        elif not errors:
            lines.append(
                Line(
                    row=row_number,
                    cost_code_id=cost_code[0],
                    cost_type_id=type_code,
                    description=description,
                    quantity=amounts[QUANTITY],
                    uom=uom,
                    unit_cost=amounts[UNIT_COST],
                    calculation="manual" if is_manual else "automatic",
                    original_amount=amount or Decimal("0.00"),
                )
            )
    return Parsed(lines if not errors else [], errors)
