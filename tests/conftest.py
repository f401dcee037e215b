"""Shared fixtures: a migrated database (SQLite, or PostgreSQL from RITUALBOT_TEST_DATABASE_URL),
a frozen clock, the Slack Web API double, and the app served on a real HTTP port."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_bolt import App
from sqlalchemy import create_engine, text

from bot.app import create_app
from bot.clock import FrozenClock
from bot.config import Settings
from bot.db import Database
from bot.runtime import Runtime, install
from bot.web import make_server
from bot.wiring import build_runtime
from tests.slack.double import SlackDouble
from tests.slack.signed import SignedSlack

SIGNING_SECRET = "test-signing-secret"
BASE_PG_URL = os.environ.get("RITUALBOT_TEST_DATABASE_URL")
# Under pytest-xdist each worker gets its own database next to the given one.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
PG_URL = f"{BASE_PG_URL}_{_WORKER}" if BASE_PG_URL and _WORKER else BASE_PG_URL
MONDAY_9_UTC = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def pytest_report_header(config: pytest.Config) -> str:
    return f"ritualbot test database: {'postgresql' if PG_URL else 'sqlite'}"


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate once per session: a template SQLite file, or the PostgreSQL database itself."""
    if PG_URL:
        if PG_URL != BASE_PG_URL:
            _create_database(BASE_PG_URL, PG_URL.rsplit("/", 1)[1])
        db = Database(PG_URL)
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.upgrade()
        db.dispose()
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    return str(path)


@pytest.fixture
def database_url(_migrated_template: str, tmp_path: Path) -> str:
    if PG_URL:
        _empty_postgres(PG_URL)
        return PG_URL
    target = tmp_path / "ritualbot.db"
    shutil.copyfile(_migrated_template, target)
    return f"sqlite:///{target}"


def _create_database(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    """Empty every table between tests: DELETE with FK triggers off and sequences restarted is far
    faster than TRUNCATE on many small tables."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = (
            conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'")
            )
            .scalars()
            .all()
        )
        sequences = (
            conn.execute(text("SELECT sequencename FROM pg_sequences WHERE schemaname='public'")).scalars().all()
        )
        statements = ["SET LOCAL session_replication_role = replica"]
        statements += [f'DELETE FROM "{t}"' for t in tables]
        statements += [f'ALTER SEQUENCE "{q}" RESTART' for q in sequences]
        conn.exec_driver_sql(";\n".join(statements))
    engine.dispose()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(MONDAY_9_UTC)


@pytest.fixture
def slack() -> Iterator[SlackDouble]:
    double = SlackDouble()
    double.start()
    double.add_user("U0001", "ada", tz="Europe/Berlin", email="ada@example.com")
    double.add_user("U0002", "grace", tz="America/Los_Angeles", email="grace@example.com")
    double.add_user("U0003", "ravi", tz="Asia/Kolkata", email="ravi@example.com")
    double.members["C0001"] = ["U0001", "U0002", "U0003"]
    yield double
    double.stop()


@pytest.fixture
def settings(database_url: str, slack: SlackDouble) -> Settings:
    return Settings(
        database_url=database_url,
        slack_bot_token=slack.token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.base_url,
        auto_migrate=False,
    )


@pytest.fixture
def runtime(settings: Settings, clock: FrozenClock, database: Database) -> Runtime:
    rt = build_runtime(settings, clock=clock, database=database)
    install(rt)
    return rt


@pytest.fixture
def answer_budget() -> float | None:
    """How long a request waits for work that calls out (bot.deferred). Flow tests read answers in place,
    so requests wait for it; tests/test_deferred.py drives the production budget with slow dependencies."""
    return None


@pytest.fixture
def app(settings: Settings, runtime: Runtime, answer_budget: float | None) -> App:
    return create_app(settings, runtime=runtime, answer_budget=answer_budget)


@pytest.fixture
def app_url(app: App, runtime: Runtime) -> Iterator[str]:
    """The app behind the production WSGI server on a free loopback port."""
    server = make_server(app, runtime, host="127.0.0.1", port=0, threads=4)
    stop = threading.Event()

    def serve() -> None:  # waitress has no stop(): run its loop in slices and close from this thread
        while not stop.is_set():
            server.asyncore.loop(timeout=0.02, map=server._map, count=1)
        server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}/"
    stop.set()
    thread.join(timeout=5)


@pytest.fixture
def signed(app_url: str, slack: SlackDouble) -> Iterator[SignedSlack]:
    client = SignedSlack(app_url + "slack/events", SIGNING_SECRET, response_url=slack.response_url())
    yield client
    client.close()


@pytest.fixture
def deliver(runtime: Runtime):
    """Deliver everything due in the outbox now (the web/worker sender thread does this in production)."""
    return runtime.sender.deliver_due
