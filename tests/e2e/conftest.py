"""Browser tests: Debian's Chromium against pytest-django's live server, one real user per role."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from apps.core import roles
from apps.jobs import services as job_services
from apps.ledger.models import ERPCostCode

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make for
# setup and assertions would otherwise be refused as "called from an async context".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # CI runs as root, where Chromium refuses to start with its sandbox.
    "--no-sandbox",
]
PASSWORD = "e2e-Browser-pass-31"

STANDARD_COST_CODES = [
    ("1000", "General Requirements", "01 General"),
    ("2300", "Earthwork", "02 Site Work"),
    ("3300", "Cast-in-Place Concrete", "03 Concrete"),
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright's own browser download does not work here: always Debian's Chromium.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_FLAGS],
    }


@pytest.fixture
def erp_reference_data(transactional_db):
    """The ERP's cost code list, as keyed in the ERP."""
    for code, description, division in STANDARD_COST_CODES:
        ERPCostCode.objects.get_or_create(code=code, defaults={"description": description, "division": division})


@pytest.fixture
def role_user(transactional_db, settings):
    """A staff user with a password who holds one of the app's roles (its group, made by migrate)."""
    # Every log-in checks the password in the live server: a fast hasher keeps the tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def make(username, role):
        user = get_user_model().objects.create_user(username=username, password=PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def pm_user(role_user):
    return role_user("pat.pm", roles.PROJECT_MANAGER)


@pytest.fixture
def approver_user(role_user):
    return role_user("alex.approver", roles.ACCOUNTING_APPROVER)


@pytest.fixture
def standard_cost_codes(erp_reference_data, approver_user):
    """The ERP's standard cost codes, synced into the app the way accounting does it."""
    return job_services.cost_code_sync_from_erp(user=approver_user)
