"""handlers/router.py: one table per slash command selects the subcommand and writes `/x help`."""

from __future__ import annotations

from typing import Any

import pytest

from bot.errors import UserError
from handlers.router import CommandRequest, Router, Sub


class Recorder:
    def __init__(self) -> None:
        self.acks: list[dict[str, Any]] = []
        self.ran: list[tuple[str, list[str]]] = []

    def ack(self, **kwargs: Any) -> None:
        self.acks.append(kwargs)

    def run(self, name: str):
        def go(req: CommandRequest) -> None:
            self.ran.append((name, req.args))
            req.reply(f"{name} for {req.user} in {req.channel}")

        return go


def _router(rec: Recorder, **kwargs: Any) -> Router:
    return Router(
        "/x",
        [
            Sub("start", "start [template]", "start one", rec.run("start"), aliases=("begin",)),
            Sub("stop", "stop", "stop it", rec.run("stop")),
            Sub("secret", "secret", "not listed", rec.run("secret"), listed=False),
        ],
        **kwargs,
    )


def _call(router: Router, rec: Recorder, text: str) -> None:
    command = {"text": text, "team_id": "T1", "channel_id": "C1", "user_id": "U1", "trigger_id": "t"}
    router.handle(
        ack=rec.ack,
        command=command,
        db=None,
        clock=None,
        settings=None,
        client=None,  # type: ignore[arg-type]
        context={},
        capabilities=None,
    )  # type: ignore[arg-type]


def test_the_subcommand_runs_with_the_words_after_it():
    rec = Recorder()
    _call(_router(rec), rec, "START retro-classic now")
    assert rec.ran == [("start", ["retro-classic", "now"])]
    assert rec.acks == [{"response_type": "ephemeral", "text": "start for U1 in C1"}]


def test_aliases_select_the_same_subcommand():
    rec = Recorder()
    _call(_router(rec), rec, "begin")
    assert rec.ran == [("start", [])]


def test_help_is_written_from_the_same_table():
    rec = Recorder()
    router = _router(rec)
    assert router.help() == [("/x start [template]", "start one"), ("/x stop", "stop it")]
    _call(router, rec, "help")
    help_text = "`/x start [template]` — start one\n`/x stop` — stop it"
    assert rec.acks == [{"response_type": "ephemeral", "text": help_text}]
    _call(router, rec, "")
    assert rec.acks[-1] == rec.acks[0]
    assert rec.ran == []


def test_an_unknown_subcommand_says_how_to_get_help():
    rec = Recorder()
    with pytest.raises(UserError) as raised:
        _call(_router(rec), rec, "frobnicate now")
    assert raised.value.message == "I don't know `/x frobnicate`. Try `/x help`."


def test_a_fallback_takes_every_word_when_no_subcommand_matches():
    rec = Recorder()
    _call(_router(rec, fallback=rec.run("free")), rec, "modelling Try boosting")
    assert rec.ran == [("free", ["modelling", "Try", "boosting"])]


def test_the_default_subcommand_runs_when_nothing_is_typed():
    rec = Recorder()
    _call(_router(rec, default="stop"), rec, "   ")
    assert rec.ran == [("stop", [])]
