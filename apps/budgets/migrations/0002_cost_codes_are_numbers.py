"""Cost codes are numbers: a budget transaction names its cost code in the one canonical spelling."""

from django.db import migrations

import apps.core.fields
from apps.core.erp_profile import cost_code_canonical


def canonical_spellings(apps, schema_editor):
    BudgetTransaction = apps.get_model("budgets", "BudgetTransaction")
    for spelling in BudgetTransaction.objects.values_list("cost_code", flat=True).distinct():
        canonical = cost_code_canonical(spelling)
        if canonical not in (None, spelling):
            BudgetTransaction.objects.filter(cost_code=spelling).update(cost_code=canonical)


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="budgettransaction",
            name="cost_code",
            field=apps.core.fields.CostCodeField(),
        ),
        migrations.RunPython(canonical_spellings, migrations.RunPython.noop),
    ]
