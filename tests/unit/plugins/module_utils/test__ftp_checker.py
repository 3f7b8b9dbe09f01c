# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._firewall_model import build_model
from ansible_collections.hardened.ftp.plugins.module_utils._ftp_checker import (
    FINDING_IDS,
    CheckOptionsError,
    check,
    drift,
)
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
        check(server(daemon="wu-ftpd"), GOOD_RANGE)
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


# --- per-family judgement ------------------------------------------------------------------------

DUAL_STACK = server(listen_ipv6=True)


def dual_stack_firewall(v4_rules: tuple, v6_rules: tuple) -> dict:
    """An IPv4 and an IPv6 ruleset, both dropping by default, as ip(6)tables-save prints them."""
    template = "*filter\n:INPUT DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n{}\nCOMMIT\n"
    v4 = parse_iptables_save(template.format("\n".join("-A INPUT " + rule for rule in v4_rules)), "ipv4")
    v6 = parse_iptables_save(template.format("\n".join("-A INPUT " + rule for rule in v6_rules)), "ipv6")
    return build_model(v4.merge(v6), ["192.0.2.0/24"])


def test_a_family_without_intended_sources_is_meant_to_be_closed() -> None:
    restricted = ("-s 192.0.2.0/24 " + CONTROL, "-s 192.0.2.0/24 " + RANGE)
    model = dual_stack_firewall((ESTABLISHED, *restricted), (ESTABLISHED,))
    # IPv4-only client sources: IPv6 being closed is what was asked.
    assert check(DUAL_STACK, model, {"client_sources": ["192.0.2.0/24"]}) == []
    # Without client sources every family must be reachable from anywhere: both are closed to "any".
    closed = [f for f in check(DUAL_STACK, model) if f["id"] == "control_port_closed"]
    assert {f["message"].split("(")[1].split(" ")[0] for f in closed} == {"ipv4", "ipv6"}


def test_a_family_with_intended_sources_is_judged_for_them() -> None:
    model = dual_stack_firewall((ESTABLISHED, CONTROL, RANGE), (ESTABLISHED,))
    findings = check(DUAL_STACK, model, {"client_sources": ["192.0.2.0/24", "2001:db8::/32"]})
    assert {f["id"] for f in findings} == {"control_port_closed", "passive_range_not_open"}
    assert all("ipv6 from 2001:db8::/32" in f["message"] for f in findings)


def test_a_family_the_server_does_not_listen_on_is_not_judged() -> None:
    model = dual_stack_firewall((ESTABLISHED, CONTROL, RANGE), (ESTABLISHED,))
    assert check(server(listen_ipv6=False), model) == []
    assert check(server(listen_ipv6=True, listen_address="192.0.2.10"), model) == []
    assert "control_port_closed" in ids(check(server(listen_ipv6=True, listen_address="::"), model))


def test_client_sources_must_be_networks() -> None:
    with pytest.raises(CheckOptionsError, match=r"client_sources: 'ftp\.example\.com'"):
        check(SERVER, GOOD_RANGE, {"client_sources": ["ftp.example.com"]})


def test_a_blocked_client_network_is_not_reported_open() -> None:
    text = "*filter\n:INPUT DROP [0:0]\n-A INPUT -s 198.51.100.0/24 -j DROP\n-A INPUT {}\n-A INPUT {}\nCOMMIT\n"
    model = build_model(parse_iptables_save(text.format(CONTROL, RANGE)), ["198.51.100.0/24"])
    assert check(SERVER, model) == []
    blocked = check(SERVER, model, {"client_sources": ["198.51.100.0/24"]})
    assert {"control_port_closed", "passive_range_not_open"} <= ids(blocked)


# --- verdicts the model cannot tell ----------------------------------------------------------------

RATE_LIMITED = "-p tcp --dport 21 -m hashlimit --hashlimit-above 5/min --hashlimit-name ftp -j DROP"


def test_an_uncertain_control_port_is_reported_as_such_naming_the_rule() -> None:
    findings = check(SERVER, firewall(ESTABLISHED, RATE_LIMITED, CONTROL, RANGE))
    assert ids(findings) == {"verdict_uncertain"}
    (finding,) = findings
    assert finding["severity"] == "warning"
    assert "control port 21/tcp" in finding["message"] and "hashlimit" in finding["message"]
    assert "--hashlimit-above 5/min" in finding["message"]


def test_an_unknown_accept_never_opens_a_port() -> None:
    unknown = "-p tcp -m multiport --dports 21,30000:30999 -m frobnicate --wibble 3 -j ACCEPT"
    findings = check(SERVER, firewall(ESTABLISHED, unknown))
    assert "control_port_closed" not in ids(findings) and "passive_range_not_open" not in ids(findings)
    messages = " ".join(f["message"] for f in findings if f["id"] == "verdict_uncertain")
    assert "control port 21/tcp" in messages and "30000-30999" in messages and "frobnicate" in messages


def test_an_unknown_drop_after_an_accept_changes_nothing() -> None:
    unknown = "-p tcp -m frobnicate -j DROP"
    assert check(SERVER, firewall(ESTABLISHED, CONTROL, RANGE, unknown)) == []


def test_a_partly_uncertain_range_reports_the_closed_part_and_the_uncertain_part() -> None:
    half = "-p tcp --dport 30000:30499 -j ACCEPT"
    limited = "-p tcp --dport 30500:30599 -m limit --limit 10/s -j ACCEPT"
    findings = check(SERVER, firewall(ESTABLISHED, CONTROL, half, limited), {"passive_policy": "range"})
    (partial,) = [f for f in findings if f["id"] == "passive_range_partially_open"]
    assert "30600-30999 (400 of 1000 ports)" in partial["message"] and "30500-30599" in partial["message"]


def test_an_uncertain_helper_path_is_not_an_error() -> None:
    helper = "-A PREROUTING -p tcp --dport 21 -m connlimit --connlimit-above 50 -j CT --helper ftp"
    findings = check(SERVER, firewall(ESTABLISHED, RELATED_FTP, CONTROL, raw=helper), {"passive_policy": "related"})
    assert ids(findings) == {"verdict_uncertain"}
    assert "connlimit" in findings[0]["message"] and "passive data connections" in findings[0]["message"]


# --- drift from the published model ------------------------------------------------------------------


def test_drift_names_each_key_with_both_values() -> None:
    live = server(port_promiscuous=True, pasv_max_port=31999)
    findings = drift(live, SERVER)
    assert [f["id"] for f in findings] == ["server_drift", "server_drift"]
    assert all(f["severity"] == "error" for f in findings)
    by_key = {f["message"].split(" runs with ")[1].split("=")[0]: f for f in findings}
    assert "pasv_max_port=31999 but the role published pasv_max_port=30999" in by_key["pasv_max_port"]["message"]
    assert "vsftpd_pasv_max_port" in by_key["pasv_max_port"]["fix"]
    assert (
        "port_promiscuous=true but the role published port_promiscuous=false" in by_key["port_promiscuous"]["message"]
    )
    assert "re-run hardened.ftp.vsftpd" in by_key["port_promiscuous"]["fix"]
    assert drift(SERVER, SERVER) == []


def test_drift_of_the_daemon_itself() -> None:
    (finding, *_rest) = drift(server(daemon="pureftpd"), SERVER)
    assert "daemon='pureftpd'" in finding["message"] and "hardened_ftp_daemon" in finding["fix"]
