"""The loader: one tiny fixture per kind of mistake, each with the message an editor sees.

Each folder in rule_fixtures/ holds file(s) that replace the real ones in a
copy of rules/ (or a DELETE list), and expected.txt: text that must appear
in one of the reported problems (file, line, item and message).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from wizard.domain.rulebook.loader import RulebookError, load_rulebook

from ..conftest import RULES

FIXTURES = Path(__file__).parent / "rule_fixtures"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def broken_copy(case: str, tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    for item in (FIXTURES / case).iterdir():
        if item.name == "DELETE":
            for name in item.read_text().split():
                (folder / name).unlink()
        elif item.suffix == ".yaml":
            shutil.copy(item, folder / item.name)
    return folder


def test_a_service_without_how_to_start_is_refused(tmp_path):
    # approaches.yaml is too long to keep a broken copy in rule_fixtures/: one approach loses its field here.
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    text = (folder / "approaches.yaml").read_text()
    start = text.index("    how_to_start:", text.index("- id: detox"))
    (folder / "approaches.yaml").write_text(text[:start] + text[text.index("    what_to_expect:", start) :])
    with pytest.raises(RulebookError) as raised:
        load_rulebook(folder)
    messages = [str(p) for p in raised.value.problems]
    assert any("approaches.yaml" in m and "detox" in m and "how_to_start" in m for m in messages), messages


def test_every_error_kind_has_a_fixture():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES)
def test_broken_rules_are_refused_with_a_clear_message(case, tmp_path):
    expected = (FIXTURES / case / "expected.txt").read_text().strip()
    with pytest.raises(RulebookError) as raised:
        load_rulebook(broken_copy(case, tmp_path))
    messages = [str(p) for p in raised.value.problems]
    assert any(expected in m for m in messages), f"expected {expected!r} in:\n" + "\n".join(messages)


def test_shipped_rules_load(rulebook):
    assert len(rulebook.approaches) >= 30
    assert 30 <= len(rulebook.approaches) <= 45
    assert len(rulebook.countries) >= 240


def test_the_app_refuses_to_start_on_broken_rules(tmp_path, monkeypatch):
    from wizard import create_app

    folder = broken_copy("unknown-approach", tmp_path)
    with pytest.raises(RulebookError):
        create_app({"TESTING": True, "SECRET_KEY": "x", "RULES_DIR": folder})


def test_cli_check_exits_non_zero_with_the_errors(tmp_path, capsys):
    from wizard.cli import main

    folder = broken_copy("unknown-option", tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["--rules", str(folder), "rules", "check"])
    assert exited.value.code == 1
    assert "'atheist' is not an option code of 'faith'" in capsys.readouterr().err


def test_cli_check_passes_on_shipped_rules(capsys):
    from wizard.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["rules", "check"])
    assert exited.value.code == 0
    assert "Rules OK" in capsys.readouterr().out


def test_rulebook_models_are_frozen(rulebook):
    with pytest.raises(Exception, match="frozen"):
        rulebook.approaches[0].name = "changed"


def test_finders_are_found_by_country(rulebook):
    assert [f.name for f in rulebook.finders_for("US")] == ["FindTreatment.gov"]
    assert [f.name for f in rulebook.finders_for("DE")] == ["Suchthilfeverzeichnis"]
    assert rulebook.finders_for("ZZ") == () and rulebook.finders_for(None) == ()


def test_every_direct_help_organisation_says_how_to_reach_it(rulebook):
    for org in rulebook.organisations:
        if org.role == "direct_help":
            assert bool(org.reach) != bool(org.reach_none), org.id
