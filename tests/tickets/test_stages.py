"""Stage matching and configuration: table-driven, expectations written by hand."""

from __future__ import annotations

import pytest

from bot.errors import ConfigError, UserError
from rituals.tickets.setup import TicketSetup
from rituals.tickets.stages import DEFAULT_STAGES, configured, match

STAGES = configured({})


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1", "Business case"),
        ("6", "Monitoring"),
        ("BUS", "Business case"),
        ("data", "Data collection & initial analysis"),
        ("modelling-eda", "Modelling / EDA"),
        ("Modelling / EDA", "Modelling / EDA"),
        ("test", "Testing & validation"),
        ("op", "Operationalization"),
        ("mon", "Monitoring"),
    ],
)
def test_a_stage_is_found_by_number_prefix_or_name(typed, expected):
    assert match(STAGES, typed).name == expected


@pytest.mark.parametrize(
    ("typed", "start"),
    [
        ("m", "`m` matches 2 stages"),
        ("0", "There is no stage `0`"),
        ("7", "There is no stage `7`"),
        ("deploy", "There is no stage `deploy`"),
        ("", "There is no stage ``"),
    ],
)
def test_unknown_or_ambiguous_stages_list_every_stage(typed, start):
    with pytest.raises(UserError) as caught:
        match(STAGES, typed)
    assert caught.value.message.startswith(start)
    assert caught.value.message.endswith("5. Operationalization\n6. Monitoring")


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("Business case", "stage:business-case"),
        ("Data collection & initial analysis", "stage:data-collection-initial-analysis"),
        ("Modelling / EDA", "stage:modelling-eda"),
    ],
)
def test_stage_labels_have_no_spaces(name, label):
    assert next(s for s in STAGES if s.name == name).label == label


def test_the_stage_list_is_configurable_and_validated():
    assert [s.name for s in configured({"stages": ["Discovery", "Build"]})] == [
        "Discovery",
        "Build",
    ]
    assert [s.name for s in STAGES] == list(DEFAULT_STAGES)
    with pytest.raises(ConfigError):
        configured({"stages": "Discovery"})


@pytest.mark.parametrize(
    ("channel", "project", "expected"),
    [
        ("C1", None, "jira"),
        ("C2", None, "builtin"),
        ("C1", "Churn", "github"),
        ("C2", "Other", "builtin"),
    ],
)
def test_the_tracker_is_chosen_per_project_then_channel_then_default(channel, project, expected):
    setup = TicketSetup(stages=STAGES, trackers={"channels": {"C1": "jira"}, "projects": {"Churn": "github"}})
    assert setup.tracker_name(channel, project) == expected
