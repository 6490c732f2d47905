from django.core.management.base import BaseCommand

from apps.demo.erp import COST_CODES, KEYED_JOB, KEYED_JOB_COST_CODES, KEYED_VENDORS
from apps.ledger import services
from apps.ledger.models import ERPCostCode, ERPJob, ERPJobCostCode, ERPVendor


class Command(BaseCommand):
    help = "Key demo records into the embedded ERP: its cost code list, one job and three vendors for Ready to Import."

    def handle(self, *args, **options):
        for code, description, division in COST_CODES:
            ERPCostCode.objects.get_or_create(code=code, defaults={"description": description, "division": division})
        job, created = ERPJob.objects.get_or_create(job_id=KEYED_JOB["job_id"], defaults=KEYED_JOB)
        if created:
            for code, types in KEYED_JOB_COST_CODES.items():
                row = ERPJobCostCode.objects.create(job=job, cost_code=ERPCostCode.objects.get(code=code))
                row.cost_types.set(types)
            services.job_stage(job=job)
        for fields in KEYED_VENDORS:
            vendor, created = ERPVendor.objects.get_or_create(vendor_id=fields["vendor_id"], defaults=fields)
            if created:
                services.vendor_stage(vendor=vendor)
        self.stdout.write(
            f"ERP ledger: {ERPCostCode.objects.count()} cost codes, {ERPJob.objects.count()} jobs, "
            f"{ERPVendor.objects.count()} vendors."
        )
