# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import typing as t

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._errors import ParseError
from ansible_collections.hardened.ftp.plugins.module_utils._firewall_model import build_model
from ansible_collections.hardened.ftp.plugins.module_utils._ufw import (
    parse_ufw_status,
    ufw_ruleset_from_files,
    ufw_ruleset_from_status,
)


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
