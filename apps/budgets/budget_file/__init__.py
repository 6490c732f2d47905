"""Budget files (CSV, XLSX): reading, checking every row against the project before anything is written, writing.

`columns` holds the format, `tables` the CSV/XLSX reading and writing, `checking` one parser per column.
"""

from apps.budgets.budget_file.checking import PARSERS, PROGRESS_EVERY, Invalid, check, parse_amount
from apps.budgets.budget_file.columns import (
    CELLS,
    COLUMNS,
    COST_CODE,
    COST_TYPE,
    DESCRIPTION,
    MANUAL,
    ORIGINAL,
    QUANTITY,
    REQUIRED,
    ROW,
    UNIT_COST,
    UOM,
    FileError,
    Line,
    Parsed,
    RowError,
)
from apps.budgets.budget_file.tables import (
    HEADER_SEARCH,
    decode,
    header_row,
    read,
    read_csv,
    read_xlsx,
    rows_by_number,
    write,
)

__all__ = [
    "CELLS",
    "COLUMNS",
    "COST_CODE",
    "COST_TYPE",
    "DESCRIPTION",
    "HEADER_SEARCH",
    "MANUAL",
    "ORIGINAL",
    "PARSERS",
    "PROGRESS_EVERY",
    "QUANTITY",
    "REQUIRED",
    "ROW",
    "UNIT_COST",
    "UOM",
    "FileError",
    "Invalid",
    "Line",
    "Parsed",
    "RowError",
    "check",
    "decode",
    "header_row",
    "parse_amount",
    "read",
    "read_csv",
    "read_xlsx",
    "rows_by_number",
    "write",
]
