"""`python -m wizard directory check|import|export|demo`: only a directory without a problem is
published, made-up data only as fictional, and an export reads back to the same listings."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wizard import create_app
from wizard.cli import main
from wizard.domain.directory.hsds import read_path
from wizard.domain.directory.listing import aged_to
from wizard.domain.directory.taxonomy import TAXONOMY_ID, build_taxonomy
from wizard.storage.directory import DirectoryStore
from wizard.storage.models import DirectoryImport

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "directory"


@pytest.fixture
def database_url(tmp_path, monkeypatch):
    # The command line builds the app from the environment, as on a server.
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def run(*argv: str) -> int:
    with pytest.raises(SystemExit) as exited:
        main(["directory", *argv])
    return exited.value.code


def store(url: str) -> DirectoryStore:
    services = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": url}).extensions["services"]
    return DirectoryStore(services.database)


def imports(url: str) -> list[DirectoryImport]:
    with store(url).database.transaction() as session:
        rows = session.query(DirectoryImport).order_by(DirectoryImport.id).all()
        session.expunge_all()
        return rows


def test_check_prints_a_summary_or_every_problem(capsys, tmp_path):
    assert run("check", str(EXAMPLES)) == 0
    assert "18 services valid." in capsys.readouterr().out
    broken = tmp_path / "broken.json"
    documents = json.loads((EXAMPLES / "directory.json").read_text(encoding="utf-8"))
    documents[0]["assured_date"] = "2026-13-01"
    documents[1]["url"] = "javascript:alert(1)"
    broken.write_text(json.dumps(documents), encoding="utf-8")
    assert run("check", str(broken)) == 1
    err = capsys.readouterr().err
    assert "broken.json: 2 problem(s)" in err
    assert "broken.json, row 1, field assured_date: not a date (2026-13-01)" in err
    assert "broken.json, row 2, field url: not an https or http address (javascript:alert(1))" in err


def test_made_up_data_is_published_only_as_fictional(database_url, capsys):
    assert run("import", str(EXAMPLES)) == 1
    err = capsys.readouterr().err
    assert "18 service(s) use example.org" in err and "nothing was published" in err
    assert list(store(database_url).export()) == []
    assert run("import", str(EXAMPLES), "--fictional") == 0
    assert "Published 18 services for the operator (18 new, 0 removed), marked as fictional." in capsys.readouterr().out
    assert [(i.published, i.problems, i.fictional) for i in imports(database_url)] == [
        (False, 18, False),
        (True, 0, True),
    ]


def test_a_directory_with_problems_leaves_the_published_one_as_it_was(database_url, capsys, tmp_path):
    assert run("import", str(EXAMPLES), "--fictional") == 0
    broken = tmp_path / "directory"
    shutil.copytree(EXAMPLES, broken)
    services = (broken / "services.csv").read_text(encoding="utf-8")
    (broken / "services.csv").write_text(services.replace(",2026-09-15,", ",2026-09-31,", 1), encoding="utf-8")
    assert run("import", str(broken), "--fictional") == 1
    assert "services.csv, row 1, field assured_date: not a date (2026-09-31)" in capsys.readouterr().err
    assert len(store(database_url).export()) == 18
    assert imports(database_url)[-1].published is False


def test_a_partner_must_be_configured(database_url, capsys):
    assert run("import", str(EXAMPLES), "--fictional", "--partner", "nobody") == 2
    assert "Unknown partner 'nobody'" in capsys.readouterr().err
    assert run("import", str(EXAMPLES / "directory.json"), "--fictional", "--partner", "example") == 0
    assert len(store(database_url).export("example")) == 18 and store(database_url).export() == []


def test_export_in_both_forms_reads_back_to_the_same_listings(database_url, capsys, tmp_path, rulebook):
    assert run("demo") == 0
    assert "Published the fictional example directory: 18 services." in capsys.readouterr().out
    taxonomy = build_taxonomy(rulebook.approaches)
    # The demo publishes the example with its dates moved to today (they are ages).
    published = aged_to(list(read_path(EXAMPLES, taxonomy).listings), datetime.now(UTC).date())
    assert run("export", str(tmp_path / "out.json")) == 0
    assert run("export", "--format", "tabular", str(tmp_path / "out")) == 0
    by_id = sorted(published, key=lambda listing: listing.id)
    for exported in (tmp_path / "out.json", tmp_path / "out"):
        reading = read_path(exported, taxonomy)
        assert reading.problems == ()
        assert sorted(reading.listings, key=lambda listing: listing.id) == by_id


def test_demo_never_replaces_a_real_directory(database_url, capsys, tmp_path):
    real = tmp_path / "real.json"
    text = (EXAMPLES / "directory.json").read_text(encoding="utf-8")
    real.write_text(text.replace(".example.org", ".example-health.pt"), encoding="utf-8")
    assert run("import", str(real)) == 0
    assert run("demo") == 1
    assert "has 18 real services" in capsys.readouterr().err
    assert not any(stored.fictional for stored in store(database_url).iterate(None))


def test_taxonomy_prints_every_term_with_its_id(capsys, rulebook):
    assert run("taxonomy") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    taxonomy = build_taxonomy(rulebook.approaches)
    assert [(row["id"], row["code"]) for row in rows] == [(term.id, term.code) for term in taxonomy.terms]
    assert {row["taxonomy_id"] for row in rows} == {TAXONOMY_ID}
