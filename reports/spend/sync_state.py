"""The per-object sync state of an export source (spend_source_objects): what the last sync read, so the next one
reads only what changed (reports.spend.sources.changes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from reports.spend.models import SpendSourceObject
from reports.spend.sources.changes import Changes, Known

OBJECT, PERIOD = "object", "period"


def load(session: Session, source: str) -> Known:
    known = Known()
    for row in session.scalars(select(SpendSourceObject).where(SpendSourceObject.source == source)):
        target = known.objects if row.kind == OBJECT else known.periods
        target[row.key] = (row.version, dict(row.detail or {}))
    return known


def save(session: Session, source: str, changes: Changes, now: datetime) -> None:
    """Replace the source's state with what this sync saw: objects gone are forgotten, months kept stay."""
    session.execute(delete(SpendSourceObject).where(SpendSourceObject.source == source))
    session.add_all(
        SpendSourceObject(
            source=source, kind=OBJECT, key=key, period=period, version=version, detail=detail, seen_at=now
        )
        for key, (period, version, detail) in changes.objects.items()
    )
    session.add_all(
        SpendSourceObject(source=source, kind=PERIOD, key=m, period=m, version=fp, detail=detail, seen_at=now)
        for m, (fp, detail) in changes.states.items()
    )
    session.flush()
