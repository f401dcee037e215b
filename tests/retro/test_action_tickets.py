"""Issue 21: a retro action becomes a stage ticket through the tickets capability (owner as assignee, due
date in the description), and the next retro's review shows the ticket's state."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.blocks import blocks_to_text
from rituals.tickets.models import Ticket
from tests.retro.driver import buttons
from tests.retro.seed import seed


def test_an_action_is_filed_as_a_ticket_and_the_next_review_shows_its_state(
    retro, signed, slack, database, clock, deliver
):
    seed(database, clock, deliver, "closed")  # action "Pin the eval seed", owner U0003, due 2026-12-04
    posted = next(p for p in retro.thread(1) if p["text"].startswith(":white_check_mark: Action: Pin the eval seed"))
    [button] = buttons(posted["blocks"], "retro.add_to_tracker")
    assert button["text"]["text"] == "Add to tracker"

    signed.action("retro.add_to_tracker", button["value"], user="U0002")  # the form opens loading: Slack is asked
    assert slack.wait_until(lambda d: d.calls_to("views.update"))
    assert retro.refused_in_modal().startswith("Only the action's owner (<@U0003>)")
    assert retro.forms_shown() == 0, "no form for someone else"

    signed.action("retro.add_to_tracker", button["value"], user="U0003")
    assert slack.wait_until(lambda d: retro.forms_shown() == 1)
    form = slack.view()
    assert form["callback_id"] == "tickets.file_modal"
    by_block = {b["block_id"]: b["element"] for b in form["blocks"]}
    assert by_block["summary"]["initial_value"] == "Pin the eval seed"
    assert "owner @U0003, due 2026-12-04" in by_block["description"]["initial_value"]
    assert by_block["assignee"]["initial_user"] == "U0003", "the action's owner owns the ticket"
    assert json.loads(form["private_metadata"])["origin_ts"] == retro.ts_of("retro:1:action:1")

    stage = by_block["stage"]["options"][1]["value"]
    values = {
        "stage": {"value": {"type": "static_select", "selected_option": {"value": stage}}},
        "summary": {"value": {"type": "plain_text_input", "value": "Pin the eval seed"}},
        "description": {"value": {"type": "plain_text_input", "value": by_block["description"]["initial_value"]}},
        "assignee": {"value": {"type": "users_select", "selected_user": "U0003"}},
    }
    signed.view_submission("tickets.file_modal", values, user="U0003", private_metadata=form["private_metadata"])
    deliver()
    with database.session() as s:
        ticket = s.scalars(select(Ticket)).one()
        assert (ticket.assignee, ticket.origin_channel) == ("U0003", "C0001")

    shown = len(slack.calls_to("views.update"))
    signed.action("retro.add_to_tracker", button["value"], user="U0003")
    assert slack.wait_until(lambda d: len(d.calls_to("views.update")) > shown)
    assert retro.refused_in_modal() == f"{ticket.key} is already filed for this action."

    retro.command("start Sprint 10", user="U0001")
    review = blocks_to_text(retro.thread(2)[0]["blocks"])
    assert f"Pin the eval seed — <@U0003>, due 2026-12-04 · from “Sprint 9” · *open* · ticket `{ticket.key}`" in review
    assert f"· {ticket.stage} · open" in review
