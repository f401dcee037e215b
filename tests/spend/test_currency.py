"""Two currencies are never added: stored apart, shown apart, budgets compared only in their own currency,
or converted with a configured rate table that the digest names.

Data for Sunday 22 Nov 2026 (FOCUS CSV exports, one file per billing currency):
  vision  EC2  USD 20.52, EUR 1.98  -> "$22.50" would be the bug
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from bot import jobs
from reports.spend.models import SpendBudget, SpendDay
from tests.digest import view
from tests.spend.focus_files import EC2, S3, row, write
from tests.spend.test_digest_alerts import SCOPE, digest_text, run_day, texts

DAY = date(2026, 11, 22)


def two_currencies(folder, usd="20.52", eur="1.98"):
    write(folder / "usd.csv", [row(DAY, "vision", EC2, usd, currency="USD")])
    write(folder / "eur.csv", [row(DAY, "vision", EC2, eur, currency="EUR")])


def test_costs_in_two_currencies_are_stored_apart_and_the_digest_shows_each_never_their_sum(
    signed, runtime, slack, focus, deliver, database, spend_yaml
):
    spend_yaml["budgets"] = {}
    two_currencies(focus.folder)
    signed.command("/ritual", "digest on 09:00 UTC")
    run_day(runtime, deliver)

    with database.session() as s:
        stored = sorted((r.currency, r.team, r.service, r.amount) for r in s.scalars(select(SpendDay)))
    assert stored == [("EUR", "vision", EC2, Decimal("1.98")), ("USD", "vision", EC2, Decimal("20.52"))]
    body = digest_text(slack)
    assert "22.50" not in body
    assert "*Cloud spend in EUR* · Sun 22 Nov\nYesterday *€1.98*." in body
    assert "*Cloud spend in USD* · Sun 22 Nov\nYesterday *$20.52*." in body
    assert "• *vision* €1.98 · month end €4.24" in body  # 1.98 + 1.98 / 7 x 8 days left
    assert "• *vision* $20.52 · month end $43.97" in body  # 20.52 + 20.52 / 7 x 8
    assert "Costs come in EUR and USD: each currency is shown on its own, never added." in str(
        [m["blocks"] for m in view.digests(slack)[0]]
    )
    charts = [c.params["files"][0]["title"] for c in slack.calls_to("files.completeUploadExternal")]
    assert charts == ["Daily spend by team in EUR to 22 Nov", "Daily spend by team in USD to 22 Nov"]


def test_spend_command_names_each_currency_and_never_adds_them(signed, runtime, focus, clock, settings):
    from reports.spend import store
    from reports.spend.config import load

    two_currencies(focus.folder)
    config = load(settings)
    with runtime.database.session() as s:
        store.sync(s, store.build_source(config), config, clock.now())
    body = signed.command("/spend", "vision").json()
    assert body["text"].startswith("*vision* spent €1.98 and $20.52 this month (to 22 Nov).")
    everyone = signed.command("/spend").json()
    assert everyone["text"] == "All teams spent €1.98 and $20.52 this month (to 22 Nov)."


def test_a_budget_is_compared_only_with_spend_in_its_own_currency(signed, runtime, slack, focus, deliver, spend_yaml):
    spend_yaml.update(currency="EUR", budgets={"vision": 1000})
    two_currencies(focus.folder, usd="2000.00", eur="100.00")
    signed.command("/ritual", "digest on 09:00 UTC")
    run_day(runtime, deliver)

    assert [t for t in texts(slack) if not t.startswith("Daily digest")] == []  # 10 % of the EUR budget
    body = digest_text(slack)
    assert "• *vision* €100.00 of €1,000.00 (10%)" in body
    assert "• *vision* $2,000.00 · month end" in body  # no budget in USD: no percentage, no alert


def test_configured_rates_convert_into_the_reporting_currency_and_the_digest_says_so(
    signed, runtime, slack, focus, deliver, spend_yaml
):
    spend_yaml.update(currency="EUR", rates={"USD": "0.92"}, budgets={})
    two_currencies(focus.folder)
    signed.command("/ritual", "digest on 09:00 UTC")
    run_day(runtime, deliver)

    body = digest_text(slack)
    # 20.52 x 0.92 = 18.8784, + 1.98 = 20.8584
    assert "*Cloud spend* · Sun 22 Nov\nYesterday *€20.86*." in body
    assert "$" not in body
    blocks = str([m["blocks"] for m in view.digests(slack)[0]])
    assert "USD converted to EUR at 1 USD = 0.92 EUR (spend.rates in ritualbot.yaml)." in blocks


def test_a_budget_without_currency_is_not_compared_while_costs_come_in_two(
    signed, runtime, slack, focus, deliver, spend_yaml
):
    spend_yaml["budgets"] = {"vision": 10}
    two_currencies(focus.folder)
    signed.command("/ritual", "digest on 09:00 UTC")
    run_day(runtime, deliver)

    assert [t for t in texts(slack) if not t.startswith("Daily digest")] == []
    blocks = str([m["blocks"] for m in view.digests(slack)[0]])
    assert (
        "Budgets without a currency (vision) are not compared while costs come in EUR and USD: "
        "set spend.currency in ritualbot.yaml or give each budget one (`/spend budget vision 3000 EUR`)." in blocks
    )


def test_spend_budget_takes_a_currency_and_alerts_in_it(signed, runtime, slack, focus, deliver, database):
    write(focus.folder / "usd.csv", [row(DAY, "vision", EC2, "20.52", currency="USD")])
    write(
        focus.folder / "eur.csv",
        [row(DAY, "vision", EC2, "90.00", currency="EUR"), row(DAY, "nlp", S3, "1", currency="EUR")],
    )
    body = signed.command("/spend", "budget vision 100 EUR").json()
    assert body["text"].startswith("Budget for *vision* for every month: €100.00.")
    with database.session() as s:
        assert s.scalars(select(SpendBudget.currency).where(SpendBudget.team == "vision")).one() == "EUR"
    signed.command("/ritual", "digest on 09:00 UTC")
    jobs.run("spend.alerts", SCOPE, rt=runtime)
    deliver()
    assert texts(slack)[0] == (
        ":warning: *vision* has spent €90.00 of its €100.00 November budget (90%), past the 80% threshold. "
        "Budget set by <@U0001>."
    )
