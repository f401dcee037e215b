"""Standup features a team relies on, through the signed endpoint: a blocker filed as a stage ticket
(prefilled, linked back, closed when cleared), ending an absence early and listing absences, a private
report, and a deleted standup's history kept."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.models import OutboxMessage
from rituals.standup.models import StandupBlocker
from rituals.tickets.models import Ticket
from tests.standup.helpers import Simulation, answer_values, blocks_text, set_up, utc
from tests.standup.test_week_one import entry_of

ADA, GRACE = "U0001", "U0002"


def _button(params, action_id):
    found = [e for b in params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    found += [b["accessory"] for b in params["blocks"] if "accessory" in b]
    return next(e for e in found if e["action_id"] == action_id)


def test_a_blocker_becomes_a_stage_ticket_linked_back_and_closed_when_cleared(
    signed, slack, runtime, clock, deliver, database
):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], reminder="0")
    sim.run_until(utc(23, 8, 5))
    signed.view_submission(
        "standup.answer",
        answer_values("a", "b", "Waiting on GPU quota"),
        user=ADA,
        private_metadata=entry_of(slack, ADA),
    )
    sim.run_until(utc(23, 18, 5))
    answer_post = next(p for p in slack.posted("C0001") if p["text"].startswith("Standup from <@U0001>"))
    digest = slack.posted("C0001")[-1]
    file_button = _button(digest, "standup.file_ticket")
    assert file_button["text"]["text"] == "File a ticket"

    signed.action("standup.file_ticket", file_button["value"], user=ADA, message_ts="1800000999.000001")
    form = slack.view()
    assert form["callback_id"] == "tickets.file_modal"
    fields = {b["block_id"]: b["element"].get("initial_value") for b in form["blocks"]}
    assert fields["summary"] == "Waiting on GPU quota"
    assert "Blocker raised by @U0001" in fields["description"] and "Waiting on GPU quota" in fields["description"]
    answer_ts = slack.calls_to("chat.getPermalink")[-1].params["message_ts"]
    assert f"/archives/C0001/p{answer_ts.replace('.', '')}" in fields["description"], "a link to the answer"
    stage = form["blocks"][2]["element"]["options"][2]["value"]
    values = {
        "stage": {"value": {"type": "static_select", "selected_option": {"value": stage}}},
        "summary": {"value": {"type": "plain_text_input", "value": fields["summary"]}},
        "description": {"value": {"type": "plain_text_input", "value": fields["description"]}},
    }
    signed.view_submission("tickets.file_modal", values, user=ADA, private_metadata=form["private_metadata"])
    deliver()
    assert json.loads(form["private_metadata"])["origin_ts"] == answer_ts
    filed = slack.posted("C0001")[-1]
    assert " filed " in filed["text"] and filed["thread_ts"] == answer_ts, "announced under ada's answers"
    assert "Standup from" in answer_post["text"]

    sim.run_until(utc(24, 18, 5))  # still blocked on Tuesday: the digest shows the ticket, no second button
    tuesday = slack.posted("C0001")[-1]
    with database.session() as s:
        ticket = s.scalars(select(Ticket)).one()
        assert s.scalars(select(StandupBlocker.ticket_id)).one() == ticket.id
    assert f"ticket `{ticket.key}`" in blocks_text(tuesday) and "standup.file_ticket" not in blocks_text(tuesday)
    again = signed.action("standup.file_ticket", file_button["value"], user=ADA)
    assert again.status_code == 200 and f"{ticket.key} is already filed" in slack.responses()[-1]["text"]

    signed.action("standup.clear_blocker", _button(tuesday, "standup.clear_blocker")["value"], user=ADA)
    offer = slack.responses()[-1]
    assert "still open" in offer["text"]
    close = _button(offer, "standup.close_ticket")
    assert signed.action("standup.close_ticket", close["value"], user=GRACE).status_code == 200
    assert slack.wait_until(lambda d: "Only <@U0001>" in d.responses()[-1]["text"]), "answered by response_url"
    signed.action("standup.close_ticket", close["value"], user=ADA)
    assert slack.wait_until(lambda d: d.responses()[-1]["text"] == f"Closed `{ticket.key}`.")
    deliver()
    with database.session() as s:
        assert s.scalars(select(Ticket.status)).one() == "closed"
    assert slack.posted("C0001")[-1]["thread_ts"] == answer_ts, "the ticket's thread hears it closed"


def test_back_ends_an_absence_early_and_away_list_shows_what_is_planned(signed, slack, runtime, clock, deliver):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], reminder="0")
    signed.command("/standup", "away 2026-11-23 2026-11-27", user=ADA)
    signed.command("/standup", "away 2026-12-21 2026-12-31", user=ADA)
    listed = signed.command("/standup", "away list", user=ADA).json()["text"]
    assert "• 2026-11-23 to 2026-11-27" in listed and "• 2026-12-21 to 2026-12-31" in listed
    sim.run_until(utc(24, 10))
    assert slack.posted(ADA) == [], "away Monday and Tuesday"
    reply = signed.command("/standup", "back", user=ADA).json()["text"]
    assert reply.startswith("Welcome back") and "asks you again" in reply
    deliver()
    assert len(slack.posted(ADA)) == 1 and "Tue 24 Nov" in slack.posted(ADA)[0]["text"], "asked at once"
    listed = signed.command("/standup", "away list", user=ADA).json()["text"]
    assert "2026-11-2" not in listed and "2026-12-21 to 2026-12-31" in listed, "ended yesterday; December stays"
    sim.run_until(utc(25, 8, 5))
    assert "Wed 25 Nov" in slack.posted(ADA)[-1]["text"]
    assert "not away today" in signed.command("/standup", "back", user=ADA).json()["text"]


def test_a_private_report_answers_only_the_caller(signed, slack, runtime, clock, deliver):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA, GRACE], reminder="0")
    sim.run_until(utc(23, 19))
    deliver()
    before = len(slack.posted("C0001"))
    reply = signed.command("/standup", "report week private").json()
    assert reply["response_type"] == "ephemeral" and "<@U0001>: 0/1 answered (0%)" in reply["text"]
    deliver()
    assert len(slack.posted("C0001")) == before and slack.calls_to("files.getUploadURLExternal") == []


def test_the_ask_recalls_the_last_plan_and_open_blockers(signed, slack, runtime, clock, deliver):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], reminder="0")
    sim.run_until(utc(23, 8, 5))
    assert len(slack.posted(ADA)[0]["blocks"]) == 2, "nothing to recall on the first day"
    signed.view_submission(
        "standup.answer",
        answer_values("a", "Tune the <LR>", "Need data access"),
        user=ADA,
        private_metadata=entry_of(slack, ADA),
    )
    sim.run_until(utc(24, 8, 5))
    ask = [p for p in slack.posted(ADA) if "thread_ts" not in p][-1]
    recap = [e["text"] for e in ask["blocks"][2]["elements"]]
    assert recap == [
        ":memo: On Mon 23 Nov you planned: Tune the &lt;LR&gt;",
        ":construction: Still open since Mon 23 Nov: Need data access (answer *no* to clear)",
    ]


def test_history_and_csv_export_outlive_a_deleted_standup(signed, slack, runtime, clock, deliver):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA, GRACE], reminder="0")
    sim.run_until(utc(23, 17, 5))
    signed.view_submission(
        "standup.answer", answer_values("=SUM(A1)", "Tune LR", "no"), user=ADA, private_metadata=entry_of(slack, ADA)
    )
    signed.view_submission(
        "standup.answer", answer_values("g1", "g2", "Quota"), user=GRACE, private_metadata=entry_of(slack, GRACE)
    )
    sim.run_until(utc(24, 12))
    button = signed.command("/standup", "delete").json()["blocks"][1]["elements"][0]
    signed.action("standup.delete", button["value"])
    mine = signed.command("/standup", "history", user=ADA).json()["text"]
    assert mine.startswith("*Standup history of <@U0001>, the last week*")
    assert "*Tue 24 Nov* · Daily (deleted): _no answer_" in mine
    assert "*Mon 23 Nov* · Daily (deleted)\n• Yesterday? =SUM(A1)\n• Today? Tune LR\n• Blockers? no" in mine
    graces = signed.command("/standup", "history <@U0002|grace> month").json()["text"]
    assert "<@U0002>, the last month" in graces and "• Blockers? :construction: Quota" in graces
    reply = signed.command("/standup", "export all").json()["text"]
    assert reply == "Uploading 3 standup answers (all time) here as a CSV file."
    deliver()
    complete = slack.calls_to("files.completeUploadExternal")[-1].params
    assert complete["channel_id"] == "C0001"
    rows = slack.uploads[complete["files"][0]["id"]].decode().splitlines()
    assert rows[0] == "standup,day,user,status,question,answer,blocker"
    assert "Daily,2026-11-23,U0001,answered,Yesterday?,'=SUM(A1)," in rows, "a formula is exported as text"
    assert "Daily,2026-11-23,U0002,answered,Blockers?,Quota,yes" in rows
    assert "No standup called “Nightly”" in signed.command("/standup", "history Nightly").json()["text"]


def test_summary_mode_keeps_the_channel_message_short_with_answers_in_its_thread(
    signed, slack, runtime, clock, deliver, database
):
    people = [f"W{n:04d}" for n in range(25)]
    for n, user in enumerate(people):
        slack.add_user(user, f"p{n}", tz="Europe/Berlin")
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, people, mode="summary", reminder="0")
    sim.run_until(utc(22, 12, 10))  # standup.roster looks up the five past the form's 20
    sim.run_until(utc(23, 8, 5))
    long = "Worked through the feature store migration and the backfill of last quarter's events"
    for user in people:
        values = answer_values(f"{user}: {long}", f"Next: {long}", "no")
        signed.view_submission("standup.answer", values, user=user, private_metadata=entry_of(slack, user))
    deliver()
    sim.run_until(utc(23, 18, 5))
    [summary] = [p for p in slack.posted("C0001") if "Daily ·" in p["text"]]
    with database.session() as s:
        summary_ts = s.scalars(select(OutboxMessage.ts).where(OutboxMessage.ref.like("standup:%:summary"))).one()
    final = slack.calls_to("chat.update")[-1].params
    assert final["ts"] == summary_ts and "Answered (25/25)" in blocks_text(final)
    shown = " ".join(b["text"]["text"] for b in final["blocks"] if b["type"] in ("section", "header"))
    assert len(shown) < 2600, len(shown)
    assert "• *p0*: W0000: Worked through the feature store migration and the b…" in shown
    replies = [p for p in slack.posted("C0001") if p.get("thread_ts") == summary_ts]
    assert len(replies) == 25 and all(long in blocks_text(r) for r in replies)
    assert summary["text"].startswith("Daily · Mon 23 Nov")
