"""The demo data loads in both connector modes and leaves the same app behind: in agent mode the ERP's
master data is reported as the agent reports it, and the demo's accepted exports are reported back."""

from io import StringIO

import pytest
from django.core.management import call_command

from apps.commitments.models import Commitment
from apps.erp_queue.models import ERPRequest, StagedRecord
from apps.jobs.models import CostCode, Project
from apps.ledger.models import ERPCostCode, ERPJob
from apps.vendors.models import Company

# Committed for real, as `make run` does: the ledger exports each accept once it commits.
pytestmark = pytest.mark.django_db(transaction=True)


def _app_state():
    return {
        "requests": sorted(ERPRequest.objects.values_list("kind", "status", "record_label")),
        "staged": sorted(StagedRecord.objects.values_list("kind", "erp_id", "status")),
        "projects": sorted(Project.objects.values_list("number", "erp_status", "erp_id", "erp_cost_codes")),
        "companies": sorted(Company.objects.values_list("name", "erp_status", "erp_id", "vendor_type")),
        "commitments": sorted(Commitment.objects.values_list("number", "erp_status", "erp_id")),
        "cost_codes": sorted(CostCode.objects.values_list("code", flat=True)),
    }


@pytest.mark.parametrize("connector", ["ledger", "agent"])
def test_the_demo_loads_twice_and_its_synced_records_hold_their_erp_ids(connector, settings):
    settings.ERP_CONNECTOR = connector
    call_command("demo_data", stdout=StringIO())
    first = _app_state()
    call_command("demo_data", stdout=StringIO())  # again: nothing doubles
    assert _app_state() == first
    assert ("2403", "synced", "2403", {"1100.000": [2], "5100.000": [1, 4], "9250.000": [4]}) in first["projects"]
    assert ("Sierra Drywall", "synced", "1003", "1") in first["companies"]
    assert ("SC-001", "synced", "SC-001") in first["commitments"]
    assert ("job", "3001", "staged") in first["staged"]
    assert len(first["cost_codes"]) == 10
    assert not ERPRequest.objects.filter(status=ERPRequest.Status.EXPORTING).exists()
    # The embedded ledger is the ERP only in ledger mode; in agent mode Sage is the agent's.
    assert ERPJob.objects.filter(job_id="2403").exists() == (connector == "ledger")
    assert ERPCostCode.objects.exists() == (connector == "ledger")
