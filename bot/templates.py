"""Jinja2 text templates, one environment per package that owns a `templates/` folder."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined


@cache
def _environment(package: str) -> Environment:
    return Environment(
        loader=PackageLoader(package, "templates"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )


def render(package: str, name: str, **context: Any) -> str:
    """Render `package/templates/name`; Slack mrkdwn escaping is the caller's (see bot.blocks.escape)."""
    return _environment(package).get_template(name).render(**context).strip()
