# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._firewall_model import build_model
from ansible_collections.hardened.ftp.plugins.module_utils._ftp_checker import FINDING_IDS, CheckOptionsError, check
from ansible_collections.hardened.ftp.plugins.module_utils._iptables import parse_iptables_save
from ansible_collections.hardened.ftp.plugins.module_utils._nftables import parse_nft_json
from ansible_collections.hardened.ftp.plugins.module_utils._server_model import ServerModelError

FIXTURES = Path(__file__).parent / "fixtures"

SERVER = {
    "daemon": "vsftpd",
    "listen_address": "",
    "control_port": 21,
    "listen_ipv6": False,
    "pasv_enable": True,
    "pasv_min_port": 30000,
    "pasv_max_port": 30999,
    "pasv_address": "",
    "active_enable": False,
    "tls_enable": False,
    "tls_required": False,
    "anonymous_enable": False,
    "anon_upload_enable": False,
    "port_promiscuous": False,
}


def server(**changes: t.Any) -> dict:
    model = dict(SERVER)
    model.update(changes)
    return model


def firewall(*rules: str, raw: str = "", output: str = "", policy: str = "DROP", out_policy: str = "ACCEPT") -> dict:
    template = (
        "*raw\n:PREROUTING ACCEPT [0:0]\n{}\nCOMMIT\n*filter\n:INPUT {} [0:0]\n:OUTPUT {} [0:0]\n{}\n{}\nCOMMIT\n"
    )
    text = template.format(
        raw,
        policy,
        out_policy,
        "\n".join("-A INPUT " + rule for rule in rules),
        output,
    )
    return build_model(parse_iptables_save(text))


ESTABLISHED = "-m conntrack --ctstate ESTABLISHED -j ACCEPT"
RELATED_FTP = "-m conntrack --ctstate RELATED -m helper --helper ftp -j ACCEPT"
CONTROL = "-p tcp --dport 21 -j ACCEPT"
RANGE = "-p tcp --dport 30000:30999 -j ACCEPT"
HELPER = "-A PREROUTING -p tcp --dport 21 -j CT --helper ftp"


def ids(findings: list) -> set:
    return {finding["id"] for finding in findings}


GOOD_RANGE = firewall(ESTABLISHED, CONTROL, RANGE)
GOOD_HELPER = firewall(ESTABLISHED, RELATED_FTP, CONTROL, raw=HELPER)


def test_clean_configurations_have_no_findings() -> None:
    assert check(SERVER, GOOD_RANGE) == []
    assert check(SERVER, GOOD_HELPER) == []
    assert check(SERVER, GOOD_RANGE, {"passive_policy": "range"}) == []


def test_every_finding_has_the_contract_shape() -> None:
    findings = check(
        server(port_promiscuous=True, active_enable=True, pasv_min_port=None, pasv_max_port=None), firewall()
    )
    assert findings
    for finding in findings:
        assert set(finding) == {"id", "severity", "message", "fix"}
        assert finding["id"] in FINDING_IDS and finding["severity"] in ("error", "warning", "info")


@pytest.mark.parametrize(
    ("finding_id", "bad_server", "bad_firewall", "options"),
    [
        ("control_port_closed", SERVER, firewall(ESTABLISHED, RANGE), {}),
        ("passive_range_not_open", SERVER, firewall(ESTABLISHED, CONTROL), {}),
        (
            "passive_range_partially_open",
            SERVER,
            firewall(ESTABLISHED, CONTROL, "-p tcp --dport 30000:30499 -j ACCEPT"),
            {},
        ),
        (
            "passive_range_wider_than_server",
            SERVER,
            firewall(ESTABLISHED, CONTROL, "-p tcp --dport 30000:39999 -j ACCEPT"),
            {},
        ),
        ("passive_range_unbounded", server(pasv_min_port=None, pasv_max_port=None), GOOD_HELPER, {}),
        ("passive_range_unbounded", server(pasv_min_port=5001, pasv_max_port=65535), GOOD_HELPER, {}),
        ("helper_not_attached", SERVER, firewall(ESTABLISHED, RELATED_FTP, CONTROL), {}),
        ("related_not_accepted", SERVER, firewall(ESTABLISHED, CONTROL, raw=HELPER), {"passive_policy": "related"}),
        ("tls_helper_blind", server(tls_enable=True, tls_required=True), GOOD_HELPER, {}),
        (
            "active_port20_blocked",
            server(active_enable=True),
            firewall(
                ESTABLISHED,
                CONTROL,
                RANGE,
                out_policy="DROP",
                output="-A OUTPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT",
            ),
            {},
        ),
        ("bounce_allowed", server(active_enable=True, port_promiscuous=True), GOOD_RANGE, {}),
    ],
)
def test_each_finding_is_produced(finding_id: str, bad_server: dict, bad_firewall: dict, options: dict) -> None:
    findings = check(bad_server, bad_firewall, options)
    assert finding_id in ids(findings)
    assert finding_id not in ids(check(SERVER, GOOD_RANGE)) and finding_id not in ids(check(SERVER, GOOD_HELPER))


def test_messages_name_ports_and_fixes_name_variables() -> None:
    (finding,) = [
        f
        for f in check(SERVER, firewall(ESTABLISHED, CONTROL), {"passive_policy": "range"})
        if f["id"] == "passive_range_not_open"
    ]
    assert "30000-30999" in finding["message"]
    assert "ftp_firewall_passive_policy" in finding["fix"]
    # The fix names the role's policy choices, range and related.
    assert "ftp_firewall_passive_policy: range" in finding["fix"]
    assert "ftp_firewall_passive_policy: related" in finding["fix"]
    partial = next(
        f
        for f in check(SERVER, firewall(ESTABLISHED, CONTROL, "-p tcp --dport 30000:30499 -j ACCEPT"))
        if f["id"] == "passive_range_partially_open"
    )
    assert "30500-30999" in partial["message"] and "vsftpd_pasv_min_port" in partial["fix"]


def test_not_produced_counterparts() -> None:
    assert "tls_helper_blind" not in ids(check(server(tls_enable=True, tls_required=True), GOOD_RANGE))
    assert "active_port20_blocked" not in ids(check(server(active_enable=True), GOOD_RANGE))
    active_ok = firewall(
        ESTABLISHED,
        CONTROL,
        RANGE,
        raw=HELPER,
        out_policy="DROP",
        output="-A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    )
    assert "active_port20_blocked" not in ids(check(server(active_enable=True), active_ok))
    assert "bounce_allowed" not in ids(check(server(port_promiscuous=True, active_enable=False), GOOD_RANGE))
    assert "passive_range_unbounded" not in ids(
        check(server(pasv_enable=False, pasv_min_port=None, pasv_max_port=None), GOOD_RANGE)
    )
    auto = firewall(ESTABLISHED, RELATED_FTP, CONTROL)
    auto["auto_helper"] = True
    assert "helper_not_attached" not in ids(check(SERVER, auto))


def test_client_sources_and_families() -> None:
    restricted = firewall(ESTABLISHED, "-s 192.0.2.0/24 " + CONTROL, "-s 192.0.2.0/24 " + RANGE)
    assert "control_port_closed" in ids(check(SERVER, restricted))
    assert check(SERVER, restricted, {"client_sources": ["192.0.2.0/26"]}) == []
    assert "control_port_closed" in ids(check(SERVER, restricted, {"client_sources": ["198.51.100.0/24"]}))


def test_nft_fixture_against_ipv6_vsftpd() -> None:
    model = build_model(parse_nft_json((FIXTURES / "nft_ruleset.json").read_text()))
    findings = check(server(listen_ipv6=True), model)
    assert findings == []
    tls = check(
        server(listen_ipv6=True, tls_enable=True, tls_required=True, pasv_min_port=31000, pasv_max_port=31999), model
    )
    assert ids(tls) == {"tls_helper_blind"}
    assert "ipv6" in " ".join(f["message"] for f in tls)


def test_bad_inputs() -> None:
    with pytest.raises(ServerModelError, match="control_port"):
        check(server(control_port="ftp"), GOOD_RANGE)
    with pytest.raises(ServerModelError, match="daemon"):
        check(server(daemon="proftpd"), GOOD_RANGE)
    with pytest.raises(CheckOptionsError, match="passive_policy"):
        check(SERVER, GOOD_RANGE, {"passive_policy": "magic"})
    with pytest.raises(CheckOptionsError, match="unknown checker option"):
        check(SERVER, GOOD_RANGE, {"bogus": 1})


def test_related_policy_names_the_role_choice_and_helper_is_an_alias() -> None:
    bad = firewall(ESTABLISHED, RELATED_FTP, CONTROL)
    related = check(SERVER, bad, {"passive_policy": "related"})
    assert "helper_not_attached" in ids(related)
    assert related == check(SERVER, bad, {"passive_policy": "helper"})
    assert "ftp_firewall_passive_policy: related" in next(f for f in related if f["id"] == "helper_not_attached")["fix"]
