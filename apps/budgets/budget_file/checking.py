"""Checking every row of a budget file against the project before anything is written.

Each column has its own parser, returning the value or an Invalid message. Amounts may carry a
currency sign and thousands separators; more decimals than the field holds is an error, never a rounding.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from apps.budgets.budget_file.columns import (
    CENT,
    COLUMN_BY_HEADER,
    COLUMNS,
    COST_CODE,
    COST_TYPE,
    DESCRIPTION,
    DESCRIPTION_LIMIT,
    KEPT_WHEN_MISSING,
    MANUAL,
    MAX_AMOUNT,
    MAX_ERRORS,
    MAX_QUANTITY,
    NO,
    ORIGINAL,
    QUANTITY,
    REQUIRED,
    UNIT_COST,
    UOM,
    UOM_LIMIT,
    YES,
    Line,
    Parsed,
    RowError,
    canonical,
)
from apps.budgets.budget_file.tables import header_row
from apps.core import erp_profile

#: An amount's currency sign, minus and accounting parentheses around the number itself.
_SIGNS = re.compile(r"^(?P<before>[-($\s]*)(?P<number>[^-($\s].*?)(?P<after>[)\s]*)$")
_NUMBER = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d*)?$|^\.\d+$")


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
    limit = MAX_QUANTITY if places > 2 else MAX_AMOUNT
    if number > limit:
        return None, f"is too large: at most {limit:,} (the database holds {_digits(limit)} digits before the point)"
    return number, None


def _digits(limit):
    return len(str(int(limit)))


_NUMBERED_TYPE = re.compile(r"^(?P<code>\d)\s*[-–:.]?\s*(?P<name>\S.*?)\s*$")


def column_positions(headers):
    """{column: index} of the known columns among `headers` (the first of a column named twice)."""
    positions = {}
    for index, header in enumerate(headers):
        column = COLUMN_BY_HEADER.get(canonical(header))
        if column is not None:
            positions.setdefault(column, index)
    return positions


def _columns(headers, row):
    """{column: index} for the known columns, and the file-level errors of the header row."""
    found, errors = {}, []
    for index, header in enumerate(headers):
        column = COLUMN_BY_HEADER.get(canonical(header))
        if column is None:
            continue
        if column in found:
            errors.append(RowError(row, column, header, f"The column '{column}' appears twice."))
        found[column] = index
    has = ", ".join(f"'{h.strip()}'" for h in headers if h.strip()) or "no column names"
    optional = ", ".join(c for c in COLUMNS if c not in REQUIRED)
    for column in REQUIRED:
        if column not in found:
            message = (
                f"The file has no '{column}' column. Its header row has {has}. A budget file needs "
                f"{', '.join(REQUIRED)}; {optional} are optional."
            )
            errors.append(RowError(row, column, "", message))
    return found, errors


PROGRESS_EVERY = 5000


@dataclass(frozen=True)
class Invalid:
    """A parser's answer for a bad cell: the message; field and value default to the parser's column and cell."""

    message: str
    field: str | None = None
    value: str | None = None


class _File:
    """What every row of one file is checked against: its columns and the project's cost codes and types."""

    def __init__(self, columns, project_cost_codes, cost_types):
        self.columns = columns
        self.width = None
        self.codes = project_cost_codes
        self.cost_types = cost_types
        self.type_by_name = {name.casefold(): code for code, name in cost_types.items()}
        self.seen = {}  # {(code, type): first row}: one line per cost code and cost type


class _Row:
    """One row being checked: its cells, the values its parsers read so far, and its errors."""

    def __init__(self, file, cells):
        self.file = file
        self.cells = cells
        self.number = cells[-2]
        self.values = {}
        self.errors = []

    def text(self, column):
        index = self.file.columns.get(column)
        return self.cells[index].strip() if index is not None else ""


def _cost_code(row):
    text = row.text(COST_CODE)
    code = erp_profile.cost_code_canonical(text) or text  # spreadsheets drop the zeros: 2010 is 2010.000
    if not code:
        return Invalid("Cost Code is required.")
    if code not in row.file.codes:
        return Invalid(f"Cost code {text} is not one of this project's cost codes; add it to the project first.")
    return code


def _type_code(text, type_by_name):
    """1 to 9, a cost type's name, or both ("1 Material", "1 - Material": number and name must agree)."""
    if re.fullmatch(r"\d+(\.0+)?", text):
        return int(Decimal(text))
    type_code = type_by_name.get(" ".join(text.split()).casefold())
    numbered = _NUMBERED_TYPE.match(text)
    if type_code is None and numbered:
        code_of_name = type_by_name.get(" ".join(numbered["name"].split()).casefold())
        type_code = code_of_name if code_of_name == int(numbered["code"]) else None
    return type_code


def _cost_type(row):
    text = row.text(COST_TYPE)
    if not text:
        return Invalid("Cost Type is required.")
    type_code = _type_code(text, row.file.type_by_name)
    if type_code not in row.file.cost_types:
        return Invalid(f"Cost Type {text} is not a cost type: use 1 to 9 or a cost type's name.")
    return type_code


def _assigned(row):
    code, type_code = row.values[COST_CODE], row.values[COST_TYPE]
    if code is not None and type_code is not None and type_code not in row.file.codes[code][1]:
        name = row.file.cost_types[type_code]
        return Invalid(
            f"Cost type {type_code} ({name}) is not assigned to cost code {code} on this project.", field=COST_TYPE
        )
    return None


def _unique(row):
    code, type_code = row.values[COST_CODE], row.values[COST_TYPE]
    if code is None or type_code is None:
        return None
    first = row.file.seen.setdefault((code, type_code), row.number)
    if first != row.number:
        return Invalid(
            f"Cost code {code} with cost type {type_code} is already on row {first}; "
            "a budget has one line per cost code and cost type.",
            field=COST_TYPE,
        )
    return None


def _description(row):
    description = row.text(DESCRIPTION)
    if len(description) > DESCRIPTION_LIMIT:
        return Invalid(f"Description is longer than {DESCRIPTION_LIMIT} characters.", value=description[:40] + "…")
    return description


def _uom(row):
    uom = row.text(UOM)
    return Invalid(f"UOM is longer than {UOM_LIMIT} characters.") if len(uom) > UOM_LIMIT else uom


def _amount_parser(column, places):
    def parse(row):
        value, problem = parse_amount(row.text(column), places=places)
        return Invalid(f"{column} {problem}.") if problem else value

    return parse


def _manual(row):
    manual = row.text(MANUAL).casefold()
    if manual in YES:
        return True
    if manual in NO:
        return False
    if not manual:
        return bool(row.text(ORIGINAL))  # a typed amount is a manual line
    return Invalid("Manual Calculation must be yes or no.")


def _original_amount(row):
    """The typed amount, or Unit Qty × Unit Cost when Manual Calculation is no (a typed amount must agree)."""
    quantity, unit_cost, amount = (row.values[c] for c in (QUANTITY, UNIT_COST, ORIGINAL))
    if row.values[MANUAL] is not False or any(e.field in (QUANTITY, UNIT_COST, ORIGINAL) for e in row.errors):
        return amount
    if quantity is None or unit_cost is None:
        field = QUANTITY if quantity is None else UNIT_COST
        return Invalid("Unit Qty and Unit Cost are required when Manual Calculation is no.", field=field, value="")
    product = quantity * unit_cost
    if product > MAX_AMOUNT:
        return Invalid(
            f"Unit Qty × Unit Cost = {product:,f} is more than a line's amount can hold: at most {MAX_AMOUNT:,} "
            f"(the database holds {_digits(MAX_AMOUNT)} digits before the point).",
            field=ORIGINAL,
            value=f"{row.text(QUANTITY)} × {row.text(UNIT_COST)}",
        )
    computed = product.quantize(CENT, rounding=ROUND_HALF_UP)
    if amount is not None and amount != computed:
        return Invalid(
            f"Original Budget {amount} is not Unit Qty × Unit Cost = {computed}; "
            "set Manual Calculation to yes to keep a typed amount.",
            field=ORIGINAL,
        )
    return computed


#: (key, parser) in the order a row's errors are listed; each parser sees the values read before it.
PARSERS = [
    (COST_CODE, _cost_code),
    (COST_TYPE, _cost_type),
    ("assigned", _assigned),
    ("unique", _unique),
    (DESCRIPTION, _description),
    (UOM, _uom),
    (QUANTITY, _amount_parser(QUANTITY, 4)),
    (UNIT_COST, _amount_parser(UNIT_COST, 2)),
    (ORIGINAL, _amount_parser(ORIGINAL, 2)),
    (MANUAL, _manual),
    ("amount", _original_amount),
]


def _read_row(file, cells):
    """The row's values by parser key, and its errors (a ragged row is only named, not read)."""
    row = _Row(file, cells)
    count = cells[-1]
    if count != file.width:
        message = f"This row has {count} cells but the header has {file.width}."
        return row, [RowError(row.number, "", f"{count} cells", message)]
    for key, parse in PARSERS:
        value = parse(row)
        if isinstance(value, Invalid):
            field = value.field or key
            text = value.value if value.value is not None else row.text(field)
            row.errors.append(RowError(row.number, field, text, value.message))
            value = None
        row.values[key] = value
    return row, row.errors


def _line(file, row):
    values = row.values
    return Line(
        row=row.number,
        cost_code_id=file.codes[values[COST_CODE]][0],
        cost_type_id=values[COST_TYPE],
        description=values[DESCRIPTION],
        quantity=values[QUANTITY],
        uom=values[UOM],
        unit_cost=values[UNIT_COST],
        calculation="manual" if values[MANUAL] else "automatic",
        original_amount=values["amount"] or Decimal("0.00"),
    )


def check(dataset, *, project_cost_codes, cost_types, progress=None):
    """Every row checked; `lines` only when there is no error at all (a bad row imports nothing).

    The first MAX_ERRORS errors are kept and the bad rows counted, so memory follows the file, not its errors.

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
    file = _File(columns, project_cost_codes, cost_types)
    file.width = len(headers)
    lines, bad_rows = [], 0
    for done, cells in enumerate(dataset, start=1):
        if progress and done % PROGRESS_EVERY == 0:
            progress("Checking rows", done, len(dataset))
        row, row_errors = _read_row(file, cells)
        if row_errors:
            bad_rows += 1
            lines = []  # nothing will be written: the lines read so far are not kept
            errors.extend(row_errors[: max(MAX_ERRORS - len(errors), 0)])
        elif not bad_rows:
            lines.append(_line(file, row))
    missing = tuple(column for column in KEPT_WHEN_MISSING if column not in columns)
    return Parsed(lines, errors, bad_rows, missing)
