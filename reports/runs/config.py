"""The `runs:` section of ritualbot.yaml, parsed once into a typed object.

runs:
  ui_url: https://mlflow.example.com/   # links to runs (default: MLFLOW_UI_URL)
  alias: champion                       # registered-model alias that names the incumbent
  poll_minutes: 5
  lookback_seconds: 120                 # re-read this much before the watermark (client clock skew)
  promoters: [U0123, S0456, "@ml-leads"] # who may press "Promote": users, and user groups by id or
                                        # @handle (default: RITUALBOT_ADMINS; groups need usergroups:read)
  directions: {val_score: higher}       # per metric; else guessed by name (a watch may add its own)
  min_effect: 0.005                     # a win smaller than this (relative) is not one; per watch too
  challenger_alias: challenger          # the alias shown on a card as the next champion
  webhook_secret_env: MLFLOW_WEBHOOK_SECRET  # the env var holding the secret of MLflow's registry webhook to
                                        # POST /mlflow/webhook; unset: each poll reads the alias instead
  prices: {"queue=a100x4": 16.40}       # per run-hour of a run with that tag, when the GPU inventory does
  currency: USD                         # not know its host or pod (cost per run, on cards and the digest)
  stalled_after: 2h                     # a RUNNING run with no new metric this long is stalled (off: never)
  sweep_top: 3                          # best N runs shown in a sweep message
  users: {ada: U0001}                   # MLflow user -> Slack user, for failed-run DMs (an MLflow
                                        # user that is an email is looked up in Slack by itself)
  watches:                              # watches kept from this file (`/runs watch` makes others)
    - {experiment: churn, channel: C0123ABCD, primary: val_auc, model: churn-model}
                                        # (and `team: T…` when ritualbot serves several workspaces)
  tracking_index: true                  # the worker adds ritualbot_runs_experiment_status_end_time to a
                                        # SQL tracking store it reaches (reports/runs/tracking_index.py)
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.config import Settings
from bot.errors import ConfigError

DIRECTIONS = {"lower", "higher", "neutral"}
GROUP = re.compile(r"^(S[A-Z0-9]{4,}|@[\w.-]+)$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{4,}$")
WATCH_KEYS = {"experiment", "channel", "primary", "model", "team"}


@dataclass(frozen=True)
class ConfiguredWatch:
    """One entry of `runs.watches`: a channel follows an experiment (by name or id) from the file."""

    experiment: str
    channel: str
    primary: str | None = None
    model: str | None = None
    team: str = ""  # the workspace; empty in a single-workspace install


@dataclass(frozen=True)
class RunsConfig:
    ui_url: str | None = None
    alias: str = "champion"
    poll_minutes: int = 5
    lookback_seconds: int = 120
    promoters: tuple[str, ...] = ()
    directions: Mapping[str, str] = field(default_factory=dict)
    stalled_after: int | None = 7200  # seconds; None: stalled runs are not looked for
    sweep_top: int = 3
    users: Mapping[str, str] = field(default_factory=dict)
    tracking_index: bool = True
    watches: tuple[ConfiguredWatch, ...] = ()
    min_effect: float = 0.005
    challenger_alias: str = "challenger"
    webhook_secret_env: str | None = None
    tag_prices: Mapping[str, Decimal] = field(default_factory=dict)  # "tag=value": price per run-hour
    currency: str = "USD"

    @property
    def promoter_groups(self) -> tuple[str, ...]:
        return tuple(p for p in self.promoters if GROUP.match(p))

    def may_promote(self, user_id: str, members_of: Callable[[str], Iterable[str]] | None = None) -> bool:
        """A listed user, or (asking `members_of` one group at a time) a member of a listed group."""
        if user_id in self.promoters:
            return True
        return members_of is not None and any(user_id in members_of(g) for g in self.promoter_groups)


def load(settings: Settings) -> RunsConfig:
    raw = settings.section("runs")
    directions = {str(k): str(v).lower() for k, v in (raw.get("directions") or {}).items()}
    bad = sorted(k for k, v in directions.items() if v not in DIRECTIONS)
    if bad:
        raise ConfigError(f"runs.directions.{bad[0]} must be lower, higher or neutral")
    promoters = raw.get("promoters")
    return RunsConfig(
        ui_url=_url(raw.get("ui_url") or settings.mlflow_ui_url),
        alias=str(raw.get("alias") or "champion"),
        poll_minutes=_int(raw, "poll_minutes", 5, low=1, high=60),
        lookback_seconds=_int(raw, "lookback_seconds", 120, low=0, high=3600),
        promoters=tuple(str(p) for p in promoters) if promoters is not None else tuple(settings.admins),
        directions=directions,
        stalled_after=_duration(raw, "stalled_after", 7200),
        sweep_top=_int(raw, "sweep_top", 3, low=1, high=20),
        users={str(k): str(v) for k, v in _mapping(raw, "users").items()},
        tracking_index=_flag(raw, "tracking_index", True),
        watches=_watches(raw.get("watches")),
        min_effect=_fraction(raw, "min_effect", 0.005),
        challenger_alias=str(raw.get("challenger_alias") or "challenger"),
        webhook_secret_env=_text(raw.get("webhook_secret_env")),
        tag_prices=_prices(raw),
        currency=str(raw.get("currency") or "USD").upper(),
    )


def _prices(raw: Mapping[str, Any]) -> dict[str, Decimal]:
    """`runs.prices: {"queue=a100x4": 16.40}`: what an hour of a run with that tag costs."""
    found = {}
    for key, value in _mapping(raw, "prices").items():
        if "=" not in str(key):
            raise ConfigError(f"runs.prices keys are `tag=value` (like queue=a100x4), got {key!r}")
        try:
            price = Decimal(str(value))
        except InvalidOperation:
            raise ConfigError(f"runs.prices.{key} must be a price per hour like 16.40, got {value!r}") from None
        if isinstance(value, bool) or not price.is_finite() or price < 0:
            raise ConfigError(f"runs.prices.{key} must be a price per hour like 16.40, got {value!r}")
        found[str(key)] = price
    return found


def for_watch(config: RunsConfig, directions: Mapping[str, str] | None, min_effect: float | None) -> RunsConfig:
    """The settings one watch runs with: its own metric directions and minimum effect over the file's."""
    return dataclasses.replace(
        config,
        directions={**config.directions, **(directions or {})},
        min_effect=config.min_effect if min_effect is None else min_effect,
    )


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(raw: Mapping[str, Any], key: str, default: int) -> int | None:
    """`2h`, `90m`, `1d` (or a number of minutes); `off`/false/0 turns the check off."""
    if key not in raw:
        return default
    value = raw[key]
    if value is None or value is False or value == 0 or str(value).strip().lower() in {"off", "0"}:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value * 60
    found = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", str(value).lower())
    if found is None or int(found[1]) == 0:
        raise ConfigError(f"runs.{key} must be a duration like 2h, 90m or 1d (or off), got {value!r}")
    return int(found[1]) * _UNITS[found[2]]


def _fraction(raw: Mapping[str, Any], key: str, default: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ConfigError(f"runs.{key} must be a fraction from 0 to 1 (0.005 is 0.5 %), got {value!r}")
    return float(value)


def _watches(raw: Any) -> tuple[ConfiguredWatch, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError("runs.watches must be a list of {experiment, channel} entries")
    found = []
    for n, entry in enumerate(raw):
        where = f"runs.watches[{n}]"
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where} must be a mapping with experiment and channel")
        unknown = sorted(set(map(str, entry)) - WATCH_KEYS)
        if unknown:
            raise ConfigError(f"{where}.{unknown[0]} is not a watch setting (use {', '.join(sorted(WATCH_KEYS))})")
        experiment, channel = str(entry.get("experiment") or "").strip(), str(entry.get("channel") or "").strip()
        if not experiment:
            raise ConfigError(f"{where}.experiment must name an MLflow experiment (its name or id)")
        if not CHANNEL_ID.match(channel):
            raise ConfigError(
                f"{where}.channel must be a channel id like C0123ABCD (in Slack: channel details, "
                f"at the bottom of About), got {channel!r}"
            )
        found.append(
            ConfiguredWatch(
                experiment,
                channel,
                _text(entry.get("primary")),
                _text(entry.get("model")),
                str(entry.get("team") or ""),
            )
        )
    return tuple(found)


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def _mapping(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"runs.{key} must be a mapping")
    return value


def _url(value: Any) -> str | None:
    if not value:
        return None
    text = str(value)
    if not text.startswith(("http://", "https://")):
        raise ConfigError(f"runs.ui_url must be an http(s) URL, got {text!r}")
    return text.rstrip("/") + "/"


def _flag(raw: Mapping[str, Any], key: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"runs.{key} must be true or false, got {value!r}")
    return value


def _int(raw: Mapping[str, Any], key: str, default: int, *, low: int, high: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"runs.{key} must be a whole number from {low} to {high}, got {value!r}")
    return value
