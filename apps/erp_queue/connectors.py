"""The one door to the ERP. Which connector runs is a setting; only connectors touch the ERP side."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass
class ExportResult:
    ok: bool
    erp_ids: dict = field(default_factory=dict)
    messages: list = field(default_factory=list)


class Connector:
    """Writes accepted requests into the ERP and reads what the ERP keeps (standard cost codes).

    Master data the agent API reports (`take_*`) is what the ERP holds: a connector whose ERP is
    not the agent's writes it into its ERP too. The reads (`missing_cost_codes`, `holds_*`) answer
    the checks made when a record is sent and accepted; None means "not known here": the agent's
    ERP is then checked from what the agent reported, and the agent's own refusal is the last word.
    """

    name = ""
    #: Export right after the accept commits, in the same process.
    exports_inline = False

    def export(self, request):
        """Write the request's payload into the ERP, idempotently on request.idempotency_key."""
        raise NotImplementedError

    def fetch_cost_codes(self):
        """The ERP's standard cost codes, or None when the ERP pushes them instead."""
        return None

    def fetch_vendor_types(self):
        """The ERP's vendor types as [{code, name}], or None when the agent pushes them instead."""
        return None

    def take_cost_code(self, *, code, description, division):
        """The agent reported a standard cost code."""

    def take_cost_type(self, *, code, name):
        """The agent reported the name of a cost type."""

    def take_vendor_type(self, *, code, name):
        """The agent reported a vendor type."""

    def take_staged(self, *, kind, erp_id, data):
        """The agent reported a record the ERP holds, waiting under Ready to Import (a job, a vendor)."""

    def missing_cost_codes(self, codes):
        """Those of `codes` the ERP's cost code list does not have."""
        return []

    def holds_job(self, job_id):
        """Whether the ERP has a job `job_id`; None when not known here."""
        return None

    def holds_vendor(self, vendor_id):
        """Whether the ERP has a vendor `vendor_id`; None when not known here."""
        return None

    def holds_commitment(self, *, job_id, kind, number):
        """Whether ERP job `job_id` has a commitment of `kind` numbered `number`; None when not known here."""
        return None

    def holds_change_order(self, *, job_id, kind, commitment_number, number):
        """Whether that ERP commitment has a change order `number`; None when not known here."""
        return None


class AgentConnector(Connector):
    """An external agent next to Sage claims accepted requests through the API and reports back."""

    name = "agent"

    def export(self, request):
        raise RuntimeError("In agent mode the agent exports: it claims requests through the API.")


def get_connector():
    return import_string(settings.ERP_CONNECTORS[settings.ERP_CONNECTOR])()
