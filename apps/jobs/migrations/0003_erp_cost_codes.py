"""What each ERP job holds: a synced project's cost codes and types as they are now, which the ERP was given
(before Ready to Update, the ledger added a code to the job when a budget or commitment first used it)."""

from django.db import migrations, models


def erp_holds_what_is_assigned(apps, schema_editor):
    Project = apps.get_model("jobs", "Project")
    ProjectCostCode = apps.get_model("jobs", "ProjectCostCode")
    for project in Project.objects.filter(erp_status="synced"):
        held = {}
        for assignment in ProjectCostCode.objects.filter(project=project).select_related("cost_code"):
            held[assignment.cost_code.code] = sorted(assignment.cost_types.values_list("code", flat=True))
        project.erp_cost_codes = held
        project.save(update_fields=["erp_cost_codes"])


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0002_cost_codes_are_numbers"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="erp_cost_codes",
            field=models.JSONField(blank=True, default=dict, editable=False, verbose_name="cost codes in the ERP"),
        ),
        migrations.RunPython(erp_holds_what_is_assigned, migrations.RunPython.noop),
    ]
