"""The gpu section of ritualbot.yaml as `/gpu` and the DM buttons need it: set up, or a UserError saying how."""

from __future__ import annotations

from bot.config import Settings
from bot.errors import ConfigError, UserError
from reports.gpu import config as gpu_config


def gpu_settings(settings: Settings) -> gpu_config.GpuConfig:
    try:
        config = gpu_config.load(settings)
    except ConfigError as exc:
        raise UserError(f"The gpu settings in ritualbot.yaml need fixing: {exc}") from None
    if not config.enabled:
        raise UserError(
            "Idle-GPU reports are not set up: add a `gpu:` section with `sources:` "
            "(prometheus, cloudwatch, nvml or sample) to ritualbot.yaml."
        )
    return config
