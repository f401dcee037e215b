"""Settings fail early with one line naming the variable; the CLI never shows a stack trace."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.config import load_settings
from bot.errors import ConfigError


def test_defaults_make_embedded_mode_work_with_nothing_set(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({})
    assert settings.database_url == "sqlite:///ritualbot.db"
    assert settings.mlflow_tracking_uri == "./mlruns"
    assert settings.port == 3000 and settings.auto_migrate


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"PORT": "eighty"}, "PORT"),
        ({"RITUALBOT_TIMEZONE": "Mars/Base"}, "RITUALBOT_TIMEZONE"),
        ({"RITUALBOT_DIGEST_TIME": "9am"}, "RITUALBOT_DIGEST_TIME"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"SLACK_API_URL": "ftp://x"}, "SLACK_API_URL"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"RITUALBOT_WORKER_PRIORITY": "20"}, "RITUALBOT_WORKER_PRIORITY"),
        ({"RITUALBOT_WORKER_PRIORITY": "low"}, "RITUALBOT_WORKER_PRIORITY"),
        ({"RITUALBOT_HANDOFF": "maybe"}, "RITUALBOT_HANDOFF"),
    ],
)
def test_malformed_setting_names_the_variable(env, names, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=names):
        load_settings(env)


def test_heroku_style_postgres_url_uses_psycopg3(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings({"DATABASE_URL": "postgres://u:p@h/db"}).database_url == "postgresql+psycopg://u:p@h/db"


def test_malformed_yaml_is_one_line_with_the_line_number(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ritualbot.yaml").write_text("spend:\n  budgets: [1, 2\n")
    with pytest.raises(ConfigError, match="ritualbot.yaml: not valid YAML at line"):
        load_settings({})


def test_secrets_come_from_the_variable_the_config_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({"JIRA_TOKEN": "s3cret"})
    assert settings.secret("JIRA_TOKEN") == "s3cret"
    with pytest.raises(ConfigError, match="GITHUB_TOKEN is not set"):
        settings.secret("GITHUB_TOKEN")
    assert "s3cret" not in repr(settings)


def _cli(args, tmp_path, **env):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], cwd=tmp_path, env=full, capture_output=True, text=True, timeout=120
    )


def test_serve_without_signing_secret_exits_with_one_line(tmp_path):
    result = _cli(["serve"], tmp_path, SLACK_BOT_TOKEN="xoxb-1")
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("ritualbot:")]
    assert len(lines) == 1 and "SLACK_SIGNING_SECRET" in lines[0]
    assert "Traceback" not in result.stderr


def test_bad_arguments_and_unknown_job_exit_non_zero_without_traceback(tmp_path):
    bad = _cli(["frobnicate"], tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    unknown = _cli(["run-job", "no.such.job"], tmp_path)
    assert unknown.returncode == 2 and "unknown job 'no.such.job'" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_app_refuses_an_unmigrated_database_when_auto_migrate_is_off(tmp_path):
    result = _cli(
        ["run-job", "digest.post"],
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path}/empty.db",
        RITUALBOT_AUTO_MIGRATE="false",
    )
    assert result.returncode == 2
    assert "run `ritualbot db upgrade` first" in result.stderr and "Traceback" not in result.stderr
