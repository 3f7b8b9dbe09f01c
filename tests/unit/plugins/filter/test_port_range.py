# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.hardened.ftp.plugins.filter.port_range import FilterModule, port_range


def test_registered() -> None:
    assert FilterModule().filters()["port_range"] is port_range


def test_forms() -> None:
    assert port_range("30000-30999") == {"min": 30000, "max": 30999, "size": 1000}
    assert port_range([30000, 30999])["size"] == 1000
    assert port_range(21)["max"] == 21


def test_error_names_value() -> None:
    with pytest.raises(AnsibleFilterError, match=r"'30999-30000'.*greater"):
        port_range("30999-30000")
