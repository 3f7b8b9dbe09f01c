# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The option table, and the iptables rule reader driven by it, on words from the wild."""

from __future__ import annotations

import contextlib

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils import _iptables
from ansible_collections.hardened.ftp.plugins.module_utils._errors import ParseError
from ansible_collections.hardened.ftp.plugins.module_utils._iptables import parse_rule_words, tokenize
from ansible_collections.hardened.ftp.plugins.module_utils._iptables_options import (
    CONDITION_MODULES,
    HARMLESS,
    HEADER_MODULES,
    MATCH_OPTIONS,
    RULE_OPTIONS,
    TARGET_ACTIONS,
    TARGET_OPTIONS,
    UNSUPPORTED,
    module_reason,
)
from hypothesis import given
from hypothesis import strategies as st

# What a valid value of each evaluated option looks like.
VALUES = {
    "protocols": st.sampled_from(["tcp", "udp", "icmp", "6", "all"]),
    "saddr": st.sampled_from(["10.0.0.0/8", "192.0.2.7/32", "0.0.0.0/0"]),
    "daddr": st.sampled_from(["192.0.2.10/32", "127.0.0.0/8"]),
    "iif": st.sampled_from(["eth0", "lo", "docker0", "eth+"]),
    "oif": st.sampled_from(["eth0", "wg0"]),
    "dports": st.sampled_from(["21", "30000:30009", "21,30000:30009", "1024:"]),
    "sports": st.sampled_from(["20", "1024:65535"]),
    "ct_states": st.sampled_from(["NEW", "RELATED,ESTABLISHED", "INVALID", "DNAT"]),
    "ct_status": st.sampled_from(["DNAT", "SNAT,DNAT", "ASSURED"]),
    "helpers": st.sampled_from(["ftp", "ftp-2121"]),
    "dst_types": st.sampled_from(["LOCAL", "BROADCAST,MULTICAST"]),
    "src_types": st.sampled_from(["LOCAL", "UNICAST"]),
    "pkt_types": st.sampled_from(["broadcast", "unicast"]),
    "tcp_flags": st.sampled_from(["FIN,SYN,RST,ACK", "ALL", "SYN,RST", "NONE"]),
    "src_range": st.sampled_from(["192.0.2.1-192.0.2.9"]),
    "dst_range": st.sampled_from(["192.0.2.1-192.0.2.9"]),
    "match_set": st.sampled_from(["f2b-sshd", "allow"]),
    "headers": st.sampled_from(["frag,hop-by-hop", "auth"]),
    "recent_name": st.sampled_from(["SSH", "DEFAULT"]),
    "ct_helper": st.sampled_from(["ftp", "ftp-standard"]),
}
SECOND = {"tcp_flags": st.sampled_from(["SYN", "NONE", "FIN,SYN"]), "match_set": st.sampled_from(["src", "src,dst"])}
TOKEN = st.text(alphabet="abcz019/:,._+", min_size=1, max_size=8)


def test_every_option_has_a_known_meaning() -> None:
    handlers = {name[4:] for name in vars(_iptables._RuleReader) if name.startswith("set_")}
    tables = [RULE_OPTIONS, *MATCH_OPTIONS.values(), *TARGET_OPTIONS.values()]
    for table in tables:
        for option, (count, meaning) in table.items():
            assert option.startswith("-") and count in (0, 1, 2), option
            assert meaning in (HARMLESS, UNSUPPORTED) or meaning in handlers, (option, meaning)
    assert set(TARGET_OPTIONS) <= set(TARGET_ACTIONS)


def test_condition_and_header_modules() -> None:
    assert {"limit", "hashlimit", "connlimit", "time", "string", "u32", "mark"} <= CONDITION_MODULES
    assert "conntrack" not in CONDITION_MODULES and "tcp" not in CONDITION_MODULES
    assert {"rt", "frag", "hbh"} <= HEADER_MODULES
    assert module_reason("limit") == "-m limit: depends on the packet rate"
    assert module_reason("frobnicate") == "-m frobnicate: not modelled"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # How iptables-save prints --syn, ! --syn and MSS clamping: no longer "unexpected word 'SYN'".
        ("-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT", "accept"),
        ("-p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -m state --state NEW -j DROP", "drop"),
        ("-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu", None),
        ("-f -j DROP", "drop"),
        ("-m physdev --physdev-is-bridged -j ACCEPT", "accept"),
        ("-m recent --rcheck --seconds 86400 --name portscan --mask 255.255.255.255 --rsource -j DROP", "drop"),
        ("-m set --match-set f2b-sshd src -j REJECT --reject-with icmp-port-unreachable", "reject"),
        ('-j LOG --log-prefix "[UFW BLOCK] " -m limit --limit 3/min --limit-burst 10', None),
        ("-j SET --add-set allow-ftp src --exist --timeout 10", None),
        ("-p tcp --dport 21 -j CT --helper ftp", None),
        ("-p tcp -m frobnicate --wibble 1 2 --wobble -j ACCEPT", "accept"),
    ],
)
def test_real_lines_read(line: str, expected: str | None) -> None:
    rule = parse_rule_words(tokenize(line))
    assert rule.action == expected


def test_what_the_reader_models() -> None:
    syn = parse_rule_words(tokenize("-p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -j DROP")).match
    assert syn.tcp_flags == (frozenset({"FIN", "SYN", "RST", "ACK"}), frozenset({"SYN"}), "all") and syn.tcp_flags_neg
    assert parse_rule_words(["-f", "-j", "DROP"]).match.fragment is True
    assert parse_rule_words(["!", "-f", "-j", "DROP"]).match.fragment is False
    listed = parse_rule_words(tokenize("-m set ! --match-set allow src,dst -j DROP")).match
    assert listed.lists == (("ipset allow", True, True),) and not listed.unsupported
    recent = parse_rule_words(tokenize("-m recent --update --name SSH --rdest -j DROP")).match
    assert recent.lists == (("recent list SSH", False, False),)
    assert parse_rule_words(tokenize("-m recent --set --name SSH")).match.lists == ()
    helper = parse_rule_words(tokenize("-p tcp --dport 21 -j CT --helper ftp"))
    assert helper.helper_set == "ftp" and helper.target == "CT"
    unknown = parse_rule_words(tokenize("-p tcp -m frobnicate --wibble 1 2 --dport 21 -j ACCEPT")).match
    assert unknown.dports == ((21, 21),)  # the unknown option did not swallow what follows
    assert unknown.unsupported == (
        "-m frobnicate: not modelled",
        "--wibble 1 2 (option of -m frobnicate): not modelled",
    )
    after = parse_rule_words(tokenize("-j RETURN -m conntrack --ctstate INVALID -m limit --limit 3/min"))
    assert after.action == "return" and after.match.ct_states == frozenset({"invalid"}) and after.match.unsupported
    notrack = parse_rule_words(tokenize("-p tcp --dport 21 -j CT --notrack"))
    assert (notrack.action, notrack.target) == ("unknown", "CT --notrack")


@st.composite
def known_words(draw: st.DrawFn) -> list[str]:
    """A rule iptables-save could print: modules with options of the right arity."""
    words: list[str] = []
    for _number in range(draw(st.integers(0, 4))):
        module = draw(st.sampled_from(sorted(MATCH_OPTIONS)))
        words += ["-m", module]
        for option in draw(st.lists(st.sampled_from(sorted(MATCH_OPTIONS[module])), max_size=3, unique=True)):
            count, meaning = MATCH_OPTIONS[module][option]
            if draw(st.booleans()):
                words.append("!")
            words.append(option)
            if count:
                words.append(draw(VALUES.get(meaning, TOKEN)))
            if count == 2:
                words.append(draw(SECOND.get(meaning, TOKEN)))
    if draw(st.booleans()):
        target = draw(st.sampled_from(sorted(TARGET_OPTIONS)))
        words += ["-j", target]
        for option in draw(st.lists(st.sampled_from(sorted(TARGET_OPTIONS[target])), max_size=2, unique=True)):
            count, meaning = TARGET_OPTIONS[target][option]
            words += [option, *[draw(VALUES.get(meaning, TOKEN)) for _number in range(count)]]
    return words


@given(known_words())
def test_a_well_formed_rule_always_reads(words: list[str]) -> None:
    rule = parse_rule_words(words)
    modules = {words[index + 1] for index, word in enumerate(words) if word == "-m"}
    if modules & CONDITION_MODULES:
        assert rule.match.unsupported


@given(
    st.lists(
        st.one_of(
            TOKEN,
            st.sampled_from(["!", "-m", "-j", "-g", "-p", "-s", "--dport", "--tcp-flags", "--match-set", "-f"]),
            st.sampled_from(sorted({option for table in MATCH_OPTIONS.values() for option in table})),
            st.text(alphabet="-abc", min_size=2, max_size=6),
        ),
        max_size=14,
    )
)
def test_any_words_raise_only_parse_error(words: list[str]) -> None:
    with contextlib.suppress(ParseError):
        parse_rule_words(words)
