"""A budget walked through every branch of both diagrams, through the API, with the ledger checked after each export."""

import io
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.budgets.models import Budget, BudgetLineItem
from apps.erp_queue.models import ERPRequest, StagedRecord
from apps.ledger import services as ledger_services
from apps.ledger.models import ERPBudgetEntry, ERPJob

pytestmark = pytest.mark.django_db

FILE = (
    "Cost Code,Cost Type,Description,Unit Qty,UOM,Unit Cost,Original Budget,Manual Calculation\n"
    '1000,1,Materials,,,,"$30,000.00",yes\n'
    "1000,2,Crew,,,,10500,yes\n"
    "2300,3,Excavator,10,day,450,,no\n"
    "3300,4,Concrete sub,,,,0,yes\n"
)


def upload(client, budget_id, text=FILE, name="budget.csv", **extra):
    return client.post(
        f"/api/v1/budgets/{budget_id}/import/",
        {"file": SimpleUploadedFile(name, text.encode()), **extra},
        format="multipart",
    )


def entries(job_id="5000"):
    return sorted(
        (e.kind, e.cost_code.code, e.cost_type_id, e.amount, e.posted)
        for e in ERPBudgetEntry.objects.filter(job__job_id=job_id).select_related("cost_code")
    )


def test_budget_set_up_export_and_update_walk(pm, approver, api_as, project, commit):
    client, acct = api_as(pm), api_as(approver)
    budget = client.post("/api/v1/budgets/", {"project": project.pk}, format="json").json()
    assert (budget["status"], budget["origin"], budget["allowed_steps"]) == ("unlocked", "app", ["lock"])
    url = f"/api/v1/budgets/{budget['id']}"

    # Set up: a dry run counts and writes nothing; the real import writes all four lines.
    dry = upload(client, budget["id"], dry_run="true")
    assert dry.json() == {"new": 4, "updated": 0, "unchanged": 0, "dry_run": True}
    assert not BudgetLineItem.objects.exists()
    assert upload(client, budget["id"]).json() == {"new": 4, "updated": 0, "unchanged": 0, "dry_run": False}
    again = upload(client, budget["id"], FILE.replace("10500", "11000"))
    assert again.json() == {"new": 0, "updated": 1, "unchanged": 3, "dry_run": False}
    assert client.get(f"{url}/").json()["original_total"] == "45500.00"

    # Lock, then send: refused before lock (409), then the first export is the original estimate per line.
    assert client.post(f"{url}/send-to-erp/").status_code == 409
    assert client.post(f"{url}/lock/").json()["allowed_steps"] == ["unlock", "send-to-erp"]
    assert upload(client, budget["id"]).status_code == 409  # import only while unlocked
    sent = client.post(f"{url}/send-to-erp/").json()
    assert (sent["status"], sent["allowed_steps"]) == ("ready_to_export", ["retrieve"])
    request = ERPRequest.objects.get(pk=sent["erp_request"])
    assert [(t["type"], t["cost_code"], t["cost_type"], t["amount"]) for t in request.payload["transactions"]] == [
        ("original_estimate", "1000.000", 1, "30000.00"),
        ("original_estimate", "1000.000", 2, "11000.00"),
        ("original_estimate", "2300.000", 3, "4500.00"),
        ("original_estimate", "3300.000", 4, "0.00"),
    ]
    assert "quantity" not in request.payload["transactions"][0]  # amounts only

    # Retrieve → locked; unlock is possible (never exported, no modifications); lock and send again.
    assert client.post(f"{url}/retrieve/").json()["status"] == "locked"
    assert client.post(f"{url}/unlock/").json()["status"] == "unlocked"
    client.post(f"{url}/lock/")
    sent = client.post(f"{url}/send-to-erp/").json()

    # Reject with a reason → editable again → resend.
    acct.post(f"/api/v1/erp/requests/{sent['erp_request']}/reject/", {"reason": "Concrete sub should be 4,000"})
    rejected = client.get(f"{url}/").json()
    assert (rejected["status"], rejected["rejection_reason"]) == ("rejected", "Concrete sub should be 4,000")
    assert set(rejected["allowed_steps"]) == {"unlock", "resend"}
    client.post(f"{url}/unlock/")
    lines = {
        (line["cost_code"], line["cost_type"]): line for line in client.get(f"{url}/line-items/").json()["results"]
    }
    fix = client.patch(
        f"{url}/line-items/{lines[('3300.000', 4)]['id']}/", {"original_amount": "4000.00"}, format="json"
    )
    assert fix.json()["original_amount"] == "4000.00"
    client.post(f"{url}/lock/")
    resent = client.post(f"{url}/send-to-erp/").json()
    request = ERPRequest.objects.get(pk=resent["erp_request"])
    assert [t["amount"] for t in request.payload["transactions"]][-1] == "4000.00"

    # Accept → exported → awaiting posting; everything waits, each with its reason.
    with commit():
        acct.post(f"/api/v1/erp/requests/{request.pk}/accept/", {})
    waiting = client.get(f"{url}/").json()
    assert (waiting["status"], waiting["erp_id"], waiting["ever_exported"]) == ("awaiting_posting", "5000", True)
    assert waiting["allowed_steps"] == []
    assert entries() == [
        ("original_estimate", "1000.000", 1, Decimal("30000.00"), False),
        ("original_estimate", "1000.000", 2, Decimal("11000.00"), False),
        ("original_estimate", "2300.000", 3, Decimal("4500.00"), False),
        ("original_estimate", "3300.000", 4, Decimal("4000.00"), False),
    ]
    line_ids = {key: line["id"] for key, line in lines.items()}
    refused = client.post(
        f"{url}/modifications/",
        {"from_line": line_ids[("1000.000", 1)], "to_line": line_ids[("1000.000", 2)], "amount": "5"},
        format="json",
    )
    assert refused.status_code == 409 and "post its entries" in refused.json()["detail"]
    partial = client.post(f"{url}/line-items/", {"cost_code": "5100", "cost_type": 4, "partial": True}, format="json")
    assert partial.status_code == 409
    assert client.post(f"{url}/unlock/").status_code == 409
    assert client.post(f"{url}/send-to-erp/").status_code == 409
    assert client.post(f"{url}/mark-posted/").status_code == 403  # a project manager cannot report posting

    # Accounting posts the entries in the ERP (the ledger's Post Entries) → the budget is synced.
    ledger_services.budget_entries_post(job=ERPJob.objects.get(job_id="5000"))
    synced = client.get(f"{url}/").json()
    assert (synced["status"], synced["allowed_steps"]) == ("synced", [])  # nothing to send: no Send offered
    assert client.post(f"{url}/send-to-erp/").status_code == 400  # nothing unsent

    # Updates after export: a partial line, a modification funding it, a $0 line deleted; only these go.
    typed = client.post(
        f"{url}/line-items/",
        {"cost_code": "5100.000", "cost_type": 4, "partial": True, "original_amount": "999"},
        format="json",
    )
    assert typed.status_code == 400 and "no money of its own" in typed.json()["partial"][0]  # never stored as 0
    partial = client.post(f"{url}/line-items/", {"cost_code": "5100", "cost_type": 4, "partial": True}, format="json")
    partial = partial.json()
    assert (partial["partial"], partial["original_amount"]) == (True, "0.00")
    full_line = client.post(
        f"{url}/line-items/", {"cost_code": "5100.000", "cost_type": 1, "original_amount": "5"}, format="json"
    )
    assert full_line.status_code == 409 and "partial line" in full_line.json()["detail"]
    mod = client.post(
        f"{url}/modifications/",
        {
            "from_line": line_ids[("1000.000", 1)],
            "to_line": partial["id"],
            "amount": "2500.00",
            "notes": "Steel moved to sub",
        },
        format="json",
    )
    assert mod.status_code == 201, mod.json()
    undone = client.post(
        f"{url}/modifications/",
        {"from_line": line_ids[("1000.000", 2)], "to_line": partial["id"], "amount": "1.00"},
        format="json",
    ).json()
    assert client.delete(f"{url}/modifications/{undone['id']}/").status_code == 204
    new_zero = client.post(
        f"{url}/line-items/", {"cost_code": "2300.000", "cost_type": 2, "partial": True}, format="json"
    ).json()
    assert client.delete(f"{url}/line-items/{new_zero['id']}/").status_code == 204
    assert client.delete(f"{url}/line-items/{line_ids[('1000.000', 1)]}/").status_code == 409  # has money
    assert client.delete(f"{url}/line-items/{partial['id']}/").status_code == 409  # a modification touches it

    view = {(r["cost_code"], r["cost_type"]): r for r in client.get(f"{url}/line-items/").json()["results"]}
    assert (view[("1000.000", 1)]["modifications_out"], view[("1000.000", 1)]["revised_amount"]) == (
        "2500.00",
        "27500.00",
    )
    assert (view[("5100.000", 4)]["modifications_in"], view[("5100.000", 4)]["revised_amount"]) == (
        "2500.00",
        "2500.00",
    )
    assert view[("5100.000", 4)]["unsent"] and not view[("2300.000", 3)]["unsent"]

    update = client.post(f"{url}/send-to-erp/").json()
    request = ERPRequest.objects.get(pk=update["erp_request"])
    assert [(t["type"], t["cost_code"], t["cost_type"], t["amount"]) for t in request.payload["transactions"]] == [
        ("modification", "1000.000", 1, "-2500.00"),
        ("modification", "5100.000", 4, "2500.00"),
    ]
    with commit():
        acct.post(f"/api/v1/erp/requests/{request.pk}/accept/", {})
    assert client.get(f"{url}/").json()["status"] == "awaiting_posting"
    agent_post = acct.post(f"{url}/mark-posted/")  # an approver (or the agent) may report posting
    assert agent_post.json()["status"] == "synced"
    assert [e for e in entries() if e[0] == "modification"] == [
        ("modification", "1000.000", 1, Decimal("-2500.00"), False),
        ("modification", "5100.000", 4, Decimal("2500.00"), False),
    ]
    # An exported modification cannot be deleted.
    assert client.delete(f"{url}/modifications/{mod.json()['id']}/").status_code == 409
    assert client.delete(f"{url}/line-items/{line_ids[('3300.000', 4)]}/").status_code == 409  # has 4,000


def test_deleting_an_exported_zero_line_exports_the_deletion(pm, approver, api_as, budget, commit):
    client = api_as(pm)
    url = f"/api/v1/budgets/{budget.pk}"
    upload(client, budget.pk)
    client.post(f"{url}/lock/")
    request_id = client.post(f"{url}/send-to-erp/").json()["erp_request"]
    with commit():
        api_as(approver).post(f"/api/v1/erp/requests/{request_id}/accept/", {})
    api_as(approver).post(f"{url}/mark-posted/")
    zero = next(r for r in client.get(f"{url}/line-items/").json()["results"] if r["original_amount"] == "0.00")
    assert client.delete(f"{url}/line-items/{zero['id']}/").status_code == 204
    request_id = client.post(f"{url}/send-to-erp/").json()["erp_request"]
    assert [
        (t["type"], t["cost_code"], t["cost_type"])
        for t in ERPRequest.objects.get(pk=request_id).payload["transactions"]
    ] == [("line_deleted", "3300.000", 4)]
    with commit():
        api_as(approver).post(f"/api/v1/erp/requests/{request_id}/accept/", {})
    assert ("line_deleted", "3300.000", 4, Decimal("0.00"), False) in entries()


def test_import_errors_name_every_row_and_write_nothing(pm, api_as, budget):
    bad = FILE + "9999,1,,,,,5,yes\n1000,1,Again,,,,5,yes\n2300,3,,,,,12.345,yes\n"
    response = upload(api_as(pm), budget.pk, bad)
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [
        (6, "Cost Code"),
        (7, "Cost Type"),
        (8, "Cost Type"),
        (8, "Original Budget"),
    ]
    assert response.json()["errors"][0]["value"] == "9999"
    assert not BudgetLineItem.objects.exists()


def test_a_column_missing_from_a_reimport_leaves_that_field_as_it_is(pm, api_as, budget):
    client = api_as(pm)
    assert upload(client, budget.pk).status_code == 200
    again = "Cost Code,Cost Type,Original Budget\n1000,1,35000\n1000,2,10500\n"
    response = upload(client, budget.pk, again)
    assert response.json() == {"new": 0, "updated": 1, "unchanged": 1, "dry_run": False}
    lines = {(line.cost_code.code, line.cost_type_id): line for line in budget.lines.select_related("cost_code")}
    assert (lines["1000.000", 1].description, lines["1000.000", 1].original_amount) == (
        "Materials",
        Decimal("35000.00"),
    )
    assert lines["1000.000", 2].description == "Crew"
    excavator = lines["2300.000", 3]  # not in the second file: untouched
    assert (excavator.quantity, excavator.uom, excavator.unit_cost) == (Decimal("10"), "day", Decimal("450"))
    # A column that is there but empty is a value: it blanks the description.
    upload(client, budget.pk, "Cost Code,Cost Type,Description,Original Budget\n1000,1,,35000\n")
    assert budget.lines.get(cost_code__code="1000.000", cost_type=1).description == ""


def test_unreadable_file_is_a_400(pm, api_as, budget):
    response = upload(api_as(pm), budget.pk, "x", name="budget.xlsx")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"


def test_export_imports_back_unchanged(pm, api_as, budget):
    client = api_as(pm)
    upload(client, budget.pk)
    for fmt in ("csv", "xlsx"):
        exported = client.get(f"/api/v1/budgets/{budget.pk}/export/?format={fmt}")
        assert exported.status_code == 200
        assert exported["Content-Disposition"].endswith(f'.{fmt}"')
        response = client.post(
            f"/api/v1/budgets/{budget.pk}/import/",
            {"file": SimpleUploadedFile(f"b.{fmt}", exported.content)},
            format="multipart",
        )
        assert response.json() == {"new": 0, "updated": 0, "unchanged": 4, "dry_run": False}, fmt
    header = client.get(f"/api/v1/budgets/{budget.pk}/export/?format=csv").content.decode().splitlines()[0]
    assert header == "Cost Code,Cost Type,Description,Unit Qty,UOM,Unit Cost,Original Budget,Manual Calculation"
    assert client.get(f"/api/v1/budgets/{budget.pk}/export/?format=pdf").status_code == 400


def test_send_needs_a_synced_project(pm, api_as, cost_codes):
    from tests.jobs.factories import ProjectFactory

    project = ProjectFactory()
    client = api_as(pm)
    budget = client.post("/api/v1/budgets/", {"project": project.pk}, format="json").json()
    client.post(f"/api/v1/budgets/{budget['id']}/lock/")
    response = client.post(f"/api/v1/budgets/{budget['id']}/send-to-erp/")
    assert response.status_code == 400
    assert "is not synced with the ERP" in response.json()["project"][0]
    assert client.post("/api/v1/budgets/", {"project": project.pk}, format="json").status_code == 400


def test_unlock_refused_with_modifications(pm, api_as, budget):
    client = api_as(pm)
    url = f"/api/v1/budgets/{budget.pk}"
    upload(client, budget.pk)
    client.post(f"{url}/lock/")
    ids = [r["id"] for r in client.get(f"{url}/line-items/").json()["results"]]
    client.post(f"{url}/modifications/", {"from_line": ids[0], "to_line": ids[1], "amount": "10"}, format="json")
    response = client.post(f"{url}/unlock/")
    assert response.status_code == 409 and "modifications" in response.json()["detail"]


@pytest.mark.parametrize(("amount", "field"), [("0", "amount"), ("-5", "amount"), ("1.005", "amount")])
def test_modification_amount_rules(pm, api_as, budget, amount, field):
    client = api_as(pm)
    url = f"/api/v1/budgets/{budget.pk}"
    upload(client, budget.pk)
    client.post(f"{url}/lock/")
    ids = [r["id"] for r in client.get(f"{url}/line-items/").json()["results"]]
    response = client.post(
        f"{url}/modifications/", {"from_line": ids[0], "to_line": ids[1], "amount": amount}, format="json"
    )
    assert response.status_code == 400 and field in response.json()
    same = client.post(f"{url}/modifications/", {"from_line": ids[0], "to_line": ids[0], "amount": "5"}, format="json")
    assert same.status_code == 400


def test_viewer_cannot_touch_a_budget(viewer, api_as, budget):
    client = api_as(viewer)
    assert client.get(f"/api/v1/budgets/{budget.pk}/").status_code == 200
    assert client.post(f"/api/v1/budgets/{budget.pk}/lock/").status_code == 403
    assert upload(client, budget.pk).status_code == 403


def test_budget_from_the_erp_path_a(pm, approver, api_as, project, commit):
    job = ERPJob.objects.get(job_id="5000")
    from apps.ledger.models import ERPBudgetEntry as Entry
    from apps.ledger.models import ERPCostCode

    for code, cost_type, amount in (("1000.000", 1, "1200.00"), ("2300.000", 3, "800.00"), ("3300.000", 4, "0.00")):
        Entry.objects.create(
            job=job,
            cost_code=ERPCostCode.objects.get(code=code),
            cost_type_id=cost_type,
            kind="original_estimate",
            amount=Decimal(amount),
            key=uuid.uuid4(),
            posted=True,
        )
    staged = ledger_services.estimate_stage(job=job)
    assert [line["cost_code"] for line in staged.data["lines"]] == ["1000.000", "2300.000"]  # lines above $0 only
    response = api_as(approver).post(f"/api/v1/erp/staged-records/{staged.pk}/add-to-app/")
    assert response.status_code == 200, response.json()
    budget = Budget.objects.get(project=project)
    assert (budget.origin, budget.status) == ("erp", "synced")
    assert budget.lines.count() == 2
    client = api_as(pm)
    detail = client.get(f"/api/v1/budgets/{budget.pk}/").json()
    assert detail["allowed_steps"] == []
    refused = client.post(f"/api/v1/budgets/{budget.pk}/send-to-erp/")
    assert refused.status_code == 409 and "read-only here" in refused.json()["detail"]
    assert (
        client.post(
            f"/api/v1/budgets/{budget.pk}/line-items/",
            {"cost_code": "5100.000", "cost_type": 1, "partial": True},
            format="json",
        ).status_code
        == 409
    )

    # Re-import takes later ERP changes.
    Entry.objects.create(
        job=job,
        cost_code=ERPCostCode.objects.get(code="1000.000"),
        cost_type_id=1,
        kind="modification",
        amount=Decimal("300.00"),
        key=uuid.uuid4(),
        posted=True,
    )
    staged = ledger_services.estimate_stage(job=job)
    assert StagedRecord.objects.get(pk=staged.pk).status == "staged"
    api_as(approver).post(f"/api/v1/erp/staged-records/{staged.pk}/add-to-app/")
    assert budget.lines.get(cost_code__code="1000.000").original_amount == Decimal("1500.00")


def test_erp_estimate_refused_for_a_budget_with_lines_made_here(pm, approver, api_as, budget):
    upload(api_as(pm), budget.pk)
    staged = StagedRecord.objects.create(
        kind="estimate",
        erp_id="5000",
        label="Estimate",
        data={"name": "", "lines": [{"cost_code": "1000", "cost_type": 1, "amount": "5.00", "description": ""}]},
    )
    response = api_as(approver).post(f"/api/v1/erp/staged-records/{staged.pk}/add-to-app/")
    assert response.status_code == 409 and "lines created here" in response.json()["detail"]


def test_import_command_for_large_files(pm, budget, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "budget.csv"
    path.write_text(FILE)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_budget", "5000", str(path), "--user", "pm", stdout=out, stderr=err)
    assert "4 new, 0 updated, 0 unchanged" in out.getvalue()
    assert "Writing new lines" in err.getvalue()
    assert budget.lines.count() == 4
    path.write_text(FILE + "9999,1,,,,,5,yes\n")
    with pytest.raises(CommandError, match="Nothing was imported: 1 problem"):
        call_command("import_budget", "5000", str(path), "--user", "pm", stdout=out, stderr=err)
    assert "row 6, Cost Code '9999'" in err.getvalue()


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the user's permissions are cached after the first call, as in a session
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_budget_list_keeps_a_constant_query_count(pm, api_as, cost_codes):
    from apps.budgets import services
    from tests.jobs.factories import ProjectCostCodeFactory

    def add(n):
        for _ in range(n):
            pcc = ProjectCostCodeFactory(cost_code=cost_codes[0], cost_types=[1, 2])
            budget = services.budget_create(project=pcc.project, user=pm)
            for cost_type in pcc.cost_types.all():
                services.budget_line_add(budget=budget, user=pm, cost_code=cost_codes[0], cost_type=cost_type)

    add(1)
    few = _count_queries(api_as(pm), "/api/v1/budgets/")
    add(5)
    assert _count_queries(api_as(pm), "/api/v1/budgets/") == few


def test_line_list_keeps_a_constant_query_count(pm, api_as, budget):
    client = api_as(pm)
    url = f"/api/v1/budgets/{budget.pk}/line-items/"
    upload(client, budget.pk, FILE.splitlines()[0] + "\n" + FILE.splitlines()[1] + "\n")
    few = _count_queries(client, url)
    upload(client, budget.pk)
    client.post(f"/api/v1/budgets/{budget.pk}/lock/")
    ids = [r["id"] for r in client.get(url).json()["results"]]
    client.post(
        f"/api/v1/budgets/{budget.pk}/modifications/",
        {"from_line": ids[0], "to_line": ids[1], "amount": "5"},
        format="json",
    )
    assert _count_queries(client, url) == few


def test_import_without_a_file_names_the_field(pm, api_as, budget):
    response = api_as(pm).post(f"/api/v1/budgets/{budget.pk}/import/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
