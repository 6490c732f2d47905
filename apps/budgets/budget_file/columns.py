"""The budget file's format: its columns, and what reading and checking a file produce.

The columns are the ones the export writes, so an exported file imports back unchanged. Header
names are matched case-insensitively and in any order.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

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
#: {optional column: the line field it fills}: a file without the column leaves that field of a known line as it is.
KEPT_WHEN_MISSING = {DESCRIPTION: "description", QUANTITY: "quantity", UOM: "uom", UNIT_COST: "unit_cost"}
#: Added by the readers after the file's columns: the row's number in the spreadsheet, and how many cells it had.
ROW = "#row"
CELLS = "#cells"

CENT = Decimal("0.01")
#: What the database holds (max_digits=14): 12 digits before the point for amounts, 10 for Unit Qty.
MAX_AMOUNT = Decimal("999999999999.99")
MAX_QUANTITY = Decimal("9999999999.9999")
#: Errors kept for the user: the first ones say what is wrong; the rest are only counted, so memory
#: does not grow with a file's errors.
MAX_ERRORS = 200
MB = 1024 * 1024
DESCRIPTION_LIMIT = 255
UOM_LIMIT = 20
YES = {"yes", "y", "true", "1", "manual"}
NO = {"no", "n", "false", "0", "automatic", "auto"}


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
    """The checked lines (none if any row is bad), the first MAX_ERRORS errors and how many rows are bad.

    `missing`: the optional columns the file does not have (KEPT_WHEN_MISSING: their fields stay as they are).
    """

    lines: list
    errors: list
    bad_rows: int | None = field(default=None)
    missing: tuple = ()

    def __post_init__(self):
        if self.bad_rows is None:
            self.bad_rows = len({e.row for e in self.errors})

    @property
    def more_rows(self):
        """Bad rows none of whose errors is listed."""
        return max(self.bad_rows - len({e.row for e in self.errors}), 0)


def more_rows_message(count):
    """The line that follows a capped error list."""
    return f"… and {count:,} more row{'s' if count != 1 else ''} need{'' if count != 1 else 's'} correcting."


def max_bytes():
    return settings.BUDGET_FILE_MAX_BYTES


def max_rows():
    return settings.BUDGET_FILE_MAX_ROWS


def refuse_size(size):
    """A FileError naming the limit when a file is larger than a budget file may be (checked before reading it)."""
    limit = max_bytes()
    if size > limit:
        shown = f"{size / MB:.1f} MB" if round(size / MB, 1) > limit / MB else f"{size:,} bytes"
        raise FileError(f"The file is {shown}; a budget file may be at most {limit / MB:g} MB.")


def canonical(header):
    return " ".join(header.split()).casefold()


#: {canonical header name: column}: header names match case-insensitively, spaces folded.
COLUMN_BY_HEADER = {canonical(c): c for c in COLUMNS}
