"""Put a retro into a given phase through the service layer (the flows themselves are tested end to end)."""

from __future__ import annotations

from datetime import date

from rituals.retro import boards, followup, items, service

FACILITATOR = "U0001"
NEVER = lambda: False  # noqa: E731


def seed(database, clock, deliver, phase: str, *, title: str = "Sprint 9", channel: str = "C0001") -> dict[str, int]:
    """A retro with a named item (U0002) and an anonymous one (U0003), moved on to `phase`."""
    ids: dict[str, int] = {}
    with database.session() as s:
        retro = service.start_retro(
            s,
            team_id="T0001",
            channel_id=channel,
            facilitator=FACILITATOR,
            board=boards.BUILT_IN["wwi"],
            title=title,
            now=clock.now(),
        )
        ids["retro"] = rid = retro.id
        for user in ("U0002", "U0003"):
            service.join(s, retro, user)
        ids["named"] = items.add_item(
            s,
            rid,
            team_id="T0001",
            author="U0002",
            column="went_well",
            text="Fast CI",
            anonymous=False,
            now=clock.now(),
        ).item.id
        ids["anonymous"] = items.add_item(
            s,
            rid,
            team_id="T0001",
            author="U0003",
            column="to_improve",
            text="Flaky evals",
            anonymous=True,
            now=clock.now(),
        ).item.id
        order = ["collect", "group", "vote", "discuss", "closed"]
        for current in order[: order.index(phase)]:
            if current == "discuss":
                followup.add_action(
                    s,
                    rid,
                    team_id="T0001",
                    item_id=ids["anonymous"],
                    owner="U0003",
                    text="Pin the eval seed",
                    due_on=date(2026, 12, 4),
                    actor=FACILITATOR,
                    now=clock.now(),
                )
                service.close(s, rid, team_id="T0001", actor=FACILITATOR, is_admin=NEVER, now=clock.now())
            else:
                service.advance(
                    s, rid, team_id="T0001", from_phase=current, actor=FACILITATOR, is_admin=NEVER, now=clock.now()
                )
            if current == "group":
                items.vote(s, rid, ids["anonymous"], team_id="T0001", voter="U0002", now=clock.now())
    deliver()
    return ids
