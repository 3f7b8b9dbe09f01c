# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Property tests: parsers never crash on arbitrary text, renderers round-trip."""

from __future__ import annotations

import contextlib

from ansible_collections.hardened.ftp.plugins.module_utils._errors import ParseError
from ansible_collections.hardened.ftp.plugins.module_utils._iptables import (
    _tokenize_escaped,
    parse_iptables_save,
    parse_rule_words,
    tokenize,
)
from ansible_collections.hardened.ftp.plugins.module_utils._netfilter_model import Match, Rule
from ansible_collections.hardened.ftp.plugins.module_utils._nftables import parse_nft_json
from ansible_collections.hardened.ftp.plugins.module_utils._port_range import (
    PortRangeError,
    parse_port_range,
)
from ansible_collections.hardened.ftp.plugins.module_utils._pureftpd_conf import (
    PureFtpdConfigError,
    pureftpd_server_model,
)
from ansible_collections.hardened.ftp.plugins.module_utils._ufw import parse_ufw_status
from ansible_collections.hardened.ftp.plugins.module_utils._vsftpd_conf import (
    parse_vsftpd_conf,
    vsftpd_conf_problems,
    vsftpd_server_model,
)
from ansible_collections.hardened.ftp.tests.unit.plugins.module_utils.strategies import matches, ports
from hypothesis import example, given, settings
from hypothesis import strategies as st
from iptables_render import render_rule

LINES = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.sampled_from(
            ["*filter", "COMMIT", ":INPUT DROP [0:0]", "-A INPUT -p tcp --dport 21 -j ACCEPT", "-A X -j Y", "!"]
        ),
    ),
    max_size=12,
).map("\n".join)


@given(st.text())
def test_vsftpd_parser_never_crashes(text: str) -> None:
    parsed = parse_vsftpd_conf(text)
    vsftpd_conf_problems(text)
    vsftpd_server_model(parsed)


@given(LINES)
def test_iptables_parser_raises_only_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        parse_iptables_save(text)


@given(st.text())
def test_ufw_and_nft_raise_only_parse_error(text: str) -> None:
    for parser in (parse_ufw_status, parse_nft_json):
        with contextlib.suppress(ParseError):
            parser(text)


@given(
    st.dictionaries(
        st.sampled_from(["Bind", "PassivePortRange", "TLS", "NoAnonymous", "NATmode", "Junk"]), st.text(max_size=12)
    )
)
# Digits str.isdigit() accepts and int() does not (found by this test): the parsers use isdecimal().
@example({"TLS": "\u00b2"})
@example({"Bind": "127.0.0.1,\u00b9"})
@example({"PassivePortRange": "\u00b3 30000"})
def test_pureftpd_raises_only_its_error(settings_: dict) -> None:
    with contextlib.suppress(PureFtpdConfigError):
        pureftpd_server_model(settings_)


@given(matches(), st.sampled_from(["accept", "drop", "reject", "return", "jump", "goto"]))
@settings(max_examples=300)
def test_iptables_rule_render_parse_round_trip(match: Match, action: str) -> None:
    target = "hardened-ftp" if action in ("jump", "goto") else ""
    rule = Rule(match, action, target)
    line = render_rule("INPUT", rule)
    parsed = parse_rule_words(tokenize(line)[2:])
    assert parsed == rule, line


@given(ports, ports, st.sampled_from(["-", ":"]))
def test_port_range_round_trip(low: int, high: int, sep: str) -> None:
    low, high = min(low, high), max(low, high)
    written = str(low) if low == high else f"{low}{sep}{high}"
    assert parse_port_range(written) == (low, high)
    assert parse_port_range([low, high]) == (low, high)


@given(st.one_of(st.text(max_size=12), st.integers(), st.lists(st.integers(), max_size=3)))
def test_port_range_rejects_cleanly(value: object) -> None:
    try:
        low, high = parse_port_range(value)
    except PortRangeError:
        return
    assert 1 <= low <= high <= 65535


@given(st.text(alphabet=' \ta"b\u00a0', max_size=16))
def test_quote_splitting_fast_path_agrees_with_the_general_one(line: str) -> None:
    expected = actual = "unterminated"
    with contextlib.suppress(ParseError):
        expected = _tokenize_escaped(line)
    with contextlib.suppress(ParseError):
        actual = tokenize(line)
    assert actual == expected
