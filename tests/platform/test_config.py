"""Settings that must be given outside development, and the local keys made for `make run`."""

from __future__ import annotations

import pytest

from tests.support.operator import OPERATOR_SETTINGS, set_operator
from wizard.cli.requests import parse_duration
from wizard.platform.preflight import preflight
from wizard.platform.settings import SettingsError, build_config, load_settings
from wizard.storage.crypto import Sealer


def test_production_needs_a_secret_key_and_data_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("WIZARD_ENV", "production")
    monkeypatch.setenv("PUBLIC_HOST", "help.example.org")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATA_KEYS", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        build_config(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    with pytest.raises(RuntimeError, match="DATA_KEYS"):
        build_config(tmp_path)
    assert not (tmp_path / "data_key").exists()


def test_production_is_the_default_when_wizard_env_is_unset(tmp_path, monkeypatch):
    monkeypatch.delenv("WIZARD_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        build_config(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    with pytest.raises(RuntimeError, match="PUBLIC_HOST is not set"):
        build_config(tmp_path)
    monkeypatch.setenv("PUBLIC_HOST", "help.example.org")
    with pytest.raises(RuntimeError, match="OPERATOR_NAME is not set"):
        build_config(tmp_path)
    set_operator(monkeypatch)
    config = build_config(tmp_path)
    assert config["DEVELOPMENT"] is False and config["SESSION_COOKIE_SECURE"] is True
    assert config["WIZARD_ENV"] == "production"


def test_an_unknown_mode_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("WIZARD_ENV", "staging")
    with pytest.raises(RuntimeError, match="WIZARD_ENV must be 'production' or 'development'") as refused:
        build_config(tmp_path)
    assert "staging" not in str(refused.value)


def test_development_makes_a_local_data_key_once_readable_only_by_its_owner(tmp_path, monkeypatch):
    monkeypatch.setenv("WIZARD_ENV", "development")
    monkeypatch.delenv("DATA_KEYS", raising=False)
    first = build_config(tmp_path)["DATA_KEYS"]
    assert build_config(tmp_path)["DATA_KEYS"] == first
    assert (tmp_path / "data_key").stat().st_mode & 0o777 == 0o600
    Sealer([first])  # a usable key
    # The database file is elsewhere: a copy of it does not carry the key.
    assert "data_key" not in build_config(tmp_path)["DATABASE_URL"]


def test_every_unusable_setting_is_reported_at_once_by_name_and_never_with_its_value(tmp_path, monkeypatch):
    bad = {
        "WIZARD_ENV": "production",
        "SECRET_KEY": "short-secret-value",
        "DATA_KEYS": "not-a-fernet-key-at-all",
        "TRUSTED_PROXIES": "two-proxies",
        "STAFF_LOCKOUT_ATTEMPTS": "many-attempts",
        "FORWARDED_ALLOW_IPS": "*",
    }
    for name, value in bad.items():
        monkeypatch.setenv(name, value)
    set_operator(monkeypatch)
    monkeypatch.delenv("PUBLIC_HOST", raising=False)
    with pytest.raises(SettingsError) as refused:
        build_config(tmp_path)
    problems = refused.value.problems
    assert [problem.split(" ")[0].rstrip(":") for problem in problems] == [
        "SECRET_KEY",
        "DATA_KEYS",
        "PUBLIC_HOST",
        "STAFF_LOCKOUT_ATTEMPTS",
        "TRUSTED_PROXIES",
        "FORWARDED_ALLOW_IPS",
    ]
    for value in bad.values():
        if value not in ("production", "*"):
            assert value not in str(refused.value)
    assert not (tmp_path / "secret_key").exists() and not (tmp_path / "data_key").exists()
    # The server's preflight reports the very same sentences: each rule is written once.
    assert preflight() == problems


def test_settings_given_by_the_caller_are_checked_like_the_environment(monkeypatch):
    monkeypatch.setenv("WIZARD_ENV", "production")
    with pytest.raises(SettingsError, match="SECRET_KEY is too short"):
        load_settings({"WIZARD_ENV": "production"}, SECRET_KEY="short", PUBLIC_HOST="help.example.org")


def test_an_empty_variable_counts_as_unset(tmp_path, monkeypatch):
    """An environment file's `SECRET_KEY=` line is no key: production still refuses to start."""
    with pytest.raises(SettingsError) as refused:
        load_settings({"WIZARD_ENV": "production", "SECRET_KEY": "", "DATA_KEYS": " ", "PUBLIC_HOST": ""})
    assert [problem.split(" is not set")[0] for problem in refused.value.problems] == [
        "SECRET_KEY",
        "DATA_KEYS",
        "PUBLIC_HOST",
        *OPERATOR_SETTINGS,
    ]


def test_production_without_the_operators_details_names_each_missing_setting(tmp_path, monkeypatch):
    """Who will call, from where, in which languages, showing what, how soon, and how to cancel:
    a person is told all of it before giving a number, so a deployment must say it."""
    monkeypatch.setenv("WIZARD_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    monkeypatch.setenv("PUBLIC_HOST", "help.example.org")
    for name in OPERATOR_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPERATOR_NAME", "Example Recovery Line")
    with pytest.raises(SettingsError) as refused:
        build_config(tmp_path)
    problems = refused.value.problems
    missing = [name for name in OPERATOR_SETTINGS if name != "OPERATOR_NAME"]
    assert [problem.split(" is not set")[0] for problem in problems] == missing
    assert "Cannot start the wizard" in str(refused.value) and "such as '2 working days'" in str(refused.value)
    # The server's preflight refuses the same, before any worker starts.
    assert preflight() == problems


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OPERATOR_COUNTRY", "Portugal"),
        ("OPERATOR_LANGUAGES", "pt,klingon"),
        ("OPERATOR_CALLER_ID", "private"),
        ("OPERATOR_RESPONSE_TIME", "whenever"),
        ("OPERATOR_CANCEL_CONTACT", "call us"),
    ],
)
def test_an_operator_detail_that_cannot_be_read_is_refused_by_name_without_its_value(name, value):
    with pytest.raises(SettingsError) as refused:
        load_settings({**OPERATOR_SETTINGS, name: value}, SECRET_KEY="s" * 32, PUBLIC_HOST="help.example.org")
    (problem,) = [problem for problem in refused.value.problems if not problem.startswith("DATA_KEYS")]
    assert problem.startswith(name) and value not in problem


def test_development_shows_a_fictional_operator_labelled_as_an_example(tmp_path, monkeypatch):
    monkeypatch.setenv("WIZARD_ENV", "development")
    for name in OPERATOR_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    config = build_config(tmp_path)
    assert config["OPERATOR_DEMO"] is True and config["OPERATOR_CANCEL_CONTACT"].endswith("@example.org")
    set_operator(monkeypatch)
    config = build_config(tmp_path)
    assert config["OPERATOR_DEMO"] is False and config["OPERATOR_COUNTRY"] == "PT"


@pytest.mark.parametrize(("text", "hours"), [("90d", 90 * 24), ("36h", 36), ("0d", 0)])
def test_retention_durations(text, hours):
    assert parse_duration(text).total_seconds() == hours * 3600


@pytest.mark.parametrize("text", ["90", "d", "-1d", "3w", "90 days"])
def test_retention_durations_refused(text):
    with pytest.raises(ValueError, match="like 90d or 36h"):
        parse_duration(text)


def test_directory_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("WIZARD_ENV", "development")
    config = build_config(tmp_path)
    assert (config["DIRECTORY_MAX_AGE"], config["DIRECTORY_SHOW_EXAMPLES"]) == (12, True)
    monkeypatch.setenv("DIRECTORY_MAX_AGE", "6")
    monkeypatch.setenv("DIRECTORY_SHOW_EXAMPLES", "false")
    config = build_config(tmp_path)
    assert (config["DIRECTORY_MAX_AGE"], config["DIRECTORY_SHOW_EXAMPLES"]) == (6, False)
    monkeypatch.setenv("DIRECTORY_MAX_AGE", "0")
    with pytest.raises(SettingsError) as refused:
        build_config(tmp_path)
    assert [problem.split(" ")[0].rstrip(":") for problem in refused.value.problems] == ["DIRECTORY_MAX_AGE"]
