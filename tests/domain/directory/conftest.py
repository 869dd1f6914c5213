"""Fixtures for the directory tests: the taxonomy, the fictional example directory, and the
official HSDS 3.0 reference (schemas and datapackage), found through HSDS_REFERENCE_DIR."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.hsds_reference import hsds_reference_folder
from wizard.domain.directory.taxonomy import build_taxonomy

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "directory"


@pytest.fixture(scope="session")
def taxonomy(rulebook):
    return build_taxonomy(rulebook.approaches)


@pytest.fixture(scope="session")
def examples() -> Path:
    return EXAMPLES


@pytest.fixture(scope="session")
def reference() -> Path:
    """The HSDS 3.0 reference folder (schema/, datapackage.json); the tests using it are skipped
    when HSDS_REFERENCE_DIR is not set."""
    return hsds_reference_folder()


@pytest.fixture(scope="session")
def service_validator(reference):
    import jsonschema_rs

    schema = json.loads((reference / "schema" / "compiled" / "service.json").read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema)
