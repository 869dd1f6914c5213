"""I8: the environment the project sets up has installer tooling past its known advisories."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def _minimums() -> dict[str, Requirement]:
    lines = (ROOT / "requirements-tools.txt").read_text().splitlines()
    requirements = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    return {requirement.name: requirement for requirement in requirements}


def test_pip_and_setuptools_are_upgraded_past_their_advisories():
    minimums = _minimums()
    assert set(minimums) == {"pip", "setuptools"}
    # pip 23.3 fixed CVE-2023-5752; setuptools 78.1.1 fixed CVE-2025-47273.
    assert minimums["pip"].specifier.contains("23.3") is False
    assert minimums["setuptools"].specifier.contains("78.1.1") is False
    for name, requirement in minimums.items():
        assert requirement.specifier.contains(version(name)), f"{name} {version(name)} is older than {requirement}"
