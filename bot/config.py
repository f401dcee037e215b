"""Settings: one typed object read from the environment and an optional ritualbot.yaml.

This is the only module that reads the environment. Secrets (tokens, API keys) stay in the
environment: ritualbot.yaml names the variable that holds them, and `Settings.secret` reads it.
"""

from __future__ import annotations

import base64
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///ritualbot.db"
DEFAULT_MLFLOW_URI = "./mlruns"
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class DeliverySettings:
    """The outbox sender: how long a claimed row is held without a heartbeat, and how many calls may be
    in flight (per process, per workspace). ritualbot.yaml `delivery:`, or RITUALBOT_OUTBOX_*."""

    lease: timedelta = timedelta(seconds=15)
    concurrency: int = 8
    per_workspace: int = 3


@dataclass(frozen=True)
class RetentionSettings:
    """What the daily retention job keeps: everything for `days`; after that only the outbox rows later
    edits, threads and de-duplication need (without their payload), until `keep_days`."""

    days: int = 30
    keep_days: int = 365


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_api_url: str | None = None
    encryption_keys: tuple[str, ...] = field(default=(), repr=False)  # Fernet keys, newest first
    port: int = 3000
    mlflow_tracking_uri: str = DEFAULT_MLFLOW_URI
    mlflow_ui_url: str | None = None
    timezone: str = "UTC"
    digest_time: str = "09:00"
    admins: tuple[str, ...] = ()
    log_level: str = "INFO"
    auto_migrate: bool = True
    handoff: bool = True  # writes run by a running worker, not the web process (bot.handoff)
    worker_priority: str = "normal"  # the worker's CPU priority: "idle", "normal" or a niceness 1-19 (bot.worker)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    job_stale: timedelta = timedelta(minutes=10)  # a running job claim without a heartbeat this long is dead
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    config_path: str | None = None
    file: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def oauth_enabled(self) -> bool:
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    def section(self, name: str) -> Mapping[str, Any]:
        """A top-level section of ritualbot.yaml, empty when absent."""
        value = self.file.get(name) or {}
        if not isinstance(value, Mapping):
            raise ConfigError(f"{self._where()}: '{name}' must be a mapping")
        return value

    def secret(self, env_name: str) -> str:
        """Read a secret from the environment variable that the config file names."""
        value = self.env.get(env_name)
        if not value:
            raise ConfigError(f"{env_name} is not set: it should hold the secret {self._where()} names")
        return value

    def require_http_mode(self) -> None:
        if not self.socket_mode and not self.slack_signing_secret:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is required in HTTP mode: set it to the signing secret "
                "from your Slack app's Basic Information page (or set SLACK_APP_TOKEN for Socket Mode)"
            )
        if not self.oauth_enabled and not self.slack_bot_token:
            raise ConfigError(
                "SLACK_BOT_TOKEN is required: set it to the app's xoxb- token "
                "(or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for multi-workspace install)"
            )

    def _where(self) -> str:
        return self.config_path or "ritualbot.yaml"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from the environment (default: the process's) and ritualbot.yaml."""
    env = dict(os.environ if env is None else env)
    config_path = env.get("RITUALBOT_CONFIG") or ("ritualbot.yaml" if Path("ritualbot.yaml").exists() else None)
    file = _read_yaml(config_path) if config_path else {}
    database_url = env.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    return Settings(
        database_url=_normalise_db_url(database_url),
        slack_bot_token=env.get("SLACK_BOT_TOKEN") or None,
        slack_signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
        slack_app_token=env.get("SLACK_APP_TOKEN") or None,
        slack_client_id=env.get("SLACK_CLIENT_ID") or None,
        slack_client_secret=env.get("SLACK_CLIENT_SECRET") or None,
        slack_api_url=_url(env, "SLACK_API_URL"),
        encryption_keys=_fernet_keys(env.get("RITUALBOT_ENCRYPTION_KEY", "")),
        port=_port(env.get("PORT", "3000")),
        mlflow_tracking_uri=env.get("MLFLOW_TRACKING_URI") or DEFAULT_MLFLOW_URI,
        mlflow_ui_url=_url(env, "MLFLOW_UI_URL"),
        timezone=_timezone(env.get("RITUALBOT_TIMEZONE", "UTC")),
        digest_time=_time_of_day("RITUALBOT_DIGEST_TIME", env.get("RITUALBOT_DIGEST_TIME", "09:00")),
        admins=tuple(a.strip() for a in env.get("RITUALBOT_ADMINS", "").split(",") if a.strip()),
        log_level=_log_level(env.get("LOG_LEVEL", "INFO")),
        auto_migrate=_bool(
            "RITUALBOT_AUTO_MIGRATE", env.get("RITUALBOT_AUTO_MIGRATE"), default=database_url.startswith("sqlite")
        ),
        handoff=_bool("RITUALBOT_HANDOFF", env.get("RITUALBOT_HANDOFF"), default=True),
        worker_priority=_priority(env.get("RITUALBOT_WORKER_PRIORITY", "idle")),
        delivery=DeliverySettings(
            lease=_seconds(env, file, "RITUALBOT_OUTBOX_LEASE_SECONDS", "delivery.lease_seconds", 15),
            concurrency=_count(env, file, "RITUALBOT_OUTBOX_CONCURRENCY", "delivery.concurrency", 8),
            per_workspace=_count(env, file, "RITUALBOT_OUTBOX_PER_WORKSPACE", "delivery.per_workspace", 3),
        ),
        job_stale=_seconds(env, file, "RITUALBOT_JOB_STALE_SECONDS", "jobs.stale_seconds", 600),
        retention=_retention(env, file),
        config_path=config_path,
        file=file,
        env=env,
    )


def _number(
    env: Mapping[str, str], file: Mapping[str, Any], env_name: str, yaml_key: str, *, whole: bool
) -> float | None:
    """A positive number from the environment, else from ritualbot.yaml (`section.key`); None when neither sets it."""
    section, key = yaml_key.split(".")
    raw: Any = env.get(env_name)
    where = env_name
    if raw in (None, ""):
        values = file.get(section) or {}
        if not isinstance(values, Mapping):
            raise ConfigError(f"ritualbot.yaml: '{section}' must be a mapping")
        raw, where = values.get(key), f"ritualbot.yaml {yaml_key} (or {env_name})"
        if raw is None:
            return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if not value > 0 or (whole and not value.is_integer()):
        kind = "a whole number above 0" if whole else "a number above 0"
        raise ConfigError(f"{where} must be {kind}, got {raw!r}")
    return value


def _seconds(
    env: Mapping[str, str], file: Mapping[str, Any], env_name: str, yaml_key: str, default: float
) -> timedelta:
    value = _number(env, file, env_name, yaml_key, whole=False)
    return timedelta(seconds=default if value is None else value)


def _count(env: Mapping[str, str], file: Mapping[str, Any], env_name: str, yaml_key: str, default: int) -> int:
    value = _number(env, file, env_name, yaml_key, whole=True)
    return default if value is None else int(value)


def _retention(env: Mapping[str, str], file: Mapping[str, Any]) -> RetentionSettings:
    days = _count(env, file, "RITUALBOT_RETENTION_DAYS", "retention.days", 30)
    keep_days = _count(env, file, "RITUALBOT_RETENTION_KEEP_DAYS", "retention.keep_days", 365)
    if keep_days < days:
        raise ConfigError(
            f"retention.keep_days ({keep_days}) must be at least retention.days ({days}): rows that later edits, "
            "threads and de-duplication need are kept longer than the rest"
        )
    return RetentionSettings(days=days, keep_days=keep_days)


def _read_yaml(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"RITUALBOT_CONFIG: cannot read {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of sections at the top level")
    return data


def _normalise_db_url(url: str) -> str:
    if "://" not in url:
        raise ConfigError(f"DATABASE_URL must be a URL like sqlite:///ritualbot.db or postgresql://..., got {url!r}")
    # Heroku-style URLs name the dialect only; we talk to PostgreSQL through psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if not url.startswith(("sqlite", "postgresql+psycopg")):
        raise ConfigError("DATABASE_URL must use sqlite or postgresql (psycopg 3)")
    return url


def _url(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if not value:
        return None
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"{name} must be an http(s) URL, got {value!r}")
    return value.rstrip("/") + "/"


def _fernet_keys(value: str) -> tuple[str, ...]:
    """RITUALBOT_ENCRYPTION_KEY: Fernet keys (url-safe base64 of 32 bytes), comma-separated, newest first."""
    keys = tuple(k.strip() for k in value.split(",") if k.strip())
    for position, key in enumerate(keys, start=1):
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raw = b""
        if len(raw) != 32:
            raise ConfigError(
                f"RITUALBOT_ENCRYPTION_KEY: key {position} is not a Fernet key (url-safe base64 of 32 bytes); "
                "generate one with `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`"
            )
    return keys


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"PORT must be a number between 1 and 65535, got {value!r}")
    return int(value)


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"RITUALBOT_TIMEZONE must be an IANA timezone like Europe/Berlin, got {value!r}") from None
    return value


def _time_of_day(name: str, value: str) -> str:
    match = _TIME.match(value.strip())
    if not match:
        raise ConfigError(f"{name} must be a time of day as HH:MM (24h), got {value!r}")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {value!r}")
    return level


def _priority(value: str) -> str:
    value = value.strip().lower()
    if value in ("idle", "normal") or (re.fullmatch(r"[0-9]{1,2}", value) and 1 <= int(value) <= 19):
        return value
    raise ConfigError(f"RITUALBOT_WORKER_PRIORITY must be idle, normal or a niceness from 1 to 19, got {value[:20]!r}")


def _bool(name: str, value: str | None, *, default: bool) -> bool:
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {value!r}")


def parse_time_of_day(value: str) -> tuple[int, int]:
    """'9:30' -> (9, 30); raises ValueError for anything else. Shared by settings and commands."""
    match = _TIME.match(value.strip())
    if not match:
        raise ValueError(value)
    return int(match.group(1)), int(match.group(2))


MLFLOW_REQUEST_LIMITS = {"MLFLOW_HTTP_REQUEST_TIMEOUT": "5", "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"}


def bound_mlflow_requests() -> None:
    """MLflow reads its REST timeout and retries from the process environment at each call; its defaults
    (120 s, 7 retries with backoff) hold a thread for minutes when the tracking server is down. Set
    bounded defaults, unless the operator set them (bot.deferred names the timeout in force to the user)."""
    for name, value in MLFLOW_REQUEST_LIMITS.items():
        os.environ.setdefault(name, value)


def mlflow_request_timeout() -> float:
    """The MLflow REST timeout in force, in seconds: what MLflow itself reads from the environment."""
    value = os.environ.get("MLFLOW_HTTP_REQUEST_TIMEOUT") or MLFLOW_REQUEST_LIMITS["MLFLOW_HTTP_REQUEST_TIMEOUT"]
    try:
        return float(value)
    except ValueError:
        return float(MLFLOW_REQUEST_LIMITS["MLFLOW_HTTP_REQUEST_TIMEOUT"])
