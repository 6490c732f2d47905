"""How budgets plug into the ERP queue: the budget exporter and the ERP-estimate importer."""

from django.utils import timezone
from rest_framework import serializers

from apps.budgets import services
from apps.budgets.models import Budget, BudgetTransaction
from apps.core.api.serializers import SageCostCodeField, flatten_errors
from apps.core.exceptions import ValidationError
from apps.core.workflow import Step, run_step
from apps.erp_queue import services as erp_services
from apps.erp_queue.registry import Exporter, Importer
from apps.jobs.models import Project
from apps.jobs.selectors import cost_type_payload_names, pending_pairs_problem


def _budget_step(transition, name, label, service, done, summary, **kwargs):
    return Step(
        name, label, transition, lambda budget, user, data: service(budget=budget, user=user), done, summary, **kwargs
    )


class BudgetExporter(Exporter):
    """A budget's unsent transactions go to the ERP job; posting them in the ERP is the budget's own last step."""

    kind = "budget"
    label = "Budget"
    model = Budget
    record_key = "budget"
    payload_names = staticmethod(cost_type_payload_names)
    steps = (
        _budget_step(
            Budget.lock,
            "lock",
            "Lock",
            services.budget_lock,
            "{obj} is locked: original amounts are frozen.",
            "Lock: freeze the original amounts",
        ),
        _budget_step(
            Budget.unlock,
            "unlock",
            "Unlock",
            services.budget_unlock,
            "{obj} is unlocked.",
            "Unlock a budget never exported and without modifications",
        ),
        *erp_services.export_steps(
            Budget,
            noun="budget",
            send_summary="Send the unsent changes to the accounting queue",
            send_help="Exports the unsent changes once accounting accepts.",
        ),
        _budget_step(
            Budget.mark_posted,
            "mark-posted",
            "Entries posted in the ERP",
            services.budget_mark_posted,
            "{obj} is synced: its entries are posted in the ERP.",
            "The ERP posted the exported entries (agent or approver)",
            help="Accounting posted the exported entries in Sage (Job Cost → Post Entries).",
        ),
    )

    def locked(self, pk):
        return Budget.objects.select_for_update().select_related("project").get(pk=pk)

    def _unsent(self, budget):
        return budget.transactions.filter(exported_at__isnull=True, request_id__isnull=True)

    def payload(self, budget):
        """The budget's unsent transactions: before the first export, every line's original estimate (regenerated)."""
        services.refuse_erp_budget(budget, "sending it to the ERP")
        if not budget.ever_exported:
            budget.transactions.filter(kind=BudgetTransaction.Kind.ORIGINAL_ESTIMATE, exported_at__isnull=True).delete()
            BudgetTransaction.objects.bulk_create(
                [
                    BudgetTransaction(
                        budget=budget,
                        kind=BudgetTransaction.Kind.ORIGINAL_ESTIMATE,
                        line_id=pk,
                        cost_code=code,
                        cost_type=cost_type,
                        amount=amount,
                    )
                    for pk, code, cost_type, amount in budget.lines.filter(partial=False).values_list(
                        "pk", "cost_code__code", "cost_type_id", "original_amount"
                    )
                ],
                batch_size=2000,
            )
        return {
            "budget": budget.pk,
            "project": budget.project.number,
            "job_id": budget.project.erp_id,
            "transactions": [
                {
                    "key": str(t.key),
                    "type": t.kind,
                    "cost_code": t.cost_code,
                    "cost_type": t.cost_type,
                    "amount": str(t.amount),
                }
                for t in self._unsent(budget)
            ],
        }

    def check(self, budget, payload):
        project = budget.project
        problems = {}
        if project.erp_status != Project.ERPStatus.SYNCED:
            problems["project"] = (
                f"Project {project} is not synced with the ERP ({project.get_erp_status_display().lower()}); "
                "send the project first."
            )
        without = services.cost_codes_without_types(project)
        if without:
            problems["cost_codes"] = (
                f"Every project cost code needs a cost type before the budget goes to the ERP; cost code "
                f"{', '.join(without)} has none."
            )
        if not problems and not payload["transactions"]:
            problems["non_field_errors"] = f"{budget} has no unsent changes to send."
        pairs = [(t["cost_code"], t["cost_type"]) for t in payload["transactions"]]
        if "project" not in problems and (waiting := pending_pairs_problem(project, pairs)):
            problems.setdefault("cost_codes", waiting)
        if problems:
            raise ValidationError(problems)

    def erp_problems(self, payload, inputs=None):
        """The ERP job is still there and every cost code is the ERP's."""
        problems = {}
        if problem := erp_services.erp_job_problem(payload.get("job_id")):
            problems["project"] = problem
        if problem := erp_services.erp_cost_code_problem([t["cost_code"] for t in payload.get("transactions", [])]):
            problems["cost_codes"] = problem
        return problems

    def sent(self, budget, request):
        self._unsent(budget).update(request_id=request.pk)

    def released(self, budget, request):
        budget.transactions.filter(request_id=request.pk, exported_at__isnull=True).update(request_id=None)

    def land(self, budget, request):
        """Exported: the transactions are the ERP's now, and the budget waits for them to be posted."""
        budget.transactions.filter(request_id=request.pk).update(exported_at=timezone.now())
        job = budget.project.erp_id or ""
        note = f"Into ERP job {job}; its entries wait to be posted there (Job Cost → Post Entries)"
        run_step(budget.mark_exported, user=None, erp_id=job, description=note)

    def entries_posted(self, *, request, user):
        budget = Budget.objects.get(pk=request.object_id)
        if budget.status == Budget.Status.AWAITING_POSTING:
            services.budget_mark_posted(budget=budget, user=user)


class _EstimateLineSerializer(serializers.Serializer):
    cost_code = SageCostCodeField()
    cost_type = serializers.IntegerField(min_value=1, max_value=9)
    description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class EstimateDataSerializer(serializers.Serializer):
    """A posted Sage estimate, staged under Ready to Import (erp_id is the job id)."""

    name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    lines = _EstimateLineSerializer(many=True, allow_empty=False)


class EstimateImporter(Importer):
    """A posted ERP estimate of a synced job becomes a read-only budget here (Path A)."""

    kind = "estimate"
    label = "Estimate (budget)"
    model = Budget
    payload_names = staticmethod(cost_type_payload_names)

    def clean_data(self, data):
        serializer = EstimateDataSerializer(data=data)
        if not serializer.is_valid():
            raise ValidationError({"data": flatten_errors(serializer.errors)})
        lines = [
            {**line, "amount": str(line["amount"])} for line in serializer.validated_data["lines"] if line["amount"] > 0
        ]
        return {"name": serializer.validated_data["name"], "lines": lines}

    def record_label(self, data):
        return data.get("name") or f"Estimate ({len(data.get('lines', []))} lines)"

    def add_to_app(self, *, staged, user):
        return services.budget_import_from_erp(job_id=staged.erp_id, lines=staged.data["lines"], user=user)

    def never_importable(self, staged):
        return services.erp_import_never_possible(job_id=staged.erp_id)
