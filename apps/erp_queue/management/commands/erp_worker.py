import os
import socket
import time

from django.core.management.base import BaseCommand, CommandError

from apps.erp_queue import services
from apps.erp_queue.connectors import get_connector


class Command(BaseCommand):
    help = (
        "Export accepted ERP requests through the configured connector: claims them with a lease "
        "(SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL), so several workers can run at once, and "
        "takes over requests whose worker died once their lease runs out."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Process what is claimable now, then stop.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between passes (default 5).")
        parser.add_argument("--batch", type=int, default=10, help="Requests claimed at a time (default 10).")

    def handle(self, *args, once, interval, batch, **options):
        connector = get_connector()
        if not connector.exports_inline:
            raise CommandError(
                f"The '{connector.name}' connector exports from outside: the agent claims requests through "
                "POST /api/v1/erp/requests/claim/. There is nothing for this worker to do."
            )
        worker = f"{socket.gethostname()}:{os.getpid()}"
        while True:
            done = services.request_export_pending(worker=worker, limit=batch)
            for request in done:
                self.stdout.write(f"{request}: {request.get_status_display()}")
            if once:
                self.stdout.write(self.style.SUCCESS(f"{len(done)} request(s) exported or failed."))
                return
            time.sleep(interval)
