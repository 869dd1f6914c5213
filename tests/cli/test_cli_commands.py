"""`python -m wizard`: one click group whose command modules never import back from the package."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib

import pytest

from wizard.cli import cli, main

from ..conftest import ROOT

COMMANDS = {
    "rules": {"check", "safety", "explain", "coverage"},
    "requests": {"purge", "check-keys"},
    "db": {"upgrade"},
    "keys": {"new"},
    "staff": {"create", "list", "reset-totp", "unlock", "disable"},
    "directory": {"check", "import", "export", "demo", "taxonomy"},
    "run": None,
    "serve-check": None,
}


def test_every_command_is_there():
    assert set(cli.commands) == set(COMMANDS)
    for name, subcommands in COMMANDS.items():
        if subcommands is not None:
            assert set(cli.commands[name].commands) == subcommands, name


def test_no_command_module_imports_back_from_the_cli_package():
    """The cycle of the review (2.3): staff's commands reached back into the package for `_storage`."""
    for module in (ROOT / "wizard" / "cli").glob("*.py"):
        if module.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "wizard.cli", f"{module.name} imports from wizard.cli"
                assert node.module == "wizard.cli.common" or not (node.module or "").startswith("wizard.cli"), (
                    f"{module.name} imports {node.module}"
                )


def test_the_rules_commands_load_no_web_framework_and_no_database():
    code = (
        "import sys\n"
        "from wizard.cli import main\n"
        "try:\n    main(['rules', 'check'])\n"
        "except SystemExit as done:\n"
        "    loaded = [name for name in ('flask', 'werkzeug', 'sqlalchemy') if name in sys.modules]\n"
        "    print(done.code, loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.splitlines()[-1] == "0 []"


@pytest.mark.parametrize("argv", [["--rules", "/no/such/folder", "rules", "check"], ["rules"], ["keys", "bogus"]])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    if argv[0] == "--rules":
        assert "no rules folder at /no/such/folder" in capsys.readouterr().err


def test_the_wizard_script_is_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["wizard"] == "wizard.cli:main"
