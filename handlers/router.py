"""Slash-command subcommands: one table per command, which also writes its `/x help`.

A capability's `commands.py` builds `ROUTER = Router("/retro", [Sub("start", "start [template]", "...", fn), ...])`
and registers `ROUTER.handle`. Each subcommand function gets a `CommandRequest`: the words after
the subcommand, who and where, and the request's ack, db, clock, settings, client and capabilities.
`/x help` is written from the table, unless the table has its own `help` entry (`/ritual help` lists
every capability's commands).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot.capabilities import Capabilities
from bot.clock import Clock
from bot.config import Settings
from bot.errors import UserError
from bot.text import decode
from handlers.auth import workspace


@dataclass
class CommandRequest:
    """One slash command, split: `sub` is the subcommand as typed, `args` the words after it."""

    ack: Ack
    command: dict[str, Any]
    db: Session
    clock: Clock
    settings: Settings
    client: WebClient
    context: BoltContext
    sub: str
    args: list[str]
    capabilities: Capabilities

    @property
    def team(self) -> str:
        """The installation's workspace (the organization's id for an org-wide install)."""
        return workspace(self.context).id

    @property
    def channel(self) -> str:
        return str(self.command.get("channel_id") or "")

    @property
    def user(self) -> str:
        return str(self.command.get("user_id") or "")

    @property
    def rest(self) -> str:
        """The words after the subcommand, as one string."""
        return " ".join(self.args)

    @property
    def trigger_id(self) -> str:
        return str(self.command.get("trigger_id") or "")

    def reply(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """Answer only the user, in the command's response (the ack)."""
        if blocks:
            self.ack(response_type="ephemeral", text=text, blocks=blocks)
        else:
            self.ack(response_type="ephemeral", text=text)


Handler = Callable[[CommandRequest], None]


@dataclass(frozen=True)
class Sub:
    """A subcommand: the words that select it, its usage and help line, and its function."""

    name: str
    usage: str
    help: str
    run: Handler
    aliases: Sequence[str] = ()
    listed: bool = True


@dataclass(frozen=True)
class Router:
    command: str
    subs: Sequence[Sub]
    default: str = "help"
    fallback: Handler | None = None  # for `/ticket <stage> <summary>`-style free forms
    extra_help: Sequence[tuple[str, str]] = field(default_factory=tuple)

    def help(self) -> list[tuple[str, str]]:
        """(usage, description) lines for `/x help` and `/ritual help`."""
        return [(f"{self.command} {s.usage}".strip(), s.help) for s in self.subs if s.listed] + list(self.extra_help)

    def help_text(self) -> str:
        return "\n".join(f"`{usage}` — {what}" for usage, what in self.help())

    def find(self, word: str) -> Sub | None:
        word = word.lower()
        return next((s for s in self.subs if word == s.name or word in s.aliases), None)

    def handle(
        self,
        ack: Ack,
        command: dict[str, Any],
        db: Session,
        clock: Clock,
        settings: Settings,
        client: WebClient,
        context: BoltContext,
        capabilities: Capabilities,
    ) -> None:
        """The Bolt listener for the command."""
        words = decode(command.get("text") or "").split()  # Slack's &amp; &lt; &gt;, decoded once
        word = words[0] if words else self.default
        request = CommandRequest(
            ack=ack,
            command=command,
            db=db,
            clock=clock,
            settings=settings,
            client=client,
            context=context,
            sub=word,
            args=words[1:],
            capabilities=capabilities,
        )
        sub = self.find(word)
        if sub is None and word.lower() == "help":  # a table's own `help` entry (`/ritual help`) comes first
            request.reply(self.help_text())
            return
        if sub is not None:
            sub.run(request)
            return
        if self.fallback is not None:
            request.args = words
            self.fallback(request)
            return
        raise UserError(f"I don't know `{self.command} {word[:40]}`. Try `{self.command} help`.")
