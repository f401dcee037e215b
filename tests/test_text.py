"""bot/text.py: Slack's text decoded once on the way in, escaped once on the way out. Table-driven cases
from the shapes Slack sends, and hypothesis properties over arbitrary unicode with Slack's special
characters: what a person typed is what every channel post, DM, modal and tracker ticket shows."""

from __future__ import annotations

import json
import re
from datetime import date

import httpx
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot import blocks
from bot.text import cut_mrkdwn, decode, escape, is_live, link, mrkdwn, plain
from handlers.forms import Form
from rituals.pi.models import Objective
from rituals.pi.render import objective_text
from rituals.retro.models import Retro, RetroAction
from rituals.retro.render import action_posted, owner_dm
from rituals.standup.models import Standup, StandupEntry
from rituals.standup.render import answer_post
from rituals.tickets.models import Ticket
from rituals.tickets.render import file_modal, filed_text
from rituals.tickets.stages import configured
from rituals.tickets.trackers.base import TicketSpec
from rituals.tickets.trackers.github import GitHubTracker
from rituals.tickets.trackers.jira import JiraTracker
from tests.slack.shown import fields, pings, shown

# Arbitrary unicode, with Slack's control characters and the mrkdwn markers much more likely.
SPECIAL = "&<>|*_~!@#:/"
typed = st.text(st.one_of(st.characters(codec="utf-8"), st.sampled_from(SPECIAL)), max_size=80)
# Fragments of what Slack itself sends: markup, entities, pings, spoofed links.
SLACK_PIECES = [
    "<@U0001>",
    "<@W222|grace>",
    "<#C0001|team>",
    "<#C0002>",
    "<https://mlflow.example/run/42|run 42>",
    "<https://evil.example|https://good.example>",
    "<https://x.example?a=1&amp;b=2>",
    "<mailto:ada@example.com|ada@example.com>",
    "<!channel>",
    "<!here|here>",
    "<!everyone>",
    "<!subteam^S0001|@ml>",
    "<!date^1800000000^{date}|today>",
    "&amp;",
    "&lt;",
    "&gt;",
    "&amp;lt;",
    "<",
    ">",
    "&",
]
slack_sent = st.lists(st.one_of(typed, st.sampled_from(SLACK_PIECES)), max_size=8).map("".join)


def slack_encoded(text: str) -> str:
    """What Slack sends for characters a person typed: its three entities, nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def has_live_token(text: str) -> bool:
    return any(is_live(m.group(1)) for m in re.finditer(r"<([^<>]*)>", text))


# -- the cases the issue names ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sent", "human", "in_mrkdwn", "in_plain"),
    [
        (
            "Fix A&amp;B &lt;prod&gt; pipeline",
            "Fix A&B <prod> pipeline",
            "Fix A&amp;B &lt;prod&gt; pipeline",
            "Fix A&B <prod> pipeline",
        ),
        (
            "Trained <https://mlflow.example/run/42|run 42> &amp; tuned",
            "Trained <https://mlflow.example/run/42|run 42> & tuned",
            "Trained <https://mlflow.example/run/42|run 42> &amp; tuned",
            "Trained run 42 (https://mlflow.example/run/42) & tuned",
        ),
        (
            "<@W222> Deploy &lt;model&gt; &amp; retrain",
            "<@W222> Deploy <model> & retrain",
            "<@W222> Deploy &lt;model&gt; &amp; retrain",
            "@W222 Deploy <model> & retrain",
        ),
        ("<!channel> x", "<!channel> x", "&lt;!channel&gt; x", "<!channel> x"),
        ("Q&amp;A &lt;Dec&gt;", "Q&A <Dec>", "Q&amp;A &lt;Dec&gt;", "Q&A <Dec>"),
        ("see <#C0001|team> and <@U0002|grace>", None, "see <#C0001|team> and <@U0002|grace>", "see #team and @grace"),
        (
            "<https://evil.example|https://good.example>",
            None,
            "&lt;https://evil.example|https://good.example&gt;",
            "<https://evil.example|https://good.example>",
        ),
        (
            "<https://mlflow.example/r|mlflow.example/r>",
            None,
            "<https://mlflow.example/r|mlflow.example/r>",
            "mlflow.example/r (https://mlflow.example/r)",
        ),
        ("<https://x.example?a=1&amp;b=2|A &amp; B>", None, "<https://x.example?a=1&amp;b=2|A &amp; B>", None),
        (
            "<!subteam^S0001|@ml> <!here> <!everyone>",
            None,
            "&lt;!subteam^S0001|@ml&gt; &lt;!here&gt; &lt;!everyone&gt;",
            None,
        ),
        ("&amp;lt;", "&lt;", "&amp;lt;", "&lt;"),
    ],
)
def test_slack_text_is_decoded_once_and_rendered_once_per_destination(sent, human, in_mrkdwn, in_plain):
    decoded = decode(sent)
    if human is not None:
        assert decoded == human
    assert mrkdwn(decoded) == in_mrkdwn
    if in_plain is not None:
        assert plain(decoded) == in_plain


def test_a_limit_cuts_between_characters_never_inside_an_entity_or_a_link():
    text = "A&B " + "<https://mlflow.example/run/42|run 42>" + " tail"
    assert mrkdwn(text, limit=8) == "A&amp;B…"
    assert mrkdwn(text, limit=20) == "A&amp;B …"
    assert mrkdwn(text, limit=100) == mrkdwn(text)
    assert cut_mrkdwn("abc &amp; def", 7) == "abc …"
    assert cut_mrkdwn("ab <https://x.example|y> z", 10) == "ab …"


def test_a_bot_made_link_escapes_its_url_and_shows_its_label_readable():
    assert link("https://x.example/?a=1&b=2", "Q&A <@U0001>") == "<https://x.example/?a=1&amp;b=2|Q&amp;A @U0001>"
    assert link("https://x.example/a|b", "t") == "<https://x.example/a%7Cb|t>"


def test_plain_text_builders_show_human_text_readable_and_unescaped():
    assert blocks.header("Retro: Q&A <Dec> <@U0001>")["text"]["text"] == "Retro: Q&A <Dec> @U0001"
    assert blocks.button("Q&A", "x.y")["text"] == {"type": "plain_text", "text": "Q&A"}
    assert blocks.context("a &amp; " + "b" * 3000)["elements"][0]["text"].endswith("b…")


# -- properties ---------------------------------------------------------------------------------
@given(typed)
def test_escaping_then_decoding_gives_back_what_was_typed(text):
    assert decode(escape(text)) == text
    assert decode(mrkdwn(text)) == text


@given(typed)
def test_slacks_encoding_decoded_and_escaped_again_is_slacks_encoding(text):
    sent = slack_encoded(text)
    assert decode(sent) == text
    assert escape(decode(sent)) == sent
    # A well-formed mention or link typed as characters is shown live: the one ambiguity of human text.
    assume(not has_live_token(text))
    assert mrkdwn(decode(sent)) == sent
    assert plain(decode(sent)) == text


@given(slack_sent)
def test_no_special_mention_or_raw_bracket_survives_whatever_slack_sends(sent):
    out = mrkdwn(decode(sent))
    assert "<!" not in out
    assert pings({"text": out}) == []
    for match in re.finditer(r"<([^<>]*)>", out):
        assert match.group(1)[:1] in ("@", "#", "h", "m") and is_live(decode(match.group(1)))
    assert shown("mrkdwn", out) is not None  # well formed: no raw < or >, no stray &


@given(slack_sent, st.integers(min_value=2, max_value=60))
def test_a_cut_is_never_longer_than_its_limit_and_shows_a_prefix(sent, limit):
    human = decode(sent)
    out = mrkdwn(human, limit=limit)
    assert len(out) <= limit
    if out != mrkdwn(human):
        assert out.endswith("…")
        assert human.startswith(decode(out[:-1]))


def _channel_post_shows(message_text: str, body: list[dict]) -> list[str]:
    return [shown(kind, t) for kind, t in fields({"text": message_text, "blocks": body})]


@settings(max_examples=60, deadline=None)
@given(typed)
def test_what_was_typed_is_what_every_post_dm_modal_and_tracker_shows(text):
    assume(not has_live_token(text) and text.strip() and "\n" not in text and "\r" not in text)
    assume(text == text.strip())
    # a stage ticket: the channel post, the filing modal's prefill
    ticket = Ticket(key="DS-1", url=None, stage="Modelling / EDA", summary=text, assignee=None, created_by="U0001")
    assert shown("mrkdwn", filed_text(ticket, None, who="<@U0001>")).endswith(f": {text}")
    modal = file_modal(configured({}), [], default=None, meta={}, summary=text[:255], description=text)
    values = [t for kind, t in fields({"view": modal}) if kind == "plain"]
    assert text[:255] in values and text in values
    # a standup answer posted in the channel
    standup = Standup(name=text, blocker_index=None, channel_id="C0001")
    entry = StandupEntry(user_id="U0001", day=date(2026, 11, 23), questions=[text], answers=[text])
    post_text, post_blocks = answer_post(standup, entry)
    assert f"*{text}*\n{text}" in _channel_post_shows(post_text, post_blocks)
    # a retro action: the thread post and the owner's DM
    action = RetroAction(text=text, owner_id="U0002", due_on=None, retro_id=1)
    line, _ = action_posted(action)
    assert shown("mrkdwn", line) == f":white_check_mark: Action: {text} — @U0002"
    dm_text, _ = owner_dm(Retro(title=text, channel_id="C0001"), [action])
    assert shown("mrkdwn", dm_text).startswith(f"Your action items from the retro “{text}” in #C0001:\n• {text}")
    # a PI objective on the dashboard
    objective = Objective(title=text, owner_id="U0001", planned_bv=5, committed=True, link=None, metric=None)
    assert shown("mrkdwn", objective_text(objective, with_status=False)).startswith(f"*{text}* — @U0001")
    # the tracker tickets
    spec = TicketSpec(summary=text, stage_name="Modelling / EDA", stage_label="stage:modelling-eda", description=text)
    github, jira = _sent_to(GitHubTracker, spec), _sent_to(JiraTracker, spec)
    assert github["title"] == text and github["body"].startswith(text)
    assert jira["fields"]["summary"] == text
    assert jira["fields"]["description"]["content"][0]["content"][0]["text"] == text


def _sent_to(kind: type, spec: TicketSpec) -> dict:
    """The JSON a tracker sends to create the ticket, captured in process (no network)."""
    sent: list[dict] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(201, json={"key": "DS-1", "number": 1, "html_url": "https://t.example/1", "labels": []})

    if kind is GitHubTracker:
        tracker = GitHubTracker({"repo": "acme/ds", "api_url": "https://t.example"}, "token", timeout=1)
    else:
        config = {"url": "https://t.example", "email": "bot@example.com", "project_key": "DS"}
        tracker = JiraTracker(config, "token", timeout=1)
    tracker.client = httpx.Client(base_url="https://t.example", transport=httpx.MockTransport(answer))
    tracker.create(spec)
    return sent[0]


def test_rich_text_typed_in_a_modal_reads_as_human_text_and_its_broadcasts_never_ping():
    rich = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "broadcast", "range": "channel"},
                    {"type": "text", "text": " A&B <x> "},
                    {"type": "link", "url": "https://mlflow.example/run/42", "text": "run 42"},
                    {"type": "usergroup", "usergroup_id": "S0001"},
                ],
            }
        ],
    }
    human = Form.of({"state": {"values": {"b": {"a": {"type": "rich_text_input", "rich_text_value": rich}}}}}).text("b")
    assert human == "<!channel> A&B <x> <https://mlflow.example/run/42|run 42><!subteam^S0001>"
    assert (
        mrkdwn(human)
        == "&lt;!channel&gt; A&amp;B &lt;x&gt; <https://mlflow.example/run/42|run 42>&lt;!subteam^S0001&gt;"
    )
    assert pings({"text": mrkdwn(human)}) == []
