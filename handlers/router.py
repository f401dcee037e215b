"""Slash-command subcommands: one table per command, which also writes its `/x help`.

A capability's `commands.py` builds `ROUTER = Router("/retro", [Sub("start", "start [template]", "...", fn), ...])`
and registers `ROUTER.handle`. Each subcommand function gets a `CommandRequest`: the words after
the subcommand, who and where, and the request's ack, db, clock, settings, client and capabilities.
`/x help` is written from the table, unless the table has its own `help` entry (`/ritual help` lists
every capability's commands).

A subcommand that calls out (Slack lookups, a tracker, MLflow, metrics, a cloud API) says so with
`Sub(..., later=Later(lane, "Looking it up…"))` (or `Router(later=...)` for all, `fallback_later=`); an action or
view-submission listener with `app.action(ID)(later(Later(...))(fn))`. Its function is unchanged: it
runs in the lane's thread with its own `db`, and its `ack`/`req.reply` answers in place while the request
still waits, else by response_url (a DM for a modal). See bot/deferred.py.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk.web import WebClient
from sqlalchemy.orm import Session

from bot import outbox
from bot.capabilities import Capabilities
from bot.clock import Clock
from bot.config import Settings
from bot.deferred import Deferred, Later, Message
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
    later: Later | None = None  # it calls out: run in its lane, answered within bot.deferred's budget


@dataclass(frozen=True)
class Router:
    command: str
    subs: Sequence[Sub]
    default: str = "help"
    fallback: Handler | None = None  # for `/ticket <stage> <summary>`-style free forms
    extra_help: Sequence[tuple[str, str]] = field(default_factory=tuple)
    fallback_later: Later | None = None
    later: Later | None = None  # every subcommand's (a membership check on each), unless a Sub has its own

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
        respond: Respond | None = None,
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
            _run(sub.run, sub.later or self.later, request, respond)
            return
        if self.fallback is not None:
            request.args = words
            _run(self.fallback, self.fallback_later or self.later, request, respond)
            return
        raise UserError(f"I don't know `{self.command} {word[:40]}`. Try `{self.command} help`.")


def _run(run: Handler, spec: Later | None, request: CommandRequest, respond: Respond | None) -> None:
    deferred: Deferred | None = request.context.get("deferred")
    if spec is not None and deferred is not None and deferred.hands_off(spec, request.context):
        if deferred.hand_off(request.context, request.db):  # the worker files it and answers by response_url
            request.ack(response_type="ephemeral", text=spec.pending)
        else:
            request.ack()  # a replay: it has no effect
        return
    if spec is None or deferred is None or spec.runs_inline(request.command, request.context):
        run(request)
        return

    def work(session: Session, say: Callable[..., None], hold: Callable[[Callable[[], None]], None]) -> None:
        run(replace(request, db=session, ack=_Say(say)))  # type: ignore[arg-type]

    deferred.run(spec, work, request_db=request.db, ack=request.ack, late=_by_response_url(respond), pending="ack")


class _Say:
    """Bolt's `ack(text, blocks, ...)` calling convention on top of the exchange's `say(**message)`."""

    def __init__(self, say: Callable[..., None]) -> None:
        self._say = say

    def __call__(self, text: str | None = None, blocks: Any = None, **rest: Any) -> None:
        message = {k: v for k, v in {"text": text, "blocks": blocks, **rest}.items() if v is not None}
        self._say(**message)


class _Held:
    """Bolt's `respond(...)`, posted once the work has committed (bot.deferred: `hold`)."""

    def __init__(self, respond: Respond, hold: Callable[[Callable[[], None]], None]) -> None:
        self._respond, self._hold = respond, hold
        self.response_url = respond.response_url

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        def post() -> None:
            self._respond(*args, **kwargs)

        self._hold(post)


def _by_response_url(respond: Respond | None) -> Callable[[Message], None]:
    def late(message: Message) -> None:
        if respond is None:
            raise RuntimeError("no response_url to answer on")
        message = {k: v for k, v in message.items() if k in ("text", "blocks")}
        respond(response_type="ephemeral", replace_original=False, **message)

    return late


F = TypeVar("F", bound=Callable[..., None])
_NEEDED = ("ack", "body", "context", "db", "respond")


def later(spec: Later) -> Callable[[F], F]:
    """For an action, shortcut or view-submission listener that calls out (see the module docstring).
    The wrapper asks Bolt for what the function takes plus what deferring needs (by signature)."""

    def wrap(fn: F) -> F:
        own = list(inspect.signature(fn).parameters)

        def listener(**kwargs: Any) -> None:
            mine = {k: kwargs[k] for k in own}
            context, body = kwargs["context"], kwargs["body"]
            deferred: Deferred | None = context.get("deferred")
            if deferred is None:
                fn(**mine)
                return
            if deferred.hands_off(spec, context):  # the worker runs it; what it says goes by response_url
                deferred.hand_off(context, kwargs["db"])
                kwargs["ack"]()
                return
            if spec.runs_inline(body, context):  # nothing to call out this time: no lane (bot.deferred)
                if mine.get("respond") is not None:
                    mine["respond"] = _Held(mine["respond"], lambda call: deferred.hold(context, call))
                fn(**mine)
                return

            def work(session: Session, say: Callable[..., None], hold: Callable[[Callable[[], None]], None]) -> None:
                swapped: dict[str, Any] = {"db": session, "ack": _Say(say)}
                if mine.get("respond") is not None:  # its response_url posts go out after the commit
                    swapped["respond"] = _Held(mine["respond"], hold)
                fn(**{**mine, **{k: v for k, v in swapped.items() if k in mine}})

            respond = kwargs["respond"]
            if respond is not None and getattr(respond, "response_url", None):
                late, pending = _by_response_url(respond), "notice"
            else:  # a modal's submission or a button in a modal
                late, pending = _by_dm(context, body), "none"
            deferred.run(spec, work, request_db=kwargs["db"], ack=kwargs["ack"], late=late, pending=pending)

        listener.__name__ = fn.__name__
        listener.__qualname__ = fn.__qualname__
        listener.__doc__ = fn.__doc__
        listener.__module__ = fn.__module__
        names = own + [n for n in _NEEDED if n not in own]
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        listener.__signature__ = inspect.Signature([inspect.Parameter(n, kind) for n in names])  # type: ignore[attr-defined]
        return listener  # type: ignore[return-value]

    return wrap


def _by_dm(context: BoltContext, body: dict[str, Any]) -> Callable[[Message], None]:
    """A modal has no response_url: what the work says after the modal closed goes to the user by DM."""
    runtime = context["runtime"]
    user = str((body.get("user") or {}).get("id") or "")
    team = workspace(context).id

    def late(message: Message) -> None:
        with runtime.database.session() as s:
            outbox.post(
                s,
                channel=user,
                team_id=team,
                text=message["text"],
                blocks=message.get("blocks"),
                now=runtime.clock.now(),
            )
        runtime.sender.wake()

    return late
