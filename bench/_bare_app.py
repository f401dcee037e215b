"""The baseline: a bare Bolt app whose /echo only acks, behind the same server (waitress)."""

from __future__ import annotations

import argparse

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.web import WebClient
from waitress import serve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
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

    serve(SlackRequestHandler(app), host="127.0.0.1", port=args.port, threads=8, _quiet=True)


if __name__ == "__main__":
    main()
