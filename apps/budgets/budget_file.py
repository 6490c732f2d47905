"""Budget files (CSV, XLSX): reading them, and checking every row against the project before anything is written.

The columns are the ones the export writes, so an exported file imports back unchanged. Header
names are matched case-insensitively and in any order. Amounts may carry a currency sign and
thousands separators; more decimals than the field holds is an error, never a rounding.
"""

import csv
import io
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
#: Added by the readers: how many cells the row really had, so a ragged row is named, not padded silently.
CELLS = "#cells"

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")
DESCRIPTION_LIMIT = 255
UOM_LIMIT = 20
YES = {"yes", "y", "true", "1", "manual"}
NO = {"no", "n", "false", "0", "automatic", "auto"}
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


def _dataset(rows):
    """A tablib Dataset of the rows, each cut or padded to the header, with its real cell count kept."""
    rows = iter(rows)
    header = None
    for cells in rows:
        if any(c.strip() for c in cells):
            header = [c.strip().lstrip("\ufeff") for c in cells]
            break
    dataset = tablib.Dataset()
    if header is None:
        return dataset
    width = len(header)
    while width and not header[width - 1]:
        width -= 1  # trailing empty header cells, as spreadsheets write them
    dataset.headers = [*header[:width], CELLS]
    for cells in rows:
        if not any(c.strip() for c in cells):
            continue
        count = len(cells)
        while count > width and not cells[count - 1].strip():
            count -= 1
        row = cells[:width] if len(cells) >= width else [*cells, *[""] * (width - len(cells))]
        dataset.append([*row, count])
    return dataset


def read_csv(raw):
    text = decode(raw) if isinstance(raw, bytes) else raw
    try:
        return _dataset(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise FileError(f"The file is not valid CSV: {exc}.") from None


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float):
        # Spreadsheets store numbers as floats: repr is the shortest exact decimal (30000.5, not 30000.499…).
        return repr(value).removesuffix(".0") if value.is_integer() else repr(value)
    return str(value)


def read_xlsx(raw):
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:
        raise FileError(f"The file is not a readable XLSX workbook ({type(exc).__name__}).") from None
    try:
        sheet = workbook.worksheets[0]
        return _dataset([_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
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
    negative = value.startswith("-") or (value.startswith("(") and value.endswith(")"))
    value = value.strip("()").lstrip("-").strip().lstrip("$").strip().lstrip("-")
    if not _NUMBER.match(value):
        return None, "is not a number (write it like 30000.00, 30,000.00 or $30,000.00)"
    number = Decimal(value.replace(",", ""))
    if negative and number:
        return None, "must not be negative"
    if -number.as_tuple().exponent > places:
        return None, f"has more than {places} decimal places; amounts are never rounded, correct the file"
    if number > MAX_AMOUNT:
        return None, "is too large"
    return number, None


def _canonical(header):
    return " ".join(header.split()).casefold()


def _columns(headers):
    """{column: index} for the known columns, and the file-level errors of the header row."""
    wanted = {_canonical(c): c for c in COLUMNS}
    found, errors = {}, []
    for index, header in enumerate(headers):
        column = wanted.get(_canonical(header))
        if column is None:
            continue
        if column in found:
            errors.append(RowError(1, column, header, f"The column '{column}' appears twice."))
        found[column] = index
    for column in REQUIRED:
        if column not in found:
            errors.append(
                RowError(1, column, "", f"The file has no '{column}' column. The columns are: {', '.join(COLUMNS)}.")
            )
    return found, errors


PROGRESS_EVERY = 5000


def check(dataset, *, project_cost_codes, cost_types, progress=None):
    """Every row checked; `lines` only when there is no error at all (a bad row imports nothing).

    project_cost_codes: {code: (cost_code_id, {cost type codes assigned on the project})}
    cost_types: {cost type code: name}
    progress: optional callable(label, done, total), called every few thousand rows.
    """
    headers = list(dataset.headers or [])
    if not headers or headers == [CELLS] or not len(dataset):
        return Parsed(
            [], [RowError(1, "", "", "The file is empty: it needs a header row and at least one budget line.")]
        )
    columns, errors = _columns(headers[:-1])
    if errors:
        return Parsed([], errors)
    width = len(headers) - 1
    type_by_name = {name.casefold(): code for code, name in cost_types.items()}
    i_code, i_type, i_original = columns[COST_CODE], columns[COST_TYPE], columns[ORIGINAL]
    i_desc, i_qty, i_uom = columns.get(DESCRIPTION), columns.get(QUANTITY), columns.get(UOM)
    i_unit, i_manual = columns.get(UNIT_COST), columns.get(MANUAL)
    seen = {}
    lines = []
    total = len(dataset)
    for row_number, cells in enumerate(dataset, start=2):
        if progress and (row_number - 1) % PROGRESS_EVERY == 0:
            progress("Checking rows", row_number - 1, total)
        count = cells[-1]
        if count != width:
            errors.append(
                RowError(row_number, "", f"{count} cells", f"This row has {count} cells but the header has {width}.")
            )
            continue
        row_errors = []

        def fail(field, value, message, row_errors=row_errors, row_number=row_number):
            row_errors.append(RowError(row_number, field, value, message))

        code = cells[i_code].strip()
        cost_code = project_cost_codes.get(code)
        if not code:
            fail(COST_CODE, code, "is required")
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
            type_code = type_by_name.get(type_text.casefold())
        if not type_text:
            fail(COST_TYPE, type_text, "is required")
        elif type_code not in cost_types:
            fail(COST_TYPE, type_text, "is not a cost type: use 1 to 9 or a cost type's name")
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
            fail(DESCRIPTION, description[:40] + "…", f"is longer than {DESCRIPTION_LIMIT} characters")
        uom = cells[i_uom].strip() if i_uom is not None else ""
        if len(uom) > UOM_LIMIT:
            fail(UOM, uom, f"is longer than {UOM_LIMIT} characters")

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
            fail(MANUAL, manual_text, "must be yes or no")

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
