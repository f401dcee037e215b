"""Jinja2 text templates, one environment per package that owns a `templates/` folder."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot.text import escape, mrkdwn


@cache
def _environment(package: str) -> Environment:
    env = Environment(
        loader=PackageLoader(package, "templates"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )
    # Slack's escaping, never HTML's: `|e` for text from outside Slack, `|mrkdwn` for what people typed.
    env.filters.update(e=escape, escape=escape, mrkdwn=mrkdwn)
    return env


def render(package: str, name: str, **context: Any) -> str:
    """Render `package/templates/name`. Templates write mrkdwn: values are escaped once, by the caller
    (bot.text.mrkdwn / escape) or in the template with `|mrkdwn` / `|e`."""
    return _environment(package).get_template(name).render(**context).strip()
