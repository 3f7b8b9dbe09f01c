# SPDX-License-Identifier: GPL-3.0-or-later
"""hardened.ftp.ftp_firewall puts back what it owns, keeps what it does not, and means one thing by ipv6.

Each test changes the live firewall of one server the way a person or another tool would, runs the
role again (alone, with the inventory's inputs unless said otherwise) and checks with real
connections from the client: FTP transfers, the SSH banner over IPv4 and IPv6, closed ports.
"""

from __future__ import annotations

import json
import re
import shlex

import pytest
from conftest import IPTABLES_COMMANDS, group_hosts

FAST = 5


def _not_role(line: str) -> bool:
    return "HARDENED-FTP" not in line and "hardened-ftp" not in line


def _kept(text: str) -> list[str]:
    """The rules and user chains of an iptables-save dump that the role does not own, counters stripped.

    Tables and built-in chains' policies are left out: the role adds the raw table's chains and owns
    the INPUT policy under default deny."""
    lines = []
    for line in text.splitlines():
        line = re.sub(r"\s*\[\d+:\d+\]$", "", line)
        if not _not_role(line):
            continue
        if line.startswith("-A ") or (line.startswith(":") and line.endswith(" -")):
            lines.append(line)
    return lines


def _host_rules(firewall) -> list[str]:  # type: ignore[no-untyped-def]
    return _kept(firewall.sh("iptables-save").stdout)


def test_firewall_lived_in_rules_are_kept(server, firewall):  # type: ignore[no-untyped-def]
    """fail2ban's chain, MSS clamping, "! --syn", an ipset match, quoted comments, DOCKER-USER: all still there."""
    if server.name not in group_hosts("ftp_lived_in"):
        pytest.skip("not the lived-in host")
    wanted = _kept(firewall.sh("cat", "/root/lived-in-before.v4").stdout)
    assert len(wanted) >= 11, wanted
    assert _host_rules(firewall) == wanted
    # They are all in force, and the role's chains come first.
    dump = firewall.sh("iptables-save").stdout
    for needle in (
        "-A f2b-sshd -s 192.0.2.66/32 -j REJECT --reject-with icmp-port-unreachable",
        "--tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
        "! --tcp-flags FIN,SYN,RST,ACK SYN",
        "--match-set hardened-ftp-test-blocklist src",
        '--comment "admin\\\'s \\"bastion\\" host, keep it"',  # iptables-save escapes both quotes
        "-A FORWARD -j DOCKER-USER",
    ):
        assert needle in dump, f"{needle!r} is gone:\n{dump}"
    first = next(line for line in dump.splitlines() if line.startswith("-A INPUT "))
    assert first.endswith("-j HARDENED-FTP-INPUT"), first


def test_firewall_helper_only_for_local_traffic(firewall):  # type: ignore[no-untyped-def]
    """The ftp helper rule matches packets to this host only: forwarded FTP (containers, routes) gets none."""
    if firewall.backend == "firewalld":
        # firewalld puts a service's helper in the zone's input chains (filter_IN_<zone>_allow), which only
        # packets to this host cross; forwarded traffic goes through filter_FWD_* chains instead.
        chain, found = "", []
        for line in firewall.sh("nft", "list", "table", "inet", "firewalld").stdout.splitlines():
            words = line.split()
            if words[:1] == ["chain"]:
                chain = words[1]
            elif "ct helper set" in line:
                found.append(chain)
        assert found, "no ct helper set rule in firewalld's table"
        assert all(name.startswith("filter_IN_") for name in found), found
        return
    if firewall.backend == "nftables":
        data = json.loads(firewall.sh("nft", "-j", "list", "chain", "inet", "hardened_ftp", "prerouting").stdout)
        rules = [item["rule"] for item in data["nftables"] if "rule" in item]
        helpers = [rule for rule in rules if any("ct helper" in json.dumps(part) for part in rule["expr"])]
        assert helpers, rules
        for rule in helpers:
            fib = [part["match"] for part in rule["expr"] if "fib" in json.dumps(part.get("match", {}).get("left", {}))]
            assert fib and fib[0]["right"] == "local", rule
            assert fib[0]["left"]["fib"] == {"flags": ["daddr"], "result": "type"}, rule
        return
    chain = "HARDENED-FTP-PRE" if firewall.backend == "iptables" else "ufw-hardened-ftp-helper"
    for cmd in IPTABLES_COMMANDS:
        rules = [line for line in firewall.sh(cmd, "-w", "-t", "raw", "-S", chain).stdout.splitlines() if "CT" in line]
        assert rules, f"{cmd}: no helper rule in {chain}"
        for rule in rules:
            assert "-m addrtype --dst-type LOCAL" in rule, rule


def _break(firewall) -> None:  # type: ignore[no-untyped-def]
    """Delete and alter the role's live rules, as a hand or another tool might."""
    if firewall.backend == "firewalld":
        # Behind firewalld's back: the helper's "ct helper set" rule deleted with nft (firewalld does not
        # notice); and in its runtime configuration a rule of the role's that the role never wrote.
        firewall.delete_firewalld_helper_rules()
        zone = firewall.sh("firewall-cmd", "--get-default-zone").stdout.strip()
        firewall.sh(
            "firewall-cmd",
            f"--zone={zone}",
            '--add-rich-rule=rule family="ipv4" service name="hardened-ftp-ssh" accept',
        )
        return
    if firewall.backend == "nftables":
        listing = firewall.sh("nft", "-a", "list", "chain", "inet", "hardened_ftp", "input").stdout
        handles = re.findall(r'comment "hardened-ftp: control port" # handle (\d+)', listing)
        assert handles, listing
        firewall.sh("nft", "delete", "rule", "inet", "hardened_ftp", "input", "handle", handles[0])
        firewall.sh("nft", "flush", "chain", "inet", "hardened_ftp", "prerouting")
        firewall.sh("nft", "add", "rule", "inet", "hardened_ftp", "input", "tcp", "dport", "1-65535", "accept")
        return
    if firewall.backend == "ufw":
        for cmd in IPTABLES_COMMANDS:
            firewall.sh(cmd, "-w", "-t", "raw", "-F", "ufw-hardened-ftp-helper")
        firewall.sh(
            "iptables",
            "-w",
            "-t",
            "raw",
            "-D",
            "PREROUTING",
            "-m",
            "comment",
            "--comment",
            "hardened-ftp",
            "-j",
            "ufw-hardened-ftp-helper",
        )
        firewall.sh("iptables", "-w", "-F", "ufw-hardened-ftp-output")
        return
    listing = firewall.sh("iptables", "-w", "-S", "HARDENED-FTP-INPUT").stdout.splitlines()
    control = [line for line in listing if "hardened-ftp: control port" in line]
    assert control, listing
    firewall.sh("iptables", "-w", *shlex.split(control[0].replace("-A ", "-D ", 1)))
    firewall.sh("iptables", "-w", "-R", "HARDENED-FTP-INPUT", "1", "-j", "ACCEPT")  # accept everything
    firewall.sh("iptables", "-w", "-t", "raw", "-F", "HARDENED-FTP-PRE")
    firewall.sh("ip6tables", "-w", "-P", "INPUT", "ACCEPT")
    firewall.sh(
        "ip6tables", "-w", "-D", "INPUT", "-m", "comment", "--comment", "hardened-ftp", "-j", "HARDENED-FTP-INPUT"
    )
    firewall.sh(
        "ip6tables", "-w", "-A", "INPUT", "-m", "comment", "--comment", "hardened-ftp", "-j", "HARDENED-FTP-INPUT"
    )


def test_firewall_puts_back_what_it_owns(server, firewall):  # type: ignore[no-untyped-def]
    """Rules deleted or altered live (not in the files) are back after the next run, and FTP works."""
    before = firewall.own_rules()
    others = _host_rules(firewall) if firewall.backend in ("iptables", "ufw") else []
    _break(firewall)
    assert firewall.own_rules() != before
    firewall.run_role({})
    assert firewall.own_rules() == before
    if others:
        assert _host_rules(firewall) == others
    # Under related only the helper lets the data connection in: it is attached again.
    step = server.anonymous([{"op": "retr", "path": server.test["download"]["path"]}])["steps"][0]
    assert step["ok"] and step["data"] == server.test["download"]["content"], step
    with firewall.listener(firewall.high + 1234) as port:
        assert not firewall.probe(port)["ok"], f"port {port} is reachable after the role put its rules back"


def test_firewall_ipv6_false_keeps_ipv6_filtered(server, firewall):  # type: ignore[no-untyped-def]
    """ftp_firewall_ipv6 false: FTP over IPv4 only, IPv6 still filtered (SSH open, the rest dropped)."""
    address = firewall.ipv6_link_local()
    port = firewall.control_port
    # The daemon holds the control port on IPv4 only; this listener stands for it on IPv6.
    with firewall.listener(port, idle=900, v6only=True):
        reply = firewall.probe(port, target=address)
        assert reply["ok"], f"with ftp_firewall_ipv6 true the control port must answer over IPv6: {reply}"
        try:
            firewall.run_role({"ftp_firewall_ipv6": False})
            reply = firewall.probe(port, target=address, timeout=FAST)
            assert not reply["ok"], f"ftp_firewall_ipv6 false, yet FTP answers over IPv6: {reply}"
            assert server.download_works(), "IPv4 FTP stopped working with ftp_firewall_ipv6 false"
            with firewall.listener(firewall.high + 1234) as other:
                assert not firewall.probe(other, target=address, timeout=FAST)["ok"], "IPv6 is not filtered"
        finally:
            firewall.run_role({})
        assert firewall.probe(port, target=address)["ok"], "the inventory's inputs did not open IPv6 FTP again"
