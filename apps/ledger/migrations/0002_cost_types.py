from django.db import migrations

SAGE_COST_TYPES = [
    (1, "Material"), (2, "Labor"), (3, "Equipment"), (4, "Subcontract"), (5, "Other"),
    (6, "User defined 6"), (7, "User defined 7"), (8, "User defined 8"), (9, "User defined 9"),
]


def create_cost_types(apps, schema_editor):
    ERPCostType = apps.get_model("ledger", "ERPCostType")
    for code, name in SAGE_COST_TYPES:
        ERPCostType.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(create_cost_types, migrations.RunPython.noop)]
