"""The dependency rules of the design, checked on the source so that a shortcut cannot creep in."""

import ast
from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parents[2] / "apps"


def imported_modules(package):
    for path in (APPS / package).rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                yield path, node.module
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name


PRODUCERS = ["jobs", "budgets", "commitments", "change_orders", "vendors"]


def test_erp_queue_imports_no_producer_app():
    offending = [
        (str(path), module)
        for path, module in imported_modules("erp_queue")
        if module.split(".")[:2] in (["apps", p] for p in [*PRODUCERS, "ledger"])
    ]
    assert offending == []


@pytest.mark.parametrize(
    "package", sorted(p.name for p in APPS.iterdir() if (p / "apps.py").exists() and p.name != "ledger")
)
def test_only_the_connector_layer_imports_the_ledger(package):
    offending = [(str(path), module) for path, module in imported_modules(package) if module.startswith("apps.ledger")]
    assert offending == []
