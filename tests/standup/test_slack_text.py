"""Standup text as Slack sends it and as the bot sends it back: a DM answer keeps its link, names and
questions typed in the setup modal show as typed (escaped once in mrkdwn, literal in plain_text), and
no user text pings the channel."""

from __future__ import annotations

from sqlalchemy import select

from rituals.standup.models import StandupEntry
from tests.slack.shown import fields, pings, shown
from tests.standup.helpers import Simulation, answer_values, dm, set_up, utc

ADA, GRACE = "U0001", "U0002"
HOSTILE = "Q&A <Dec> <!channel> *b* _i_ ~s~ |"


def everything_shown(slack) -> list[str]:
    return [shown(kind, text) for call in slack.calls for kind, text in fields(call.params)]


def test_a_dm_answer_keeps_its_link_and_is_escaped_once(signed, slack, runtime, clock, deliver, database):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], questions="Done?\nNext?", blocker="", reminder="0")
    sim.run_until(utc(23, 8, 5))
    signed.event(dm(ADA, "Trained <https://mlflow.example/run/42|run 42> &amp; tuned", "1800000700.000001"))
    signed.event(dm(ADA, "Ship &lt;v2&gt; with <@U0002>", "1800000700.000002"))
    deliver()
    post = slack.posted("C0001")[-1]
    sections = [b["text"]["text"] for b in post["blocks"] if b["type"] == "section"]
    assert "*Done?*\nTrained <https://mlflow.example/run/42|run 42> &amp; tuned" in sections
    assert "*Next?*\nShip &lt;v2&gt; with <@U0002>" in sections
    shown_text = everything_shown(slack)
    assert "*Done?*\nTrained run 42 & tuned" in shown_text and "*Next?*\nShip <v2> with @U0002" in shown_text
    with database.session() as s:
        answers = s.scalars(select(StandupEntry.answers)).one()
    assert answers == ["Trained <https://mlflow.example/run/42|run 42> & tuned", "Ship <v2> with <@U0002>"]


def test_an_edited_dm_answer_is_decoded_once_too(signed, slack, runtime, clock, deliver):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], questions="Done?\nNext?", blocker="", reminder="0")
    sim.run_until(utc(23, 8, 5))
    signed.event(dm(ADA, "A", "1800000700.000001"))
    signed.event(dm(ADA, "B", "1800000700.000002"))
    deliver()
    edited = dm(ADA, "A &amp; B &lt;fixed&gt;", "1800000700.000001")
    signed.event({**dm(ADA, "", "1800000700.000009"), "subtype": "message_changed", "message": edited})
    deliver()
    update = slack.calls_to("chat.update")[-1].params
    assert "*Done?*\nA &amp; B &lt;fixed&gt;" in [b["text"].get("text") for b in update["blocks"] if "text" in b]


def test_names_questions_and_answers_typed_in_modals_show_as_typed_and_never_ping(
    signed, slack, runtime, clock, deliver
):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA], name=HOSTILE, questions=f"{HOSTILE}?\nNext?", blocker="1", reminder="0")
    sim.run_until(utc(23, 8, 5))
    signed.event(dm(ADA, "<!here> stuck on &lt;auth&gt;", "1800000700.000001"))
    signed.event(dm(ADA, "fine", "1800000700.000002"))
    sim.run_until(utc(23, 18, 5))
    assert [p for call in slack.calls if (p := pings(call.params))] == []
    shown_text = everything_shown(slack)
    assert any(t.startswith(f"{HOSTILE} · Mon 23 Nov") for t in shown_text), "the digest header, literal"
    ask = slack.posted(ADA)[0]
    assert "Q&amp;A &lt;Dec&gt; &lt;!channel&gt;" in ask["text"]
    digest = slack.posted("C0001")[-1]
    assert digest["blocks"][0]["text"]["text"].startswith(f"{HOSTILE} · ")
    assert "&lt;!here&gt; stuck on &lt;auth&gt;" in " ".join(t for k, t in fields(digest) if k == "mrkdwn")


def test_the_weekly_participation_chart_is_uploaded_with_alt_text(signed, slack, runtime, clock, deliver):
    sim = Simulation(runtime, clock, utc(22, 12))
    set_up(signed, slack, [ADA, GRACE], name="R&D <daily>", reminder="0")
    sim.run_until(utc(23, 8, 10))
    entry = [p for p in slack.posted(ADA) if "thread_ts" not in p][-1]["blocks"][1]["elements"][0]["value"]
    signed.view_submission("standup.answer", answer_values("a", "b", "no"), user=ADA, private_metadata=entry)
    sim.run_until(utc(23, 19))
    signed.command("/standup", "report week")
    deliver()
    [upload] = slack.calls_to("files.getUploadURLExternal")
    assert upload.params["alt_txt"] == (
        "Bar chart: share of R&D <daily> questions each member answered, week: U0001 100%, U0002 0%."
    )
    [complete] = slack.calls_to("files.completeUploadExternal")
    assert complete.params["files"][0]["title"] == "R&D <daily>: participation", "a file title is shown as typed"
