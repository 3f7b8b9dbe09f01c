# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark the consistency layer: parse + model + check of large rulesets.

Generates a 20,000-rule iptables-save (docker-style chains, a fail2ban-like blocklist,
per-service accepts, our FTP chain) and a 5,000-rule ``nft -j list ruleset``, then parses,
builds the firewall model and runs the checker several times.  Prints one JSON object with
median/min/max seconds and peak traced memory per case.  Run from the repository root:

    PYTHONPATH=.tmp/collections python bench/bench_plugins.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import tracemalloc

from ansible_collections.hardened.ftp.plugins.module_utils._firewall_model import build_model
from ansible_collections.hardened.ftp.plugins.module_utils._ftp_checker import check
from ansible_collections.hardened.ftp.plugins.module_utils._iptables import parse_iptables_save
from ansible_collections.hardened.ftp.plugins.module_utils._nftables import parse_nft_json
from ansible_collections.hardened.ftp.plugins.module_utils._server_model import normalize_server_model

# The server both rulesets are checked against: TLS on, passive range 30000-30999.
SERVER = normalize_server_model(
    {"pasv_min_port": 30000, "pasv_max_port": 30999, "tls_enable": True, "active_enable": True}, partial=True
)


def random_host(rng: random.Random) -> str:
    """A random unicast IPv4 host address (a fail2ban-like ban)."""
    octets = (rng.randint(1, 223), rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254))
    return ".".join(str(octet) for octet in octets)


def iptables_text(rules: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    lines = [
        "*raw",
        ":PREROUTING ACCEPT [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        "-A PREROUTING -p tcp -m tcp --dport 21 -j CT --helper ftp",
        "COMMIT",
        "*filter",
        ":INPUT DROP [0:0]",
        ":FORWARD DROP [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        ":DOCKER-USER - [0:0]",
        ":blocklist - [0:0]",
        ":services - [0:0]",
        ":hardened-ftp - [0:0]",
        "-A INPUT -i lo -j ACCEPT",
        "-A INPUT -m conntrack --ctstate RELATED -m helper --helper ftp -j ACCEPT",
        "-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT",
        "-A INPUT -j blocklist",
        "-A INPUT -p tcp -j services",
        "-A INPUT -p tcp -j hardened-ftp",
        "-A FORWARD -j DOCKER-USER",
        "-A DOCKER-USER -j RETURN",
        "-A hardened-ftp -p tcp -m tcp --dport 21 -m conntrack --ctstate NEW -j ACCEPT",
        "-A hardened-ftp -p tcp -m tcp --dport 30000:30999 -m conntrack --ctstate NEW -j ACCEPT",
    ]
    body = len(lines)
    while len(lines) - body < rules:
        kind = rng.random()
        if kind < 0.7:
            address = random_host(rng) + "/32"
            lines.append(f'-A blocklist -s {address} -m comment --comment "f2b ban {len(lines)}" -j DROP')
        elif kind < 0.9:
            port = rng.randint(1024, 29999)
            lines.append(f"-A services -p tcp -m tcp --dport {port} -m conntrack --ctstate NEW -j ACCEPT")
        else:
            network = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.0/24"
            lines.append(f"-A DOCKER-USER -s {network} -d 172.17.0.0/16 -j ACCEPT")
    lines += ["-A blocklist -j RETURN", "-A services -j RETURN", "COMMIT"]
    return "\n".join(lines) + "\n"


def nft_json(rules: int, seed: int = 11) -> str:
    rng = random.Random(seed)

    def match(left: dict, right: object, op: str = "==") -> dict:
        return {"match": {"op": op, "left": left, "right": right}}

    dport = {"payload": {"protocol": "tcp", "field": "dport"}}
    saddr = {"payload": {"protocol": "ip", "field": "saddr"}}
    items = [
        {"table": {"family": "inet", "name": "filter", "handle": 1}},
        {
            "chain": {
                "family": "inet",
                "table": "filter",
                "name": "input",
                "type": "filter",
                "hook": "input",
                "prio": 0,
                "policy": "drop",
            }
        },
        {"chain": {"family": "inet", "table": "filter", "name": "services"}},
        {
            "rule": {
                "family": "inet",
                "table": "filter",
                "chain": "input",
                "expr": [match({"ct": {"key": "state"}}, ["established", "related"], "in"), {"accept": None}],
            }
        },
        {"rule": {"family": "inet", "table": "filter", "chain": "input", "expr": [{"jump": {"target": "services"}}]}},
        {
            "rule": {
                "family": "inet",
                "table": "filter",
                "chain": "input",
                "expr": [match(dport, {"set": [21, {"range": [30000, 30999]}]}), {"accept": None}],
            }
        },
        {"table": {"family": "inet", "name": "hardened_ftp", "handle": 2}},
        {
            "ct helper": {
                "family": "inet",
                "table": "hardened_ftp",
                "name": "ftp-standard",
                "type": "ftp",
                "protocol": "tcp",
                "l3proto": "inet",
            }
        },
        {
            "chain": {
                "family": "inet",
                "table": "hardened_ftp",
                "name": "pre",
                "type": "filter",
                "hook": "prerouting",
                "prio": 0,
                "policy": "accept",
            }
        },
        {
            "rule": {
                "family": "inet",
                "table": "hardened_ftp",
                "chain": "pre",
                "expr": [match(dport, 21), {"ct helper": "ftp-standard"}],
            }
        },
    ]
    for index in range(rules):
        if rng.random() < 0.6:
            address = random_host(rng)
            expr = [match(saddr, address), {"counter": None}, {"drop": None}]
        else:
            expr = [
                match(dport, rng.randint(1024, 29999)),
                match({"ct": {"key": "state"}}, "new", "in"),
                {"accept": None},
            ]
        items.append(
            {"rule": {"family": "inet", "table": "filter", "chain": "services", "handle": index + 10, "expr": expr}}
        )
    return json.dumps({"nftables": items})


def measure(label: str, work, repeat: int) -> dict:
    timings = []
    cpu = []  # on a shared machine, CPU time says more than wall time about the code
    for _round in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    tracemalloc.start()
    work()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "case": label,
        "median_s": round(statistics.median(timings), 4),
        "min_s": round(min(timings), 4),
        "max_s": round(max(timings), 4),
        "median_cpu_s": round(statistics.median(cpu), 4),
        "peak_mib": round(peak / (1024 * 1024), 1),
        "repeat": repeat,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--iptables-rules", type=int, default=20000)
    parser.add_argument("--nft-rules", type=int, default=5000)
    args = parser.parse_args()
    ipt = iptables_text(args.iptables_rules)
    nft = nft_json(args.nft_rules)

    def run_iptables() -> None:
        findings = check(SERVER, build_model(parse_iptables_save(ipt)))
        assert not [f for f in findings if f["id"] == "control_port_closed"], findings

    def run_nft() -> None:
        findings = check(SERVER, build_model(parse_nft_json(nft)))
        assert not [f for f in findings if f["id"] == "control_port_closed"], findings

    results = [
        measure(f"iptables-save {args.iptables_rules} rules: parse+model+check", run_iptables, args.repeat),
        measure(f"nft json {args.nft_rules} rules: parse+model+check", run_nft, args.repeat),
    ]
    target = {"iptables_median_s_max": 0.5, "iptables_peak_mib_max": 100}
    ok = (
        results[0]["median_s"] <= target["iptables_median_s_max"]
        and results[0]["peak_mib"] <= target["iptables_peak_mib_max"]
    )
    print(json.dumps({"results": results, "targets": target, "within_targets": ok}, indent=2))


if __name__ == "__main__":
    main()
