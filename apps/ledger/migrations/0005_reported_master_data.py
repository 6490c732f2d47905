"""The ERP as the agent reports it: cost codes are numbers (2010 and 2010.000 are one code, 2010.000, with every
use of either), and a vendor keyed in the ERP may have no vendor type."""

import django.db.models.deletion
from django.db import migrations, models

import apps.core.fields
from apps.core.erp_profile import cost_code_canonical


def merge_spellings(apps, schema_editor):
    ERPCostCode = apps.get_model("ledger", "ERPCostCode")
    ERPJobCostCode = apps.get_model("ledger", "ERPJobCostCode")
    line_models = [apps.get_model("ledger", name) for name in ("ERPBudgetEntry", "ERPCommitmentLine")]
    spellings = {}
    for cost_code in ERPCostCode.objects.order_by("id"):
        canonical = cost_code_canonical(cost_code.code)
        if canonical is not None:
            spellings.setdefault(canonical, []).append(cost_code)
    for canonical, codes in spellings.items():
        keeper = next((c for c in codes if c.code == canonical), codes[0])
        for other in (c for c in codes if c.pk != keeper.pk):
            for use in ERPJobCostCode.objects.filter(cost_code=other):
                kept, _ = ERPJobCostCode.objects.get_or_create(job_id=use.job_id, cost_code=keeper)
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
        ("ledger", "0004_commitments"),
    ]

    operations = [
        migrations.AlterField(
            model_name="erpcostcode",
            name="code",
            field=apps.core.fields.CostCodeField(unique=True),
        ),
        migrations.RunPython(merge_spellings, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="erpvendor",
            name="vendor_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="vendors",
                to="ledger.erpvendortype",
            ),
        ),
    ]
