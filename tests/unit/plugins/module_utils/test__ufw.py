# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import contextlib
import typing as t

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._errors import ParseError
from ansible_collections.hardened.ftp.plugins.module_utils._firewall_model import build_model, port_verdict
from ansible_collections.hardened.ftp.plugins.module_utils._ufw import (
    parse_show_added,
    parse_ufw_status,
    ufw_ruleset_from_added,
    ufw_ruleset_from_files,
    ufw_ruleset_from_status,
)
from hypothesis import given
from hypothesis import strategies as st


def _open(model: dict, family: str, port: int) -> bool:
    return any(
        o["family"] == family and o["port_min"] <= port <= o["port_max"] and "any" in o["sources"]
        for o in model["openings"]
    )


def test_status_verbose(fixture_text: t.Callable[[str], str]) -> None:
    status = parse_ufw_status(fixture_text("ufw_status_verbose.txt"))
    assert status["active"] is True
    assert status["default_incoming"] == "deny" and status["default_outgoing"] == "allow"
    assert status["rules"][1] == {
        "to": "21/tcp",
        "action": "ALLOW",
        "direction": "IN",
        "from": "Anywhere",
        "v6": False,
        "comment": "hardened_ftp",
    }
    assert status["rules"][4]["v6"] is True


def test_rules_files_rebuild_ufw_chains(fixture_text: t.Callable[[str], str]) -> None:
    files = {
        "before.rules": fixture_text("ufw_before.rules"),
        "user.rules": fixture_text("ufw_user.rules"),
    }
    model = build_model(ufw_ruleset_from_files(files))
    assert model["backend"] == "ufw"
    assert model["input_policy"] == {"ipv4": "drop"}
    assert _open(model, "ipv4", 21) and _open(model, "ipv4", 30499)
    assert not _open(model, "ipv4", 30500) and not _open(model, "ipv4", 22)
    assert model["egress"]["ipv4"]["filtered"] is False


def test_default_file_sets_policy_and_legacy_helper(fixture_text: t.Callable[[str], str]) -> None:
    files = {
        "before.rules": fixture_text("ufw_before.rules"),
        "user.rules": fixture_text("ufw_user.rules"),
        "default": 'DEFAULT_INPUT_POLICY="ACCEPT"\nIPT_MODULES="nf_conntrack_ftp nf_nat_ftp"\n',
    }
    ruleset = ufw_ruleset_from_files(files)
    assert ruleset.auto_helper is True
    assert _open(build_model(ruleset), "ipv4", 5432)


def test_status_only_approximation(fixture_text: t.Callable[[str], str]) -> None:
    ruleset = ufw_ruleset_from_status(fixture_text("ufw_status_verbose.txt"))
    model = build_model(ruleset)
    assert _open(model, "ipv4", 21) and _open(model, "ipv6", 30000) and not _open(model, "ipv6", 22)
    assert any("OpenSSH" in warning for warning in model["warnings"])
    inactive = ufw_ruleset_from_status("Status: inactive\n")
    assert inactive.tables == [] and inactive.warnings


def test_garbage() -> None:
    with pytest.raises(ParseError):
        parse_ufw_status("hello")
    with pytest.raises(ParseError):
        parse_ufw_status("Status: active\n\nTo  Action  From\n--  ------  ----\n21/tcp    FLY IN    Anywhere\n")
    with pytest.raises(ParseError):
        ufw_ruleset_from_files({})


# --- real ufw output ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "to", "action", "direction", "source", "v6"),
    [
        # The To column overflows into Action with a single space.
        (
            "10.9.0.0/16 80/tcp on eth2 ALLOW FWD   Anywhere on eth1          ",
            "10.9.0.0/16 80/tcp on eth2",
            "ALLOW",
            "FWD",
            "Anywhere on eth1",
            False,
        ),
        (
            "990/tcp                    ALLOW IN    Anywhere                   (log)",
            "990/tcp",
            "ALLOW",
            "IN",
            "Anywhere",
            False,
        ),
        (
            "22/tcp (OpenSSH (v6))      ALLOW IN    Anywhere (v6)             ",
            "22/tcp",
            "ALLOW",
            "IN",
            "Anywhere",
            True,
        ),
        # An IPv6 source without the (v6) marker.
        (
            "2222/tcp                   ALLOW IN    2001:db8:10::/48          ",
            "2222/tcp",
            "ALLOW",
            "IN",
            "2001:db8:10::/48",
            True,
        ),
        ("[ 3] 21/tcp                ALLOW IN    Anywhere", "21/tcp", "ALLOW", "IN", "Anywhere", False),
        ("21/tcp ALLOW Anywhere", "21/tcp", "ALLOW", "IN", "Anywhere", False),
    ],
)
def test_status_lines_as_ufw_prints_them(
    line: str, to: str, action: str, direction: str, source: str, v6: bool
) -> None:
    (rule,) = parse_ufw_status(f"Status: active\n\nTo Action From\n-- ------ ----\n{line}\n")["rules"]
    assert (rule["to"], rule["action"], rule["direction"], rule["from"], rule["v6"]) == (
        to,
        action,
        direction,
        source,
        v6,
    )


def test_ipv6_rules_files_use_the_ufw6_chains(fixture_text: t.Callable[[str], str]) -> None:
    user6 = "*filter\n:ufw6-user-input - [0:0]\n-A ufw6-user-input -p tcp --dport 2121 -j ACCEPT\nCOMMIT\n"
    model = build_model(
        ufw_ruleset_from_files({"before.rules": fixture_text("ufw_before.rules"), "user6.rules": user6})
    )
    assert _open(model, "ipv6", 2121) and not _open(model, "ipv6", 21)


def test_a_limit_rule_is_written_as_ufw_writes_it() -> None:
    status = "Status: active\n\nTo Action From\n-- ------ ----\n22/tcp LIMIT IN Anywhere\n"
    model = build_model(ufw_ruleset_from_status(status), ["192.0.2.0/24"])
    assert port_verdict(model, "ipv4", 22) == "open"  # a source in no listed network is in no recent list
    assert port_verdict(model, "ipv4", 22, "192.0.2.0/24") == "uncertain"


SHOW_ADDED = """\
Added user rules (see 'ufw status' for running firewall):
ufw limit 22/tcp comment 'ssh brute force guard'
ufw allow 21/tcp comment 'hardened-ftp: control port'
ufw allow in on eth1 to any port 8080 proto tcp
ufw allow log 990/tcp
ufw deny out 25/tcp
ufw route allow in on eth1 out on eth2 to 10.9.0.0/16 port 80 proto tcp
ufw allow OpenSSH
ufw allow 80,443/tcp
ufw allow from 2001:db8:10::/48 to any port 2222 proto tcp
"""


def test_show_added_reads_every_shape() -> None:
    rules = parse_show_added(SHOW_ADDED)
    assert [rule["port"] for rule in rules] == ["22", "21", "", "990", "", "", "", "", "2222"]
    assert rules[2]["interface"] == "eth1" and rules[2]["ports"] == "8080"
    assert rules[3]["log"] == "log" and rules[4]["direction"] == "out" and rules[5]["route"] == "yes"
    assert rules[6]["app"] == "OpenSSH" and rules[7]["ports"] == "80,443"


def test_a_ruleset_from_show_added() -> None:
    model = build_model(ufw_ruleset_from_added(SHOW_ADDED), ["2001:db8:10::/48"])
    for family in ("ipv4", "ipv6"):
        assert [port_verdict(model, family, port) for port in (21, 22, 80, 990, 25)] == ["open"] * 4 + ["closed"]
        assert port_verdict(model, family, 8080, None, "eth1") == "open"
        assert port_verdict(model, family, 8080, None, "eth0") == "closed"
    assert port_verdict(model, "ipv6", 2222, "2001:db8:10::/48") == "open"
    assert port_verdict(model, "ipv4", 2222) == "closed"
    assert any("OpenSSH" in warning for warning in model["warnings"])


@given(st.text(alphabet=" abdfilnorsuwALLOWDENYREJCTINOUF0123456789/:()#-\n", max_size=120))
def test_show_added_and_status_raise_only_parse_error(text: str) -> None:
    parse_show_added(text)
    with contextlib.suppress(ParseError):
        ufw_ruleset_from_status("Status: active\n\nTo Action From\n-- ------ ----\n" + text)
