from tests.budgets.conftest import project  # noqa: F401  (a project synced with ERP job 5000)
