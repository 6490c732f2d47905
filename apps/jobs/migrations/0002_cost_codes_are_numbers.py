"""Cost codes are numbers: 2010 and 2010.000 become one code, 2010.000, with every use of either.

A project that used both spellings keeps one assignment with the cost types of both. The merge stops,
naming the budget, when two lines of one budget would land on the same cost code and cost type.
"""

from django.db import migrations
from django.db.models import F

import apps.core.fields
from apps.core.erp_profile import cost_code_canonical


def merge_spellings(apps, schema_editor):
    CostCode = apps.get_model("jobs", "CostCode")
    ProjectCostCode = apps.get_model("jobs", "ProjectCostCode")
    line_models = [
        apps.get_model("budgets", "BudgetLineItem"),
        apps.get_model("commitments", "CommitmentLine"),
        apps.get_model("change_orders", "ChangeOrderLine"),
    ]
    BudgetLineItem = line_models[0]
    spellings = {}
    for cost_code in CostCode.objects.order_by("id"):
        canonical = cost_code_canonical(cost_code.code)
        if canonical is not None:
            spellings.setdefault(canonical, []).append(cost_code)
    for canonical, codes in spellings.items():
        keeper = next((c for c in codes if c.code == canonical), codes[0])
        for other in (c for c in codes if c.pk != keeper.pk):
            clash = (
                BudgetLineItem.objects.filter(cost_code=other)
                .filter(budget__lines__cost_code=keeper, budget__lines__cost_type=F("cost_type"))
                .select_related("budget__project")
                .first()
            )
            if clash is not None:
                raise RuntimeError(
                    f"Cost codes {other.code} and {keeper.code} are one code ({canonical}), but the budget of "
                    f"project {clash.budget.project.number} has a line on each with cost type {clash.cost_type_id}. "
                    "Merge those two lines into one (or delete one) and migrate again."
                )
            for use in ProjectCostCode.objects.filter(cost_code=other):
                kept, _ = ProjectCostCode.objects.get_or_create(project_id=use.project_id, cost_code=keeper)
                kept.cost_types.add(*use.cost_types.all())
                use.delete()
            for model in line_models:
                model.objects.filter(cost_code=other).update(cost_code=keeper)
            other.delete()
        if keeper.code != canonical:
            keeper.code = canonical
            keeper.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("budgets", "0001_initial"),
        ("commitments", "0001_initial"),
        ("change_orders", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="costcode",
            name="code",
            field=apps.core.fields.CostCodeField(unique=True),
        ),
        migrations.RunPython(merge_spellings, migrations.RunPython.noop),
    ]
