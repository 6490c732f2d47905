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
    """Writes accepted requests into the ERP and reads what the ERP keeps (standard cost codes)."""

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


class AgentConnector(Connector):
    """An external agent next to Sage claims accepted requests through the API and reports back."""

    name = "agent"

    def export(self, request):
        raise RuntimeError("In agent mode the agent exports: it claims requests through the API.")


def get_connector():
    return import_string(settings.ERP_CONNECTORS[settings.ERP_CONNECTOR])()
