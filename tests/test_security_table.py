"""docs/security.md's table is the contract: every command, action and view of the capabilities it
covers has a row, and each row this test can drive is walked with an outsider, a channel member, the
owner and an admin (one fresh setup per cell), checking that the cell says what happens."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from handlers.pi.commands import ROUTER as PI_ROUTER
from handlers.retro.commands import ROUTER as RETRO_ROUTER
from reports.spend.models import SpendBudget
from rituals.pi.ids import VOTES
from rituals.pi.ids import Action as PiAction
from rituals.pi.ids import Modal as PiModal
from rituals.pi.models import Ballot, ConfidenceVote, Objective, ProgramIncrement, Risk
from rituals.pi.tracking_models import PlanSnapshot
from rituals.retro import items
from rituals.retro.ids import Action as RetroAction
from rituals.retro.ids import View as RetroView
from rituals.retro.models import Retro, RetroParticipant, RetroVote
from rituals.standup.models import Standup
from tests.pi.driver import choose, new_pi_values, objective_values, text_input, user_pick
from tests.retro.seed import NEVER, seed
from tests.standup.helpers import set_up

DOC = Path(__file__).resolve().parents[1] / "docs" / "security.md"
ROLES = ("outsider", "member", "owner", "admin")
USERS = {"outsider": "U0009", "member": "U0002", "owner": "U0001", "admin": "U0005"}


@dataclasses.dataclass(frozen=True)
class Row:
    capability: str
    kind: str
    entry: str
    cells: dict[str, str]


def table() -> dict[str, Row]:
    rows = {}
    for line in DOC.read_text().splitlines():
        cols = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cols) == 8 and cols[1] in ("command", "action", "view"):
            rows[cols[2].strip("`")] = Row(
                cols[0], cols[1], cols[2].strip("`"), dict(zip(ROLES, cols[3:7], strict=True))
            )
    return rows


ROWS = table()


def test_the_table_lists_every_command_action_and_view_of_retro_and_pi():
    assert all(set(r.cells.values()) <= {"yes", "no", "n/a"} for r in ROWS.values())
    entries = set(ROWS) | {f"pi.vote_{n}" for n in range(1, 6) if "pi.vote_1` … `pi.vote_5" in ROWS}
    wanted = {str(a) for a in RetroAction} | {
        str(v) for v in RetroView if v not in ("retro.anonymous_item", "retro.my_items_view", "retro.done")
    }
    wanted |= {str(a) for a in PiAction} | {str(m) for m in PiModal} | set(VOTES)
    wanted |= {f"/retro {s.name}" for s in RETRO_ROUTER.subs} | {f"/pi {s.name}" for s in PI_ROUTER.subs}
    assert sorted(wanted - entries) == []


# -- drivers: set the scene, act as `user`, say whether it was allowed -------------------------------


@pytest.fixture
def settings(settings: Settings, tmp_path) -> Settings:
    spend = {"source": "focus", "focus": {"path": str(tmp_path)}}
    return dataclasses.replace(settings, admins=(USERS["admin"],), file={"spend": spend})


@dataclasses.dataclass
class Scene:
    signed: Any
    slack: Any
    database: Any
    clock: Any
    deliver: Any

    def count(self, model: Any, *where: Any) -> int:
        with self.database.session() as s:
            return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    def retro(self, phase: str) -> dict[str, int]:
        return seed(self.database, self.clock, self.deliver, phase)

    def phase(self) -> str:
        with self.database.session() as s:
            return s.get(Retro, 1).phase

    def command(self, command: str, text: str, user: str, channel: str = "C0001") -> str:
        body = self.signed.command(command, text, user=user, channel=channel)
        self.deliver()
        return body.json().get("text", "") if body.content else ""

    def press(self, action_id: str, value: str, user: str, **extra: Any) -> None:
        assert self.signed.action(action_id, value, user=user, **extra).status_code == 200
        self.deliver()

    def opened(self) -> int:
        """Forms shown: a form that opens loading arrives by views.update, a refusal has no callback_id."""
        methods = ("views.open", "views.update", "views.push")
        return len([c for c in self.slack.calls if c.ok and c.method in methods and "callback_id" in c.params["view"]])

    def pi(self, business_owners: tuple[str, ...] = ()) -> None:
        """A PI in C0001 created by the owner, an objective and a risk of another member, an open vote."""
        owner, member = USERS["owner"], USERS["member"]
        self.command("/pi", "new", owner)
        view = self.slack.calls_to("views.open")[-1].params["view"]
        pi = new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12", business_owners=business_owners)
        self.submit(view, pi, owner)
        self.command("/pi", "objective", owner)
        objective = objective_values("Churn", "8", "U0003")
        self.submit(self.slack.calls_to("views.open")[-1].params["view"], objective, owner)
        self.command("/pi", "risk", owner)
        risk = {"description": text_input("No GPUs"), "owner": user_pick(member), "roam": choose("owned")}
        self.submit(self.slack.calls_to("views.open")[-1].params["view"], risk, owner)
        self.command("/pi", "vote", owner)

    def submit(self, view: dict[str, Any], values: dict[str, Any], user: str) -> None:
        self.signed.view_submission(
            view["callback_id"], values, user=user, private_metadata=view["private_metadata"], blocks=view["blocks"]
        )
        self.deliver()


def _opens(scene: Scene, action_id: str, value: str, phase: str) -> Callable[[str], bool]:
    def act(user: str) -> bool:
        scene.retro(phase)
        before = scene.opened()
        scene.press(action_id, value, user)
        return scene.opened() > before

    return act


def drivers(scene: Scene) -> dict[str, Callable[[str], bool]]:
    def retro_command(text: str, phase: str | None, allowed: str) -> Callable[[str], bool]:
        def act(user: str) -> bool:
            if phase:
                scene.retro(phase)
            return allowed in scene.command("/retro", text, user)

        return act

    def advance(user: str) -> bool:
        scene.retro("collect")
        scene.press("retro.advance", "1:collect", user)
        return scene.phase() == "group"

    def close(user: str) -> bool:
        scene.retro("discuss")
        scene.press("retro.close", "1", user)
        return scene.phase() == "closed"

    def retro_vote(user: str) -> bool:
        ids = scene.retro("vote")
        before = scene.count(RetroVote)
        scene.press("retro.vote", f"1:{ids['named']}", user)
        return scene.count(RetroVote) > before or scene.count(RetroVote, RetroVote.count > 1) > 0

    def ready(user: str) -> bool:
        scene.retro("collect")
        scene.press("retro.ready", "1", user)
        return scene.count(RetroParticipant, RetroParticipant.done_phase == "collect") == 1

    def edit_group(user: str) -> bool:
        ids = scene.retro("group")
        with scene.database.session() as s:
            pair = [ids["named"], ids["anonymous"]]
            lead = items.merge(s, 1, pair, team_id="T0001", actor=USERS["owner"], is_admin=NEVER, now=scene.clock.now())
            value = f"1:{lead.id}"
        scene.deliver()
        before = scene.opened()
        scene.press("retro.edit_group", value, user)
        return scene.opened() > before

    def roam(user: str) -> bool:
        scene.pi()
        option = {"value": "1:resolved", "text": {"type": "plain_text", "text": "Resolved"}}
        scene.press("pi.risk_roam", "", user, type="static_select", selected_option=option)
        return scene.count(Risk, Risk.roam == "resolved") == 1

    def pi_vote(user: str) -> bool:
        scene.pi()
        scene.press("pi.vote_4", "1", user)
        return scene.count(Ballot) == 1

    def vote_close(user: str) -> bool:
        scene.pi()
        scene.press("pi.vote_close", "1", user)
        return scene.count(ConfidenceVote, ConfidenceVote.is_open.is_(False)) == 1

    def pi_close(user: str) -> bool:
        scene.pi()
        scene.command("/pi", "close", user)
        return scene.count(ProgramIncrement, ProgramIncrement.state == "active") == 0

    def drop(user: str) -> bool:
        scene.pi()
        scene.press("pi.objective_drop", "1", user)
        return scene.count(Objective, Objective.dropped.is_(True)) == 1

    def commit(user: str) -> bool:
        scene.pi()
        scene.command("/pi", "commit", user)
        return scene.count(PlanSnapshot) == 1

    def pi_export(user: str) -> bool:
        scene.pi()
        return "# PI 2026.4" in scene.command("/pi", "export 1", user)

    def scored(user: str, open_as: str, values: dict[str, Any], *, closing: bool = False) -> None:
        """The owner is the PI's business owner; the form is opened by them and submitted by `user`."""
        scene.pi(business_owners=(USERS["owner"],))
        if closing:
            scene.command("/pi", "close", USERS["owner"])
        scene.press(open_as, "1", USERS["owner"])
        scene.submit(scene.slack.view(), values, user)

    def planned_bv(user: str) -> bool:
        scored(user, "pi.objective_edit", objective_values("Churn", "3", "U0003"))
        return scene.count(Objective, Objective.planned_bv == 3) == 1

    def actual_bv(user: str) -> bool:
        scored(user, "pi.actual_open", {"actual_bv": text_input("7")}, closing=True)
        return scene.count(Objective, Objective.actual_bv == 7) == 1

    def budget(user: str) -> bool:
        scene.command("/spend", "budget nlp 1500", user)
        return scene.count(SpendBudget) == 1

    def standup(sub: str, check: Callable[[], bool]) -> Callable[[str], bool]:
        def act(user: str) -> bool:
            assert set_up(scene.signed, scene.slack, ["U0002", "U0003"]).status_code == 200
            scene.deliver()
            scene.command("/standup", sub, user)
            return check()

        return act

    return {
        "/retro start": retro_command("start Sprint 10", None, "started"),
        "/retro history": retro_command("history", "closed", "Retros in this channel"),
        "/retro export": retro_command("export 1", "closed", "Fast CI"),
        "/retro abandon": retro_command("abandon", "group", "put aside"),
        "retro.advance": advance,
        "retro.close": close,
        "retro.vote": retro_vote,
        "retro.add_item": _opens(scene, "retro.add_item", "1", "collect"),
        "retro.my_items": _opens(scene, "retro.my_items", "1", "collect"),
        "retro.settings": _opens(scene, "retro.settings", "1", "collect"),
        "retro.merge": _opens(scene, "retro.merge", "1", "group"),
        "retro.ready": ready,
        "retro.timing": _opens(scene, "retro.timing", "1", "vote"),
        "retro.handover": _opens(scene, "retro.handover", "1", "collect"),
        "retro.edit_group": edit_group,
        "pi.risk_roam": roam,
        "pi.vote_1` … `pi.vote_5": pi_vote,
        "pi.vote_close": vote_close,
        "/pi close": pi_close,
        "pi.objective_drop": drop,
        "/pi commit": commit,
        "/pi export": pi_export,
        "pi.objective_modal` · planned BV": planned_bv,
        "pi.actual_modal": actual_bv,
        "/spend budget": budget,
        "/standup pause": standup("pause", lambda: scene.count(Standup, Standup.paused.is_(True)) == 1),
    }


WALKED = [
    "/retro start", "/retro history", "/retro export", "/retro abandon", "retro.advance", "retro.close",
    "retro.vote", "retro.add_item", "retro.my_items", "retro.settings", "retro.merge", "retro.ready",
    "retro.timing", "retro.handover", "retro.edit_group", "pi.risk_roam",
    "pi.vote_1` … `pi.vote_5", "pi.vote_close", "/pi close", "pi.objective_drop", "/pi commit", "/pi export",
    "pi.objective_modal` · planned BV", "pi.actual_modal", "/spend budget", "/standup pause",
]  # fmt: skip
CELLS = [(entry, role) for entry in WALKED for role in ROLES if ROWS[entry].cells[role] != "n/a"]


@pytest.mark.parametrize(("entry", "role"), CELLS, ids=[f"{e}-{r}" for e, r in CELLS])
def test_the_table_holds(entry, role, signed, slack, database, clock, deliver):
    slack.add_user(USERS["outsider"], "mallory", tz="UTC")
    slack.add_user(USERS["admin"], "root", tz="UTC")
    scene = Scene(signed, slack, database, clock, deliver)
    expected = ROWS[entry].cells[role] == "yes"
    assert drivers(scene)[entry](USERS[role]) is expected, (
        f"{entry} as {role}: the table says {ROWS[entry].cells[role]}"
    )


def test_the_walk_covers_retro_pi_spend_and_standup_rows():
    assert {ROWS[e].capability for e in WALKED} == {"retro", "pi", "spend", "standup"}
    assert re.search(r"`/ticket map` \| n/a \| no \| yes \| yes", DOC.read_text()), "tickets' row is documented"
