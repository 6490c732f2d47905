import pytest

from tests.budgets.conftest import project  # noqa: F401  (a project synced with ERP job 5000)
from tests.commitments.factories import linked_vendor


@pytest.fixture
def vendor(db):
    return linked_vendor()
