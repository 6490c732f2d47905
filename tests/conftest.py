import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.core import roles
from apps.jobs import services as job_services
from apps.ledger.models import ERPCostCode
from tests.core.factories import UserFactory


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="row locks and SKIP LOCKED are only real on PostgreSQL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Each test starts with no request counted against the API's rates (they live in the cache)."""
    cache.clear()


@pytest.fixture
def make_user(db):
    def make(username, role=None, **kwargs):
        user = UserFactory(username=username, **kwargs)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def pm(make_user):
    return make_user("pm", roles.PROJECT_MANAGER)


@pytest.fixture
def approver(make_user):
    return make_user("approver", roles.ACCOUNTING_APPROVER)


@pytest.fixture
def viewer(make_user):
    return make_user("viewer", roles.VIEWER)


@pytest.fixture
def agent(make_user):
    return make_user("agent", roles.ERP_AGENT)


@pytest.fixture
def api_as():
    """An API client authenticated the way other tools are: with the user's token."""

    def client_for(user):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        return client

    return client_for


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what the app defers to after commit (the ledger export after accept), as a real commit would."""

    def committed():
        return django_capture_on_commit_callbacks(execute=True)

    return committed


STANDARD_COST_CODES = [("1000", "General Requirements"), ("2300", "Earthwork"), ("3300", "Cast-in-Place Concrete")]


@pytest.fixture
def cost_codes(db, approver):
    """The ERP's standard cost codes, keyed in the ledger and synced into the app."""
    for code, description in STANDARD_COST_CODES:
        ERPCostCode.objects.create(code=code, description=description)
    return job_services.cost_code_sync_from_erp(user=approver)


@pytest.fixture
def erp_unread(monkeypatch):
    """An ERP the app cannot read ahead (as with an agent): only the export itself finds a job id, vendor id or
    number taken, and the ERP's refusal comes back as a failed export."""
    from apps.ledger.connector import LedgerConnector

    for name in ("holds_job", "holds_vendor", "holds_commitment", "holds_change_order"):
        monkeypatch.setattr(LedgerConnector, name, lambda self, *args, **kwargs: None)
