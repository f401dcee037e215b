"""The built-in tracker end to end through the signed endpoint: one-liners, the modal, the message
shortcut, project checklists, channel defaults, move/close with thread updates, the board and
mine.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.blocks import blocks_to_text
from rituals.tickets.models import Ticket, TicketDraft, TicketProject
from tests.tickets.conftest import CHANNEL, buttons, meta, text_input, user_select
from tests.tickets.conftest import select as choose


def test_one_liner_files_by_stage_prefix_or_number_with_built_in_keys(tickets, database):
    body = tickets.command("model Try gradient boosting")
    assert body["response_type"] == "ephemeral"
    assert body["text"] == "Filed `DS-1` · Try gradient boosting in *Modelling / EDA*."
    body = tickets.command("2 Pull the churn logs", user="U0002")
    assert body["text"] == "Filed `DS-2` · Pull the churn logs in *Data collection &amp; initial analysis*."
    posts = tickets.posts()
    assert [p["text"] for p in posts] == [
        "<@U0001> filed `DS-1` · *Modelling / EDA*: Try gradient boosting",
        "<@U0002> filed `DS-2` · *Data collection &amp; initial analysis*: Pull the churn logs",
    ]
    assert all("thread_ts" not in p for p in posts)
    with database.session() as s:
        rows = s.scalars(select(Ticket).order_by(Ticket.id)).all()
        assert [(t.key, t.tracker, t.created_by, t.status) for t in rows] == [
            ("DS-1", "builtin", "U0001", "open"),
            ("DS-2", "builtin", "U0002", "open"),
        ]


def test_ambiguous_or_unknown_stage_answers_with_the_stage_list_and_files_nothing(tickets, slack, database):
    body = tickets.command("m Something")
    assert body["response_type"] == "ephemeral"
    assert body["text"].startswith("`m` matches 2 stages.")
    assert "3. Modelling / EDA" in body["text"] and "6. Monitoring" in body["text"]
    body = tickets.command("deploy Ship it")
    assert body["text"].startswith("There is no stage `deploy`.") and "1. Business case" in body["text"]
    assert "Add a summary" in tickets.command("testing")["text"]
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 0
        assert s.scalar(select(func.count()).select_from(TicketDraft)) == 0
    assert slack.posted() == []


def test_project_checklist_files_one_ticket_per_stage_and_a_rerun_adds_nothing(tickets, database):
    body = tickets.command("project Churn model")
    text = body["text"]
    assert text.startswith("Project *Churn model*: 6 of 6 stage tickets.")
    for n, stage in enumerate(
        [
            "Business case",
            "Data collection & initial analysis",
            "Modelling / EDA",
            "Testing & validation",
            "Operationalization",
            "Monitoring",
        ],
        start=1,
    ):
        assert f"{n}. *{stage.replace('&', '&amp;')}* — `DS-{n}`" in text, "escaped once: Slack parses mrkdwn"
    again = tickets.command("project Churn model")["text"]
    assert again.startswith("Project *Churn model* already exists: 6 of 6 stage tickets (0 new).")
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 6
        project = s.scalars(select(TicketProject)).one()
        assert (project.name, project.tracker) == ("Churn model", "builtin")
        summaries = s.scalars(select(Ticket.summary).order_by(Ticket.id)).all()
        assert summaries[0] == "Business case: Churn model"


def test_modal_preselects_the_channel_default_and_files_with_assignee_and_labels(tickets, slack, database):
    tickets.command("project Churn model")
    assert "now go to *Churn model*" in tickets.command("default Churn  model")["text"]
    assert tickets.command("") == {}, "the modal opens; the command itself answers nothing"
    view = tickets.last_view()
    assert view["callback_id"] == "tickets.file_modal" and meta(view) == {"channel": CHANNEL}
    project_block = view["blocks"][0]
    assert project_block["element"]["initial_option"]["text"]["text"] == "Churn model"
    values = {
        "project": choose(project_block["element"]["initial_option"]["value"]),
        "stage": choose("Testing & validation"),
        "summary": text_input("Backtest on Q3"),
        "description": text_input("Use the frozen Q3 snapshot."),
        "assignee": user_select("U0002"),
        "labels": text_input("backtest, q3"),
    }
    assert tickets.submit(view, values) == {}
    assert (
        tickets.posts()[-1]["text"]
        == "<@U0001> filed `DS-7` · *Testing &amp; validation* · Churn model: Backtest on Q3"
        " (assigned to <@U0002>)"
    )
    with database.session() as s:
        ticket = s.scalars(select(Ticket).where(Ticket.key == "DS-7")).one()
        assert (ticket.assignee, ticket.labels, ticket.description) == (
            "U0002",
            ["backtest", "q3"],
            "Use the frozen Q3 snapshot.",
        )
        assert ticket.project_id is not None


def test_modal_new_project_needs_a_name_and_then_creates_it(tickets, database):
    tickets.command("")
    view = tickets.last_view()
    values = {
        "project": choose("__new__"),
        "stage": choose("Business case"),
        "summary": text_input("Why churn?"),
    }
    answer = tickets.submit(view, values)
    assert answer == {
        "response_action": "errors",
        "errors": {"new_project": "Name the new project."},
    }
    values["new_project"] = text_input("Retention")
    assert tickets.submit(view, values) == {}
    with database.session() as s:
        assert s.scalars(select(TicketProject.name)).all() == ["Retention"]
        assert s.scalars(select(Ticket.key)).all() == ["DS-1"]


def test_message_shortcut_prefills_the_modal_and_replies_in_the_message_thread(tickets, signed, slack):
    message = {
        "type": "message",
        "user": "U0002",
        "ts": "1800000000.000042",
        "text": "Model drift on the EU segment\nAUC fell from 0.81 to 0.74 since Friday",
    }
    assert signed.message_shortcut("tickets.file_from_message", message=message).status_code == 200
    permalink = slack.calls_to("chat.getPermalink")[0]
    assert (permalink.params["channel"], permalink.params["message_ts"]) == (
        CHANNEL,
        "1800000000.000042",
    )
    view = tickets.last_view()
    summary = next(b for b in view["blocks"] if b["block_id"] == "summary")
    description = next(b for b in view["blocks"] if b["block_id"] == "description")
    assert summary["element"]["initial_value"] == "Model drift on the EU segment"
    assert description["element"]["initial_value"] == message["text"]
    assert meta(view)["origin_ts"] == "1800000000.000042"
    assert meta(view)["permalink"].endswith("/archives/C0001/p1800000000000042")
    tickets.submit(
        view,
        {"stage": choose("Monitoring"), "summary": text_input("Model drift on the EU segment")},
    )
    reply = tickets.posts()[-1]
    assert reply["thread_ts"] == "1800000000.000042" and reply["channel"] == CHANNEL
    assert reply["text"] == "<@U0001> filed `DS-1` · *Monitoring*: Model drift on the EU segment"

    assert tickets.command("move DS-1 test")["text"] == "`DS-1` moved to *Testing &amp; validation* by <@U0001>."
    assert tickets.command("close ds-1", user="U0003")["text"] == "`DS-1` was closed by <@U0003>."
    thread = [p["text"] for p in tickets.posts() if p.get("thread_ts") == "1800000000.000042"]
    assert thread[1:] == [
        "`DS-1` moved to *Testing &amp; validation* by <@U0001>.",
        "`DS-1` was closed by <@U0003>.",
    ]
    assert tickets.command("close DS-1")["text"] == "DS-1 is already closed."
    assert "no ticket `DS-9`" in tickets.command("move DS-9 monitoring")["text"]


def test_reaction_with_the_ticket_emoji_prompts_the_reactor_and_the_button_opens_the_modal(tickets, signed, slack):
    item = {"type": "message", "channel": CHANNEL, "ts": "1800000000.000077"}
    signed.event(
        {
            "type": "reaction_added",
            "user": "U0003",
            "reaction": "thumbsup",
            "item": item,
            "item_user": "U0001",
            "event_ts": "1800000001.000001",
        }
    )
    signed.event(
        {
            "type": "reaction_added",
            "user": "U0003",
            "reaction": "ticket",
            "item": item,
            "item_user": "U0001",
            "event_ts": "1800000001.000002",
        }
    )
    tickets.deliver()
    prompts = tickets.ephemerals()
    assert len(prompts) == 1 and prompts[0]["user"] == "U0003" and prompts[0]["channel"] == CHANNEL
    button = buttons(prompts[0]["blocks"])[0]
    tickets.press(button["action_id"], button["value"], user="U0003")
    view = tickets.last_view()
    assert meta(view)["origin_ts"] == "1800000000.000077"
    tickets.submit(
        view,
        {"stage": choose("Business case"), "summary": text_input("Size the churn problem")},
        user="U0003",
    )
    reply = tickets.posts()[-1]
    assert reply["thread_ts"] == "1800000000.000077" and "filed `DS-1`" in reply["text"]


def test_board_shows_wip_assignees_ages_and_the_oldest_item_per_stage(tickets, clock):
    tickets.command("model Baseline logistic regression")
    clock.advance(days=2)
    tickets.command("model Try gradient boosting")
    tickets.command("business Write the one-pager")
    clock.advance(days=3)
    tickets.command("move DS-3 monitoring")
    tickets.command("close DS-3")
    board = tickets.command("board")
    text = blocks_to_text(board["blocks"])
    assert "# Board · All stage tickets" in text
    assert "2 open · 1 closed" in text
    assert (
        "*Modelling / EDA* — WIP 2\n• `DS-1` · Baseline logistic regression · unassigned · 5d\n"
        "• `DS-2` · Try gradient boosting · unassigned · 3d\n_oldest: DS-1 (5d)_"
    ) in text
    assert "*Business case* — WIP 0" in text and "*Monitoring* — WIP 0 · 1 closed" in text
    assert board["text"].startswith("Board All stage tickets: 2 open, Business case 0,")
    assert "There is no project `Nope`" in tickets.command("board Nope")["text"]


def test_mine_lists_open_tickets_assigned_to_me(tickets, clock):
    tickets.command("project Churn model")
    assert tickets.command("mine")["text"] == "You have no open stage tickets assigned."
    tickets.command("")
    view = tickets.last_view()
    churn = next(o["value"] for o in view["blocks"][0]["element"]["options"] if o["text"]["text"] == "Churn model")
    tickets.submit(
        view,
        {
            "project": choose(churn),
            "stage": choose("Operationalization"),
            "summary": text_input("Package the scorer"),
            "assignee": user_select("U0002"),
        },
    )
    clock.advance(days=1)
    assert tickets.command("mine", user="U0002")["text"] == (
        "Your open stage tickets:\n• `DS-7` · Package the scorer · *Operationalization* · Churn model · 1d"
    )


def test_default_for_unknown_project_lists_the_known_ones(tickets):
    tickets.command("project Churn model")
    answer = tickets.command("default Fraud")["text"]
    assert answer == (
        "There is no project `Fraud`. Projects: Churn model. Create one with `/ticket project &lt;name&gt;`."
    )


def test_status_and_app_home_show_open_tickets_and_the_channel_default(tickets, signed):
    assert "Stage tickets" not in str(signed.command("/ritual", "status").json())
    tickets.command("project Churn model")
    tickets.command("default Churn model")
    status = blocks_to_text(signed.command("/ritual", "status").json()["blocks"])
    assert "Stage tickets" in status
    assert "6 open in 1 project; oldest DS-1 (Business case)" in status
    assert "this channel files into Churn model" in status


def test_a_message_without_a_permalink_still_opens_the_form(tickets, signed, slack):
    slack.fail_next("chat.getPermalink", status=200, error="channel_not_found")
    signed.message_shortcut("tickets.file_from_message", channel="D0001")
    view = tickets.last_view()
    assert meta(view)["permalink"] is None and meta(view)["origin_channel"] == "D0001"
