"""`python -m wizard rules explain|safety`: unknown codes are refused, safety problems are listed."""

from __future__ import annotations

import shutil

import pytest

from wizard.cli import main

from ..conftest import RULES


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("zzz=1", "unknown question 'zzz'"),
        ("faith=zzz", "unknown option 'zzz' for 'faith'; valid: faith_based, secular, no_preference"),
        ("substances=opioids,zzz", "unknown option 'zzz' for 'substances'"),
        ("country=ZZ", "unknown country code 'ZZ' for 'country'; valid: AD, AE"),
        ("country", "--answer takes QUESTION=CODE"),
    ],
)
def test_explain_refuses_unknown_codes_with_the_valid_ones(answer, message):
    with pytest.raises(SystemExit) as stopped:
        main(["rules", "explain", "--answer", answer])
    assert message in str(stopped.value.code)


def test_explain_shows_naloxone_to_someone_who_refuses_medication(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["rules", "explain", "--answer", "substances=opioids", "--answer", "medication=not_open"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    assert "[naloxone]" in out and "[medication-assisted-treatment]" not in out


def test_safety_passes_on_the_shipped_rules(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["rules", "safety"])
    assert stopped.value.code == 0
    assert "Safety OK: 8 invariants hold" in capsys.readouterr().out


def test_safety_lists_each_broken_promise_with_the_answers(tmp_path, capsys):
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    rules = folder / "rules.yaml"
    # Naloxone recommended only when medication is welcome: the SC-1 defect in another form.
    text = rules.read_text()
    text = text.replace(
        "    when: {answer: substances, any_in: [opioids]}\n    score: 45\n    recommend: [naloxone]",
        "    when:\n      all:\n        - {answer: substances, any_in: [opioids]}\n"
        "        - {answer: medication, equals: open}\n    score: 45\n    recommend: [naloxone]",
    )
    assert "equals: open}\n    score: 45\n    recommend: [naloxone]" in text
    rules.write_text(text)
    with pytest.raises(SystemExit) as stopped:
        main(["--rules", str(folder), "rules", "safety"])
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert "[1. naloxone and harm reduction" in err and "naloxone is not shown" in err
    assert "answers: who=myself" in err
