"""Small pure pieces: the discussion order and the template registry."""

from __future__ import annotations

import pytest

from bot.errors import UserError
from rituals.retro import boards
from rituals.retro.service import rank


@pytest.mark.parametrize(
    ("leads", "tallies", "expected"),
    [
        ([1, 2, 3], {2: 5, 3: 1}, [2, 3]),  # most votes first; unvoted groups are not discussed
        ([1, 2, 3], {1: 2, 3: 2, 2: 1}, [1, 3, 2]),  # ties: the earlier item first
        ([4, 2], {}, [2, 4]),  # nobody voted: discuss everything, oldest first
        ([7], {7: 9}, [7]),
    ],
)
def test_discussion_order(leads, tallies, expected):
    assert rank(leads, tallies) == expected


def test_team_templates_from_config_join_and_override_the_built_ins():
    config = {
        "templates": {
            "DAKI": {"name": "Drop Add Keep Improve", "columns": ["Drop", "Add", "Keep", "Improve"]},
            "ssc": {"columns": ["Begin", "End"]},
            "broken": {"columns": []},
        }
    }
    found = boards.available(config)
    assert [c.key for c in found["daki"].columns] == ["drop", "add", "keep", "improve"]
    assert [c.label for c in found["ssc"].columns] == ["Begin", "End"]
    assert "broken" not in found and "sailboat" in found
    assert boards.find(config, None).key == "wwi"
    with pytest.raises(UserError, match="Known templates: 4ls, daki, msg, sailboat, ssc, wwi"):
        boards.find(config, "nope")
