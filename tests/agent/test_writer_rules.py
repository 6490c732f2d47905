"""The SQLite Sage's rules, called directly: Sage's refusals in its words, and each idempotency key written once."""

import uuid

import pytest

from erp_agent import sage_db
from erp_agent.sage_writer import SqliteSageWriter
from erp_agent.writers import WriterSpecError, load_writer


@pytest.fixture
def writer(tmp_path):
    """A stand-in holding cost codes 1000 and 2300, vendor type 1, job 5000 (1000/1, 2300/4) and vendor 2001."""
    path = tmp_path / "sage.sqlite3"
    with sage_db.create(path) as connection:
        sage_db.put_cost_code(connection, "1000", "General")
        sage_db.put_cost_code(connection, "2300", "Earthwork")
        sage_db.put_vendor_type(connection, 1, "Subcontractor")
        codes = [{"code": "1000", "cost_types": [1]}, {"code": "2300", "cost_types": [4]}]
        sage_db.put_job(connection, "5000", {"name": "Tower"}, codes)
        sage_db.put_vendor(connection, "2001", {"name": "Sierra Drywall", "vendor_type": "1"})
    return SqliteSageWriter(path)


def request(kind, payload, **inputs):
    return {"id": 1, "kind": kind, "payload": payload, "inputs": inputs, "idempotency_key": str(uuid.uuid4())}


def job(job_id="4100", **fields):
    payload = {"number": "P-1", "name": "Clinic", "state": "CA", "cost_codes": [{"code": "1000", "cost_types": [1]}]}
    return request("job", {**payload, **fields}, erp_job_id=job_id)


def commitment(**fields):
    line = {"line_number": 1, "cost_code": "2300", "cost_type": 4, "description": "Dig", "amount": "100.00"}
    payload = {"type": "subcontract", "job_id": "5000", "number": "SC-001", "title": "Site", "vendor_id": "2001"}
    return request("commitment", {**payload, "accounting_method": "amount", "lines": [line], **fields})


def test_a_repeated_key_is_answered_with_the_first_result_and_not_written_again(writer):
    first = job()
    assert writer.lookup(first["idempotency_key"]) is None
    assert writer.write(first).erp_ids == {"job_id": "4100"}
    again = writer.write({**first, "inputs": {"erp_job_id": "4101"}})
    assert again.erp_ids == {"job_id": "4100"}
    assert writer.lookup(first["idempotency_key"]).erp_ids == {"job_id": "4100"}
    assert writer.connection.execute("SELECT COUNT(*) FROM jobs WHERE source = 'exported'").fetchone()[0] == 1


@pytest.mark.parametrize(
    ("the_request", "message"),
    [
        (job("5000"), "Job 5000 already exists in the ERP. Enter another job code."),
        (job("41-00"), "'41-00' is not a valid ERP job id: digits only"),
        (job(name="x" * 76), "The ERP allows at most 75 characters for the job name; this has 76."),
        (job(cost_codes=[{"code": "9999", "cost_types": [1]}]), "Cost code 9999 is not in the ERP's cost code list."),
        (job(cost_codes=[{"code": "1000", "cost_types": []}]), "Cost code 1000 has no cost type."),
        (
            request("vendor", {"name": "A" * 31}, erp_vendor_id="2002", vendor_type="1"),
            "The ERP takes at most 30 characters for the company name",
        ),
        (request("vendor", {"name": "B"}, erp_vendor_id="2001", vendor_type="1"), "Vendor 2001 already exists"),
        (request("vendor", {"name": "B"}, erp_vendor_id="2002", vendor_type="7"), "Vendor type '7' is not one"),
        (commitment(job_id="4999"), "Job 4999 is not in the ERP: export the project first."),
        (commitment(vendor_id="9"), "Vendor 9 is not in the ERP: link or export the vendor first."),
        (commitment(type="purchase_order"), "a purchase order must be unit/quantity based"),
        (commitment(number="SC-0000000001"), "at most 12 characters for a commitment number"),
        (
            commitment(lines=[{"line_number": 1, "cost_code": "1000", "cost_type": 4, "amount": "1"}]),
            "Cost code 1000.000 with cost type 4 is not on job 5000: add it to the job first.",
        ),
        (
            request("budget", {"job_id": "4999", "transactions": []}),
            "Job 4999 is not in the ERP: export the project first.",
        ),
        (
            request("change_order", {"job_id": "5000", "commitment_type": "subcontract", "commitment_number": "X"}),
            "Commitment X is not in the ERP on job 5000.",
        ),
        (request("estimate", {}), "The ERP writer cannot take estimate records."),
    ],
)
def test_sage_refuses_what_breaks_its_rules_and_writes_nothing(writer, the_request, message):
    result = writer.write(the_request)
    assert not result.ok
    assert any(message in m for m in result.messages), result.messages
    assert writer.lookup(the_request["idempotency_key"]) is None


def test_a_retry_under_another_number_and_the_number_taken(writer):
    assert writer.write(commitment()).erp_ids == {"job_id": "5000", "number": "SC-001"}
    taken = writer.write(commitment())
    assert taken.messages == ["Subcontract SC-001 already exists on job 5000. Enter another number."]
    renumbered = commitment()
    renumbered["inputs"] = {"number": "SC-002"}
    assert writer.write(renumbered).erp_ids == {"job_id": "5000", "number": "SC-002"}


def test_change_orders_one_change_per_line_and_a_subcontract_adds_no_lines(writer):
    writer.write(commitment())
    base = {"job_id": "5000", "commitment_type": "subcontract", "commitment_number": "SC-001", "number": "001"}
    change = {"line_number": 1, "cost_code": "2300", "cost_type": 4, "amount": "50.00", "description": ""}
    new_line = {**change, "line_number": None}
    refused = writer.write(request("change_order", {**base, "description": "", "lines": [change, change, new_line]}))
    assert refused.messages == [
        "Line 1 is changed more than once: the ERP takes one change per commitment line per change order.",
        "A subcontract change order changes existing lines only; it cannot add lines.",
    ]
    written = writer.write(request("change_order", {**base, "description": "More", "lines": [change]}))
    assert written.erp_ids == {"job_id": "5000", "commitment_number": "SC-001", "number": "001"}
    raised = writer.connection.execute("SELECT amount FROM budget_entries WHERE kind = 'commitment_change'").fetchall()
    assert [tuple(row) for row in raised] == [("50.00",)]


def test_a_budget_transaction_is_entered_once_even_under_two_keys(writer):
    row = {"key": str(uuid.uuid4()), "type": "original_estimate", "cost_code": "1000", "cost_type": 1, "amount": "5"}
    payload = {"job_id": "5000", "transactions": [row]}
    assert writer.write(request("budget", payload)).erp_ids == {"job_id": "5000", "entries": "1"}
    assert writer.write(request("budget", payload)).erp_ids == {"job_id": "5000", "entries": "0"}


def test_the_writer_option_names_the_stand_in_or_a_class(tmp_path, writer):
    assert isinstance(load_writer(f"sqlite:{writer.path}"), SqliteSageWriter)
    loaded = load_writer(f"tests.agent.writers:KillAfterWrite:{writer.path}")
    assert type(loaded).__name__ == "KillAfterWrite"
    for spec in ("nothing", "no.such.module:Writer", "erp_agent.writers:Missing"):
        with pytest.raises(WriterSpecError):
            load_writer(spec)
    with pytest.raises(FileNotFoundError, match="init-sage"):
        load_writer(f"sqlite:{tmp_path / 'missing.sqlite3'}")
