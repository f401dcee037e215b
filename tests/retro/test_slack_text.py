"""Retro text as Slack sends it and as the bot sends it back: a title typed with `&`, `<`, `>` shows as
typed in the plain_text header and escaped once in mrkdwn and the `text` fallback; a special mention in
a title or an item never pings; items and actions show as typed in every post, DM and the export."""

from __future__ import annotations

from sqlalchemy import select

from rituals.retro.models import Retro
from tests.retro.driver import buttons, text_input
from tests.retro.driver import select as choose
from tests.slack.shown import fields, pings, shown

ADA, GRACE = "U0001", "U0002"
HOSTILE = "Q&A <Dec> <!here> <https://evil.example|https://good.example> *b* _i_ ~s~ |"


def everything_shown(slack) -> list[str]:
    """Each text field of every call that reached Slack, as a reader sees it (raises if malformed)."""
    return [shown(kind, text) for call in slack.calls for kind, text in fields(call.params)]


def no_pings(slack) -> None:
    assert [p for call in slack.calls if (p := pings(call.params))] == []


def test_a_title_typed_with_entities_shows_as_typed_in_the_header_and_escaped_once_in_text(retro, slack, database):
    answer = retro.command("start Q&amp;A &lt;Dec&gt;", user=ADA)
    assert answer["text"].startswith("Retro “Q&amp;A &lt;Dec&gt;” started")
    root = retro.root_now(1)
    assert root["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Retro: Q&A <Dec>", "emoji": True},
    }
    assert root["text"].startswith("Retro “Q&amp;A &lt;Dec&gt;” (")
    with database.session() as s:
        assert s.scalars(select(Retro.title)).one() == "Q&A <Dec>"
    everything_shown(slack)


def test_a_special_mention_in_a_title_never_pings(retro, slack):
    answer = retro.command("start <!channel> x", user=ADA)
    assert "<!channel>" not in answer["text"] and "&lt;!channel&gt; x" in answer["text"]
    root = retro.root_now(1)
    assert root["text"].startswith("Retro “&lt;!channel&gt; x” (")
    assert root["blocks"][0]["text"]["text"] == "Retro: <!channel> x", "plain_text: shown as typed, never parsed"
    no_pings(slack)
    everything_shown(slack)


def test_items_and_actions_show_as_typed_in_every_post_dm_and_the_export(retro, slack):
    retro.command("start " + HOSTILE.replace("&", "&amp;").replace("<D", "&lt;D").replace("c> ", "c&gt; "), user=ADA)
    retro.press("retro.add_item", "1", user=GRACE)
    retro.submit(retro.last_opened_view(), {"column": choose("went_well"), "text": text_input(HOSTILE)}, GRACE)
    retro.press("retro.advance", "1:collect", user=ADA)
    retro.press("retro.advance", "1:group", user=ADA)
    ballot = retro.thread(1)[-1]
    [vote] = buttons(ballot["blocks"], "retro.vote")
    retro.press("retro.vote", vote["value"], user=GRACE)
    retro.press("retro.advance", "1:vote", user=ADA)
    discussion = retro.thread(1)[-1]
    retro.press("retro.add_action", buttons(discussion["blocks"], "retro.add_action")[0]["value"], user=ADA)
    retro.submit(
        retro.last_opened_view(),
        {"owner": {"value": {"type": "users_select", "selected_user": GRACE}}, "text": text_input(HOSTILE)},
        ADA,
    )
    retro.press("retro.close", "1", user=ADA)
    export = retro.command("export 1", user=ADA)["text"]

    no_pings(slack)
    assert pings({"text": export}) == []
    seen = everything_shown(slack)
    reveal, posted_ballot, results = (retro.thread(1)[i] for i in range(3))
    for message in (reveal, posted_ballot, results, discussion):
        assert any(HOSTILE in shown(kind, t) for kind, t in fields(message)), message
    assert any(t.startswith(f"Retro: {HOSTILE}") for t in seen), "the header: plain_text, as typed"
    [dm] = slack.posted(GRACE)
    assert HOSTILE in shown("mrkdwn", dm["text"])
    assert shown("mrkdwn", retro.root_now(1)["text"]).startswith(f"Retro “{HOSTILE}”")
    assert f"- {HOSTILE}" in shown("mrkdwn", export) and f"# {HOSTILE}" in shown("mrkdwn", export)
    mrkdwn = [t for call in slack.calls for kind, t in fields(call.params) if kind == "mrkdwn"] + [export]
    assert [t for t in mrkdwn if "<https://evil.example" in t] == [], "a spoofed link is shown, never linked"
