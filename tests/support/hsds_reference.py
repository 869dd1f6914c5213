"""The official Open Referral HSDS 3.0 reference (compiled schemas, datapackage), which the directory
tests validate real files and responses against. It is not shipped with the project: the folder
is named by HSDS_REFERENCE_DIR (the Makefile sets it). Without it those tests are skipped, and with
REQUIRE_HSDS=1 (CI) they fail instead, so CI can never pass them by skipping."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def hsds_reference_folder() -> Path:
    folder = os.environ.get("HSDS_REFERENCE_DIR", "")
    why = None
    if not folder:
        why = "HSDS_REFERENCE_DIR is not set: it names the folder of the official HSDS 3.0 schemas"
    elif not (Path(folder) / "schema" / "compiled" / "service.json").is_file():
        why = f"HSDS_REFERENCE_DIR ({folder}) has no schema/compiled/service.json"
    if why:
        if os.environ.get("REQUIRE_HSDS") == "1":
            pytest.fail(f"{why} (REQUIRE_HSDS=1: these tests must run here)", pytrace=False)
        pytest.skip(why)
    return Path(folder)
