# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.hardened.ftp.plugins.filter.ufw_stale_rules import FilterModule, ufw_stale_rules

# As ufw 0.36 prints it after community.general.ufw added the role's rules and an admin added 8080.
SHOW_ADDED = """\
Added user rules (see 'ufw status' for running firewall):
ufw allow 22/tcp comment 'hardened-ftp management SSH'
ufw allow from 10.88.0.5 to any port 21 proto tcp comment 'hardened-ftp control port'
ufw allow 30000:30009/tcp comment 'hardened-ftp passive range'
ufw allow 8080/tcp
ufw allow from fe80::/10 to any port 21 proto tcp comment 'hardened-ftp control port'
ufw allow OpenSSH comment 'hardened-ftp profile'
"""
WANTED = [
    {"port": [22], "proto": "tcp", "from_ip": [""]},
    {"port": 21, "proto": "tcp", "from_ip": ["10.88.0.5", "fe80::/10"]},
    {"port": "30000-30009", "proto": "tcp", "from_ip": ""},
]


def test_registered() -> None:
    assert FilterModule().filters()["ufw_stale_rules"] is ufw_stale_rules


def test_nothing_stale_when_the_plan_is_unchanged() -> None:
    assert ufw_stale_rules(SHOW_ADDED, WANTED) == []


def test_moved_range_and_dropped_source_are_stale() -> None:
    wanted = [WANTED[0], {"port": 21, "from_ip": "10.88.0.5/32"}, {"port": "31000:31009"}]
    stale = ufw_stale_rules(SHOW_ADDED, wanted)
    assert [(r["port"], r["from_ip"]) for r in stale] == [("30000:30009", "any"), ("21", "fe80::/10")]


def test_admin_rules_and_other_shapes_are_never_returned() -> None:
    stale = ufw_stale_rules(SHOW_ADDED, [])
    assert {r["port"] for r in stale} == {"22", "21", "30000:30009"}
    assert all(r["comment"].startswith("hardened-ftp") for r in stale)


def test_any_source_is_stale_once_sources_are_limited() -> None:
    stale = ufw_stale_rules(
        "ufw allow 21/tcp comment 'hardened-ftp control port'", [{"port": 21, "from_ip": ["192.0.2.0/24"]}]
    )
    assert stale == [{"port": "21", "proto": "tcp", "from_ip": "any", "comment": "hardened-ftp control port"}]


@pytest.mark.parametrize(
    ("show", "wanted", "message"),
    [
        (None, [], "must be ufw's text"),
        ("", {"port": 21}, "must be a list"),
        ("", [{"proto": "tcp"}], "needs a port"),
        ("", [{"port": "70000"}], "70000"),
    ],
)
def test_bad_input_is_a_clear_error(show, wanted, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AnsibleFilterError, match=message):
        ufw_stale_rules(show, wanted)
