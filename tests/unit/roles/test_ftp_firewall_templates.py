# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Property test: the role's real templates, rendered as Ansible renders them, make exactly the intended rules.

Inputs and hosts are generated (hostile strings among them, which the planner must refuse before
anything is rendered); each plan is rendered with jinja2 (``trim_blocks``, ``keep_trailing_newline``,
Ansible's ``comment`` filter and the collection's filters). iptables and ufw output is read back with
the collection's own parser (``_iptables.parse_iptables_save``) and compared, rule by rule in the
parser's canonical form, with the rules the plan implies; nftables output (no text parser here) is
compared line by line with the rules the plan implies.
"""

from __future__ import annotations

import collections
import importlib
import ipaddress
import re
import typing as t
import unicodedata
from pathlib import Path

import jinja2
import yaml
from ansible.plugins.filter.core import comment
from ansible_collections.hardened.ftp.plugins.module_utils._firewall_plan import ANY, FirewallPlanner
from ansible_collections.hardened.ftp.plugins.module_utils._iptables import (
    parse_iptables_save,
    parse_rule_words,
    tokenize,
)
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from iptables_render import render_rule

ROOT = Path(__file__).resolve().parents[3]
ROLE = ROOT / "roles" / "ftp_firewall"
DEFAULTS = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ROLE / "templates")),
        trim_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["comment"] = comment
    for path in sorted((ROOT / "plugins" / "filter").glob("*.py")):
        module = importlib.import_module(f"ansible_collections.hardened.ftp.plugins.filter.{path.stem}")
        for name, function in module.FilterModule().filters().items():
            env.filters[f"hardened.ftp.{name}"] = function
    return env


ENV = environment()


def render(name: str, plan: dict[str, t.Any], family: str = "") -> str:
    context = {"ftp_firewall_plan": plan, "ansible_managed": "Ansible managed", "__ftp_firewall_family": family}
    return ENV.get_template(name).render(context)


# --------------------------------------------------------------------------- strategies

HOSTILE = [
    "10.0.0.0/255.0.0.0",
    "10.0.0.0/0.255.255.255",
    "192.0.2.1/24",
    "2001:db8::1/32",
    "fe80::1%eth0",
    "192.0.2.0/24\n-A INPUT -j ACCEPT",
    "192.0.2.0/24\r",
    "::/0\x00",
    "../../etc/passwd",
    "192.0.2.0/24 } accept; {",
    '192.0.2.0/24" -j ACCEPT "',
    "192.0.2.0/\u0662\u0664",
]


def networks4() -> st.SearchStrategy[str]:
    return st.builds(
        lambda a, p: str(ipaddress.ip_network(f"{a}/{p}", strict=False).with_prefixlen),
        st.ip_addresses(v=4),
        st.integers(0, 32),
    )


def networks6() -> st.SearchStrategy[str]:
    return st.builds(
        lambda a, p: str(ipaddress.ip_network(f"{a}/{p}", strict=False).with_prefixlen),
        st.ip_addresses(v=6),
        st.integers(0, 128),
    )


# Mostly good networks, so that most examples reach the templates; a hostile one now and then.
GOOD = [networks4(), networks6(), st.sampled_from(["0.0.0.0/0", "::/0"])]
SOURCE = st.one_of(*(GOOD * 6), st.sampled_from(HOSTILE))
SOURCES = st.lists(SOURCE, max_size=3)
EXTRA = st.fixed_dictionaries(
    {
        "port": st.one_of(
            *([st.integers(1, 65535)] * 8),
            st.sampled_from(["8000-8010", "8000:8010"]),
            st.sampled_from(["80-", "70000", "4\n43", "\u0664\u0664\u0663"]),
        )
    },
    optional={"proto": st.one_of(*([st.sampled_from(["tcp", "udp"])] * 8), st.just("icmp"))},
)


def inputs(source: st.SearchStrategy[str], port: st.SearchStrategy[t.Any], extra: st.SearchStrategy[t.Any]):  # type: ignore[no-untyped-def]
    return st.fixed_dictionaries(
        {
            "backend": st.sampled_from(["iptables", "nftables", "ufw"]),
            "passive_policy": st.sampled_from(["auto", "range", "related"]),
            "allowed_sources": st.lists(source, max_size=3),
            "ssh_sources": st.lists(source, max_size=3),
            "ssh_port": port,
            "ipv6": st.booleans(),
            "filter_egress": st.booleans(),
            "default_deny": st.booleans(),
            "extra_allowed": st.lists(extra, max_size=2),
        }
    )


GOOD_EXTRA = st.fixed_dictionaries(
    {"port": st.one_of(st.integers(1, 65535), st.sampled_from(["8000-8010", "8000:8010"]))},
    optional={"proto": st.sampled_from(["tcp", "udp"])},
)
# Valid values only: most examples reach the templates.
GOOD_INPUTS = inputs(st.one_of(*GOOD), st.integers(1, 1023), GOOD_EXTRA)
# Any value, hostile ones often: each must be refused before anything is rendered.
ANY_INPUTS = inputs(SOURCE, st.one_of(st.integers(-1, 70000), st.sampled_from(["22\n", "2\u0662"])), EXTRA)


@st.composite
def servers(draw: st.DrawFn) -> dict[str, t.Any]:
    low = draw(st.integers(1024, 60000))
    pasv = draw(st.booleans())
    tls = draw(st.booleans())
    return {
        "daemon": draw(st.sampled_from(["vsftpd", "pureftpd"])),
        "control_port": draw(st.sampled_from([21, 2121, 990])),
        "listen_ipv6": draw(st.booleans()),
        "pasv_enable": pasv,
        "pasv_min_port": low if pasv else None,
        "pasv_max_port": low + draw(st.integers(0, 50)) if pasv else None,
        "active_enable": draw(st.booleans()),
        "tls_enable": tls,
        "tls_required": tls and draw(st.booleans()),
    }


HOSTS = st.fixed_dictionaries(
    {
        "ipv6": st.booleans(),
        "ssh": st.one_of(
            st.just({}),
            st.fixed_dictionaries(
                {"client": st.one_of(st.ip_addresses().map(str), st.just("bogus")), "port": st.integers(1, 65535)}
            ),
        ),
        "packages": st.just({}),
        "paths": st.just({}),
        "files": st.just({}),
    }
)


def is_network(value: t.Any) -> bool:
    """The oracle, written apart from _inputs: ASCII, no scope, CIDR with zero host bits."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    if not re.fullmatch(r"[0-9A-Fa-f.:]+(/[0-9]{1,3})?", text):
        return False
    try:
        ipaddress.ip_network(text, strict=True)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- what the plan implies


def canonical(chain: str, words: str) -> str:
    return render_rule(chain, parse_rule_words(tokenize(words)))


def iptables_expected(plan: dict[str, t.Any], family: str) -> dict[str, list[str]]:
    """Per own chain, the rules (as iptables-save words after the chain) the plan implies."""
    n, port = plan["names"], plan["control_port"]
    ftp = family in plan["ftp_families"]
    helper = f"-p tcp -m tcp --dport {port} -m addrtype --dst-type LOCAL -j CT --helper ftp"
    out = egress(plan)
    if plan["backend"] == "ufw":
        return {n["pre"]: [helper] if ftp else [], n["output"]: out}
    rules = [
        "-m conntrack --ctstate ESTABLISHED -j ACCEPT",
        "-p tcp -m conntrack --ctstate RELATED -m helper --helper ftp -j ACCEPT",
    ]
    if plan["default_deny"]:
        icmp = "icmp" if family == "ipv4" else "ipv6-icmp"
        rules += ["-m conntrack --ctstate INVALID -j DROP", "-i lo -j ACCEPT", f"-p {icmp} -j ACCEPT"]

    def src(source: str) -> str:
        return "" if source == ANY else f"-s {source} "

    for ssh in plan["ssh_ports"]:
        rules += [
            f"{src(s)}-p tcp -m tcp --dport {ssh} -m conntrack --ctstate NEW -j ACCEPT"
            for s in plan["ssh_sources"][family]
        ]
    for s in plan["ftp_sources"].get(family, []) if ftp else []:
        rules.append(f"{src(s)}-p tcp -m tcp --dport {port} -m conntrack --ctstate NEW -j ACCEPT")
        if plan["passive_range"]:
            span = plan["passive_range"]
            rules.append(
                f"{src(s)}-p tcp -m tcp --dport {span['min']}:{span['max']} -m conntrack --ctstate NEW -j ACCEPT"
            )
    for item in plan["extra_allowed"]:
        span = f"{item['min']}:{item['max']}" if item["max"] != item["min"] else str(item["min"])
        rules.append(f"-p {item['proto']} -m {item['proto']} --dport {span} -m conntrack --ctstate NEW -j ACCEPT")
    return {n["pre"]: [helper] if ftp else [], n["input"]: rules, n["output"]: out}


def egress(plan: dict[str, t.Any]) -> list[str]:
    if not plan["egress"]["filter"]:
        return []
    rules = [
        "-p tcp -m tcp --sport 20 -m conntrack --ctstate ESTABLISHED -j ACCEPT",
        "-p tcp -m tcp --sport 20 -m conntrack --ctstate RELATED -m helper --helper ftp -j ACCEPT",
    ]
    if plan["egress"]["tls_active"]:
        rules.append("-p tcp -m tcp --sport 20 --dport 1024:65535 -m conntrack --ctstate NEW -j ACCEPT")
    return [*rules, "-p tcp -m tcp --sport 20 -j DROP"]


def nft_expected(plan: dict[str, t.Any]) -> dict[str, list[str]]:
    """Per chain of the role's table, its rule lines (comments stripped) the plan implies."""
    nfam = {"ipv4": "ip", "ipv6": "ip6"}

    def src(family: str, sources: list[str]) -> str:
        return "" if sources == [ANY] else f"{nfam[family]} saddr {{ {', '.join(sources)} }} "

    port = plan["control_port"]
    pre = [
        f'meta nfproto {f} fib daddr type local tcp dport {port} ct state new ct helper set "ftp-standard"'
        for f in plan["ftp_families"]
    ]
    rules = ["ct state established accept", 'ct state related ct helper "ftp" accept']
    if plan["default_deny"]:
        rules += ["ct state invalid drop", 'iif "lo" accept', "meta l4proto { icmp, ipv6-icmp } accept"]
    ports = ", ".join(str(p) for p in plan["ssh_ports"])
    for f in plan["families"]:
        if plan["ssh_sources"][f]:
            rules.append(
                f"meta nfproto {f} {src(f, plan['ssh_sources'][f])}tcp dport {{ {ports} }} ct state new accept"
            )
    for f in plan["ftp_families"]:
        if plan["ftp_sources"][f]:
            rules.append(f"meta nfproto {f} {src(f, plan['ftp_sources'][f])}tcp dport {port} ct state new accept")
            if plan["passive_range"]:
                span = plan["passive_range"]
                rules.append(
                    f"meta nfproto {f} {src(f, plan['ftp_sources'][f])}tcp dport {span['min']}-{span['max']} "
                    "ct state new accept"
                )
    for item in plan["extra_allowed"]:
        span = f"{item['min']}-{item['max']}" if item["max"] != item["min"] else str(item["min"])
        rules.append(f"{item['proto']} dport {span} ct state new accept")
    chains = {"prerouting": pre, "input": rules}
    if plan["egress"]["filter"]:
        out = ["tcp sport 20 ct state established accept", 'tcp sport 20 ct state related ct helper "ftp" accept']
        if plan["egress"]["tls_active"]:
            out.append("tcp sport 20 tcp dport 1024-65535 ct state new accept")
        chains["output"] = [*out, "tcp sport 20 drop"]
    return chains


def nft_rules(text: str) -> dict[str, list[str]]:
    chains: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        found = re.fullmatch(r"chain (\w+) \{", line)
        if found:
            current = chains.setdefault(found.group(1), [])
        elif line == "}":
            current = None
        elif current is not None and line and not line.startswith(("type ", "#")):
            current.append(re.sub(r' comment "[^"]*"$', "", line))
    return chains


def chain_rules(text: str, family: str, names: t.Collection[str]) -> dict[str, list[str]]:
    ruleset = parse_iptables_save(text, family)
    found: dict[str, list[str]] = {}
    for table in ruleset.tables:
        for chain in table.chains.values():
            if chain.name in names:
                found.setdefault(chain.name, []).extend(render_rule(chain.name, rule) for rule in chain.rules)
    return found


def clean(text: str) -> None:
    bad = [c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c not in "\n\t"]
    assert not bad, bad


# --------------------------------------------------------------------------- the property


def check_and_render(inputs: dict[str, t.Any], server: dict[str, t.Any], host: dict[str, t.Any]) -> None:
    """Plan ``inputs``; when the planner takes them, render every template and compare with the plan."""
    raw = dict(DEFAULTS, **{f"ftp_firewall_{name}": value for name, value in inputs.items()})
    planner = FirewallPlanner(raw, server)
    bad = [v for v in inputs["allowed_sources"] + inputs["ssh_sources"] if not is_network(v)]
    if planner.check():
        messages = planner.errors.messages()
        for name in ("allowed_sources", "ssh_sources"):
            if any(not is_network(v) for v in inputs[name]):
                assert any(m.startswith(f"ftp_firewall_{name}:") for m in messages), messages
        event("refused before the host is read")
        return
    assert not bad, f"the planner took {bad}"
    if planner.check_host(host):
        event("refused after the host was read")
        return
    plan = planner.plan()
    backend = plan["backend"]
    event(f"rendered {backend}")
    if backend == "nftables":
        text = render("hardened-ftp.nft.j2", plan)
        clean(text)
        got, want = nft_rules(text), nft_expected(plan)
        assert {k: collections.Counter(v) for k, v in got.items()} == {
            k: collections.Counter(v) for k, v in want.items()
        }
        return
    template = "iptables.rules.j2" if backend == "iptables" else "ufw-before.rules.j2"
    for family in plan["families"]:
        text = render(template, plan, family)
        clean(text)
        names = set(plan["names"].values())
        got = chain_rules(text, family, names)
        want = {
            chain: [canonical(chain, words) for words in rules]
            for chain, rules in iptables_expected(plan, family).items()
        }
        assert {k: collections.Counter(v) for k, v in got.items() if v} == {
            k: collections.Counter(v) for k, v in want.items() if v
        }
        if backend == "ufw":
            hooks = [line for line in text.splitlines() if line.startswith("-I ")]
            output = "ufw6-before-output" if family == "ipv6" else "ufw-before-output"
            assert hooks == [
                f"-I PREROUTING 1 -m comment --comment hardened-ftp -j {plan['names']['pre']}",
                f"-I {output} 1 -m comment --comment hardened-ftp -j {plan['names']['output']}",
            ]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(GOOD_INPUTS, servers(), HOSTS)
def test_rendered_rules_are_exactly_the_plans(
    inputs: dict[str, t.Any], server: dict[str, t.Any], host: dict[str, t.Any]
) -> None:
    check_and_render(inputs, server, host)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_INPUTS, servers(), HOSTS)
def test_hostile_values_are_refused_before_rendering(
    inputs: dict[str, t.Any], server: dict[str, t.Any], host: dict[str, t.Any]
) -> None:
    check_and_render(inputs, server, host)


def test_ipv6_false_on_iptables_filters_ipv6_with_ssh_and_no_ftp() -> None:
    raw = dict(DEFAULTS, ftp_firewall_backend="iptables", ftp_firewall_ipv6=False)
    server = {
        "daemon": "vsftpd",
        "control_port": 21,
        "listen_ipv6": False,
        "pasv_enable": True,
        "pasv_min_port": 30000,
        "pasv_max_port": 30009,
        "active_enable": True,
        "tls_enable": True,
        "tls_required": True,
    }
    planner = FirewallPlanner(raw, server)
    assert not planner.check() and not planner.check_host({"ipv6": True, "ssh": {}})
    text = render("iptables.rules.j2", planner.plan(), "ipv6")
    rules = chain_rules(text, "ipv6", {"HARDENED-FTP-INPUT", "HARDENED-FTP-PRE"})
    assert any("--dport 22" in rule for rule in rules["HARDENED-FTP-INPUT"])
    assert not any("--dport 21 " in rule or "30000" in rule for rule in rules["HARDENED-FTP-INPUT"])
    assert not rules.get("HARDENED-FTP-PRE")  # no helper where FTP is not served
