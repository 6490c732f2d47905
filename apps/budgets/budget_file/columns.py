"""The budget file's format: its columns, and what reading and checking a file produce.

The columns are the ones the export writes, so an exported file imports back unchanged. Header
names are matched case-insensitively and in any order.
"""

from dataclasses import dataclass
from decimal import Decimal

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


def canonical(header):
    return " ".join(header.split()).casefold()


#: {canonical header name: column}: header names match case-insensitively, spaces folded.
COLUMN_BY_HEADER = {canonical(c): c for c in COLUMNS}
