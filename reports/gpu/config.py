"""The `gpu:` section of ritualbot.yaml, parsed once into a typed object.

gpu:
  sources:                          # several at once
    - {type: prometheus, url: "http://prometheus:9090", timeout: 20,
       matchers: {cluster: della},  # only these series (one cluster of a shared Prometheus or Thanos)
       max_samples: 50000000,       # the server's --query.max-samples; queries are planned to half of it
       recording_rules: true}       # this source only (default: gpu.prometheus.recording_rules)
    - {type: cloudwatch, region: us-east-1, endpoint_url: null}
    - {type: nvml}                  # samples stored by the `gpu.sample` job
    - {type: sample, path: reports/gpu/data/demo-fleet.json}
  prometheus: {recording_rules: false}   # read ritualbot-gpu.rules.yml's recorded series (else subqueries)
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
  stop_instances: {enabled: false, admins: [U0123], dry_run: false}
  enforce:                          # admin-only buttons to free an idle GPU; nothing runs on its own
    admins: [U0123]
    dry_run: true                   # the default: say what would run, run nothing
    delete_pod: [kubectl, delete, pod, -n, "{namespace}", "{pod}"]   # an idle notebook pod
    scale_deployment: [kubectl, scale, "deployment/{deployment}", -n, "{namespace}", --replicas=0]
    scancel: [scancel, "{job}"]     # an idle Slurm job
  waste: {threshold_gpu_hours: 24, lead: U0456, weekday: mon}   # weekly per-user waste DMs + lead summary
  slurm:                            # Slurm clusters: who a job's GPU-hours belong to
    uids: {"223456": ada@example.com}   # jobstats' uid -> owner (else shown as "uid 223456")
    job_users_command: [sacct, -n, -X, -P, -o, "JobID,User", -j, "{jobs}"]  # dcgm-exporter's hpc_job -> user
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
    stop_dry_run: bool = False
    channels: tuple[str, ...] = ()
    enforce_admins: tuple[str, ...] = ()
    enforce_dry_run: bool = True
    enforce_delete_pod: tuple[str, ...] = ()
    enforce_scancel: tuple[str, ...] = ()
    enforce_scale_deployment: tuple[str, ...] = ()
    waste_enabled: bool = False
    waste_threshold_h: float = 24.0
    waste_lead: str = ""
    waste_weekday: str = "mon"
    slurm_uids: Mapping[str, str] = field(default_factory=dict)
    slurm_job_users_command: tuple[str, ...] = ()
    prometheus_recording_rules: bool = False

    def recording_rules(self, raw: Mapping[str, Any]) -> bool:
        """Does this Prometheus source read the recorded series of the shipped rules?"""
        return bool(raw.get("recording_rules", self.prometheus_recording_rules))

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
    slurm = _mapping(raw, "slurm")
    waste = _mapping(raw, "waste")
    enforce = _mapping(raw, "enforce")
    return GpuConfig(
        sources=sources,
        util_threshold=_number(raw, "util_threshold", 5.0),
        memory_threshold_mib=_number(raw, "memory_threshold_mib", 1024.0),
        min_idle_minutes=_min_idle(raw),
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
        stop_dry_run=bool(stop.get("dry_run", False)),
        channels=tuple(str(c) for c in raw.get("channels") or ()),
        enforce_admins=tuple(str(a) for a in enforce.get("admins") or ()),
        enforce_dry_run=bool(enforce.get("dry_run", True)),
        enforce_delete_pod=_command(enforce.get("delete_pod"), "enforce.delete_pod"),
        enforce_scancel=_command(enforce.get("scancel"), "enforce.scancel"),
        enforce_scale_deployment=_command(enforce.get("scale_deployment"), "enforce.scale_deployment"),
        waste_enabled=bool(raw.get("waste")),
        waste_threshold_h=_number(waste, "threshold_gpu_hours", 24.0),
        waste_lead=str(waste.get("lead") or ""),
        waste_weekday=_weekday(waste),
        slurm_uids={str(k): str(v) for k, v in (slurm.get("uids") or {}).items()},
        slurm_job_users_command=_command(slurm.get("job_users_command"), "slurm.job_users_command"),
        prometheus_recording_rules=_recording_rules(raw, sources),
    )


def _source(n: int, raw: Any) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping) or raw.get("type") not in SOURCE_TYPES:
        raise ConfigError(f"gpu.sources[{n}] needs a type: one of {', '.join(sorted(SOURCE_TYPES))}")
    if raw["type"] == "prometheus" and not str(raw.get("url", "")).startswith(("http://", "https://")):
        raise ConfigError(f"gpu.sources[{n}].url must be the Prometheus base URL, e.g. http://prometheus:9090")
    if raw["type"] == "sample" and not raw.get("path"):
        raise ConfigError(f"gpu.sources[{n}].path must name a sample fleet JSON file")
    if not isinstance(raw.get("matchers") or {}, Mapping):
        raise ConfigError(f"gpu.sources[{n}].matchers must map label names to values, e.g. {{cluster: della}}")
    samples = raw.get("max_samples", 50_000_000)
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1000:
        raise ConfigError(f"gpu.sources[{n}].max_samples must be Prometheus's --query.max-samples, e.g. 50000000")
    return dict(raw)


def _recording_rules(raw: Mapping[str, Any], sources: tuple[Mapping[str, Any], ...]) -> bool:
    default = bool(_mapping(raw, "prometheus").get("recording_rules", False))
    wanted = any(s["type"] == "prometheus" and s.get("recording_rules", default) for s in sources)
    if wanted and _step(raw) != 300:
        raise ConfigError(
            "gpu.prometheus.recording_rules needs gpu.step_seconds: 300 (the rules record 5-minute steps)."
        )
    return default


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekday(raw: Mapping[str, Any]) -> str:
    day = str(raw.get("weekday", "mon")).lower()[:3]
    if day not in WEEKDAYS:
        raise ConfigError(f"gpu.waste.weekday must be one of {', '.join(WEEKDAYS)}")
    return day


def _min_idle(raw: Mapping[str, Any]) -> int:
    minutes = int(_number(raw, "min_idle_minutes", 60))
    if minutes > 720:
        raise ConfigError("gpu.min_idle_minutes must be at most 720 (12 hours)")
    return minutes


def _command(value: Any, name: str) -> tuple[str, ...]:
    """A command as a list of arguments (no shell), with {placeholders} filled in when it runs."""
    if value is None:
        return ()
    if not isinstance(value, list) or not value or not all(isinstance(a, str | int) for a in value):
        raise ConfigError(f'gpu.{name} must be a list of arguments, e.g. [scancel, "{{job}}"]')
    return tuple(str(a) for a in value)


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
