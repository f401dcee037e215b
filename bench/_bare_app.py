"""The floors: a bare Bolt app behind the same server (waitress). `/echo` only acks (the read floor);
`/write` inserts one row into `bench_floor` and commits on the database our app uses, then acks (the
write floor: one round trip and one durable commit, through the same engine settings as ours)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.web import WebClient
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table
from waitress import serve

from bot.db import make_engine

FLOOR = Table(
    "bench_floor",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("user_id", String(32), nullable=False),
    Column("text", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    engine = make_engine(args.database_url)
    FLOOR.create(engine, checkfirst=True)
    app = App(
        signing_secret=args.secret,
        client=WebClient(token=args.token, base_url=args.api_url),
        token=args.token,
        process_before_response=True,
        token_verification_enabled=False,
    )

    @app.command("/echo")
    def echo(ack):  # noqa: ANN001 — the baseline stays as bare as Bolt's hello world
        ack()

    @app.command("/write")
    def write(ack, command):  # noqa: ANN001
        with engine.begin() as conn:
            conn.execute(
                FLOOR.insert().values(user_id=command["user_id"], text=command["text"], created_at=datetime.now(UTC))
            )
        ack()

    serve(SlackRequestHandler(app), host="127.0.0.1", port=args.port, threads=8, _quiet=True)


if __name__ == "__main__":
    main()
