"""Benchmark of the budget file import (validation + write) against a raw bulk insert of the same rows.

Runs on a throwaway test database of the configured engine (SQLite file, or PostgreSQL via
DATABASE_URL) and prints figures; it asserts nothing, since shared machines are noisy.
"""

import io
import logging
import os
import resource
import tempfile
import time
from decimal import Decimal
from multiprocessing import get_context

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, connections, transaction
from django.test import Client, override_settings
from django.urls import reverse

MB = 1024 * 1024


class Command(BaseCommand):
    help = "Time the budget import path on 10,000 and 100,000 lines against a raw bulk insert (make bench)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
        parser.add_argument("--preview-rows", type=int, default=10_000)
        parser.add_argument("--no-limits", action="store_true", help="Skip the files at and past the limits.")

    def handle(self, *args, rows, preview_rows, no_limits, **options):
        vendor = connection.vendor
        if vendor == "sqlite":
            connection.settings_dict["TEST"]["NAME"] = os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            self.stdout.write(f"Budget import benchmark on {vendor} ({os.cpu_count()} cores)")
            self.stdout.write(
                f"{'lines':>8} {'import s':>9} {'lines/s':>9} {'floor s':>8} {'ratio':>6} {'peak MiB':>9} {'+MiB':>6}"
            )
            for count in rows:
                project_id, floor_budget_id = _setup(count)
                raw = _budget_csv(count)
                stats = _in_child(_measure_import, project_id, raw)
                floor = _in_child(_measure_floor, project_id, floor_budget_id, raw)
                self.stdout.write(
                    f"{count:>8,} {stats['seconds']:>9.2f} {count / stats['seconds']:>9,.0f} {floor['seconds']:>8.2f} "
                    f"{stats['seconds'] / floor['seconds']:>6.1f} {stats['peak_mib']:>9.0f} {stats['grew_mib']:>6.0f}"
                )
            project_id, _ = _setup(preview_rows)
            seconds = _in_child(_measure_admin_preview, project_id, _budget_csv(preview_rows))["seconds"]
            self.stdout.write(f"admin preview of a {preview_rows:,}-line file: {seconds:.2f} s")
            if not no_limits:
                self._limits()
        finally:
            connections.close_all()
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def _limits(self):
        """Files at and past BUDGET_FILE_MAX_BYTES / _ROWS through the API's import, each in a fresh process."""
        limit, max_rows = settings.BUDGET_FILE_MAX_BYTES, settings.BUDGET_FILE_MAX_ROWS
        project_id, _ = _setup(max_rows)
        size = f"{limit / MB:.1f} MB"
        files = [  # built one at a time, so the parent holds one file when each child forks
            (f"accepted: {size} CSV, {max_rows:,} lines", "budget.csv", lambda: _budget_csv(max_rows, size=limit)),
            (f"refused: {size} + 1 byte CSV", "budget.csv", lambda: _budget_csv(max_rows, size=limit + 1)),
            (f"refused: {size} CSV, every row bad", "budget.csv", lambda: _budget_csv(max_rows, size=limit, bad=True)),
            (f"refused: XLSX of {max_rows * 5 // 4:,} rows", "budget.xlsx", lambda: _budget_xlsx(max_rows * 5 // 4)),
        ]
        self.stdout.write(f"\nFiles at the limits (API import; limits {size}, {max_rows:,} rows)")
        self.stdout.write(f"{'file':<44} {'status':>6} {'s':>7} {'peak MiB':>9} {'+MiB':>6} {'answer KiB':>10}")
        for label, name, build in files:
            stats = _in_child(_measure_api_import, project_id, name, build())
            self.stdout.write(
                f"{label:<44} {stats['status']:>6} {stats['seconds']:>7.2f} {stats['peak_mib']:>9.0f} "
                f"{stats['grew_mib']:>6.0f} {stats['answer_kib']:>10.1f}"
            )


def _setup(count):
    """A project with enough cost codes (each with all nine cost types) for `count` lines, and two budgets."""
    from apps.budgets.models import Budget
    from apps.jobs.models import CostCode, Project, ProjectCostCode

    codes_needed = -(-count // 9)
    prefix = Project.objects.count() + 1
    with transaction.atomic():
        project = Project.objects.create(number=f"BENCH-{prefix}-{count}", name=f"Benchmark {count}")
        floor_project = Project.objects.create(number=f"FLOOR-{prefix}-{count}", name=f"Floor {count}")
        existing = CostCode.objects.count()
        CostCode.objects.bulk_create(
            [CostCode(code=str(100000 + i), description=f"Code {i}") for i in range(existing, codes_needed)],
            batch_size=2000,
        )
        code_ids = list(CostCode.objects.order_by("code").values_list("pk", flat=True)[:codes_needed])
        for target in (project, floor_project):
            ProjectCostCode.objects.bulk_create(
                [ProjectCostCode(project=target, cost_code_id=pk) for pk in code_ids], batch_size=2000
            )
            through = ProjectCostCode.cost_types.through
            through.objects.bulk_create(
                [
                    through(projectcostcode_id=pcc, costtype_id=t)
                    for pcc in ProjectCostCode.objects.filter(project=target).values_list("pk", flat=True)
                    for t in range(1, 10)
                ],
                batch_size=5000,
            )
        Budget.objects.create(project=project)
        floor_budget = Budget.objects.create(project=floor_project)
    return project.pk, floor_budget.pk


def _budget_csv(count, size=None, bad=False):
    """`count` lines; with `size`, descriptions padded so the file is `size` bytes; `bad`: no cost type is valid."""
    header = "Cost Code,Cost Type,Description,Unit Qty,UOM,Unit Cost,Original Budget,Manual Calculation\n"
    rows = []
    for i in range(count):
        code, cost_type = 100000 + i // 9, 0 if bad else i % 9 + 1
        if i % 3 == 0:
            rows.append(f"{code},{cost_type},Line {i},{i % 40 + 1},ea,{i % 500 + 0.25:.2f},,no\n")
        else:
            rows.append(f'{code},{cost_type},Line {i},,,,"${1000 + i:,}.{i % 100:02d}",yes\n')
    if size is not None:
        short = size - len(header) - sum(map(len, rows))
        pad, extra = divmod(short, count)
        rows = [row.replace(",Line ", ",Line " + "x" * (pad + (n < extra)), 1) for n, row in enumerate(rows)]
    return (header + "".join(rows)).encode()


def _budget_xlsx(count):
    """An XLSX of `count` identical lines (one cost code and type): only its length matters."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Cost Code", "Cost Type", "Description", "Unit Qty", "UOM", "Unit Cost", "Original Budget"])
    for _ in range(count):
        sheet.append([100000, 1, "Line", None, None, None, 1000])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _in_child(function, *args):
    """Run one measurement in a fresh process so its peak memory is its own."""
    connections.close_all()
    context = get_context("fork")
    parent, child = context.Pipe()
    process = context.Process(target=_child_main, args=(child, function, args))
    process.start()
    result = parent.recv()
    process.join()
    if "error" in result:
        raise RuntimeError(result["error"])
    return result


def _child_main(pipe, function, args):
    try:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result = function(*args)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        pipe.send({**result, "peak_mib": peak / 1024, "grew_mib": (peak - before) / 1024})
    except Exception as exc:  # reported by the parent
        pipe.send({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        connections.close_all()


def _measure_import(project_id, raw):
    """The app's own path: read the file, check every row, write (services.budget_import, as admin, API and command)."""
    from apps.budgets import budget_file, services
    from apps.budgets.models import Budget

    user = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create_superuser(
        "bench", password="bench-only-password"
    )
    budget = Budget.objects.get(project_id=project_id)
    started = time.perf_counter()
    outcome = services.budget_import(budget=budget, dataset=budget_file.read(raw), user=user)
    seconds = time.perf_counter() - started
    if outcome["errors"]:
        raise RuntimeError(f"benchmark file rejected: {outcome['errors'][:3]}")
    return {"seconds": seconds}


def _measure_floor(project_id, floor_budget_id, raw):
    """The floor: the same rows, already parsed and checked, inserted raw (executemany / COPY)."""
    from django.utils import timezone

    from apps.budgets import budget_file, services
    from apps.budgets.models import Budget, BudgetLineItem
    from apps.budgets.services import files

    budget = Budget.objects.get(project_id=project_id)
    checked = services.budget_check_file(budget=budget, dataset=budget_file.read(raw))
    now = timezone.now()
    rows = [files.insert_row(floor_budget_id, line, now) for line in checked.lines]
    columns = ", ".join(BudgetLineItem._meta.get_field(name).column for name in files.INSERT_FIELDS)
    table = "budgets_budgetlineitem"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(files.INSERT_FIELDS))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                [tuple(str(v) if isinstance(v, Decimal) else v for v in row) for row in rows],
            )
    return {"seconds": time.perf_counter() - started}


def _measure_api_import(project_id, name, raw):
    """POST the file to `/api/v1/budgets/{id}/import/` as a superuser: status, time and the answer's size."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    from apps.budgets.models import Budget

    user = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create_superuser(
        "bench", password="bench-only-password"
    )
    budget = Budget.objects.get(project_id=project_id)
    logging.getLogger("django.request").setLevel(logging.ERROR)  # each refusal is expected: no warning lines
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        client = APIClient()
        client.force_authenticate(user)
        started = time.perf_counter()
        response = client.post(
            f"/api/v1/budgets/{budget.pk}/import/", {"file": SimpleUploadedFile(name, raw)}, format="multipart"
        )
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "status": response.status_code, "answer_kib": len(response.content) / 1024}


def _measure_admin_preview(project_id, raw):
    """Upload to the admin's import screen and get the preview page back (checks every row, writes nothing)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.budgets.models import Budget

    user = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create_superuser(
        "bench", password="bench-only-password"
    )
    budget = Budget.objects.get(project_id=project_id)
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(user)
        started = time.perf_counter()
        response = client.post(
            reverse("admin:budgets_budgetlineitem_import"),
            {"budget": budget.pk, "format": 0, "import_file": SimpleUploadedFile("bench.csv", raw)},
        )
        seconds = time.perf_counter() - started
    if b"Confirm import" not in response.content:
        raise RuntimeError("the admin preview did not offer to confirm the import")
    return {"seconds": seconds}
