"""The `gpu:` section of ritualbot.yaml, parsed once into a typed object.

gpu:
  sources:                          # several at once
    - {type: prometheus, url: "http://prometheus:9090", timeout: 20}
    - {type: cloudwatch, region: us-east-1, endpoint_url: null}
    - {type: nvml}                  # samples stored by the `gpu.sample` job
    - {type: sample, path: reports/gpu/data/demo-fleet.json}
  util_threshold: 5                 # % below which a GPU counts as idle
  memory_threshold_mib: 1024        # memory used below this (where known) counts as idle
  min_idle_minutes: 60              # idle stretches shorter than this are ignored
  step_seconds: 300
  history_days: 14
  currency: USD
  prices: {A100: 4.10, p4d.24xlarge: 32.77}   # per GPU model (per GPU-hour) or instance type (per hour)
  exclude: {users: [], hosts: [], tags: {env: prod}, younger_than_hours: 6}
  owners: {"host:gpu-box-1": {owner: ada@example.com, team: vision}, "namespace:nlp": {team: nlp}}
  users: {ada: U0123}               # owner name or email -> Slack user id
  team_leads: {vision: U0456}
  escalation: {warn_hours: 24, lead_hours: 72}
  stop_instances: {enabled: false, admins: [U0123]}
  channels: [C0123]                 # default: every digest channel
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.config import Settings
from bot.errors import ConfigError

SOURCE_TYPES = {"prometheus", "cloudwatch", "nvml", "sample"}


@dataclass(frozen=True)
class GpuConfig:
    sources: tuple[Mapping[str, Any], ...] = ()
    util_threshold: float = 5.0
    memory_threshold_mib: float = 1024.0
    min_idle_minutes: int = 60
    step_seconds: int = 300
    history_days: int = 14
    currency: str = "USD"
    prices: Mapping[str, Decimal] = field(default_factory=dict)
    exclude_users: tuple[str, ...] = ()
    exclude_hosts: tuple[str, ...] = ()
    exclude_tags: Mapping[str, str] = field(default_factory=dict)
    exclude_younger_than_hours: int = 0
    owners: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    users: Mapping[str, str] = field(default_factory=dict)
    team_leads: Mapping[str, str] = field(default_factory=dict)
    warn_hours: int = 24
    lead_hours: int = 72
    stop_enabled: bool = False
    stop_admins: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        return bool(self.sources)

    def covers(self, channel_id: str) -> bool:
        return self.enabled and (not self.channels or channel_id in self.channels)

    def source_name(self, raw: Mapping[str, Any]) -> str:
        return str(raw.get("name") or raw["type"])


def load(settings: Settings) -> GpuConfig:
    raw = settings.section("gpu")
    if not raw:
        return GpuConfig()
    sources = tuple(_source(n, s) for n, s in enumerate(raw.get("sources") or ()))
    if not sources:
        raise ConfigError("gpu.sources must list at least one source (prometheus, cloudwatch, nvml or sample)")
    exclude = _mapping(raw, "exclude")
    escalation = _mapping(raw, "escalation")
    stop = _mapping(raw, "stop_instances")
    return GpuConfig(
        sources=sources,
        util_threshold=_number(raw, "util_threshold", 5.0),
        memory_threshold_mib=_number(raw, "memory_threshold_mib", 1024.0),
        min_idle_minutes=int(_number(raw, "min_idle_minutes", 60)),
        step_seconds=_step(raw),
        history_days=max(8, int(_number(raw, "history_days", 14))),
        currency=str(raw.get("currency", "USD")),
        prices={str(k): _money(v, f"gpu.prices.{k}") for k, v in _mapping(raw, "prices").items()},
        exclude_users=tuple(str(u) for u in exclude.get("users") or ()),
        exclude_hosts=tuple(str(h) for h in exclude.get("hosts") or ()),
        exclude_tags={str(k): str(v) for k, v in (exclude.get("tags") or {}).items()},
        exclude_younger_than_hours=int(_number(exclude, "younger_than_hours", 0)),
        owners={str(k): {str(a): str(b) for a, b in (v or {}).items()} for k, v in _mapping(raw, "owners").items()},
        users={str(k): str(v) for k, v in _mapping(raw, "users").items()},
        team_leads={str(k): str(v) for k, v in _mapping(raw, "team_leads").items()},
        warn_hours=int(_number(escalation, "warn_hours", 24)),
        lead_hours=int(_number(escalation, "lead_hours", 72)),
        stop_enabled=bool(stop.get("enabled", False)),
        stop_admins=tuple(str(a) for a in stop.get("admins") or ()),
        channels=tuple(str(c) for c in raw.get("channels") or ()),
    )


def _source(n: int, raw: Any) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping) or raw.get("type") not in SOURCE_TYPES:
        raise ConfigError(f"gpu.sources[{n}] needs a type: one of {', '.join(sorted(SOURCE_TYPES))}")
    if raw["type"] == "prometheus" and not str(raw.get("url", "")).startswith(("http://", "https://")):
        raise ConfigError(f"gpu.sources[{n}].url must be the Prometheus base URL, e.g. http://prometheus:9090")
    if raw["type"] == "sample" and not raw.get("path"):
        raise ConfigError(f"gpu.sources[{n}].path must name a sample fleet JSON file")
    return dict(raw)


def _mapping(raw: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = raw.get(name) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"gpu.{name} must be a mapping")
    return value


def _number(raw: Mapping[str, Any], name: str, default: float) -> float:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"gpu.{name} must be a number >= 0, got {value!r}")
    return float(value)


def _step(raw: Mapping[str, Any]) -> int:
    step = int(_number(raw, "step_seconds", 300))
    if step < 60 or 3600 % step:
        raise ConfigError("gpu.step_seconds must divide an hour and be at least 60, e.g. 300")
    return step


def _money(value: Any, name: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ConfigError(f"{name} must be an amount like 4.10, got {value!r}") from None
    if amount < 0:
        raise ConfigError(f"{name} must not be negative")
    return amount
