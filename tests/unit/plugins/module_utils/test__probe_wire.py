# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The probe's client: strict reply parsing (greetings, FEAT, PASV, EPSV) under its limits."""

from __future__ import annotations

import socket

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils import _probe_wire as wire
from ansible_collections.hardened.ftp.plugins.module_utils._probe_wire import Reply


def _control(server_bytes: bytes, timeout: float = 1.0) -> wire.Control:
    """A Control reading ``server_bytes`` from one end of a socket pair (the server closes after them)."""
    ours, theirs = socket.socketpair()
    theirs.sendall(server_bytes)
    theirs.close()
    control = wire.Control(wire.Budget(30, 10, timeout), "192.0.2.1", 21)
    control.sock = ours
    return control


def test_single_line_greeting() -> None:
    reply = _control(b"220 Authorised users only\r\n").reply()
    assert reply == Reply(220, ["220 Authorised users only"])
    assert reply.ok


def test_multi_line_feat_ends_on_the_code_and_a_space() -> None:
    control = _control(b"211-Features:\r\n AUTH TLS\r\n EPSV\r\n211-not the end\r\n211 End\r\n220 next\r\n")
    feat = control.reply()
    assert feat.code == 211
    assert feat.lines == ["211-Features:", " AUTH TLS", " EPSV", "211-not the end", "211 End"]
    assert control.reply().code == 220


@pytest.mark.parametrize(
    "raw",
    [b"HTTP/1.1 400 Bad Request\r\n", b"SSH-2.0-OpenSSH_9.2\r\n", b"22\r\n", b"620 nope\r\n", b"220x\r\n"],
)
def test_what_is_not_an_ftp_reply_is_a_protocol_error(raw: bytes) -> None:
    with pytest.raises(wire.ProtocolError, match="not an FTP reply"):
        _control(raw).reply()


def test_an_endless_line_is_refused() -> None:
    with pytest.raises(wire.ProtocolError, match="longer than"):
        _control(b"220 " + b"x" * (wire.MAX_LINE + 10) + b"\r\n").reply()


def test_too_many_lines_are_refused() -> None:
    with pytest.raises(wire.ProtocolError, match="more than"):
        _control(b"211-start\r\n" + b" line\r\n" * (wire.MAX_LINES + 1) + b"211 End\r\n").reply()


def test_a_closed_connection_is_evidence() -> None:
    with pytest.raises(wire.ProbeError, match="closed the control connection after '220-half'"):
        _control(b"220-half").reply()


def test_control_characters_are_shown_escaped() -> None:
    reply = _control(b"220 evil\x1b[31m banner\r\n").reply()
    assert "\x1b" not in reply.text
    assert "\\x1b" in reply.text


def test_a_silent_server_times_out_within_the_timeout() -> None:
    ours, theirs = socket.socketpair()
    control = wire.Control(wire.Budget(30, 10, 0.2), "192.0.2.1", 21)
    control.sock = ours
    with pytest.raises(wire.ProbeError, match="no complete reply"):
        control.reply()
    theirs.close()


def test_a_command_is_one_line() -> None:
    with pytest.raises(ValueError, match="one line"):
        _control(b"").send("USER a\r\nDELE x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("227 Entering Passive Mode (192,0,2,10,117,48).", ("192.0.2.10", 30000)),
        ("227 Entering Passive Mode 192,0,2,10,117,49", ("192.0.2.10", 30001)),
        ("227 =10, 0, 0, 5, 4, 1", ("10.0.0.5", 1025)),
    ],
)
def test_pasv_replies(text: str, expected: tuple[str, int]) -> None:
    assert wire.parse_pasv(Reply(227, [text])) == expected


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        (Reply(425, ["425 Can't open data connection"]), "PASV was answered"),
        (Reply(227, ["227 Entering Passive Mode"]), "holds no"),
        (Reply(227, ["227 Entering Passive Mode (192,0,2,300,117,48)"]), "above 255"),
    ],
)
def test_bad_pasv_replies(reply: Reply, problem: str) -> None:
    with pytest.raises(wire.ProtocolError, match=problem):
        wire.parse_pasv(reply)


@pytest.mark.parametrize(
    ("text", "port"),
    [("229 Entering Extended Passive Mode (|||30005|)", 30005), ("229 ok (!!!1025!)", 1025)],
)
def test_epsv_replies(text: str, port: int) -> None:
    assert wire.parse_epsv(Reply(229, [text])) == port


@pytest.mark.parametrize(
    "reply",
    [
        Reply(229, ["229 Entering Extended Passive Mode (|||0|)"]),
        Reply(229, ["229 Entering Extended Passive Mode (|||70000|)"]),
        Reply(229, ["229 Entering Extended Passive Mode (||30005|)"]),
        Reply(229, ["229 Entering Extended Passive Mode (|!|30005|)"]),
        Reply(500, ["500 EPSV not understood"]),
    ],
)
def test_bad_epsv_replies(reply: Reply) -> None:
    with pytest.raises(wire.ProtocolError):
        wire.parse_epsv(reply)


def test_the_connection_budget_is_a_hard_limit() -> None:
    budget = wire.Budget(30, 10, 1)
    for _count in range(10):
        budget.spend()
    with pytest.raises(wire.BudgetExhausted, match="10 connections"):
        budget.spend()


def test_the_deadline_is_a_hard_limit() -> None:
    now = [0.0]
    budget = wire.Budget(10, 10, 5, clock=lambda: now[0])
    assert budget.wait() == 5
    now[0] = 8.0
    assert budget.wait() == pytest.approx(2.0)
    now[0] = 10.5
    with pytest.raises(wire.BudgetExhausted, match="time limit"):
        budget.wait()


def test_same_address_sees_through_ipv4_mapped_ipv6() -> None:
    assert wire.same_address("::ffff:192.0.2.1", "192.0.2.1")
    assert not wire.same_address("192.0.2.2", "192.0.2.1")


def test_knock_tells_refused_from_answered() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    open_port = listener.getsockname()[1]
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    try:
        results = wire.knock(wire.Budget(30, 10, 1), "127.0.0.1", [open_port, closed_port], 1)
    finally:
        listener.close()
    assert results == {open_port: "answered", closed_port: "refused"}


def test_version_names() -> None:
    assert wire.version_name("TLSv1") == "TLS 1.0"
    assert wire.version_name("TLSv1_3") == "TLS 1.3"
