"""The benchmark's directory generator makes valid, fictional, repeatable directories."""

from __future__ import annotations

from bench.directory_data import generate
from wizard.domain.directory.hsds import example_addresses, read_tabular


def test_generated_services_are_valid_fictional_and_spread_out(tmp_path, taxonomy):
    reading = read_tabular(generate(300, 7, tmp_path / "a"), taxonomy)
    assert reading.report() == [] and len(reading.listings) == 300
    assert all(example_addresses(listing) for listing in reading.listings)
    assert len({listing.country for listing in reading.listings}) >= 10
    assert any(listing.remote for listing in reading.listings)
    assert any(listing.subdivisions and not listing.sites for listing in reading.listings)
    sited = [listing for listing in reading.listings if listing.sites]
    assert sited and all(site.latitude is not None for listing in sited for site in listing.sites)
    assert all(listing.approaches and listing.attributes for listing in reading.listings)


def test_the_same_seed_gives_the_same_files(tmp_path):
    first, second = generate(50, 3, tmp_path / "a"), generate(50, 3, tmp_path / "b")
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert all((first / name).read_bytes() == (second / name).read_bytes() for name in names)
