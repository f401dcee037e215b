"""A throwaway database for one benchmark run, removed afterwards so the next run starts clean: a SQLite
file in a temporary directory, or a fresh schema on the given PostgreSQL database (the run's processes
see only that schema through the connection's search_path; it is dropped at the end)."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text


@contextmanager
def throwaway(database_url: str | None) -> Iterator[str]:
    """Yield the URL the run uses: `database_url`'s server with a schema of its own, or a new SQLite file."""
    if not database_url:
        workdir = tempfile.mkdtemp(prefix="ritualbot-bench-")
        try:
            yield f"sqlite:///{workdir}/bench.db"
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return
    url = make_url(database_url)
    if not url.get_backend_name().startswith("postgresql"):
        raise SystemExit(f"--database-url: PostgreSQL expected (SQLite is the default), got {url.get_backend_name()}")
    schema = f"ritualbot_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        options = " ".join(filter(None, [str(url.query.get("options") or ""), f"-csearch_path={schema}"]))
        yield url.update_query_dict({"options": options}).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
