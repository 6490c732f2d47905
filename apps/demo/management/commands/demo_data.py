import os
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from rest_framework.authtoken.models import Token

from apps.budgets import services as budget_services
from apps.budgets.models import Budget
from apps.commitments import services as commitment_services
from apps.commitments.models import Commitment
from apps.core import roles
from apps.core.erp_profile import SAGE_VENDOR_TYPES
from apps.demo.erp import COST_CODES as ERP_COST_CODES
from apps.demo.erp import KEYED_JOB, KEYED_JOB_COST_CODES, KEYED_VENDORS
from apps.erp_queue import registry
from apps.erp_queue import services as erp_services
from apps.jobs import services as job_services
from apps.jobs.models import CostCode, CostType, Project
from apps.vendors import services as vendor_services
from apps.vendors.models import Company

DEFAULT_PASSWORD = "erp-bridge-demo"
DEMO_BUDGET_FILE = Path(__file__).resolve().parents[3] / "budgets" / "fixtures" / "demo-budget-2403.csv"

COMPANIES = [
    # name, city, tax id, project directories, what happens to it
    ("Acme Concrete", "Modesto", "", ["2401", "2403"], "draft"),  # the ERP has it as ACME CONCRETE, INC.: link
    ("Pacific Steel and Supply", "Stockton", "", ["2403"], "draft"),  # and as Pacific Steel & Supply Co.
    ("Golden Gate Plumbing", "San Francisco", "94-1234567", ["2401", "2402"], "draft"),  # new to the ERP: send
    ("Sierra Drywall", "Fresno", "68-2468013", ["2403"], "synced"),
    ("Northern California Mechanical Contractors", "Sacramento", "", [], "draft"),  # too long a name to send
]

USERS = [
    ("pm", roles.PROJECT_MANAGER, "Pat", "Morgan"),
    ("approver", roles.ACCOUNTING_APPROVER, "Alex", "Rivera"),
    ("viewer", roles.VIEWER, "Val", "Chen"),
    ("agent", roles.ERP_AGENT, "Sage", "Connector"),
]

PROJECTS = [
    # number, name, address, city, state, zip, cost codes with types, what happens to it
    (
        "2401",
        "Riverside Medical Office",
        "100 River Rd",
        "Sacramento",
        "CA",
        "95814",
        {"1000": [2], "3300": [1, 2, 4], "9900": [4]},
        "draft",
    ),
    (
        "2402",
        "Harbor View Apartments",
        "22 Pier Ave",
        "Oakland",
        "CA",
        "94607",
        {"2300": [3, 4], "6100": [1, 2]},
        "sent",
    ),
    (
        "2403",
        "Elm Street School Renovation",
        "5 Elm St",
        "Fresno",
        "CA",
        "93721",
        {"1100": [2], "5100": [1, 4], "9250": [4]},
        "synced",
    ),
    (
        "2404",
        "Mission Bay Parking Structure",
        "800 Third St",
        "San Francisco",
        "CA",
        "94158",
        {"3100": [1, 2], "3300": [1]},
        "rejected",
    ),
    (
        "2405",
        "Lakeside Retail Center",
        "77 Lake Blvd",
        "Stockton",
        "CA",
        "95202",
        {"2010": [3], "9250": []},
        "draft",
    ),
]


class Command(BaseCommand):
    help = "Create demo users (one per role), cost codes, projects in every state and an ERP job to import."

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        users = self._users(password)
        if settings.ERP_CONNECTOR == "agent":
            self._reported_by_the_agent(users["agent"])
        else:
            # What accounting keyed into the ERP: cost codes, a job and vendors waiting under Ready to Import.
            call_command("ledger_demo", stdout=self.stdout)
            job_services.cost_code_sync_from_erp(user=users["approver"])
        for spec in PROJECTS:
            self._project(spec, users)
        for spec in COMPANIES:
            self._company(spec, users)
        budget_file = self._budget(users["pm"])
        self._commitments(users)
        token = Token.objects.get_or_create(user=users["agent"])[0]
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Log in at /admin/ as pm, approver, viewer, agent or admin; password: {password}")
        self.stdout.write(f"Agent API token: {token.key}")
        self.stdout.write(f"A budget file to import into project 2403's budget: {budget_file}")

    def _reported_by_the_agent(self, agent):
        """Agent mode: the ERP's master data as the agent reports it through the API (the same services), from
        the same demo ERP the embedded ledger is keyed with."""
        for code, name in SAGE_VENDOR_TYPES:
            vendor_services.vendor_type_upsert(code=str(code), name=name)
        for code, description, division in ERP_COST_CODES:
            job_services.cost_code_upsert(code=code, description=description, division=division, reported=True)
        descriptions = {code: (description, division) for code, description, division in ERP_COST_CODES}
        job = {key: value for key, value in KEYED_JOB.items() if key != "job_id"}
        job["cost_codes"] = [
            {"code": code, "description": descriptions[code][0], "division": descriptions[code][1], "cost_types": types}
            for code, types in KEYED_JOB_COST_CODES.items()
        ]
        erp_services.staged_record_upsert(kind="job", erp_id=KEYED_JOB["job_id"], data=job, user=agent, reported=True)
        for vendor in KEYED_VENDORS:
            data = {key: value for key, value in vendor.items() if key not in ("vendor_id", "vendor_type_id")}
            data["vendor_type"] = str(vendor["vendor_type_id"])
            erp_services.staged_record_upsert(
                kind="vendor", erp_id=vendor["vendor_id"], data=data, user=agent, reported=True
            )
        self.stdout.write(
            f"Reported as the ERP agent: {len(ERP_COST_CODES)} cost codes, {len(SAGE_VENDOR_TYPES)} vendor types, "
            f"1 job and {len(KEYED_VENDORS)} vendors under Ready to Import."
        )

    def _accepted(self, request, users, inputs):
        """The approver accepts. In agent mode the demo then reports the export as the agent would after writing
        it into Sage: claim, and succeed with the ids the request was exported under."""
        erp_services.request_accept(request=request, user=users["approver"], inputs=inputs)
        if settings.ERP_CONNECTOR != "agent":
            return  # the embedded ledger exported it on the accept
        agent = users["agent"]
        for claimed in erp_services.request_claim(user=agent, worker="demo data", limit=100):
            erp_ids = registry.exporter_for(claimed.kind).expected_erp_ids(claimed)
            erp_services.request_succeeded(
                request=claimed, user=agent, erp_ids=erp_ids, lease_token=claimed.lease_token
            )

    def _budget(self, pm):
        """Synced project 2403 gets an empty, unlocked budget, ready for the demo budget file."""
        project = Project.objects.get(number="2403")
        if not Budget.objects.filter(project=project).exists():
            budget_services.budget_create(project=project, user=pm)
        return DEMO_BUDGET_FILE

    def _commitments(self, users):
        """Synced project 2403 gets a synced subcontract to Sierra Drywall, and a purchase order awaiting accounting."""
        project = Project.objects.get(number="2403")
        vendor = Company.objects.filter(name="Sierra Drywall", erp_status=Company.ERPStatus.SYNCED).first()
        if vendor is None or Commitment.objects.filter(project=project).exists():
            return
        pm = users["pm"]
        codes = {c.code: c for c in CostCode.objects.filter(code__in=["5100", "9250"])}
        cost_types = {t.code: t for t in CostType.objects.filter(code__in=[1, 4])}
        for type, title, method, lines, accept in [
            (
                Commitment.Type.SUBCONTRACT,
                "Drywall and finishes",
                Commitment.AccountingMethod.AMOUNT,
                [
                    {"cost_code": codes["5100.000"], "cost_type": cost_types[4], "amount": Decimal("48000")},
                    {"cost_code": codes["9250.000"], "cost_type": cost_types[4], "amount": Decimal("9500")},
                ],
                True,
            ),
            (
                Commitment.Type.PURCHASE_ORDER,
                "Gypsum board",
                Commitment.AccountingMethod.UNIT,
                [
                    {
                        "cost_code": codes["5100.000"],
                        "cost_type": cost_types[1],
                        "description": "5/8 in. type X board",
                        "quantity": Decimal("1200"),
                        "uom": "sheet",
                        "unit_cost": Decimal("14.75"),
                    }
                ],
                False,
            ),
        ]:
            commitment = commitment_services.commitment_create(
                user=pm,
                project=project,
                type=type,
                vendor=vendor,
                title=title,
                accounting_method=method,
                retainage_percent=Decimal("10") if type == Commitment.Type.SUBCONTRACT else Decimal("0"),
                lines=lines,
            )
            commitment_services.commitment_move(commitment=commitment, user=pm, transition=Commitment.approve)
            _, request = erp_services.record_send(record=commitment, user=pm)
            if accept:
                self._accepted(request, users, inputs={})

    def _company(self, spec, users):
        name, city, tax_id, project_numbers, fate = spec
        if Company.objects.filter(name=name).exists():
            return
        company = vendor_services.company_create(
            user=users["pm"],
            name=name,
            city=city,
            state="CA",
            tax_id=tax_id,
            projects=Project.objects.filter(number__in=project_numbers),
        )
        if fate == "synced":
            company, request = erp_services.record_send(record=company, user=users["pm"])
            self._accepted(request, users, inputs={"erp_vendor_id": "1003", "vendor_type": "1"})

    def _users(self, password):
        User = get_user_model()
        users = {}
        for username, role, first, last in USERS:
            user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
            user.is_staff = True
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            users[username] = user
        admin, _ = User.objects.get_or_create(username="admin")
        admin.is_staff = admin.is_superuser = True
        admin.set_password(password)
        admin.save()
        users["admin"] = admin
        return users

    def _project(self, spec, users):
        number, name, address, city, state, zip_code, codes, fate = spec
        if Project.objects.filter(number=number).exists():
            return
        pm, approver = users["pm"], users["approver"]
        with transaction.atomic():
            project = job_services.project_create(
                user=pm, number=number, name=name, address=address, city=city, state=state, zip=zip_code
            )
            for code, types in codes.items():
                job_services.project_cost_code_assign(project=project, user=pm, code=code, cost_types=types)
        if fate == "draft":
            return
        project, request = erp_services.record_send(record=project, user=pm)
        if fate == "synced":
            self._accepted(request, users, inputs={"erp_job_id": number})
        elif fate == "rejected":
            erp_services.request_reject(
                request=request,
                user=approver,
                reason="The ZIP code does not match the site address; please check.",
            )
