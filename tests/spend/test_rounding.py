"""A budget percentage never contradicts the threshold sentence next to it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from bot import jobs
from reports.spend import money
from tests.spend.focus_files import S3, row, write
from tests.spend.test_digest_alerts import SCOPE, texts

THRESHOLDS = (50, 80, 100)


@pytest.mark.parametrize(
    ("percent", "shown"),
    [
        (D("79.8"), "79.8%"),  # whole-number rounding would say 80 % while 80 % is not reached
        (D("99.96"), "99.9%"),  # never "100.0%" either
        (D("49.5"), "49.5%"),
        (D("93.333"), "93%"),  # nowhere near a threshold: whole numbers as before
        (D("96.67"), "97%"),
        (D("80"), "80%"),
        (D("80.4"), "80%"),
        (D("100"), "100%"),
        (D("167.3"), "167%"),
    ],
)
def test_budget_percent_rounds_without_crossing_a_threshold(percent, shown):
    assert money.budget_percent(percent, THRESHOLDS) == shown


def test_alert_at_79_8_percent_says_79_8_not_80(signed, runtime, slack, focus, deliver, spend_yaml):
    spend_yaml.update(budgets={"nlp": 20})
    write(focus.folder / "nov.csv", [row(date(2026, 11, 22), "nlp", S3, "15.96")])
    signed.command("/ritual", "digest on 09:00 UTC")
    jobs.run("spend.alerts", SCOPE, rt=runtime)
    deliver()
    assert texts(slack)[0] == (
        ":warning: *nlp* has spent $15.96 of its $20.00 November budget (79.8%), past the 50% threshold. "
        "Budget from ritualbot.yaml."
    )
