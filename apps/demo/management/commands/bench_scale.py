"""Company-scale benchmark: the pages and endpoints that read the tables which only grow, at two data sizes.

Seeds a throwaway test database of the configured engine (SQLite file, or PostgreSQL via DATABASE_URL)
with `--sizes` multiples of a unit (20 projects, 200 companies, 2,000 ERP requests, 10,000 audit rows:
size 100 is two years of a contractor with a few hundred jobs), and measures each page in-process, as
its users call it: time (the best of `--repeat` runs) and query count. It prints figures and asserts
nothing, since shared machines are noisy; what should stay flat is there to be read across the sizes.
"""

import json
import os
import tempfile
import time
import uuid
import warnings
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import connection, connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog
from rest_framework.authtoken.models import Token
from rest_framework.pagination import Cursor

from apps.budgets.models import Budget
from apps.core import roles
from apps.core.api.pagination import NewestFirstCursorPagination
from apps.core.bulk import insert_rows
from apps.erp_queue.models import ERPRequest
from apps.jobs.models import Project
from apps.vendors.models import Company

UNIT = {"projects": 20, "companies": 200, "requests": 2_000, "audit": 10_000}
HEAVY_TRAIL, LIGHT_TRAIL = 5_000, 150  # the two project pages' audit rows, at every size
CLAIMABLE = 110  # a claim of 10, then one of 100
BULK = 500
KINDS = ("job", "vendor", "budget", "commitment", "change_order")
START = timezone.now() - timedelta(days=730)
STATIC_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"


class Command(BaseCommand):
    help = "Time and count the queries of the queue, audit trail, claim and bulk pages at two data sizes."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100], help="Multiples of the unit.")
        parser.add_argument("--audit-factor", type=int, default=1, help="Audit rows times this (10: ten times).")
        parser.add_argument("--repeat", type=int, default=3, help="Runs per read; the best is printed.")

    def handle(self, *args, sizes, audit_factor, repeat, **options):
        vendor = connection.vendor
        if vendor == "sqlite":
            connection.settings_dict["TEST"]["NAME"] = os.path.join(tempfile.mkdtemp(), "bench_scale.sqlite3")
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: static files are not collected
        try:
            # In-process, as its users call it; static files unbuilt; the bulk accept measured without the
            # ledger's inline export (in agent mode, as with Sage, the write is the agent's).
            plain_static = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_STORAGE}}
            with override_settings(
                ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False, ERP_CONNECTOR="agent", STORAGES=plain_static
            ):
                self._run(vendor, sorted(sizes), audit_factor, repeat)
        finally:
            connections.close_all()
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def _run(self, vendor, sizes, audit_factor, repeat):
        seed = _Seed(audit_factor)
        results = {}
        for size in sizes:
            started = time.perf_counter()
            seed.grow_to(size)
            self.stdout.write(
                f"size {size}: {Project.objects.count():,} projects, {seed.counts['companies']:,} companies, "
                f"{ERPRequest.objects.count():,} ERP requests, {StateLog.objects.count():,} audit rows "
                f"(seeded in {time.perf_counter() - started:.0f} s)"
            )
            results[size] = _measure(seed, repeat, self.stdout.write)
        head = "".join(f"{f'size {size}: s':>16}{'queries':>9}" for size in sizes)
        self.stdout.write(f"\nCompany scale on {vendor} ({os.cpu_count()} cores)\n{'page or endpoint':<52}{head}")
        for label in results[sizes[0]]:
            row = "".join(f"{results[size][label][0]:>16.3f}{results[size][label][1]:>9,}" for size in sizes)
            self.stdout.write(f"{label:<52}{row}")


class _Seed:
    """The data, grown by bulk inserts (COPY on PostgreSQL) to each size in turn."""

    def __init__(self, audit_factor):
        self.audit_factor = audit_factor
        self.counts = dict.fromkeys(UNIT, 0)
        self.sequence = 0  # request object ids and timestamps, unique across the sizes
        User = get_user_model()
        self.approver = User.objects.create_user("bench-approver", is_staff=True)
        self.approver.groups.set([Group.objects.get(name=roles.ACCOUNTING_APPROVER)])
        agent = User.objects.create_user("bench-agent")
        agent.groups.set([Group.objects.get(name=roles.ERP_AGENT)])
        self.agent_token = Token.objects.create(user=agent).key
        self.heavy = Project.objects.create(number="HEAVY", name="5,000 audit rows")
        self.light = Project.objects.create(number="LIGHT", name="150 audit rows")
        self.types = ContentType.objects.get_for_models(Project, Company, ERPRequest)
        self._audit(self.heavy, HEAVY_TRAIL)
        self._audit(self.light, LIGHT_TRAIL)

    def grow_to(self, size):
        target = {name: n * size for name, n in UNIT.items()}
        target["audit"] *= self.audit_factor
        self._projects(max(0, target["projects"] - self.counts["projects"]))
        self.counts["projects"] = max(self.counts["projects"], target["projects"])
        Company.objects.bulk_create(
            [Company(name=f"Company {n}") for n in range(self.counts["companies"], target["companies"])],
            batch_size=2000,
        )
        self.counts["companies"] = target["companies"]
        self._requests(target["requests"] - self.counts["requests"])
        self._history(target["audit"] - self.counts["audit"])
        self._claimable()
        self.bulk_ids = self._budgets_to_accept()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    def _projects(self, n):
        """`n` more projects (S0000000, S0000001, …): the sizes' own and each bulk accept's."""
        start = Project.objects.filter(number__startswith="S").count()
        Project.objects.bulk_create(
            [Project(number=f"S{i:07}", name=f"Project {i}") for i in range(start, start + n)], batch_size=2000
        )
        return start

    def _next(self):
        self.sequence += 1
        return self.sequence, START + timedelta(seconds=self.sequence)

    def _request_row(self, status, *, kind=None, object_id=None, payload=None):
        n, at = self._next()
        decided = status not in ("ready_to_export", "retrieved")
        return {
            "kind": kind or KINDS[n % len(KINDS)],
            "object_id": object_id or 10_000_000 + n,
            "record_label": f"Record {n}",
            "payload": payload or {"project": f"S{n % 2000:07}", "number": f"N-{n}"},
            "status": status,
            "idempotency_key": uuid.uuid4(),
            "sent_by_id": self.approver.pk,
            "sent_at": at,
            "decided_by_id": self.approver.pk if decided else None,
            "decided_at": at if decided or status == "retrieved" else None,
            "inputs": {},
            "reason": "Wrong cost code" if status == "rejected" else "",
            "messages": ["The ERP refused it."] if status == "failed" else [],
            "erp_ids": {"job_id": str(n)} if status == "synced" else {},
            "attempts": 1 if decided else 0,
            "lease_token": None,
            "lease_expires_at": None,
            "leased_by": "",
            "completed_at": at if status in ("synced", "rejected", "retrieved") else None,
            "failed_at": at if status == "failed" else None,
        }

    def _requests(self, n):
        def status(i):
            return {0: "failed", 1: "ready_to_export", 2: "rejected", 3: "rejected", 4: "retrieved"}.get(
                i % 50, "synced"
            )

        _insert(ERPRequest, [self._request_row(status(i)) for i in range(n)])
        self.counts["requests"] += n

    def _claimable(self):
        _insert(ERPRequest, [self._request_row("exporting") for _ in range(CLAIMABLE)])

    def _budgets_to_accept(self):
        """BULK budgets waiting for accounting on synced projects: what a month-end bulk accept takes."""
        first = self._projects(BULK)
        projects = list(Project.objects.filter(number__gte=f"S{first:07}").order_by("number")[:BULK])
        Project.objects.filter(pk__in=[p.pk for p in projects]).update(erp_status="synced", erp_id=None)
        Budget.objects.bulk_create([Budget(project=p, status=Budget.Status.READY_TO_EXPORT) for p in projects])
        budgets = Budget.objects.filter(project__in=projects)
        rows = [
            self._request_row(
                "ready_to_export",
                kind="budget",
                object_id=budget.pk,
                payload={"project": budget.project.number, "job_id": budget.project.number, "transactions": []},
            )
            for budget in budgets.select_related("project")
        ]
        _insert(ERPRequest, rows)
        waiting = ERPRequest.objects.filter(kind="budget", status="ready_to_export", object_id__in=budgets.values("pk"))
        return list(waiting.values_list("pk", flat=True))

    def _audit(self, record, n):
        content_type = ContentType.objects.get_for_model(record)
        rows = []
        for i in range(n):
            _, at = self._next()
            rows.append(self._log_row(content_type.pk, record.pk, at, i))
        _insert(StateLog, rows)

    def _history(self, n):
        """Audit rows spread over the projects, companies and requests (three rows of every four on requests)."""
        project_ids = list(Project.objects.values_list("pk", flat=True)[:5000])
        company_ids = list(Company.objects.values_list("pk", flat=True)[:5000])
        request_ids = list(ERPRequest.objects.values_list("pk", flat=True)[:5000])
        project, company, request = (self.types[m].pk for m in (Project, Company, ERPRequest))
        for start in range(0, n, 100_000):
            rows = []
            for i in range(start, min(n, start + 100_000)):
                _, at = self._next()
                if i % 4 == 0:
                    rows.append(self._log_row(project, project_ids[i % len(project_ids)], at, i))
                elif i % 4 == 1:
                    rows.append(self._log_row(company, company_ids[i % len(company_ids)], at, i))
                else:
                    rows.append(self._log_row(request, request_ids[i % len(request_ids)], at, i))
            _insert(StateLog, rows)
        self.counts["audit"] += n

    def _log_row(self, content_type_id, object_id, at, i):
        transition, source, state = (
            ("send", "not_synced", "ready_to_export"),
            ("mark_exporting", "ready_to_export", "exporting"),
            ("mark_synced", "exporting", "synced"),
        )[i % 3]
        return {
            "timestamp": at,
            "by_id": self.approver.pk,
            "source_state": source,
            "state": state,
            "transition": transition,
            "content_type_id": content_type_id,
            "object_id": object_id,
            "description": None,
        }


def _insert(model, rows):
    """Rows as {field: value}, in the database's own types, through the fastest insert it has."""
    if not rows:
        return
    names = list(rows[0])
    fields = [model._meta.get_field(name) for name in names]

    def prepared(field, value):
        if value is None:
            return None
        if field.get_internal_type() == "JSONField":
            return json.dumps(value)
        return field.get_db_prep_value(value, connection, prepared=False)

    insert_rows(model, names, [tuple(prepared(f, row[n]) for f, n in zip(fields, names, strict=True)) for row in rows])


def _timed(call, repeat):
    """(best seconds, queries of the last run) of `call()`."""
    best, queries = None, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call()
            seconds = time.perf_counter() - started
        if response.status_code not in (200, 302):
            raise RuntimeError(f"{response.status_code}: {response.content[:300]!r}")
        best = seconds if best is None else min(best, seconds)
        queries = len(captured)
    return best, queries


def _cursor_url(path, ordering_field, queryset, offset):
    """The API's `next` link that starts `offset` rows in, as following the links there would give it."""
    position = queryset.values_list(ordering_field, flat=True)[offset]
    paginator = NewestFirstCursorPagination()
    paginator.base_url = f"http://testserver{path}"
    paginator.page_size = 50
    return paginator.encode_cursor(Cursor(offset=0, reverse=False, position=str(position)))


def _measure(seed, repeat, write):
    admin = Client()
    admin.force_login(seed.approver)
    agent = Client(HTTP_AUTHORIZATION=f"Token {seed.agent_token}")
    api_token, _ = Token.objects.get_or_create(user=seed.approver)
    api = Client(HTTP_AUTHORIZATION=f"Token {api_token.key}")
    queue = reverse("admin:erp_queue_erprequest_changelist")
    requests = ERPRequest.objects.count()
    deep_page = min(2_000, requests // 100)
    newest = ERPRequest.objects.order_by("-sent_at", "-id")
    deep_requests = min(4_000 * 50, requests - 50)
    logs = StateLog.objects.order_by("-timestamp", "-id")
    deep_logs = min(20_000 * 50, StateLog.objects.count() - 50)
    write(f"  deep pages: changelist page {deep_page:,}; API rows {deep_requests:,} and {deep_logs:,} in")
    requests_url = "/api/v1/erp/requests/"
    events_url = "/api/v1/audit-events/"
    reads = {
        f"project page, {HEAVY_TRAIL:,} audit rows": lambda: admin.get(
            reverse("admin:jobs_project_change", args=[seed.heavy.pk])
        ),
        f"project page, {LIGHT_TRAIL:,} audit rows": lambda: admin.get(
            reverse("admin:jobs_project_change", args=[seed.light.pk])
        ),
        "ERP requests changelist, default": lambda: admin.get(queue),
        "ERP requests changelist, Synced tab": lambda: admin.get(f"{queue}?status__exact=synced"),
        "ERP requests changelist, page 2,000 (or the last)": lambda: admin.get(f"{queue}?p={deep_page}"),
        "history of every record (admin), page 1": lambda: admin.get(reverse("admin:core_historyentry_changelist")),
        "GET erp/requests/ first page": lambda: api.get(requests_url),
        "GET erp/requests/ page 4,001 (or the last)": lambda: api.get(
            _cursor_url(requests_url, "sent_at", newest, deep_requests)
        ),
        "GET audit-events/ page 20,001 (or the last)": lambda: api.get(
            _cursor_url(events_url, "timestamp", logs, deep_logs)
        ),
    }
    results = {label: _timed(call, repeat) for label, call in reads.items()}
    for limit in (10, 100):
        results[f"POST erp/requests/claim/ limit {limit}"] = _timed(
            lambda limit=limit: agent.post(
                "/api/v1/erp/requests/claim/", {"limit": limit, "worker": "bench"}, content_type="application/json"
            ),
            1,
        )
    ids = seed.bulk_ids
    results[f"bulk accept of {BULK} budgets (admin, agent mode)"] = _timed(
        lambda: admin.post(queue, {"action": "accept_selected", "_selected_action": ids}), 1
    )
    accepted = ERPRequest.objects.filter(pk__in=ids, status="exporting").count()
    if accepted != len(ids):
        raise RuntimeError(f"the bulk accept accepted {accepted} of {len(ids)}")
    return results
