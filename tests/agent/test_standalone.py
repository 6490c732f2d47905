"""The agent runs on a plain Python next to Sage: it imports the standard library and itself, nothing else."""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "erp_agent"
MODULES = sorted(PACKAGE.rglob("*.py"))
MODULE_LINE_LIMIT = 400


def imported(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # a relative import is erp_agent itself
                yield "erp_agent"
            elif node.module:
                yield node.module


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_imports_only_the_standard_library_and_itself(path):
    outside = sorted(
        {name for name in imported(path) if name.split(".")[0] not in {*sys.stdlib_module_names, "erp_agent"}}
    )
    assert outside == [], f"{path.name} imports {outside}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_modules_stay_small_with_a_docstring(path):
    tree = ast.parse(path.read_text())
    assert ast.get_docstring(tree), f"{path.name} needs a one-line docstring saying why it exists"
    assert len(path.read_text().splitlines()) < MODULE_LINE_LIMIT


def test_there_is_something_to_check():
    assert {p.name for p in MODULES} >= {"__init__.py", "__main__.py", "agent.py", "journal.py", "sage_writer.py"}
