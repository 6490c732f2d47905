"""Budget files, good and bad: every bad row is named with its column, value and rule; nothing is guessed."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest

from apps.budgets import budget_file, services

pytestmark = pytest.mark.django_db

HEADER = "Cost Code,Cost Type,Description,Unit Qty,UOM,Unit Cost,Original Budget,Manual Calculation\n"


ONE_LINE = "a budget has one line per cost code and cost type."


def check(budget, text, encoding="utf-8"):
    dataset = budget_file.read(text.encode(encoding) if isinstance(text, str) else text)
    return services.budget_check_file(budget=budget, dataset=dataset)


def errors(result):
    return [(e.row, e.field, e.message) for e in result.errors]


def test_a_good_file_with_every_way_of_writing_amounts(budget):
    result = check(
        budget,
        HEADER
        + '1000,1,Materials,,,,"$30,000.00",yes\n'
        + '1000,Labor,Crew,,,,"1,234.5",yes\n'
        + "2300,3,Excavator,10,day,450.5,,no\n"
        + "3300,subcontract,Concrete sub,,,,0,\n",
    )
    assert result.errors == []
    amounts = {(line.cost_code_id, line.cost_type_id): line.original_amount for line in result.lines}
    assert sorted(amounts.values()) == [Decimal("0.00"), Decimal("1234.5"), Decimal("4505.00"), Decimal("30000.00")]
    automatic = next(line for line in result.lines if line.calculation == "automatic")
    assert (automatic.quantity, automatic.unit_cost, automatic.uom) == (Decimal("10"), Decimal("450.5"), "day")


def test_headers_are_case_insensitive_in_any_order_with_bom(budget):
    text = "\ufefforiginal budget,COST TYPE,cost code\n100.00,1,1000\n"
    result = check(budget, text)
    assert result.errors == []
    assert result.lines[0].original_amount == Decimal("100.00")


def test_windows_1252_file(budget):
    result = check(budget, HEADER + "1000,1,Béton coulé – niveau 2,,,,10,yes\n", encoding="cp1252")
    assert result.errors == []
    assert result.lines[0].description == "Béton coulé – niveau 2"


def test_xlsx_file(budget):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Cost Code", "Cost Type", "Description", "Original Budget"])
    sheet.append([1000, 1, "Materials", 30000.5])
    sheet.append(["2300", "Labor", "Crew", 10500])
    stream = io.BytesIO()
    workbook.save(stream)
    result = check(budget, stream.getvalue())
    assert result.errors == []
    assert sorted(line.original_amount for line in result.lines) == [Decimal("10500"), Decimal("30000.5")]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("1000,1,,,,,12.345,yes\n", (2, "Original Budget", "more than 2 decimal places")),
        ("1000,1,,,,,-5,yes\n", (2, "Original Budget", "must not be negative")),
        ("1000,1,,,,,(5.00),yes\n", (2, "Original Budget", "must not be negative")),
        ("1000,1,,,,,$-5,yes\n", (2, "Original Budget", "must not be negative")),
        ('1000,1,,,,,"$(1,000.00)",yes\n', (2, "Original Budget", "must not be negative")),
        ("1000,1,,,,,$$5,yes\n", (2, "Original Budget", "is not a number")),
        ("1000,1,,,,,((5),yes\n", (2, "Original Budget", "is not a number")),
        ("1000,1,,,,,12abc,yes\n", (2, "Original Budget", "is not a number")),
        ("1000,1,,,,,1,23,yes\n", (2, "", "has 9 cells but the header has 8")),
        ("1000,1,,,,\n", (2, "", "has 6 cells but the header has 8")),
        ("9999,1,,,,,5,yes\n", (2, "Cost Code", "not one of this project's cost codes")),
        (",1,,,,,5,yes\n", (2, "Cost Code", "is required")),
        ("1000,3,,,,,5,yes\n", (2, "Cost Type", "is not assigned to cost code 1000")),
        ("1000,12,,,,,5,yes\n", (2, "Cost Type", "is not a cost type")),
        ("1000,Lumber,,,,,5,yes\n", (2, "Cost Type", "is not a cost type")),
        ("1000,1,,,,,5,maybe\n", (2, "Manual Calculation", "must be yes or no")),
        ("1000,1,,2,ea,,,no\n", (2, "Unit Cost", "required when Manual Calculation is no")),
        ("1000,1,,2,ea,10,25,no\n", (2, "Original Budget", "is not Unit Qty × Unit Cost = 20.00")),
        ("1000,1,,1.23456,ea,10,,no\n", (2, "Unit Qty", "more than 4 decimal places")),
    ],
)
def test_each_bad_row_is_named(budget, rows, expected):
    result = check(budget, HEADER + rows)
    assert result.lines == []
    row, field, message = expected
    assert any(e.row == row and e.field == field and message in e.message for e in result.errors), errors(result)


def test_duplicate_code_and_type_names_the_first_row(budget):
    result = check(budget, HEADER + "1000,1,,,,,5,yes\n2300,2,,,,,5,yes\n1000,Material,,,,,7,yes\n")
    assert errors(result) == [
        (
            4,
            "Cost Type",
            f"Cost code 1000.000 with cost type 1 is already on row 2; {ONE_LINE}",
        )
    ]


def test_every_bad_row_is_reported_and_no_line_is_kept(budget):
    result = check(budget, HEADER + "1000,1,,,,,5,yes\n9999,1,,,,,5,yes\n1000,2,,,,,1.001,yes\n2300,9,,,,,5,yes\n")
    assert [e.row for e in result.errors] == [3, 4, 5]
    assert result.lines == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty"),
        ("\n\n", "The file is empty"),
        (HEADER, "The file is empty"),
        ("Cost Code,Description,Original Budget\n1000,x,5\n", "The file has no 'Cost Type' column"),
        ("Cost Code,Cost Type,Original Budget,cost type\n1000,1,5,1\n", "The column 'Cost Type' appears twice"),
    ],
)
def test_file_level_problems(budget, text, message):
    result = check(budget, text)
    assert any(message in e.message for e in result.errors), errors(result)


def test_a_file_that_is_no_text_is_refused_with_a_message():
    with pytest.raises(budget_file.FileError, match="neither UTF-8 nor Windows-1252"):
        budget_file.read(b"\x81\x8d\x8f\x90\x9d" * 10)
    with pytest.raises(budget_file.FileError, match="not a readable XLSX"):
        budget_file.read(b"PK\x03\x04garbage")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "The file is a PDF document, not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "an old Excel workbook (.xls), not a spreadsheet"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image, not a spreadsheet"),
        (b"Cost Code\x00\x00\x01\x02", "The file is not a text file"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_named_for_what_it_is(raw, message):
    for read in (budget_file.read, budget_file.read_csv, budget_file.read_xlsx):
        with pytest.raises(budget_file.FileError, match=re.escape(message)) as refused:
            read(raw)
        assert "save the budget as CSV or XLSX" in str(refused.value)


def _xlsx(*sheets):
    """An XLSX workbook with one sheet per list of rows."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for number, rows in enumerate(sheets):
        sheet = workbook.create_sheet(f"Sheet{number + 1}")
        for row in rows:
            sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def test_errors_name_the_row_the_spreadsheet_shows_with_blank_and_title_rows(budget):
    titles = "Budget for Budget Tower,,\nPrinted 2026-11-02,,\n\n"  # rows 1-3; the header is row 4
    result = check(budget, titles + HEADER + "1000,1,,,,,5,yes\n\n\n9999,1,,,,,5,yes\n")
    assert errors(result) == [
        (8, "Cost Code", "Cost code 9999 is not one of this project's cost codes; add it to the project first.")
    ]
    good = check(budget, titles + HEADER + "1000,1,,,,,5,yes\n\n\n2300,2,,,,,5,yes\n")
    assert good.errors == []
    assert [line.row for line in good.lines] == [5, 8]


def test_a_missing_column_names_the_header_row_below_title_rows(budget):
    result = check(budget, "Cost Code report\n\nCost Code,Description,Original Budget\n1000,x,5\n")
    assert errors(result) == [
        (
            3,
            "Cost Type",
            "The file has no 'Cost Type' column. Its header row has 'Cost Code', 'Description', 'Original Budget'. "
            "A budget file needs Cost Code, Cost Type, Original Budget; Description, Unit Qty, UOM, Unit Cost, "
            "Manual Calculation are optional.",
        )
    ]


def test_semicolon_and_tab_separated_files(budget):
    for separator in (";", "\t"):
        text = separator.join(["Cost Code", "Cost Type", "Original Budget"]) + "\n"
        text += separator.join(["1000", "Labor", "1,234.50"]) + "\n"
        result = check(budget, text)
        assert result.errors == [], separator
        assert result.lines[0].original_amount == Decimal("1234.50")


def test_xlsx_numbers_are_read_as_the_spreadsheet_shows_them(budget):
    raw = _xlsx(
        [
            ["Cost Code", "Cost Type", "Original Budget", "Unit Qty", "Unit Cost", "Manual Calculation"],
            [1000, 1, 12 * 9500.1, None, None, True],  # a formula's float noise: 114001.20000000001
            [1000, 2, 0.1 + 0.2, None, None, "yes"],
            [2300, 3, None, 2.5, 1000.1, False],
        ]
    )
    result = check(budget, raw)
    assert result.errors == []
    assert [line.original_amount for line in result.lines] == [Decimal("114001.2"), Decimal("0.3"), Decimal("2500.25")]

    too_precise = check(budget, _xlsx([["Cost Code", "Cost Type", "Original Budget"], [1000, 1, 12.345]]))
    assert errors(too_precise) == [
        (
            2,
            "Original Budget",
            "Original Budget has more than 2 decimal places; amounts are never rounded, correct the file.",
        )
    ]


def test_the_budget_sheet_is_found_behind_an_instructions_sheet(budget):
    raw = _xlsx(
        [["How to fill in this budget"], ["One line per cost code and cost type."]],
        [["Cost Code", "Cost Type", "Original Budget"], [2300, "Subcontract", 900]],
    )
    result = check(budget, raw)
    assert result.errors == []
    assert result.lines[0].original_amount == Decimal("900")


def test_cost_codes_match_by_value_as_the_erp_keeps_them(budget, pm, approver):
    from apps.jobs import services as job_services
    from apps.jobs.models import CostCode
    from apps.ledger.models import ERPCostCode

    ERPCostCode.objects.create(code="2010.000", description="Site work")
    ERPCostCode.objects.create(code="2010.100", description="Site survey")
    job_services.cost_code_sync_from_erp(user=approver)
    for code in ("2010.000", "2010.100"):
        job_services.project_cost_code_assign(project=budget.project, user=pm, code=code, cost_types=[1])
    header = ["Cost Code", "Cost Type", "Original Budget"]
    # A spreadsheet shows 2010.000 as 2010 and 2010.100 as 2010.1.
    result = check(budget, _xlsx([header, [2010, 1, 100], [2010.1, 1, 200]]))
    assert result.errors == []
    assert [line.cost_code_id for line in result.lines] == [
        CostCode.objects.get(code=code).pk for code in ("2010.000", "2010.100")
    ]

    result = check(budget, _xlsx([header, [2010, 1, 100], [2010.1, 1, 200], ["2010.100", 1, 5]]))
    assert errors(result) == [
        (
            4,
            "Cost Type",
            "Cost code 2010.100 with cost type 1 is already on row 3; "
            "a budget has one line per cost code and cost type.",
        )
    ]


@pytest.mark.parametrize(("written", "expected"), [("1 Material", 1), ("2 - Labor", 2), ("4: subcontract", 4)])
def test_cost_types_written_with_their_number_and_name(budget, written, expected):
    result = check(budget, f'Cost Code,Cost Type,Original Budget\n3300,"{written}",5\n')
    assert result.errors == [], errors(result)
    assert [line.cost_type_id for line in result.lines] == [expected]


def test_a_number_and_a_name_that_disagree_are_refused(budget):
    result = check(budget, "Cost Code,Cost Type,Original Budget\n1000,2 Material,5\n")
    assert errors(result) == [
        (2, "Cost Type", "Cost Type 2 Material is not a cost type: use 1 to 9 or a cost type's name.")
    ]


def test_a_type_not_assigned_and_repeated_is_named_for_both(budget):
    from apps.jobs.models import CostType

    name = CostType.objects.get(code=3).name
    result = check(budget, "Cost Code,Cost Type,Original Budget\n1000,3,5\n1000,3,6\n")
    not_assigned = f"Cost type 3 ({name}) is not assigned to cost code 1000.000 on this project."
    assert errors(result) == [
        (2, "Cost Type", not_assigned),
        (3, "Cost Type", not_assigned),
        (
            3,
            "Cost Type",
            f"Cost code 1000.000 with cost type 3 is already on row 2; {ONE_LINE}",
        ),
    ]
    assert result.lines == []


def test_errors_carry_the_value_the_user_typed(budget):
    long_text = "x" * 300
    result = check(budget, HEADER + f"1000,1,{long_text},,,12.5,,no\n")
    assert [(e.field, e.value) for e in result.errors] == [("Description", "x" * 40 + "…"), ("Unit Qty", "")]


def test_the_import_service_writes_every_row_or_none(budget, pm):
    rows = "1000,1,Materials,,,,100,yes\n2300,3,Excavator,2,day,50,,no\n"
    dataset = budget_file.read((HEADER + rows).encode())
    dry = services.budget_import(budget=budget, dataset=dataset, user=pm, dry_run=True)
    assert (dry["new"], dry["errors"], budget.lines.count()) == (2, [], 0)

    done = services.budget_import(budget=budget, dataset=budget_file.read((HEADER + rows).encode()), user=pm)
    assert (done["new"], done["updated"], done["unchanged"]) == (2, 0, 0)
    assert sorted(budget.lines.values_list("original_amount", flat=True)) == [Decimal("100.00"), Decimal("100.00")]

    changed = HEADER + "1000,1,Materials,,,,150,yes\n2300,3,Excavator,2,day,50,,no\n"
    again = services.budget_import(budget=budget, dataset=budget_file.read(changed.encode()), user=pm)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 1, 1)

    bad = HEADER + "1000,1,Materials,,,,999,yes\n9999,1,Unknown,,,,5,yes\n"
    refused = services.budget_import(budget=budget, dataset=budget_file.read(bad.encode()), user=pm)
    assert [(e.row, e.field) for e in refused["errors"]] == [(3, "Cost Code")]
    assert budget.lines.get(cost_type_id=1).original_amount == Decimal("150.00")


def test_an_exported_budget_reads_back_as_the_same_lines(budget, pm):
    rows = "1000,1,Materials,,,,100,yes\n2300,3,Excavator,2.5,day,50.25,,no\n"
    services.budget_import(budget=budget, dataset=budget_file.read((HEADER + rows).encode()), user=pm)
    exported = services.budget_export(budget=budget, fmt="csv")
    assert exported.splitlines()[0] == HEADER.strip()
    result = check(budget, exported)
    assert result.errors == []
    read_back = [(line.quantity, line.unit_cost, line.original_amount, line.calculation) for line in result.lines]
    assert sorted(read_back, key=lambda values: values[2]) == [
        (None, None, Decimal("100.00"), "manual"),
        (Decimal("2.5"), Decimal("50.25"), Decimal("125.63"), "automatic"),
    ]


def test_the_services_never_import_the_import_export_resource():
    """resources.py imports the services; the services importing it back would be an import cycle."""
    import ast
    from pathlib import Path

    package = Path(services.__file__).parent
    imported = set()
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom):
                imported.add(node.module)
                imported.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    assert len(list(package.glob("*.py"))) > 1
    assert "apps.budgets.resources" not in imported
