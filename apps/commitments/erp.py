"""How commitments plug into the ERP queue: the commitment number is the ERP's id; a retry may correct it."""

from django import forms
from django.core.mail import send_mail
from django.db import transaction

from apps.commitments import services
from apps.commitments.models import Commitment
from apps.commitments.selectors import project_assignments
from apps.core import erp_profile
from apps.core.exceptions import ValidationError
from apps.core.workflow import Step
from apps.erp_queue import services as erp_services
from apps.erp_queue.registry import Exporter
from apps.jobs.models import Project
from apps.jobs.selectors import cost_type_payload_names, pending_pairs_problem
from apps.vendors.models import Company


def vendor_linked(vendor):
    return vendor.erp_status == Company.ERPStatus.SYNCED and bool(vendor.erp_id)


def project_problem(project):
    """Why a record of `project` cannot go to the ERP yet, or None."""
    if project.erp_status != Project.ERPStatus.SYNCED:
        return (
            f"Project {project} is not synced with the ERP ({project.get_erp_status_display().lower()}); "
            "send the project first."
        )
    return None


def unassigned_lines(project, lines):
    """Why each of `lines` (label, line) is not on the project's cost codes and types; empty when all are."""
    assigned = project_assignments(project)
    problems = [services.assignment_problem(assigned, line.cost_code, line.cost_type, label) for label, line in lines]
    return [p for p in problems if p]


def line_pairs(payload):
    """The (cost code, cost type) of every line of a commitment's or change order's payload."""
    return [(line["cost_code"], line["cost_type"]) for line in payload["lines"]]


class NumberForm(forms.Form):
    number = forms.CharField(
        label="Number in the ERP",
        required=False,
        max_length=64,
        help_text="Leave empty to export under the number sent; type another when the ERP says that one is taken.",
    )


class NumberedExporter(Exporter):
    """Commitments and their change orders: the ERP files them under their number; a rejection tells the creator.

    When the ERP refuses the number (already taken on the job), the approver's retry takes another: it is
    exported under that number (`inputs["number"]`, over the payload's) and the record here takes it on sync.
    """

    retry_form = NumberForm
    payload_names = staticmethod(cost_type_payload_names)
    #: The ERP's width for the number.
    number_limit = None

    def number_holder(self, record, number):
        """Another record here that has `number` where `record` would take it, or None."""
        raise NotImplementedError

    def erp_number_holder(self, payload, number):
        """How the ERP names what already has `number` where this record would take it ("Subcontract SC-1 on
        ERP job 4100"), or None when the number is free or the connector cannot tell."""
        raise NotImplementedError

    def erp_problems(self, payload, inputs=None):
        """The ERP job and vendor are still there, every cost code is the ERP's, the number is free there."""
        problems = {}
        if problem := erp_services.erp_job_problem(payload.get("job_id")):
            problems["project"] = problem
        if problem := erp_services.erp_vendor_problem(payload.get("vendor_id")):
            problems["vendor"] = problem
        if problem := erp_services.erp_cost_code_problem([line["cost_code"] for line in payload.get("lines", [])]):
            problems["lines"] = problem
        number = (inputs or {}).get("number") or payload.get("number")
        if number and "project" not in problems and (holder := self.erp_number_holder(payload, number)):
            then = (
                "give it another number here before sending it"
                if inputs is None
                else "reject it, saying so, for the sender to renumber it and resend"
            )
            problems["number"] = f"{holder} already exists in the ERP: {then}."
        return problems

    def clean_inputs(self, *, request, inputs):
        # Left empty: the number typed at an earlier retry (if any) stands, else the one sent.
        number = str(inputs.get("number") or "").strip() or request.inputs.get("number", "")
        if not number:
            return {}
        record = self.model.objects.get(pk=request.object_id)
        if len(number) > self.number_limit:
            problem = f"The ERP takes at most {self.number_limit} characters here; '{number}' has {len(number)}."
        elif holder := self.number_holder(record, number):
            problem = f"{holder} already has the number {number} here. Enter another number."
        else:
            return {"number": number}
        raise ValidationError({"number": problem})

    def number(self, request):
        """The number the record is exported under: the one typed on retry, else the one it was sent with."""
        return request.inputs.get("number") or request.payload["number"]

    def expected_erp_ids(self, request):
        return {**super().expected_erp_ids(request), "number": self.number(request)}

    def synced_fields(self, record, request):
        """The number the ERP filed the record under, which the record here takes too."""
        number = str(request.erp_ids.get("number") or self.number(request))
        limit = record._meta.get_field("erp_id").max_length
        if len(number) > limit:
            raise ValidationError({"erp_ids": [f"number: '{number}' is longer than {limit} characters."]})
        if number != record.number and self.number_holder(record, number) is not None:
            # Taken here since the retry was typed: the ERP's number is still its erp_id; the local one stays.
            return {"erp_id": number}
        return {"erp_id": number, "number": number}

    def rejected(self, record, request):
        """Accounting rejected the record: its creator, who fixes and resends it, is told why (after commit)."""
        creator = record.created_by
        if creator is None or not creator.email:
            return
        subject = f"Accounting rejected {record}"
        body = f"{record} was sent back by accounting and can be edited and resent.\n\nReason: {request.reason}\n"
        transaction.on_commit(lambda: send_mail(subject, body, None, [creator.email], fail_silently=True))


def _status_step(transition, name, label, done, summary, **kwargs):
    return Step(
        name,
        label,
        transition,
        lambda commitment, user, data: services.commitment_move(
            commitment=commitment, user=user, transition=transition
        ),
        done,
        summary=summary,
        **kwargs,
    )


class CommitmentExporter(NumberedExporter):
    """An approved subcontract or purchase order is written into the ERP job under its number."""

    kind = "commitment"
    label = "Commitment"
    model = Commitment
    record_key = "commitment"
    number_limit = erp_profile.COMMITMENT_NUMBER_LIMIT
    steps = (
        _status_step(
            Commitment.put_out_for_bid,
            "out-for-bid",
            "Out for bid",
            "{obj} is out for bid.",
            "Put the commitment out for bid",
        ),
        _status_step(
            Commitment.put_out_for_signature,
            "out-for-signature",
            "Out for signature",
            "{obj} is out for signature.",
            "Put the commitment out for signature",
        ),
        _status_step(
            Commitment.approve,
            "approve",
            "Approve",
            "{obj} is approved: it can be sent to the ERP.",
            "Approve the commitment (required before sending it)",
        ),
        _status_step(
            Commitment.return_to_draft,
            "return-to-draft",
            "Return to draft",
            "{obj} is a draft again.",
            "Return the commitment to draft",
        ),
        _status_step(
            Commitment.complete,
            "complete",
            "Complete",
            "{obj} is complete.",
            "Mark an approved commitment complete (before it is sent)",
        ),
        _status_step(
            Commitment.terminate,
            "terminate",
            "Terminate",
            "{obj} is terminated.",
            "Terminate the commitment (before it is sent)",
            danger=True,
        ),
        _status_step(
            Commitment.void, "void", "Void", "{obj} is void.", "Void the commitment (before it is sent)", danger=True
        ),
        *erp_services.export_steps(
            Commitment,
            noun="commitment",
            send_summary="Send the approved commitment to the accounting queue",
            send_help="Locks vendor, title, status and retainage until accounting decides.",
        ),
    )

    def locked(self, pk):
        return Commitment.objects.select_for_update(of=("self",)).select_related("project", "vendor").get(pk=pk)

    def number_holder(self, commitment, number):
        same = Commitment.objects.filter(project=commitment.project, type=commitment.type, number=number)
        return same.exclude(pk=commitment.pk).first()

    def erp_number_holder(self, payload, number):
        job_id, kind = payload.get("job_id"), payload.get("type")
        if erp_services.erp_holds_commitment(job_id=job_id, kind=kind, number=number):
            return f"{Commitment.Type(kind).label} {number} on ERP job {job_id}"
        return None

    def payload(self, commitment):
        return {
            "commitment": commitment.pk,
            "type": commitment.type,
            "job_id": commitment.project.erp_id,
            "project": commitment.project.number,
            "number": commitment.number,
            "title": commitment.title,
            "description": commitment.description,
            "vendor_id": commitment.vendor.erp_id,
            "vendor": commitment.vendor.name,
            "retainage_percent": str(commitment.retainage_percent),
            "accounting_method": commitment.accounting_method,
            "lines": [
                {
                    "line_number": line.position,
                    "cost_code": line.cost_code.code,
                    "cost_type": line.cost_type_id,
                    "description": line.description,
                    "quantity": None if line.quantity is None else str(line.quantity),
                    "uom": line.uom,
                    "unit_cost": None if line.unit_cost is None else str(line.unit_cost),
                    "amount": str(line.amount),
                }
                for line in commitment.lines.select_related("cost_code").order_by("position")
            ],
        }

    def check(self, commitment, payload):
        problems = {}
        if problem := project_problem(commitment.project):
            problems["project"] = problem
        if commitment.status != Commitment.Status.APPROVED:
            problems["status"] = (
                f"Only an approved commitment goes to the ERP; {commitment} is "
                f"{commitment.get_status_display().lower()}."
            )
        if not vendor_linked(commitment.vendor):
            problems["vendor"] = (
                f"{commitment.vendor} is not linked to an ERP vendor; link it (or send it to the ERP) first."
            )
        if not payload["lines"]:
            problems["lines"] = "A commitment needs at least one schedule of values line to go to the ERP."
        else:
            lines = commitment.lines.select_related("cost_code", "cost_type")
            if unassigned := unassigned_lines(commitment.project, [(f"Line {line.position}", line) for line in lines]):
                problems["lines"] = unassigned
            elif waiting := pending_pairs_problem(commitment.project, line_pairs(payload)):
                problems["lines"] = [waiting]
        problems.update(erp_profile.commitment_field_problems(payload))
        if problems:
            raise ValidationError(problems)
