"""handlers/forms.py reads every input element type the way Slack sends it in view_submission."""

from __future__ import annotations

import pytest

from handlers.forms import Form, parse_metadata

RICH = {
    "type": "rich_text",
    "elements": [
        {
            "type": "rich_text_section",
            "elements": [
                {"type": "text", "text": "Trained "},
                {"type": "link", "url": "https://mlflow.example/run/42", "text": "run 42"},
                {"type": "text", "text": " with "},
                {"type": "user", "user_id": "U0002"},
                {"type": "text", "text": " "},
                {"type": "emoji", "name": "tada"},
            ],
        }
    ],
}

# (element as Slack sends it in view.state.values[block][action_id], value(), text())
ELEMENTS = [
    ({"type": "plain_text_input", "value": "A&B <prod>"}, "A&B <prod>", "A&B <prod>"),
    ({"type": "plain_text_input", "value": None}, None, ""),
    ({"type": "email_text_input", "value": "ada@example.com"}, "ada@example.com", "ada@example.com"),
    ({"type": "url_text_input", "value": "https://example.com"}, "https://example.com", "https://example.com"),
    ({"type": "number_input", "value": "8"}, "8", "8"),
    (
        {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "Go"}, "value": "go"}},
        "go",
        "go",
    ),
    ({"type": "static_select", "selected_option": None}, None, ""),
    ({"type": "external_select", "selected_option": {"value": "ext-1"}}, "ext-1", "ext-1"),
    ({"type": "radio_buttons", "selected_option": {"value": "committed"}}, "committed", "committed"),
    ({"type": "multi_static_select", "selected_options": [{"value": "1"}, {"value": "3"}]}, ["1", "3"], "1, 3"),
    ({"type": "multi_external_select", "selected_options": []}, [], ""),
    ({"type": "checkboxes", "selected_options": [{"value": "yes"}]}, ["yes"], "yes"),
    ({"type": "checkboxes", "selected_options": []}, [], ""),
    ({"type": "users_select", "selected_user": "U0002"}, "U0002", "U0002"),
    ({"type": "users_select", "selected_user": None}, None, ""),
    ({"type": "multi_users_select", "selected_users": ["U0001", "U0003"]}, ["U0001", "U0003"], "U0001, U0003"),
    ({"type": "multi_users_select"}, [], ""),
    ({"type": "conversations_select", "selected_conversation": "C0001"}, "C0001", "C0001"),
    ({"type": "multi_conversations_select", "selected_conversations": ["C1", "D2"]}, ["C1", "D2"], "C1, D2"),
    ({"type": "channels_select", "selected_channel": "C0002"}, "C0002", "C0002"),
    ({"type": "multi_channels_select", "selected_channels": ["C0002"]}, ["C0002"], "C0002"),
    ({"type": "datepicker", "selected_date": "2026-12-01"}, "2026-12-01", "2026-12-01"),
    ({"type": "datepicker", "selected_date": None}, None, ""),
    ({"type": "timepicker", "selected_time": "09:30"}, "09:30", "09:30"),
    ({"type": "datetimepicker", "selected_date_time": 1796000000}, 1796000000, "1796000000"),
    # rich text reads as human text (bot.text): the link and the mention stay Slack markup
    (
        {"type": "rich_text_input", "rich_text_value": RICH},
        RICH,
        "Trained <https://mlflow.example/run/42|run 42> with <@U0002> :tada:",
    ),
    # Payloads without "type" (older clients, recorded fixtures): the key tells the kind.
    ({"selected_option": {"value": "Monitoring"}}, "Monitoring", "Monitoring"),
    ({"value": "Drift on EU"}, "Drift on EU", "Drift on EU"),
    ({"selected_user": "U0002"}, "U0002", "U0002"),
]


@pytest.mark.parametrize(
    ("element", "value", "text"),
    ELEMENTS,
    ids=[f"{e.get('type', 'untyped')}-{n}" for n, (e, _, _) in enumerate(ELEMENTS)],
)
def test_every_element_type_reads_as_plain_python(element, value, text):
    form = Form.of({"state": {"values": {"block": {"any_action_id": element}}}})
    assert form.value("block") == value
    assert form.text("block") == text


def test_a_missing_block_reads_as_empty():
    form = Form.of({"state": {"values": {}}})
    assert (form.value("gone"), form.text("gone"), form.option("gone"), form.options("gone")) == (None, "", None, [])
    assert not form.checked("gone")


def test_a_block_with_several_elements_is_read_by_action_id():
    form = Form.of(
        {
            "state": {
                "values": {
                    "when": {
                        "day": {"type": "datepicker", "selected_date": "2026-12-01"},
                        "at": {"type": "timepicker", "selected_time": "10:00"},
                    }
                }
            }
        }
    )
    assert form.value("when", "at") == "10:00"
    assert form.value("when", "day") == "2026-12-01"
    assert form.value("when", "nope") is None


def test_options_and_checked_read_selections():
    form = Form.of(
        {
            "state": {
                "values": {
                    "days": {"v": {"type": "checkboxes", "selected_options": [{"value": "1"}, {"value": "5"}]}},
                    "everyone": {"v": {"type": "checkboxes", "selected_options": []}},
                    "mode": {"v": {"type": "static_select", "selected_option": {"value": "thread"}}},
                }
            }
        }
    )
    assert form.options("days") == ["1", "5"]
    assert form.checked("days") and not form.checked("everyone")
    assert form.option("mode") == "thread" and form.options("mode") == ["thread"]
    assert form.option("days") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"retro": 7}', {"retro": 7}),
        ("", {}),
        (None, {}),
        ("{bad", {}),
        ("[1, 2]", {}),
        ('"text"', {}),
    ],
)
def test_private_metadata_is_a_dict_or_empty(raw, expected):
    assert parse_metadata(raw) == expected
    assert Form.of({"private_metadata": raw, "callback_id": "x"}).metadata == expected
