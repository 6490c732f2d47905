import time

from django.core.management.base import BaseCommand

from apps.erp_queue import services
from apps.erp_queue.health import integration_health


class Command(BaseCommand):
    help = (
        "Check the integration's health every minute and e-mail the approvers, once per outage, when no ERP "
        "agent has been heard from for ERP_AGENT_SILENT_MINUTES while accepted exports wait. /health/ and the "
        "admin's Integration health page check too: this makes sure someone is told even when nobody looks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Check once, then stop.")
        parser.add_argument("--interval", type=float, default=60.0, help="Seconds between checks (default 60).")

    def handle(self, *args, once, interval, **options):
        while True:
            health = integration_health()
            outage = services.agent_outage_check(health=health)
            if outage is not None:
                self.stdout.write(f"{health.problems[0]} {outage.notified} approver(s) e-mailed.")
            elif once:
                self.stdout.write("; ".join(health.problems) or "Healthy.")
            if once:
                return
            time.sleep(interval)
