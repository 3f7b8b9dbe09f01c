# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._port_range import PortRangeError, port_range_dict


@pytest.mark.parametrize(
    "value",
    ["30000-30999", "30000:30999", " 30000 - 30999 ", [30000, 30999], (30000, "30999"), {"min": 30000, "max": 30999}],
)
def test_accepted_forms(value: object) -> None:
    assert port_range_dict(value) == {"min": 30000, "max": 30999, "size": 1000}


def test_single_port() -> None:
    assert port_range_dict(21) == {"min": 21, "max": 21, "size": 1}
    assert port_range_dict("21") == {"min": 21, "max": 21, "size": 1}


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "outside"),
        ("70000", "outside"),
        ("2000-1000", "greater"),
        (True, "boolean"),
        ([1, 2, 3], "one or two"),
        ("a-b", "accepted"),
        (None, "not a port"),
    ],
)
def test_errors_name_value_and_forms(value: object, words: str) -> None:
    with pytest.raises(PortRangeError, match=words) as info:
        port_range_dict(value)
    assert "1-65535" in str(info.value) and repr(value) in str(info.value)
