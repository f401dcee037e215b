"""`ritualbot demo --html` in a real headless Chromium (Debian's package, started here): every message of
the day is on the page and visible, in time order, with names instead of ids and mrkdwn rendered."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.demo import run_demo

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


class _Text(HTMLParser):
    """What a reader sees: text outside <script> and <style>, and each card's attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.cards: list[dict[str, str | None]] = []
        self.body: dict[str, str | None] = {}
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "article":
            self.cards.append(dict(attrs))
        if tag == "body":
            self.body = dict(attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def _chromium(tmp_path: Path, *args: str) -> str:
    profile = tmp_path / "profile"
    done = subprocess.run(
        [CHROMIUM or "chromium", *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if CHROMIUM is None:
        if os.environ.get("RITUALBOT_SKIP_APT") == "1":
            pytest.skip("Debian's chromium is not installed (RITUALBOT_SKIP_APT=1)")
        pytest.fail("the browser test needs Debian's chromium: scripts/apt.sh installs it (.ci/apt-packages.txt)")
    out = tmp_path_factory.mktemp("demo")
    assert run_demo(out_dir=str(out), quiet=True, html=True) == 0
    return out


def test_every_message_of_the_day_is_on_the_page_visible_and_in_time_order(demo: Path, tmp_path: Path):
    messages = sorted(demo.glob("[0-9][0-9][0-9]-*.json"))
    page = (demo / "index.html").as_uri()
    dom = _chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", page)
    seen = _Text()
    seen.feed(dom)
    assert seen.body.get("data-checked") == f"{len(messages)}/{len(messages)}"  # the page's own check ran
    assert len(seen.cards) == len(messages) > 40
    assert all(card.get("data-visible") == "1" for card in seen.cards)
    methods = [card["data-method"] for card in seen.cards]
    assert methods.count("views.publish") == 3  # each member's App Home
    assert "files.upload" in methods

    text = "".join(seen.text)
    stamps = re.findall(r"(Sun|Mon|Tue) (\d\d:\d\d) UTC · ", text)
    order = {"Sun": 0, "Mon": 1, "Tue": 2}
    assert stamps == sorted(stamps, key=lambda s: (order[s[0]], s[1]))  # Sunday's retro before Monday's standup
    assert "Needs attention" in text and "My standup today" in text
    # both paths to a stage ticket: a standup blocker, and a retro action whose ticket the next review shows
    blocker = re.search(r"filed (DS-\d+) · [^:]+: Waiting on GPU quota for the 8xA100 node", text)
    action = re.search(r"@ravi filed (DS-\d+) · [^:]+: Alert on queue time > 4h and name an owner", text)
    assert blocker and action and blocker.group(1) != action.group(1)
    assert f"{blocker.group(1)} was closed by @ravi" in text
    review = text[text.index("Review of last actions") :]
    assert re.match(
        r"Review of last actionsAlert on queue time > 4h[^·]+· from “Sprint 47” · open · ticket DS-", review
    )
    assert f"ticket {action.group(1)} · " in review.split("Parking lot")[0]
    assert "Training queue: " in text, "the named group (its lead, so its first item, is random)"
    assert "Team health (3 answered, 1–5)" in text, "the health check's averages"
    assert not re.search(r"\b(UADA|UGRACE|URAVI|CDEMO|TDEMO)\b", text), "raw Slack ids on the page"
    assert "&amp;" not in text and "&lt;" not in text and "<@" not in text
    unrendered = re.findall(r"(?<![\w*])\*[^\s*][^*\n]{0,80}\*(?![\w*])", text)
    assert unrendered == [], unrendered[:5]


def test_the_charts_are_inline_and_beside_the_json_and_the_page_screenshots(demo: Path, tmp_path: Path):
    charts = sorted(demo.glob("*-files_upload-*.png"))
    assert charts and all(c.read_bytes().startswith(b"\x89PNG") for c in charts)
    html = (demo / "index.html").read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,iVBOR') == len(charts)
    assert "http://" not in html.split("<main>")[0] and "https://" not in html.split("<main>")[0]  # self-contained

    shot = tmp_path / "page.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1400,2400", (demo / "index.html").as_uri())
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 20_000
