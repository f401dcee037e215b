"""What `/runs` and the Promote button share: the runs settings and calls to the MLflow tracking server,
each failure turned into a UserError that says what to fix."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from bot.config import Settings
from bot.errors import ConfigError, UserError
from bot.failures import is_timeout, is_unreachable
from reports.runs import config as runs_config
from reports.runs import source

log = logging.getLogger(__name__)
T = TypeVar("T")


def call(settings: Settings, fn: Callable[[MlflowClient], T]) -> T:
    """Run `fn(mlflow client)`; an unreachable or refusing tracking server is the user's to know."""
    try:
        return fn(source.client(settings))
    except MlflowException as exc:
        if is_timeout(exc) or is_unreachable(exc):
            raise  # bot.deferred names the tracking server (and its timeout) to the user
        log.warning("mlflow call failed error=%s", exc.error_code)
        raise UserError(f"MLflow answered with an error ({exc.error_code}): {str(exc)[:200]}") from None
    except ConfigError as exc:
        raise UserError(f"The MLflow tracking URI needs fixing: {exc}") from None
    except OSError as exc:
        raise UserError(
            f"Could not reach the MLflow tracking server: {exc.strerror or exc}. Check MLFLOW_TRACKING_URI."
        ) from None


def runs_settings(settings: Settings) -> runs_config.RunsConfig:
    try:
        return runs_config.load(settings)
    except ConfigError as exc:
        raise UserError(f"The runs settings in ritualbot.yaml need fixing: {exc}") from None
