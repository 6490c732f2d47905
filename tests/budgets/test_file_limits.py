"""Budget files past the size and row limits, amounts past what the database holds, formulas in exports."""

import io
import zipfile
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from apps.budgets import budget_file, resources
from apps.budgets.budget_file import tables
from apps.budgets.models import BudgetLineItem
from tests.budgets.test_admin import preview
from tests.budgets.test_api import FILE, upload

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
HEADER = FILE.splitlines()[0] + "\n"


def test_the_size_message_names_the_size_and_the_limit(settings):
    settings.BUDGET_FILE_MAX_BYTES = 20 * MB
    with pytest.raises(budget_file.FileError) as refused:
        budget_file.refuse_size(int(52.3 * MB))
    assert str(refused.value) == "The file is 52.3 MB; a budget file may be at most 20 MB."
    budget_file.refuse_size(20 * MB)  # at the limit is fine


@pytest.fixture
def one_mb_limit(settings):
    settings.BUDGET_FILE_MAX_BYTES = MB
    return FILE + "\n" * int(1.5 * MB)  # 1.5 MB: blank lines are skipped, so only the size is wrong


SIZE_REFUSED = "The file is 1.5 MB; a budget file may be at most 1 MB."


def test_api_refuses_a_file_over_the_size_limit(pm, api_as, budget, one_mb_limit):
    response = upload(api_as(pm), budget.pk, one_mb_limit)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": None, "field": "file", "value": "budget.csv", "message": SIZE_REFUSED}]
    assert not BudgetLineItem.objects.exists()


def test_admin_refuses_a_file_over_the_size_limit(client, pm, budget, one_mb_limit):
    client.force_login(pm)
    page = preview(client, budget, one_mb_limit)
    assert page.status_code == 200 and SIZE_REFUSED in page.content.decode()
    assert "confirm_form" not in page.context
    assert not BudgetLineItem.objects.exists()


def test_command_refuses_a_file_over_the_size_limit(pm, budget, tmp_path, one_mb_limit):
    path = tmp_path / "budget.csv"
    path.write_text(one_mb_limit)
    with pytest.raises(CommandError, match=SIZE_REFUSED.replace(".", r"\.")):
        call_command("import_budget", "5000", str(path), "--user", "pm", "--dry-run")
    assert not BudgetLineItem.objects.exists()


ROWS_REFUSED = "The file has more than 3 rows below its header; a budget file may have at most 3."


def test_every_door_refuses_a_file_over_the_row_limit(settings, client, pm, api_as, budget, tmp_path):
    settings.BUDGET_FILE_MAX_ROWS = 3  # FILE has 4 lines
    response = upload(api_as(pm), budget.pk)
    assert response.status_code == 400 and response.json()["errors"][0]["message"] == ROWS_REFUSED
    client.force_login(pm)
    assert ROWS_REFUSED in preview(client, budget).content.decode()
    path = tmp_path / "budget.csv"
    path.write_text(FILE)
    with pytest.raises(CommandError, match="more than 3 rows"):
        call_command("import_budget", "5000", str(path), "--user", "pm")
    assert not BudgetLineItem.objects.exists()
    settings.BUDGET_FILE_MAX_ROWS = 4
    assert upload(api_as(pm), budget.pk, dry_run=True).status_code == 200


def test_reading_stops_at_the_row_limit():
    def endless():
        yield ["Cost Code", "Cost Type", "Original Budget"]
        while True:
            yield ["1000", "1", "5"]

    with pytest.raises(budget_file.FileError, match="more than 10 rows"):
        tables._dataset(endless(), limit=10)


def test_an_xlsx_past_the_row_limit_is_refused_without_reading_it_all(settings, budget):
    settings.BUDGET_FILE_MAX_ROWS = 50
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Cost Code", "Cost Type", "Original Budget"])
    sheet.cell(row=1_000_000, column=1, value="1000")  # a million rows declared, almost all of them empty
    stream = io.BytesIO()
    workbook.save(stream)
    with pytest.raises(budget_file.FileError, match="more than 50 rows"):
        budget_file.read(stream.getvalue())


def bad_rows(count):
    return HEADER + "".join(f"9999,1,Row {n},,,,5,yes\n" for n in range(count))


def test_api_lists_the_first_200_errors_and_counts_the_rest(pm, api_as, budget):
    response = upload(api_as(pm), budget.pk, bad_rows(250))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert len(errors) == 201
    assert errors[0]["row"] == 2 and errors[199]["row"] == 201
    assert errors[-1] == {"row": None, "field": "", "value": "", "message": "… and 50 more rows need correcting."}
    assert not BudgetLineItem.objects.exists()


def test_admin_preview_shows_the_count_and_a_bounded_list(client, pm, budget):
    client.force_login(pm)
    html = preview(client, budget, bad_rows(250)).content.decode()
    assert "Nothing was imported: 250 rows need correcting" in html
    assert "… and 50 more rows need correcting." in html
    assert html.count("is not one of this project") == 200


def test_admin_preview_of_a_good_file_shows_a_bounded_number_of_rows(client, pm, budget, monkeypatch):
    monkeypatch.setattr(resources, "PREVIEW_ROWS", 2)
    client.force_login(pm)
    page = preview(client, budget)
    assert "4 rows checked" in page.content.decode() and "The first 2 rows are shown." in page.content.decode()
    assert len(page.context["result"].valid_rows()) == 2


def test_checking_keeps_only_the_first_errors(budget):
    from apps.budgets import services

    text = HEADER + "".join("9999,12,,x,,y,z,maybe\n" for _ in range(1000))  # several errors per row
    checked = services.budget_check_file(budget=budget, dataset=budget_file.read(text.encode()))
    assert len(checked.errors) == budget_file.MAX_ERRORS and checked.bad_rows == 1000
    assert checked.lines == [] and checked.more_rows == 1000 - len({e.row for e in checked.errors})


def test_quantity_times_unit_cost_past_the_database_limit_is_a_row_error(pm, api_as, budget):
    text = HEADER + "2300,3,Too big,9999999999.9999,day,999999999999.99,,no\n"
    response = upload(api_as(pm), budget.pk, text)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["row"], error["field"], error["value"]) == (2, "Original Budget", "9999999999.9999 × 999999999999.99")
    assert "at most 999,999,999,999.99 (the database holds 12 digits before the point)" in error["message"]
    assert not BudgetLineItem.objects.exists()


def test_quantity_past_the_database_limit_is_a_row_error(pm, api_as, budget):
    response = upload(api_as(pm), budget.pk, HEADER + "2300,3,Too many,99999999999,day,1,,no\n")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == (
        "Unit Qty is too large: at most 9,999,999,999.9999 (the database holds 10 digits before the point)."
    )


FORMULAS = ['=HYPERLINK("http://x","y")', "+1+2", "-5 then", "@SUM(A1)", "'=already quoted", "'Tis fine", "plain"]


def line(description, **values):
    return SimpleNamespace(
        cost_code=SimpleNamespace(code="1000"),
        cost_type_id=1,
        description=description,
        quantity=values.get("quantity"),
        uom=values.get("uom", ""),
        unit_cost=values.get("unit_cost"),
        original_amount=values.get("original_amount", Decimal("5.00")),
        calculation="manual",
    )


def test_csv_export_quotes_text_that_starts_like_a_formula_and_reads_back_the_same():
    exported = budget_file.write([line(d) for d in FORMULAS], "csv")
    descriptions = [row.split(",", 2)[2] for row in exported.splitlines()[1:]]
    assert descriptions[0].startswith("\"'=HYPERLINK") and descriptions[1].startswith("'+1+2")
    assert descriptions[2].startswith("'-5") and descriptions[3].startswith("'@SUM")
    assert descriptions[4].startswith("''=already") and descriptions[5].startswith("'Tis")
    dataset = budget_file.read(exported.encode())
    assert [cells[2] for cells in dataset] == FORMULAS


def test_xlsx_export_writes_formula_like_text_as_string_cells():
    exported = budget_file.write([line(d, uom="=1") for d in FORMULAS], "xlsx")
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        sheet_xml = next(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml
    rows = list(openpyxl.load_workbook(io.BytesIO(exported)).active.iter_rows(min_row=2))
    assert [row[2].value for row in rows] == FORMULAS
    assert all(row[2].data_type == "s" and row[4].data_type == "s" for row in rows)
    assert [cells[2] for cells in budget_file.read(exported)] == FORMULAS


def test_a_negative_amount_is_written_as_a_number_not_text():
    negative = line("x", unit_cost=Decimal("-5.00"), quantity=Decimal("-2"))
    assert budget_file.write([negative], "csv").splitlines()[1] == "1000,1,x,-2,,-5.00,5.00,yes"
    row = next(openpyxl.load_workbook(io.BytesIO(budget_file.write([negative], "xlsx"))).active.iter_rows(min_row=2))
    assert (row[3].value, row[3].data_type, row[5].value, row[5].data_type) == (-2, "n", -5, "n")


def test_a_budget_with_formula_descriptions_exports_and_imports_back_unchanged(pm, api_as, budget):
    client = api_as(pm)
    text = HEADER + '1000,1,"=HYPERLINK(""http://x"")",,=1,,5,yes\n1000,2,@cmd,,,,6,yes\n'
    assert upload(client, budget.pk, text).status_code == 200
    for fmt in ("csv", "xlsx"):
        exported = client.get(f"/api/v1/budgets/{budget.pk}/export/?format={fmt}").content
        response = client.post(
            f"/api/v1/budgets/{budget.pk}/import/",
            {"file": SimpleUploadedFile(f"b.{fmt}", exported)},
            format="multipart",
        )
        assert response.json() == {"new": 0, "updated": 0, "unchanged": 2, "dry_run": False}, fmt
    assert sorted(budget.lines.values_list("description", "uom")) == [('=HYPERLINK("http://x")', "=1"), ("@cmd", "")]
