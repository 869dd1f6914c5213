"""Fixtures for the directory tests: the taxonomy, the fictional example directory, and the
official HSDS 3.0 reference (schemas and datapackage), found through HSDS_REFERENCE_DIR."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

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
    folder = os.environ.get("HSDS_REFERENCE_DIR")
    if not folder or not (Path(folder) / "schema" / "compiled" / "service.json").is_file():
        pytest.skip("HSDS_REFERENCE_DIR is not set to the HSDS 3.0 reference folder")
    return Path(folder)


@pytest.fixture(scope="session")
def service_validator(reference):
    import jsonschema_rs

    schema = json.loads((reference / "schema" / "compiled" / "service.json").read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema)
