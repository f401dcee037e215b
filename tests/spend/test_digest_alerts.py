"""The spend section and budget alerts through the real jobs, outbox and Slack double.

Sample month (FOCUS export on disk, billed in EUR), hand-calculated for Sunday 22 Nov 2026:
  vision  EC2 p3.2xlarge  100.00/day 1-21 Nov, 700.00 on 22 Nov   budget 3,000
  nlp     S3               50.00/day 1-22 Nov                      budget 2,000
  yesterday 750.00 vs 7-day average 150.00: +600.00 (+400%)
  month to date 3,900.00; vision 2,800.00 (93%), nlp 1,100.00 (55%)
  vision projection 2,800 + (6 x 100 + 700) / 7 x 8 days = 4,285.71 > 3,000
  total projection 3,900 + (1,300 + 350) / 7 x 8 = 5,785.71
  GPU share 700 / 750 = 93%
  anomaly: vision 700 vs median 100 of the trailing 30 days (MAD 0) -> 600 above, since 22 Nov
Alerts: nlp past 50%; vision past 80% (50% recorded silently); vision forecast over budget.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot import jobs
from reports.spend.models import SpendAlert
from tests.digest import view

SCOPE = "T0001:C0001"
NOV = date(2026, 11, 1)
EC2, S3, GPU = "Amazon Elastic Compute Cloud", "Amazon Simple Storage Service", "p3.2xlarge instance hour"


def sample_month(focus):
    rows = focus.days("vision", EC2, NOV, date(2026, 11, 21), "100.00", GPU)
    rows += [(date(2026, 11, 22), "vision", EC2, "700.00", GPU)]
    rows += focus.days("nlp", S3, NOV, date(2026, 11, 22), "50.00")
    focus.write(rows)


def run_day(runtime, deliver):
    alerts = jobs.run("spend.alerts", SCOPE, rt=runtime)
    digest = jobs.run("digest.post", SCOPE, rt=runtime)
    deliver()
    return alerts.ran, digest.ran


def texts(slack, posted=None):
    """The channel's messages (the digest's details are in its thread, left out here)."""
    posted = slack.posted() if posted is None else posted
    return [p["text"] for p in posted if p.get("channel") == "C0001" and not p.get("thread_ts")]


def digest_text(slack) -> str:
    [digest] = view.digests(slack)
    return view.sections(digest)


def test_sample_month_digest_matches_the_hand_calculation(signed, runtime, slack, focus, deliver):
    sample_month(focus)
    signed.command("/ritual", "digest on 09:00 UTC")
    assert run_day(runtime, deliver) == (True, True)

    body = digest_text(slack)
    assert "*Cloud spend* · Sun 22 Nov" in body
    assert "Yesterday *€750.00*, +€600.00 (+400%) vs the 7-day average of €150.00." in body
    assert "Month to date (November) *€3,900.00*; month end forecast €5,785.71 (projection)." in body
    assert "GPU share of yesterday: 93%." in body
    assert "• *vision* €2,800.00 of €3,000.00 (93%) · month end €4,285.71 :warning: over budget" in body
    assert "• *nlp* €1,100.00 of €2,000.00 (55%) · month end €1,500.00\n" in body + "\n"
    assert "Teams: vision +€600.00" in body and "Services: Amazon Elastic Compute Cloud +€600.00" in body
    assert "*vision* €700.00 on 22 Nov, €600.00 above its normal €100.00/day, since 22 Nov (robust z-score)" in body
    [upload] = slack.calls_to("files.completeUploadExternal")
    assert upload.params["channel_id"] == "C0001" and upload.params.get("thread_ts")
    assert upload.params["files"][0]["title"] == "Daily spend by team to 22 Nov"


def test_thresholds_alert_once_each_and_not_again_the_same_or_next_day(
    signed, runtime, slack, focus, deliver, clock, database
):
    sample_month(focus)
    signed.command("/ritual", "digest on 09:00 UTC")
    run_day(runtime, deliver)
    alerts = [t for t in texts(slack) if not t.startswith("Daily digest")]
    assert alerts == [
        ":warning: *nlp* has spent €1,100.00 of its €2,000.00 November budget (55%), past the 50% threshold. "
        "Budget from ritualbot.yaml.",
        ":warning: *vision* has spent €2,800.00 of its €3,000.00 November budget (93%), past the 80% threshold. "
        "Budget from ritualbot.yaml.",
        ":crystal_ball: *vision* is forecast to end November at €4,285.71, over its €3,000.00 budget "
        "(projection). Budget from ritualbot.yaml.",
    ]
    with database.session() as s:
        recorded = sorted(s.execute(select(SpendAlert.team, SpendAlert.threshold, SpendAlert.month)).all())
    assert recorded == [
        ("nlp", "actual:50", "2026-11"),
        ("vision", "actual:50", "2026-11"),
        ("vision", "actual:80", "2026-11"),
        ("vision", "forecast:100", "2026-11"),
    ]

    before = len(slack.posted())
    assert run_day(runtime, deliver) == (False, False)  # re-running the same day posts nothing new
    assert len(slack.posted()) == before

    focus.write(
        focus.days("vision", EC2, date(2026, 11, 23), date(2026, 11, 23), "100.00", GPU)
        + focus.days("nlp", S3, date(2026, 11, 23), date(2026, 11, 23), "50.00")
    )
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    assert run_day(runtime, deliver) == (True, True)
    new = texts(slack, slack.posted()[before:])
    assert len(new) == 1 and new[0].startswith("Daily digest")  # the digest, and no repeated alert
    assert "Month to date (November) *€4,050.00*" in digest_text_last(slack)


def digest_text_last(slack) -> str:
    return view.sections(view.digests(slack)[-1])


def test_month_boundary_closes_november_and_alerts_afresh_in_december(signed, runtime, slack, focus, deliver, clock):
    sample_month(focus)
    signed.command("/ritual", "digest on 09:00 UTC")
    run_day(runtime, deliver)
    # 23-30 Nov: vision 20/day -> 2,960 (99%, never 100%); nlp 50/day -> 1,500
    focus.write(
        focus.days("vision", EC2, date(2026, 11, 23), date(2026, 11, 30), "20.00", GPU)
        + focus.days("nlp", S3, date(2026, 11, 23), date(2026, 11, 30), "50.00")
    )
    before = len(slack.posted())
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    run_day(runtime, deliver)
    new = texts(slack, slack.posted()[before:])
    assert len(new) == 1, new  # 1 Dec reports on 30 Nov: November again, nothing new crossed
    body = digest_text_last(slack)
    assert "*Cloud spend* · Mon 30 Nov" in body
    assert "Month to date (November) *€4,460.00*; month end €4,460.00 (final)." in body
    assert "• *vision* €2,960.00 of €3,000.00 (99%) · month end €2,960.00" in body

    focus.write([(date(2026, 12, 1), "vision", EC2, "1600.00", GPU), (date(2026, 12, 1), "nlp", S3, "50.00", "")])
    before = len(slack.posted())
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    run_day(runtime, deliver)
    alerts = [t for t in texts(slack, slack.posted()[before:]) if not t.startswith("Daily digest")]
    # December: vision 1,600 of 3,000 = 53%; projection 1,600 + (6 x 20 + 1,600) / 7 x 30 = 8,971.43
    # (the last 7 days reach back into November, by design)
    assert alerts == [
        ":warning: *vision* has spent €1,600.00 of its €3,000.00 December budget (53%), past the 50% threshold. "
        "Budget from ritualbot.yaml.",
        ":crystal_ball: *vision* is forecast to end December at €8,971.43, over its €3,000.00 budget "
        "(projection). Budget from ritualbot.yaml.",
    ]
