"""Storage: the declarative base, the engine and session factory, and migration checks."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from bot.errors import ConfigError
from bot.sqlite_writer import serialize_writers

log = logging.getLogger(__name__)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (which drops the zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


def migrations_dir() -> Path:
    """The alembic scripts, found through the import system: the checkout's migrations/ or the installed package."""
    return Path(str(files("migrations")))


class NotMigrated(ConfigError):
    """The database schema is behind the code."""


class Database:
    """One engine and its session factory; `with db.session() as s:` is one unit of work."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._closers: list[Callable[[], None]] = []

    def on_dispose(self, close: Callable[[], None]) -> None:
        """`close` runs before the engine is disposed: a thread that writes through it finishes first (and
        does not open connections on a disposed engine, which would stay open for the process's life)."""
        self._closers.append(close)

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def new_session(self) -> Session:
        """A session the caller commits and closes (the request-scoped one in bot.app)."""
        return self._sessions()

    def upgrade(self) -> None:
        command.upgrade(alembic_config(self.url), "head")

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def ensure_migrated(self, *, auto_migrate: bool) -> None:
        """Refuse to run on a schema behind the code; migrate SQLite in embedded mode."""
        head = ScriptDirectory.from_config(alembic_config(self.url)).get_current_head()
        current = self.current_revision()
        if current == head:
            return
        if auto_migrate:
            log.info("migrating database from=%s to=%s", current, head)
            self.upgrade()
            return
        raise NotMigrated(
            f"the database is at revision {current or 'none'} but the code needs {head}: "
            "run `ritualbot db upgrade` first"
        )

    def dispose(self) -> None:
        closers, self._closers = self._closers, []
        for close in closers:
            try:
                close()
            except Exception:  # noqa: BLE001 — the engine is disposed all the same
                log.warning("a closer failed before the database was disposed", exc_info=True)
        self.engine.dispose()


def make_engine(url: str, *, echo: bool = False, autocommit: bool = False, pool_size: int = 10) -> Engine:
    """SQLite: one writer at a time (bot.sqlite_writer), `autocommit` and `pool_size` not used. Otherwise a pool
    of `pool_size` (+10), its connections in autocommit when asked, pinged when they sat idle."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, echo=echo, hide_parameters=True, connect_args={"check_same_thread": False, "timeout": 30}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        serialize_writers(engine)
        return engine
    # hide_parameters: at LOG_LEVEL=DEBUG SQLAlchemy logs every statement; its values (who joined a retro
    # just before an anonymous item was written, tokens) stay out of the log (docs/security.md)
    # autocommit: connections set to it once, when opened (an execution option on a shared pool sets and resets
    # it at every checkout)
    isolation = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    engine = create_engine(url, echo=echo, hide_parameters=True, pool_size=pool_size, max_overflow=10, **isolation)
    _ping_when_idle(engine)
    return engine


PING_AFTER_IDLE_SECONDS = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before handing it out only when it sat idle for a while (the server may have
    dropped it: a restart, an idle timeout); a dead one is replaced, and the request never sees it. SQLAlchemy's
    pool_pre_ping pinged at every checkout: one more round trip on every request (measured: p99 of
    `/ritual help` on PostgreSQL 1.37x -> 1.59x the bare ack) for connections used a millisecond ago."""

    @event.listens_for(engine, "checkin")
    def _idle_from(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _alive(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return  # new, or in steady use
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("pooled connection found dead") from exc  # the pool opens another
        if not alive:
            raise DisconnectionError("pooled connection found dead")


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def utcnow_default() -> datetime:
    """Column default for rows written outside a clock-aware service (never used for logic)."""
    return datetime.now(UTC)
