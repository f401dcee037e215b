"""Link unfurling of GitHub issue URLs: the stored mirror answers (no GitHub call), a closed ticket
shows as closed, and a link with a comment anchor still unfurls under the URL Slack sent."""

from __future__ import annotations

import json

import pytest

from tests.tickets.test_unfurl import link_shared, wait_for_unfurl


@pytest.fixture
def tickets_file(github):
    return {
        "trackers": {
            "default": "builtin",
            "timeout_seconds": 0.5,
            "channels": {"C0001": "github"},
            "github": {"repo": github.repo, "api_url": github.url, "token_env": "GH_TOKEN"},
        }
    }


@pytest.fixture
def tickets_env():
    return {"GH_TOKEN": "gh-token"}


def test_a_closed_github_issue_unfurls_as_closed_from_the_mirror(tickets, github):
    tickets.command("project Churn model")
    tickets.command("close #2")
    calls = len(github.requests)
    url = f"https://github.com/{github.repo}/issues/2#issuecomment-1"
    assert tickets.signed.event(link_shared(url)).status_code == 200
    params = wait_for_unfurl(tickets)
    assert len(github.requests) == calls, "the unfurl reads stored data, not GitHub"
    shown = json.dumps(params["unfurls"][url])
    assert "#2" in shown and "*Status:* closed" in shown and "unassigned" in shown and "Churn model" in shown
