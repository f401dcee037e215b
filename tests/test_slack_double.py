"""The Slack double refuses what Slack refuses beyond slack_sdk's models: an action_id twice in one
block, a block_id twice in one message or view, an empty text object (invalid_blocks), for messages,
views and response_url."""

from __future__ import annotations

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import WebClient

from bot import blocks


def button_row(*action_ids: str, block_id: str | None = None) -> dict:
    return blocks.actions(*(blocks.button(a, a, a) for a in action_ids), block_id=block_id)


@pytest.fixture
def client(slack) -> WebClient:
    return WebClient(token=slack.token, base_url=slack.base_url)


def test_a_repeated_action_id_in_one_actions_block_is_invalid_blocks(client, slack):
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C0001", text="x", blocks=[button_row("retro.review", "retro.review")])
    assert refused.value.response["error"] == "invalid_blocks"
    client.chat_postMessage(channel="C0001", text="x", blocks=[button_row("a.done", "a.open", "a.drop")])
    assert [c.ok for c in slack.calls_to("chat.postMessage", ok_only=False)] == [False, True]


def test_the_same_action_id_in_different_blocks_is_fine_as_in_slack(client, slack):
    vote = [blocks.section(f"item {n}", accessory=blocks.button("Vote", "retro.vote", str(n))) for n in range(3)]
    client.chat_postMessage(channel="C0001", text="x", blocks=[*vote, button_row("retro.vote")])
    assert slack.calls_to("chat.postMessage")


def test_a_repeated_block_id_in_a_message_or_a_view_is_invalid_blocks(client):
    twice = [button_row("a", block_id="row"), button_row("b", block_id="row")]
    with pytest.raises(SlackApiError) as refused:
        client.chat_update(channel="C0001", ts="1.1", text="x", blocks=twice)
    assert refused.value.response["error"] == "invalid_blocks"
    view = {"type": "modal", "title": {"type": "plain_text", "text": "t"}, "blocks": twice}
    with pytest.raises(SlackApiError) as refused:
        client.views_open(trigger_id="t", view=view)
    assert refused.value.response["error"] == "invalid_blocks"


def test_a_response_url_message_with_repeated_ids_is_refused(slack):
    answer = httpx.post(slack.response_url(), json={"text": "x", "blocks": [button_row("a", "a")]})
    assert (answer.status_code, answer.text) == (400, "invalid_blocks")
    assert slack.responses() == []


def test_a_text_object_with_no_text_is_invalid_blocks(client):
    empty = {"type": "section", "text": {"type": "mrkdwn", "text": ""}}
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="C0001", text="x", blocks=[empty])
    assert refused.value.response["error"] == "invalid_blocks"
    client.chat_postMessage(channel="C0001", text="x", blocks=[blocks.section("")])  # the builder writes " "


def test_the_bot_refuses_to_build_such_a_message_before_slack_does():
    with pytest.raises(ValueError, match="action_id is used twice"):
        blocks.fit_message("x", [button_row("retro.review", "retro.review")])
    with pytest.raises(ValueError, match="block_id is used twice"):
        blocks.truncate_blocks([button_row("a", block_id="row"), button_row("b", block_id="row")])
