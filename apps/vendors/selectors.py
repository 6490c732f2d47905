from collections import defaultdict

from apps.erp_queue import selectors as erp_selectors
from apps.erp_queue import services as erp_services
from apps.erp_queue.registry import Suggestion
from apps.erp_queue.selectors import latest_request_id
from apps.vendors import matching
from apps.vendors.models import Company, VendorType


def company_list():
    """Companies with what their API and admin show, in a fixed number of queries."""
    return Company.objects.annotate(erp_request_id=latest_request_id(Company)).prefetch_related("projects")


def company_get(pk):
    return company_list().get(pk=pk)


def linkable_companies():
    """Companies that may be linked to an ERP vendor: not linked, and not waiting in the ERP queue."""
    return Company.objects.filter(erp_status__in=Company.LINKABLE_STATUSES)


def vendor_type_list():
    """The ERP's vendor types [{code, name}]: read from the ERP if the connector can, else as the agent pushed them."""
    types = erp_services.erp_vendor_types()
    if types is None:
        types = VendorType.objects.values("code", "name")
    return [{"code": str(t["code"]), "name": t["name"]} for t in types]


def vendor_suggestions(staged_records):
    """{staged pk: [Suggestion]}: the linkable companies that may be each ERP vendor, in one query for all."""
    by_name, by_tax_id = defaultdict(list), defaultdict(list)
    for company in linkable_companies().values("id", "name", "tax_id"):
        by_name[matching.name_key(company["name"])].append(company)
        by_tax_id[matching.tax_id_key(company["tax_id"])].append(company)
    by_name.pop("", None)
    by_tax_id.pop("", None)
    suggestions = {}
    for staged in staged_records:
        name, tax_id = staged.data.get("name", ""), staged.data.get("tax_id", "")
        candidates = {
            c["id"]: c
            for c in [*by_name.get(matching.name_key(name), []), *by_tax_id.get(matching.tax_id_key(tax_id), [])]
        }
        found = [
            Suggestion(target_id=c["id"], label=c["name"], reasons=tuple(reasons))
            for c in candidates.values()
            if (reasons := matching.match_reasons(erp_name=name, erp_tax_id=tax_id, name=c["name"], tax_id=c["tax_id"]))
        ]
        suggestions[staged.pk] = sorted(found, key=lambda s: (s.label.casefold(), s.target_id))
    return suggestions


def erp_vendor_matches(company):
    """The ERP vendors waiting under Ready to Import that may be this company, with why: [(staged, reasons)]."""
    if company.erp_status not in Company.LINKABLE_STATUSES:
        return []
    waiting = erp_selectors.staged_records(Company, waiting=True)
    matches = []
    for staged in waiting:
        reasons = matching.match_reasons(
            erp_name=staged.data.get("name", ""),
            erp_tax_id=staged.data.get("tax_id", ""),
            name=company.name,
            tax_id=company.tax_id,
        )
        if reasons:
            matches.append((staged, reasons))
    return matches


def vendor_id_holder(erp_id, *, exclude_pk=None):
    """The company here linked to ERP vendor `erp_id`, other than `exclude_pk`, if any."""
    return Company.objects.filter(erp_id=erp_id).exclude(pk=exclude_pk).first()


def vendor_id_conflict(erp_id, *, company_id):
    """Why company `company_id` cannot be exported as ERP vendor `erp_id`, or None.

    The id must be new to the ERP: no company here holds it, the ERP has not reported a vendor with it
    (staged under Ready to Import, even archived), and the connector's ERP does not have it.
    """
    holder = vendor_id_holder(erp_id, exclude_pk=company_id)
    if holder is not None:
        return f"ERP vendor {erp_id} is already linked to {holder} here; type another vendor id."
    staged = erp_selectors.staged_records(Company).filter(erp_id=erp_id).first()
    if staged is not None:
        return (
            f"The ERP already has vendor {erp_id} ({staged.label}); type another vendor id, or reject this "
            "request and link the company to that ERP vendor."
        )
    if erp_services.erp_holds_vendor(erp_id):
        return f"Vendor {erp_id} already exists in the ERP; type another vendor id."
    return None
