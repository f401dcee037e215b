"""The ML hypothesis part of the objective form: the metric picked from the experiments' real metrics
(MLflow's catalog as the last `pi.catalog` job read it, grouped by experiment), comparator, threshold,
model alias, due iteration and kill criterion."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import blocks as bk
from rituals.pi.hypotheses import form_values, iteration_end, iterations
from rituals.pi.ids import Block
from rituals.pi.models import Objective, ProgramIncrement
from rituals.pi.tracking_models import MetricCatalog
from rituals.pi.verdict import COMPARATORS
from rituals.tickets.models import TicketProject

MAX_GROUPS = 100
MAX_OPTIONS = 100  # per group and in all (Slack's limits for a static select)
Element = dict[str, Any]


def _plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {**bk.plain_text(text, limit), "emoji": True}


def _option(value: str, label: str) -> Element:
    return {"text": _plain(label), "value": value}


def _input(block_id: str, label: str, element: Element, hint: str | None = None) -> Element:
    block = {"type": "input", "block_id": block_id, "label": _plain(label, 150), "element": element, "optional": True}
    if hint:
        block["hint"] = _plain(hint, 150)
    return block


def _select(options: list[Element], initial: str | None) -> Element:
    element: Element = {"type": "static_select", "action_id": "value", "options": options}
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen:
        element["initial_option"] = chosen
    return element


def _text(initial: str | None, max_length: int = 60) -> Element:
    element: Element = {"type": "plain_text_input", "action_id": "value", "max_length": max_length}
    if initial:
        element["initial_value"] = initial
    return element


def metric_menu(catalog: Sequence[MetricCatalog], initial: str | None) -> Element | None:
    """Experiments as option groups, their metrics as options (value "<experiment id>:<metric>")."""
    groups: list[Element] = []
    total = 0
    for entry in catalog[:MAX_GROUPS]:
        options = [
            _option(f"{entry.experiment_id}:{m}", m) for m in entry.metrics if len(f"{entry.experiment_id}:{m}") <= 150
        ][: MAX_OPTIONS - total]
        if options:
            groups.append({"label": _plain(entry.name), "options": options})
            total += len(options)
    if not groups:
        return None
    element: Element = {"type": "static_select", "action_id": "value", "option_groups": groups}
    chosen = next((o for g in groups for o in g["options"] if o["value"] == initial), None)
    if chosen:
        element["initial_option"] = chosen
    return element


def hypothesis_inputs(pi: ProgramIncrement, o: Objective | None, catalog: Sequence[MetricCatalog]) -> list[Element]:
    initial = form_values(o)
    menu = metric_menu(catalog, initial.get(Block.METRIC))
    if menu is None:
        return [
            bk.context(
                "*ML hypothesis:* MLflow's experiments are read in the background and none is known yet; "
                "reopen this form after the next runs poll to make this objective a measured hypothesis."
            )
        ]
    due = [_option("0", f"End of the PI ({pi.end_on:%d %b})")] + [
        _option(str(n), f"Iteration {n} (ends {iteration_end(pi, n):%d %b})") for n in range(1, iterations(pi) + 1)
    ]
    return [
        bk.header("ML hypothesis (optional)"),
        _input(Block.METRIC, "Experiment metric", menu, hint="Metrics the experiment's recent MLflow runs logged"),
        _input(
            Block.COMPARATOR,
            "Comparator",
            _select([_option(c, c) for c in COMPARATORS], initial.get(Block.COMPARATOR, ">=")),
        ),
        _input(Block.THRESHOLD, "Threshold", _text(initial.get(Block.THRESHOLD)), hint="e.g. 0.85"),
        _input(
            Block.ALIAS,
            "Judge a model alias instead of the best run",
            _text(initial.get(Block.ALIAS), 200),
            hint="model@alias, e.g. churn@champion",
        ),
        _input(Block.DEADLINE, "Due by", _select(due, initial.get(Block.DEADLINE, "0"))),
        _input(
            Block.KILL_THRESHOLD,
            "Kill criterion: stop if the metric does not reach",
            _text(initial.get(Block.KILL_THRESHOLD)),
            hint="e.g. 0.80, with the same comparator",
        ),
        _input(
            Block.KILL_ITERATION, "Kill criterion: by iteration", _select(due[1:], initial.get(Block.KILL_ITERATION))
        ),
    ]


def project_input(o: Objective | None, projects: Sequence[TicketProject]) -> list[Element]:
    """The ticket project (epic) menu, when the workspace has projects; "none" unlinks."""
    if not projects:
        return []
    options = [_option("none", "None")]
    options += [_option(str(p.id), p.name) for p in projects[: MAX_OPTIONS - 1]]
    initial = str(o.project.project_id) if o is not None and o.project is not None else "none"
    return [
        _input(
            Block.PROJECT,
            "Ticket project (epic)",
            _select(options, initial),
            hint="Progress then follows the project's stages",
        )
    ]
