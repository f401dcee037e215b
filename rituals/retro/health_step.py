"""The health check as a step of a retro: opened with the retro when its template includes it (the
invitation goes in the thread), and the anonymous answers counted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from rituals.retro import health, publish, render_health
from rituals.retro.models import Retro


def start(s: Session, retro: Retro, config: Mapping[str, Any], now: datetime) -> bool:
    """Open the health check if the retro's template includes it; True when it did."""
    if not health.enabled(config, retro.template_key) or health.questions_of(s, retro.id):
        return False
    asked = health.questions(config)
    health.open_check(s, retro, asked)
    publish.post_health_invite(s, retro, render_health.invite(retro, asked), now)
    return True
