"""How change orders plug into the ERP queue: the change order number is the ERP's id; a retry may correct it."""

from collections import OrderedDict

from apps.change_orders import services
from apps.change_orders.models import ChangeOrder
from apps.commitments.erp import NumberedExporter, line_pairs, unassigned_lines, vendor_linked
from apps.commitments.models import Commitment
from apps.core import erp_profile
from apps.core.exceptions import ValidationError
from apps.core.workflow import Step
from apps.erp_queue import services as erp_services
from apps.jobs.selectors import pending_pairs_problem


def summed_lines(change_order):
    """The lines as the ERP takes them: one change per commitment line (several summed), then the new lines."""
    changes, new = OrderedDict(), []
    lines = change_order.lines.select_related("commitment_line", "cost_code").order_by("id")
    for line in lines:
        if line.commitment_line_id is None:
            new.append(
                {
                    "line_number": None,
                    "cost_code": line.cost_code.code,
                    "cost_type": line.cost_type_id,
                    "description": line.description,
                    "quantity": str(line.quantity),
                    "uom": line.uom,
                    "unit_cost": str(line.unit_cost),
                    "amount": line.amount,
                }
            )
            continue
        change = changes.setdefault(
            line.commitment_line_id,
            {
                "line_number": line.commitment_line.position,
                "cost_code": line.cost_code.code,
                "cost_type": line.cost_type_id,
                "description": line.commitment_line.description,
                "amount": 0,
            },
        )
        change["amount"] += line.amount
    return [{**row, "amount": str(row["amount"])} for row in [*changes.values(), *new]]


def _status_step(transition, name, label, done, summary, **kwargs):
    return Step(
        name,
        label,
        transition,
        lambda change_order, user, data: services.change_order_move(
            change_order=change_order, user=user, transition=transition
        ),
        done,
        summary=summary,
        **kwargs,
    )


class ChangeOrderExporter(NumberedExporter):
    """An approved change order of a synced commitment: the ERP takes one change per commitment line."""

    kind = "change_order"
    label = "Commitment change order"
    model = ChangeOrder
    record_key = "change_order"
    number_limit = erp_profile.CHANGE_ORDER_NUMBER_LIMIT
    steps = (
        _status_step(
            ChangeOrder.submit,
            "submit",
            "Submit",
            "{obj} is pending approval.",
            "Submit the change order for approval (pending)",
        ),
        _status_step(
            ChangeOrder.approve,
            "approve",
            "Approve",
            "{obj} is approved: it can be sent to the ERP.",
            "Approve the pending change order",
        ),
        # The change order's own status; the ERP's rejection is a step of its request in /erp/requests/.
        _status_step(
            ChangeOrder.reject,
            "reject",
            "Reject",
            "{obj} is rejected.",
            "Reject the pending change order (its own status)",
            description="Not the ERP's rejection: accounting rejects a sent change order's request in /erp/requests/.",
            danger=True,
        ),
        _status_step(
            ChangeOrder.void, "void", "Void", "{obj} is void.", "Void the change order (before it is sent)", danger=True
        ),
        *erp_services.export_steps(
            ChangeOrder, noun="change order", send_summary="Send the approved change order to the accounting queue"
        ),
    )

    def locked(self, pk):
        return (
            ChangeOrder.objects.select_for_update(of=("self",))
            .select_related("commitment__project", "commitment__vendor")
            .get(pk=pk)
        )

    def number_holder(self, change_order, number):
        same = ChangeOrder.objects.filter(commitment=change_order.commitment, number=number)
        return same.exclude(pk=change_order.pk).first()

    def erp_number_holder(self, payload, number):
        job_id, kind, commitment = (payload.get(k) for k in ("job_id", "commitment_type", "commitment_number"))
        if erp_services.erp_holds_change_order(job_id=job_id, kind=kind, commitment_number=commitment, number=number):
            return f"Change order {number} of {Commitment.Type(kind).label.lower()} {commitment} on ERP job {job_id}"
        return None

    def erp_problems(self, payload, inputs=None):
        problems = super().erp_problems(payload, inputs)
        job_id, kind, number = (payload.get(k) for k in ("job_id", "commitment_type", "commitment_number"))
        if (
            "project" not in problems
            and erp_services.erp_holds_commitment(job_id=job_id, kind=kind, number=number) is False
        ):
            problems["commitment"] = (
                f"{Commitment.Type(kind).label} {number} is not on ERP job {job_id} in the ERP. Ask accounting to "
                "check the commitment in the ERP before sending this change order."
            )
        return problems

    def payload(self, change_order):
        commitment = change_order.commitment
        return {
            "change_order": change_order.pk,
            "job_id": commitment.project.erp_id,
            "project": commitment.project.number,
            "commitment_type": commitment.type,
            "commitment_number": commitment.erp_id,
            "vendor_id": commitment.vendor.erp_id,
            "number": change_order.number,
            "title": change_order.title,
            "description": change_order.description,
            "lines": summed_lines(change_order),
        }

    def check(self, change_order, payload):
        problems = {}
        commitment = change_order.commitment
        if change_order.status != ChangeOrder.Status.APPROVED:
            problems["status"] = (
                f"Only an approved change order goes to the ERP; {change_order} is "
                f"{change_order.get_status_display().lower()}."
            )
        if not vendor_linked(commitment.vendor):
            problems["vendor"] = (
                f"The commitment's vendor {commitment.vendor} is no longer linked to an ERP vendor; "
                "link it again first."
            )
        if not payload["lines"]:
            problems["lines"] = "A change order needs at least one line to go to the ERP."
        else:
            lines = change_order.lines.select_related("cost_code", "cost_type")
            labelled = [(f"Line {index}", line) for index, line in enumerate(lines, start=1)]
            if unassigned := unassigned_lines(commitment.project, labelled):
                problems["lines"] = unassigned
            elif waiting := pending_pairs_problem(commitment.project, line_pairs(payload)):
                problems["lines"] = [waiting]
        problems.update(erp_profile.change_order_field_problems(payload))
        if problems:
            raise ValidationError(problems)
