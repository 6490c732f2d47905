import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.budgets import budget_file, services
from apps.budgets.models import Budget
from apps.core.exceptions import DomainError, PermissionDenied


class Command(BaseCommand):
    help = "Import a large budget file (CSV or XLSX) into a project's budget: every row checked, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("project", help="The project's number.")
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="Username the import is made as (needs import rights).")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")

    def handle(self, *args, project, file, user, dry_run, **options):
        budget = Budget.objects.select_related("project").filter(project__number=project).first()
        if budget is None:
            raise CommandError(f"Project {project} has no budget.")
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"No user named {user}.")
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        started = time.monotonic()
        progress = Progress(self.stderr)
        try:
            budget_file.refuse_size(file.stat().st_size)  # before reading it into memory
            dataset = budget_file.read(file.read_bytes(), file.name)
            outcome = services.budget_import(
                budget=budget, dataset=dataset, user=account, dry_run=dry_run, progress=progress
            )
        except (budget_file.FileError, DomainError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
        progress.finish()
        if outcome["errors"]:
            for error in outcome["errors"]:
                self.stderr.write(f"row {error.row}, {error.field or 'row'} {error.value!r}: {error.message}")
            more = outcome["more_rows"]
            if more:  # the list is capped at the first errors
                self.stderr.write(budget_file.more_rows_message(more))
            raise CommandError(
                f"Nothing was imported: {len(outcome['errors']):,} problem(s) in {file.name}"
                + (f", and {more:,} more row(s) need correcting." if more else ".")
            )
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {file.name} into {budget}: {outcome['new']:,} new, {outcome['updated']:,} updated, "
                f"{outcome['unchanged']:,} unchanged lines in {time.monotonic() - started:.1f} s."
            )
        )


class Progress:
    """A progress bar on stderr: redrawn in place on a terminal, one line per update elsewhere."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.tty = sys.stderr.isatty()

    def __call__(self, label, done, total):
        filled = self.WIDTH * done // max(total, 1)
        line = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:,}/{total:,} {label}"
        if self.tty:
            self.stream.write(f"\r{line:<80}", ending="")
        else:
            self.stream.write(line)

    def finish(self):
        if self.tty:
            self.stream.write("")
