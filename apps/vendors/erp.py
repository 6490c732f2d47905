"""How companies plug into the ERP queue: the vendor exporter, and the ERP-vendor importer that also links."""

from django import forms
from rest_framework import serializers

from apps.core import erp_profile
from apps.core.api.serializers import flatten_errors
from apps.core.exceptions import ValidationError
from apps.core.workflow import Step
from apps.erp_queue import services as erp_services
from apps.erp_queue.registry import Exporter, Importer
from apps.vendors import selectors, services
from apps.vendors.models import Company


def _vendor_type_choices():
    return [(t["code"], f"{t['code']} {t['name']}") for t in selectors.vendor_type_list()]


class VendorAcceptForm(forms.Form):
    vendor_type = forms.ChoiceField(label="ERP vendor type", help_text="The vendor type the ERP files it under.")
    erp_vendor_id = forms.CharField(
        label="ERP vendor id",
        max_length=10,
        help_text=f"The Sage vendor number to create, one the ERP does not have yet: {erp_profile.VENDOR_ID_RULE}.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The ERP's list, read when the form is shown: accounting may add types at any time.
        self.fields["vendor_type"].choices = [("", "---------"), *_vendor_type_choices()]


def vendor_type_names():
    """{vendor type code: name} as the ERP lists them: how a vendor type reads on the approver's pages."""
    return {"vendor_type": {t["code"]: t["name"] for t in selectors.vendor_type_list()}}


class VendorExporter(Exporter):
    """A company created here becomes an ERP vendor; the approver picks its vendor type and id on accept."""

    kind = "vendor"
    label = "Vendor"
    model = Company
    accept_form = VendorAcceptForm
    payload_names = staticmethod(vendor_type_names)
    steps = (
        *erp_services.export_steps(
            Company,
            noun="company",
            send_summary="Send the company to the accounting queue to become an ERP vendor",
            send_help="Accounting reviews the company and, on accept, creates a Sage vendor with the vendor type and "
            "id they choose. If the ERP already has this vendor, link it instead (ERP Integrations → Staged ERP "
            "records).",
            retrieve_help="Takes the company back before accounting decides, so that it can be edited.",
        ),
        Step(
            "unlink",
            "Unlink from ERP vendor",
            Company.unlink,
            lambda company, user, data: services.company_unlink(company=company, user=user),
            "{obj} is unlinked: its ERP vendor waits under Ready to Import to be linked or added again.",
            summary="Unlink the company from its ERP vendor",
            description="Both sides return to unlinked; the ERP vendor waits under Ready to Import again.",
            help="Both sides return to unlinked; the company's fields become editable here again.",
            danger=True,
        ),
    )

    def payload(self, company):
        return company.integrated_values()

    def check(self, company, payload):
        problems = erp_profile.vendor_field_problems(payload)
        if not company.is_active:
            problems["is_active"] = "An inactive company cannot be sent to the ERP; make it active first."
        if problems:
            raise ValidationError(problems)

    def clean_inputs(self, *, request, inputs):
        problems = {}
        erp_vendor_id = inputs.get("erp_vendor_id")
        problem = erp_profile.vendor_id_problem(erp_vendor_id) or selectors.vendor_id_conflict(
            erp_vendor_id, company_id=request.object_id
        )
        if problem:
            problems["erp_vendor_id"] = problem
        vendor_type = str(inputs.get("vendor_type") or "").strip()
        choices = _vendor_type_choices()
        if not choices:
            problems["vendor_type"] = (
                "The ERP's vendor types are not known yet: the connector agent reports them "
                "(POST /api/v1/erp/vendor-types/)."
            )
        elif vendor_type not in dict(choices):
            known = ", ".join(label for _, label in choices)
            problems["vendor_type"] = (
                f"'{vendor_type}' is not one of the ERP's vendor types ({known})."
                if vendor_type
                else f"Pick the ERP vendor type: {known}."
            )
        if problems:
            raise ValidationError(problems)
        return {"erp_vendor_id": str(erp_vendor_id), "vendor_type": vendor_type}

    def expected_erp_ids(self, request):
        return {"vendor_id": request.inputs.get("erp_vendor_id")}

    def synced_fields(self, company, request):
        """The vendor id the connector reported: a valid one that no other company holds (else 400)."""
        erp_id = request.erp_ids.get("vendor_id")
        problem = erp_profile.vendor_id_problem(erp_id)
        if problem is None and selectors.vendor_id_holder(erp_id, exclude_pk=company.pk) is not None:
            problem = f"ERP vendor {erp_id} already belongs to another company here."
        if problem:
            raise ValidationError({"erp_ids": [f"vendor_id: {problem}"]})
        return {"erp_id": str(erp_id), "vendor_type": request.inputs.get("vendor_type", "")}


class ERPVendorDataSerializer(serializers.Serializer):
    """A vendor as the ERP stages it under Ready to Import."""

    name = serializers.CharField(max_length=erp_profile.VENDOR_NAME_LIMIT)
    vendor_type = serializers.CharField(max_length=10, allow_blank=True, required=False, default="")
    address = serializers.CharField(max_length=255, allow_blank=True, required=False, default="")
    city = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    state = serializers.CharField(max_length=50, allow_blank=True, required=False, default="")
    zip = serializers.CharField(max_length=20, allow_blank=True, required=False, default="")
    tax_id = serializers.CharField(
        max_length=erp_profile.VENDOR_TAX_ID_LIMIT, allow_blank=True, required=False, default=""
    )


class VendorImporter(Importer):
    """An ERP vendor under Ready to Import is linked to a company here, or added as a new one."""

    kind = "vendor"
    label = "Vendor"
    model = Company
    can_link = True
    payload_names = staticmethod(vendor_type_names)

    def clean_data(self, data):
        serializer = ERPVendorDataSerializer(data=data)
        if not serializer.is_valid():
            raise ValidationError({"data": flatten_errors(serializer.errors)})
        return dict(serializer.validated_data)

    def record_label(self, data):
        return data.get("name", "")

    def add_to_app(self, *, staged, user):
        return services.company_import_from_erp(erp_id=staged.erp_id, data=staged.data, user=user)

    def suggestions(self, staged_records):
        return selectors.vendor_suggestions(staged_records)

    def link_form(self, staged):
        suggested = self.suggestions([staged]).get(staged.pk, [])

        class CompanyLinkForm(forms.Form):
            target = forms.ModelChoiceField(
                queryset=selectors.linkable_companies(),
                label="Company",
                initial=suggested[0].target_id if len(suggested) == 1 else None,
                help_text="The company here that is this ERP vendor. Its name, address and tax id take the ERP's "
                "values and become read-only here.",
            )

        return CompanyLinkForm

    def link(self, *, staged, target_id, user):
        return services.company_link(company_id=target_id, erp_id=staged.erp_id, data=staged.data, user=user)
