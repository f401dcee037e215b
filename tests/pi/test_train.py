"""The whole train: two team channels running "PI 2026.4" in one workspace, seen from either channel with
`/pi train` and in App Home — objectives per team with BV, team and train confidence, the risk board,
and predictability per team and overall once the teams closed."""

from __future__ import annotations

from bot.blocks import blocks_to_text
from tests.pi.driver import ADA, GRACE, RAVI, choose, new_pi_values, objective_values, text_input, user_pick

OTHER = "C0002"


def two_teams(pi) -> None:
    pi.slack.members[OTHER] = [ADA, GRACE, RAVI]
    pi.slack.members["C0003"] = [RAVI]
    pi.command("new")
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12"), ADA)
    for title, bv, owner in (("Churn model v2", "8", GRACE), ("Feature store backfill", "5", RAVI)):
        pi.command("objective")
        pi.submit(objective_values(title, bv, owner), ADA)
    pi.command("new", user=GRACE, channel=OTHER)
    pi.submit(new_pi_values("PI 2026.4", "2026-11-23", "2027-02-12", channel=OTHER), GRACE)
    pi.command("objective", user=GRACE, channel=OTHER)
    pi.submit(objective_values("Shared GPU pool", "6", GRACE), GRACE)
    pi.command("objective", user=GRACE, channel=OTHER)
    pi.submit(objective_values("Model cards", "2", ADA, committed=False), GRACE)
    pi.command("risk", user=GRACE, channel=OTHER)
    pi.submit(
        {"description": text_input("GPU quota not approved"), "owner": user_pick(GRACE), "roam": choose("owned")},
        GRACE,
    )
    pi.command("vote")  # vote 1, this channel: 4 and 2
    pi.press("pi.vote_4", "1", GRACE)
    pi.press("pi.vote_2", "1", RAVI)
    pi.press("pi.vote_close", "1", ADA)
    pi.command("vote", user=GRACE, channel=OTHER)  # vote 2, the other channel: 5
    pi.press("pi.vote_5", "2", ADA, channel=OTHER)
    pi.press("pi.vote_close", "2", GRACE, channel=OTHER)


def test_the_train_shows_every_team_of_the_pi_with_confidence_risks_and_bv(pi, signed, slack):
    two_teams(pi)
    pi.command("new", user=RAVI, channel="C0003")  # another PI name is another train
    pi.submit(new_pi_values("Platform PI", "2026-11-23", "2027-02-12", channel="C0003"), RAVI)
    answer = pi.command("train", user=RAVI)
    view = blocks_to_text(answer["blocks"])
    assert answer["text"] == "Train PI 2026.4: 2 teams, confidence 3.7/5"  # (4 + 2 + 5) / 3
    assert "*Teams*\n2" in view and "*Committed BV*\n19" in view and "*Train confidence*\n3.7/5" in view
    assert "*<#C0001>* · active · committed BV 13 · confidence 3.0/5 · predictability at close" in view
    assert "*<#C0002>* · active · committed BV 6 · confidence 5.0/5 · predictability at close" in view
    assert "Model cards — <@U0001> · BV 2 (stretch)" in view and "Feature store backfill — <@U0003> · BV 5" in view
    assert "*Train risk board (open)*\n<#C0002> *Owned* · GPU quota not approved — <@U0002>" in view
    assert "Platform PI" not in view and "C0003" not in view
    assert blocks_to_text(pi.command("train", user=ADA, channel=OTHER)["blocks"]).index("<#C0002>") < view.index(
        "<#C0002>"
    ), "seen from the other channel, that team comes first"

    assert signed.event({"type": "app_home_opened", "user": ADA, "tab": "home"}).status_code == 200
    home = blocks_to_text(slack.calls_to("views.publish")[-1].params["view"]["blocks"])
    assert "“PI 2026.4”: 2 teams, committed BV 19, train confidence 3.7/5, 1 open risks — `/pi train`" in home


def test_predictability_per_team_and_for_the_train_after_both_teams_close(pi):
    two_teams(pi)
    pi.command("close")
    for user, objective_id, actual in ((GRACE, 1, "8"), (RAVI, 2, "3")):
        pi.press("pi.actual_open", str(objective_id), user)
        pi.submit({"actual_bv": text_input(actual)}, user)
    half = blocks_to_text(pi.command("train")["blocks"])
    assert "*<#C0001>* · closed · committed BV 13 · confidence 3.0/5 · predictability 84.6%" in half  # 11 / 13
    assert "*Predictability*\nwhen every team has closed" in half
    pi.command("close", user=GRACE, channel=OTHER)
    for user, objective_id, actual in ((GRACE, 3, "6"), (ADA, 4, "1")):
        pi.press("pi.actual_open", str(objective_id), user, channel=OTHER)
        pi.submit({"actual_bv": text_input(actual)}, user)
    full = blocks_to_text(pi.command("train")["blocks"])
    assert "*<#C0002>* · closed · committed BV 6 · confidence 5.0/5 · predictability 116.7%" in full  # 7 / 6
    assert "*Predictability*\n94.7%" in full  # (11 + 7) / (13 + 6)
