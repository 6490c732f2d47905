"""The dependency rules of the design, checked on the source so that a shortcut cannot creep in."""

import ast
from pathlib import Path

import pytest

from apps.erp_queue import registry

APPS = Path(__file__).resolve().parents[2] / "apps"
PRODUCERS = ["jobs", "budgets", "commitments", "change_orders", "vendors"]
DOMAIN = [*PRODUCERS, "erp_queue", "ledger"]
#: What a producer may use of the queue: its services, its registry and its selectors.
QUEUE_INTERFACE = {"apps.erp_queue.services", "apps.erp_queue.registry", "apps.erp_queue.selectors"}
PACKAGES = sorted(p.name for p in APPS.iterdir() if (p / "apps.py").exists())
MODULE_LINE_LIMIT = 400


def sources(package=""):
    return sorted(p for p in (APPS / package).rglob("*.py") if "migrations" not in p.parts)


def imported_modules(package):
    """(path, module) for every import in the package; `from apps.x import y` counts as apps.x.y too."""
    for path in sources(package):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                yield path, node.module
                for alias in node.names:
                    yield path, f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name


def app_of(module):
    parts = module.split(".")
    return parts[1] if parts[0] == "apps" and len(parts) > 1 else None


def test_erp_queue_imports_no_producer_app():
    offending = [
        (str(path), module)
        for path, module in imported_modules("erp_queue")
        if app_of(module) in [*PRODUCERS, "ledger"]
    ]
    assert offending == []


def test_erp_queue_names_no_producer_kind():
    """The queue learns its kinds from the registry: not one of them is spelled in its code, choices included."""
    kinds = {kind for kind, _ in registry.kind_choices()} | {kind for kind, _ in registry.staged_kind_choices()}
    assert kinds >= {"job", "budget", "commitment", "change_order", "vendor", "estimate"}
    offending = [
        (str(path), node.value)
        for path in sources("erp_queue") + sorted((APPS / "erp_queue" / "migrations").glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and node.value in kinds
    ]
    assert offending == []


@pytest.mark.parametrize("package", PRODUCERS)
def test_producers_use_only_the_queue_interface(package):
    offending = [
        (str(path), module)
        for path, module in imported_modules(package)
        if module.startswith("apps.erp_queue.") and not any(module.startswith(allowed) for allowed in QUEUE_INTERFACE)
    ]
    assert offending == []


def test_core_imports_no_domain_app():
    offending = [(str(path), module) for path, module in imported_modules("core") if app_of(module) in DOMAIN]
    assert offending == []


@pytest.mark.parametrize("package", [p for p in PACKAGES if p != "ledger"])
def test_only_the_connector_layer_imports_the_ledger(package):
    offending = [(str(path), module) for path, module in imported_modules(package) if app_of(module) == "ledger"]
    assert offending == []


def called_name(call):
    return getattr(call.func, "id", None) or getattr(call.func, "attr", None)


def test_nothing_is_found_by_building_its_name():
    """No getattr or import of a name made from a string: every service a newcomer searches for has a caller."""
    offending = [
        f"{path.relative_to(APPS)}:{node.lineno}"
        for path in sources()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and called_name(node) in ("getattr", "import_module", "import_string")
        and any(isinstance(arg, ast.JoinedStr | ast.BinOp) for arg in node.args)
    ]
    assert offending == []


def test_no_module_is_over_the_line_limit():
    too_long = {
        str(path.relative_to(APPS)): lines
        for path in sources()
        if (lines := len(path.read_text().splitlines())) > MODULE_LINE_LIMIT
    }
    assert too_long == {}
