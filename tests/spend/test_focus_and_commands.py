"""FOCUS exports on disk and in S3 (moto), a missing export, and /spend through the signed endpoint."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot import jobs
from reports.spend import store
from reports.spend.config import SpendConfig, load
from reports.spend.models import SpendBudget
from reports.spend.sources.focus import FocusSource
from tests.digest import view
from tests.spend.aws import client, moto_server
from tests.spend.conftest import FOCUS_COLUMNS
from tests.spend.test_digest_alerts import EC2, GPU, S3, SCOPE, sample_month


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FOCUS_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def focus_row(day: str, team: str, service: str, billed: str, effective: str, desc: str = "") -> dict[str, str]:
    return {
        "ChargePeriodStart": f"{day}T00:00:00Z",
        "ChargePeriodEnd": "",
        "BilledCost": billed,
        "EffectiveCost": effective,
        "BillingCurrency": "GBP",
        "ServiceName": service,
        "ChargeDescription": desc,
        "Tags": json.dumps({"team": team} if team else {}),
    }


def test_focus_exports_in_s3_are_read_across_files_with_the_chosen_cost_column():
    with moto_server() as url:
        s3 = client("s3", url)
        s3.create_bucket(Bucket="billing")
        s3.put_object(
            Bucket="billing",
            Key="focus/2026-11/part-1.csv",
            Body=csv_bytes(
                [
                    focus_row("2026-11-21", "vision", EC2, "10.00", "8.00", GPU),
                    focus_row("2026-11-22", "vision", EC2, "20.00", "16.00", GPU),
                ]
            ),
        )
        s3.put_object(
            Bucket="billing",
            Key="focus/2026-11/part-2.csv.gz",
            Body=gzip.compress(
                csv_bytes(
                    [
                        focus_row("2026-11-22", "vision", EC2, "5.00", "4.50", GPU),
                        focus_row("2026-11-22", "", S3, "1.00", "1.00"),
                        focus_row("2026-11-30", "vision", EC2, "99.00", "99.00"),  # outside the asked range
                    ]
                )
            ),
        )
        s3.put_object(Bucket="billing", Key="focus/manifest.json", Body=b"{}")  # not an export: skipped
        config = SpendConfig(source="focus", metric="EffectiveCost", focus_path="s3://billing/focus/")
        rows = FocusSource(config, s3=s3).fetch(date(2026, 11, 21), date(2026, 11, 22))
    got = [(r.day.day, r.team, r.service, r.amount, r.currency, r.gpu) for r in rows]
    assert got == [
        (21, "vision", EC2, Decimal("8.00"), "GBP", True),
        (22, "(untagged)", S3, Decimal("1.00"), "GBP", False),
        (22, "vision", EC2, Decimal("20.50"), "GBP", True),
    ]


def test_missing_export_folder_is_named_in_the_digest_which_still_posts(
    signed, runtime, slack, deliver, spend_yaml, tmp_path
):
    spend_yaml["focus"] = {"path": str(tmp_path / "not-mounted")}
    signed.command("/ritual", "digest on 09:00 UTC")
    assert jobs.run("digest.post", SCOPE, rt=runtime).ran
    deliver()
    [digest] = view.digests(slack)
    text = str([m["blocks"] for m in digest])
    assert "Needs attention" in text
    assert f"focus is unavailable: FOCUS export folder {tmp_path / 'not-mounted'} is missing" in text


@pytest.fixture
def synced(runtime, focus, settings, clock):
    """The sample month stored, as the morning sync leaves it (no alerts run yet)."""
    sample_month(focus)
    config = load(settings)
    with runtime.database.session() as s:
        assert store.sync(s, store.build_source(config), config, clock.now()).last_error is None


def test_spend_for_a_team_and_period_is_ephemeral(signed, synced, slack):
    body = signed.command("/spend", "vision 7d").json()
    assert body["response_type"] == "ephemeral"
    # 16-22 Nov: 6 x 100 + 700
    assert body["text"] == (
        "*vision* spent €1,300.00 in the last 7 days (to 22 Nov).\n"
        "November budget €3,000.00: €2,800.00 spent (93%), month end €4,285.71 (projection)."
    )
    everyone = signed.command("/spend").json()
    assert everyone["text"] == "All teams spent €3,900.00 this month (to 22 Nov)."
    assert "GPU share of yesterday: 93%." in str(everyone["blocks"])
    assert slack.posted() == []  # nothing in the channel


def test_spend_budget_is_stored_and_used_by_the_next_alert(signed, synced, database, runtime, slack, deliver, clock):
    body = signed.command("/spend", "budget nlp 1,500").json()
    assert body["text"].startswith("Budget for *nlp* for every month: €1,500.00.")
    with database.session() as s:
        row = s.scalars(select(SpendBudget)).one()
        assert (row.team, row.month, row.amount, row.set_by) == ("nlp", "", Decimal("1500"), "U0001")
    signed.command("/ritual", "digest on 09:00 UTC")
    jobs.run("spend.alerts", SCOPE, rt=runtime)
    deliver()
    texts = [p["text"] for p in slack.posted("C0001")]
    # nlp 1,100 of the 1,500 set by the command = 73%
    assert texts[0] == (
        ":warning: *nlp* has spent €1,100.00 of its €1,500.00 November budget (73%), past the 50% "
        "threshold. Budget set by <@U0001>."
    )
    assert sum("nlp" in t for t in texts) == 1


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("budget vision lots", "`lots` is not an amount"),
        ("budget vision -5", "must be a positive amount"),
        ("budget vision 100 2026-13", "`2026-13` is not a month: use YYYY-MM"),
        ("budget vision", "[YYYY-MM] [currency]`, e.g. `/spend budget ml-research 12000 EUR`."),
        ("robotics", "I have no costs for team `robotics`. Teams I know: nlp, vision."),
        ("vision fortnight", "`fortnight` is not a period"),
    ],
)
def test_bad_spend_input_gets_an_actionable_ephemeral_and_changes_nothing(signed, synced, database, text, says):
    body = signed.command("/spend", text).json()
    assert body["response_type"] == "ephemeral"
    assert says in body["text"]
    with database.session() as s:
        assert s.scalars(select(SpendBudget)).all() == []


def test_spend_without_configuration_says_how_to_set_it_up(signed, spend_yaml):
    spend_yaml.clear()
    body = signed.command("/spend").json()
    assert "add a `spend:` section" in body["text"]


def test_parquet_export_on_disk_is_read_like_csv(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [focus_row("2026-11-22", "vision", EC2, "12.50", "10.00", GPU), focus_row("2026-11-22", "nlp", S3, "2", "2")]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "part-0.parquet")
    config = SpendConfig(source="focus", focus_path=str(tmp_path))
    got = [(r.team, r.amount, r.currency) for r in FocusSource(config).fetch(date(2026, 11, 22), date(2026, 11, 22))]
    assert got == [("nlp", Decimal("2"), "GBP"), ("vision", Decimal("12.50"), "GBP")]


def test_alerts_are_scheduled_ten_minutes_before_each_digest_and_status_names_the_source(signed, runtime, synced):
    from reports.spend.capability import schedule, status

    signed.command("/ritual", "digest on 00:05 Europe/Berlin")
    with runtime.database.session() as s:
        [want] = schedule(s)
        lines = status(s, "T0001", "C0001")
    assert (want.job, want.scope) == ("spend.alerts", SCOPE)
    assert str(want.trigger) == "cron[hour='23', minute='55']" and str(want.trigger.timezone) == "Europe/Berlin"
    assert lines[0].title == "Cloud spend" and lines[0].detail.startswith("in the daily digest, from focus; synced")


def test_a_file_that_is_not_a_focus_export_is_reported_not_silently_skipped(tmp_path):
    from reports.spend.sources import Rejected

    (tmp_path / "cur.csv").write_text("lineItem/UnblendedCost,lineItem/UsageStartDate\n1.0,2026-11-22\n")
    config = SpendConfig(source="focus", metric="BilledCost", focus_path=str(tmp_path))
    source = FocusSource(config)
    assert source.fetch(date(2026, 11, 22), date(2026, 11, 22)) == []
    assert source.rejected == [Rejected("cur.csv", "has no BilledCost column: is it a FOCUS export?")]
