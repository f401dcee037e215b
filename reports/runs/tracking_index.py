"""The one index ritualbot adds to an MLflow tracking database: `runs(experiment_id, status, end_time)`.

MLflow's schema indexes `runs` by run id only, so every `search_runs` scans the whole table and
a poll's cost grows with history. With this index the poll's `status = … AND end_time >= watermark`
filter is a range read of the newest rows, and the stalled-run check's `status = 'RUNNING'` reads only
the runs still going (with the earlier `(experiment_id, end_time)`, which ritualbot replaces, it read
every run of the experiment: a poll at 50,000 runs took 33 ms against 21 ms at 500). It is additive
(MLflow's migrations and UI ignore it, and its own searches get faster too); on PostgreSQL it is built
CONCURRENTLY so MLflow keeps writing meanwhile.
"""

from __future__ import annotations

import logging
import threading
from typing import Literal

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from bot.errors import ConfigError

log = logging.getLogger(__name__)

NAME = "ritualbot_runs_experiment_status_end_time"
COLUMNS = "(experiment_id, status, end_time)"
EARLIER = "ritualbot_runs_experiment_end_time"  # replaced by NAME (dropped once NAME is there)
SQL_SCHEMES = ("sqlite:", "postgresql", "postgres:", "mysql", "mssql")
Outcome = Literal["created", "present"]

_tried: set[str] = set()
_lock = threading.Lock()


def ddl(uri: str) -> str:
    """The statement an operator runs by hand on the tracking database."""
    concurrently = "CONCURRENTLY " if uri.startswith(("postgresql", "postgres:")) else ""
    return f"CREATE INDEX {concurrently}{NAME} ON runs {COLUMNS}"


def ensure(uri: str) -> Outcome:
    """Create the index in the MLflow database at `uri` unless it is there (and valid)."""
    if not uri.startswith(SQL_SCHEMES):
        raise ConfigError(
            f"{shown(uri)} is not a database URI: point --store at the tracking server's backend "
            f"store (e.g. postgresql://…/mlflow), or run `{ddl('postgresql')};` on that database"
        )
    engine = _engine(uri)
    try:
        return _ensure(engine, uri)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
        raise ConfigError(f"could not index the MLflow runs table in {shown(uri)}: {reason}") from None
    finally:
        engine.dispose()


def _ensure(engine: Engine, uri: str) -> Outcome:
    if "runs" not in inspect(engine).get_table_names():
        raise ConfigError(f"{shown(uri)} has no MLflow `runs` table: is this the tracking database?")
    if engine.dialect.name == "postgresql":
        return _ensure_postgres(engine)
    present = {i["name"] for i in inspect(engine).get_indexes("runs")}
    with engine.begin() as conn:
        if NAME not in present:
            conn.execute(text(ddl(uri)))
        if EARLIER in present:
            conn.execute(text(f"DROP INDEX {EARLIER}"))
    return "present" if NAME in present else "created"


def ensure_once(uri: str) -> None:
    """For the worker: try once per process and tracking URI; a refusal (read-only user, a tracking
    server URL) is logged with what to do, and polls go on unindexed."""
    with _lock:
        if uri in _tried:
            return
        _tried.add(uri)
    if not uri.startswith(SQL_SCHEMES):
        log.info(
            "mlflow tracking index not checked store=%s hint=%r",
            shown(uri),
            f"run `{ddl('postgresql')}` on the tracking server's database so polls stay fast",
        )
        return
    try:
        outcome = ensure(uri)
    except Exception as exc:  # noqa: BLE001 — the index only speeds polls up; it must never stop one
        log.warning(
            "mlflow tracking index not created store=%s error=%r hint=%r",
            shown(uri),
            str(exc)[:300],
            "run `ritualbot runs index` as a user that may create indexes",
        )
        return
    log.info("mlflow tracking index %s store=%s index=%s", outcome, shown(uri), NAME)


def shown(uri: str) -> str:
    """The URI without its password, for logs and messages."""
    try:
        return make_url(uri).render_as_string(hide_password=True)
    except ArgumentError:
        return uri.split("@")[-1]


def _engine(uri: str) -> Engine:
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):  # MLflow's plain form; ritualbot talks to PostgreSQL through psycopg 3
            uri = "postgresql+psycopg://" + uri[len(prefix) :]
    try:
        return create_engine(uri)
    except ImportError as exc:
        raise ConfigError(
            f"cannot open {shown(uri)}: its driver is not installed ({exc.name}); for PostgreSQL "
            "install ritualbot with the postgres extra"
        ) from None
    except (ArgumentError, NoSuchModuleError) as exc:
        raise ConfigError(f"cannot open {shown(uri)}: {exc}") from None


def _ensure_postgres(engine: Engine) -> Outcome:
    query = text(
        "SELECT i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
        "WHERE c.relname = :name AND pg_table_is_visible(c.oid)"
    )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        valid = conn.execute(query, {"name": NAME}).scalar()
        if not valid:
            if valid is False:  # an interrupted CONCURRENTLY build leaves an invalid index behind
                conn.execute(text(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}"))
            conn.execute(text(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON runs {COLUMNS}"))
        conn.execute(text(f"DROP INDEX CONCURRENTLY IF EXISTS {EARLIER}"))
    return "present" if valid else "created"
