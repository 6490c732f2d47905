from django.core.management.base import BaseCommand

from apps.ledger import services
from apps.ledger.models import ERPCostCode, ERPJob, ERPJobCostCode

COST_CODES = [
    ("1000", "General Requirements", "01 General"),
    ("1100", "Supervision", "01 General"),
    ("2010", "Site Clearing", "02 Site Work"),
    ("2300", "Earthwork", "02 Site Work"),
    ("3100", "Concrete Forming", "03 Concrete"),
    ("3300", "Cast-in-Place Concrete", "03 Concrete"),
    ("5100", "Structural Steel", "05 Metals"),
    ("6100", "Rough Carpentry", "06 Wood"),
    ("9250", "Gypsum Board", "09 Finishes"),
    ("9900", "Painting", "09 Finishes"),
]

KEYED_JOB = {
    "job_id": "3001",
    "name": "Westfield Warehouse",
    "address": "12 Industrial Way",
    "city": "Modesto",
    "state": "CA",
    "zip": "95354",
}
KEYED_JOB_COST_CODES = {"1000": [2], "2300": [3, 4], "3300": [1, 2]}


class Command(BaseCommand):
    help = "Key demo records into the embedded ERP: its cost code list and one job for Ready to Import."

    def handle(self, *args, **options):
        for code, description, division in COST_CODES:
            ERPCostCode.objects.get_or_create(code=code, defaults={"description": description, "division": division})
        job, created = ERPJob.objects.get_or_create(job_id=KEYED_JOB["job_id"], defaults=KEYED_JOB)
        if created:
            for code, types in KEYED_JOB_COST_CODES.items():
                row = ERPJobCostCode.objects.create(job=job, cost_code=ERPCostCode.objects.get(code=code))
                row.cost_types.set(types)
            services.job_stage(job=job)
        self.stdout.write(f"ERP ledger: {ERPCostCode.objects.count()} cost codes, {ERPJob.objects.count()} jobs.")
