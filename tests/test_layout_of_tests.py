"""Test modules never import each other: shared helpers live in tests/support/ or in a
conftest.py fixture, so any test file can move, be renamed or run alone."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
BENCH = ROOT / "bench"


def _imports_of_test_modules(path: Path) -> list[str]:
    """The test modules the file imports, relative imports and imports inside functions included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _names_a_test_module(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            if _names_a_test_module(base):
                found.append(base)
            else:
                # `from . import test_x` names the test module among the imported names.
                separator = "" if base.endswith(".") else "."
                found += [base + separator + alias.name for alias in node.names if alias.name.startswith("test_")]
    return sorted(found)


def _names_a_test_module(dotted: str) -> bool:
    return any(part.startswith("test_") for part in dotted.split("."))


def test_no_file_imports_a_test_module():
    offenders = {
        str(path.relative_to(ROOT)): found
        for folder in (TESTS, BENCH)
        for path in sorted(folder.rglob("*.py"))
        if (found := _imports_of_test_modules(path))
    }
    assert offenders == {}


def test_the_check_sees_relative_absolute_and_nested_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from .test_journey import FULL\n"
        "import tests.integration.test_staff\n"
        "from . import test_keyboard\n"
        "def f():\n    from tests.system.test_scale_out import CSRF\n"
        "from tests.support.answers import FULL\n",
        encoding="utf-8",
    )
    assert _imports_of_test_modules(sample) == [
        ".test_journey",
        ".test_keyboard",
        "tests.integration.test_staff",
        "tests.system.test_scale_out",
    ]
