"""Editing and dropping objectives, moving a risk through ROAM, and finishing a close without every answer."""

from __future__ import annotations

from bot.blocks import blocks_to_text
from tests.pi.driver import (
    ADA,
    CHANNEL,
    GRACE,
    RAVI,
    choose,
    hypothesis_values,
    new_pi_values,
    objective_values,
    text_input,
    user_pick,
)


def start(pi) -> None:
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA)
    for title, bv, owner in (("Churn model v2", "8", GRACE), ("Feature store backfill", "5", RAVI)):
        pi.command("objective")
        pi.submit(objective_values(title, bv, owner), ADA)


def test_owner_edits_an_objective_into_an_ml_hypothesis_and_the_creator_drops_another(pi, slack):
    start(pi)
    listing = pi.command("objectives", user=GRACE)
    assert [b["elements"][0]["value"] for b in listing["blocks"] if b["type"] == "actions"] == ["1", "2"]
    churn = pi.experiment("churn-v2", {"val_auc": 0.79})
    pi.press("pi.objective_edit", "1", GRACE)
    view = pi.opened()
    assert view["blocks"][2]["element"]["initial_value"] == "8"
    hypothesis = hypothesis_values(f"{churn}:val_auc", "0.85", kill_threshold="0.80", kill_iteration="3")
    assert (
        pi.submit(
            objective_values("Churn model v2", "9", GRACE, hypothesis=hypothesis),
            GRACE,
            view,
        )
        == {}
    )
    refused = pi.press("pi.objective_drop", "2", GRACE)
    assert refused[0]["text"] == ("Only the owner (<@U0003>) or the PI's creator (<@U0001>) can change this objective.")
    dropped = pi.press("pi.objective_drop", "2", ADA)
    assert dropped[0]["text"].startswith("Dropped “Feature store backfill”")
    dashboard = blocks_to_text(pi.command("status")["blocks"])
    assert "*Churn model v2* — <@U0002> · BV 9 · committed" in dashboard
    assert (
        "ML hypothesis: `val_auc &gt;= 0.85` · experiment `churn-v2` · kill criterion: stop if not &gt;= 0.8 "
        "by iteration 3" in dashboard
    )
    assert "Feature store backfill" not in dashboard and "1 (9 committed BV)" in dashboard


def test_a_risk_moves_from_owned_to_mitigated_to_resolved_and_leaves_the_open_board(pi, signed, slack):
    start(pi)
    pi.command("risk", user=RAVI)
    pi.submit(
        {
            "description": text_input("Backfill needs the prod replica"),
            "owner": user_pick(RAVI),
            "roam": choose("owned"),
        },
        RAVI,
    )
    board = pi.command("status")["blocks"]
    [menu] = [b["accessory"] for b in board if b.get("accessory", {}).get("action_id") == "pi.risk_roam"]
    assert menu["initial_option"]["value"] == "1:owned"
    for state, name in (("mitigated", "Mitigated"), ("resolved", "Resolved")):
        before = len(slack.responses())
        signed.action(
            "pi.risk_roam",
            "",
            user=RAVI,
            type="static_select",
            selected_option={"value": f"1:{state}", "text": {"type": "plain_text", "text": name}},
        )
        pi.deliver()
        assert slack.responses()[before]["text"] == f"Risk “Backfill needs the prod replica” is now {name}."
    assert "*Resolved* · Backfill needs the prod replica" in blocks_to_text(pi.command("status")["blocks"])
    assert signed.event({"type": "app_home_opened", "user": ADA, "tab": "home"}).status_code == 200
    assert "Backfill needs the prod replica" not in str(slack.calls_to("views.publish")[-1].params)


def test_close_now_counts_missing_actual_values_as_zero(pi, slack):
    start(pi)
    assert "Start with `/pi close`" in pi.command("close now")["text"]
    assert "<@U0002>, <@U0003>" in pi.command("close")["text"]
    assert "Only the PI's creator" in pi.command("close now", user=GRACE)["text"]
    pi.press("pi.actual_open", "1", GRACE)
    pi.submit({"actual_bv": text_input("8")}, GRACE)
    answer = pi.command("close now")
    assert (
        answer["text"] == "“PI 2026.4” is closed with predictability 61.5%; objectives without an actual "
        "value count as 0."
    )  # 8 / (8 + 5) = 0.6153…
    assert slack.posted(CHANNEL)[-1]["text"].startswith("PI 2026.4 is closed. Predictability 61.5%")
    assert pi.command("status")["text"] == "This channel has no active PI. Start one with `/pi new`."
