"""PI text typed in modals shows as typed: escaped once in mrkdwn and the `text` fallback, literal in the
plain_text header, never a ping; the objective's link is the bot's own, with a readable label; the
predictability chart is uploaded with alt text."""

from __future__ import annotations

from tests.pi.driver import ADA, GRACE, hypothesis_values, new_pi_values, objective_values, text_input
from tests.pi.test_history_and_home import closed_pi
from tests.slack.shown import fields, pings, shown

HOSTILE = "Q&A <Dec> <!channel> *b* |"


def test_names_titles_and_links_typed_in_modals_show_as_typed_and_never_ping(pi, slack):
    pi.command("new")
    pi.submit(new_pi_values(HOSTILE, "2026-11-23", "2027-02-12"), ADA)
    pi.command("objective")
    experiment = pi.experiment(HOSTILE, {"auc": 0.5})  # a name from MLflow is text from elsewhere
    hypothesis = hypothesis_values(f"{experiment}:auc", "0.8", kill_threshold="0.7", kill_iteration="2")
    values = objective_values(HOSTILE, "8", GRACE, hypothesis=hypothesis)
    values["link"] = text_input("https://jira.example/browse/DS-1?a=1&b=2")
    pi.submit(values, ADA)
    pi.command("risk")
    pi.submit(
        {
            "description": text_input(HOSTILE),
            "owner": {"value": {"selected_user": GRACE}},
            "roam": {"value": {"selected_option": {"value": "owned"}}},
        },
        ADA,
    )
    dashboard = pi.command("status")  # the ephemeral answer, in the command's response
    assert [p for call in slack.calls if (p := pings(call.params))] == [] and pings(dashboard) == []
    assert all(shown(kind, t) is not None for call in slack.calls for kind, t in fields(call.params))  # well formed
    assert dashboard["blocks"][0]["text"]["text"] == HOSTILE, "the plain_text header shows the name as typed"
    assert shown("mrkdwn", dashboard["text"]).startswith(f"{HOSTILE}: 1 objectives")
    body = [t for kind, t in fields(dashboard) if kind == "mrkdwn"]
    assert any(
        "<https://jira.example/browse/DS-1?a=1&amp;b=2|Q&amp;A &lt;Dec&gt; &lt;!channel&gt; *b* |>" in t for t in body
    )
    assert any(
        "ML hypothesis: `auc &gt;= 0.8` · experiment `Q&amp;A &lt;Dec&gt; &lt;!channel&gt; *b* |` · "
        "kill criterion: stop if not &gt;= 0.7 by iteration 2" in t
        for t in body
    )
    assert any(f"Owned* · {HOSTILE}" in shown("mrkdwn", t) for t in body)


def test_the_predictability_chart_is_uploaded_with_alt_text(pi, slack, database, clock):
    closed_pi(database, clock)
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA)
    pi.command("objective")
    pi.submit(objective_values("Churn model v2", "8", GRACE), ADA)
    pi.command("close")
    pi.press("pi.actual_open", "2", GRACE)
    pi.submit({"actual_bv": text_input("8")}, GRACE)
    [upload] = slack.calls_to("files.getUploadURLExternal")
    assert upload.params["alt_txt"] == (
        "Line chart of predictability (actual / planned business value) per PI, 80–100% is predictable: "
        "PI 2026.3 70%, PI 2026.4 100%."
    )
