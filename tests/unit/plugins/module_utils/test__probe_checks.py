# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each check's verdict and evidence against a small scripted FTP server on 127.0.0.1.

The server (:class:`FakeFtp`) speaks plain FTP with real sockets: a greeting, FEAT, anonymous
login, PASV and EPSV with a real data listener, LIST, PORT/EPRT with a real connection back, and
refusals. Each test changes one behaviour and expects exactly that finding."""

from __future__ import annotations

import contextlib
import socket
import threading
import typing as t

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._probe_checks import CHECK_IDS, Probe, fixes


class FakeFtp:
    """A threaded, scripted FTP server: one thread per control connection, closed by :meth:`stop`."""

    def __init__(self, **behaviour: t.Any) -> None:
        self.greeting = behaviour.get("greeting", "220 Authorised users only")
        self.feat = behaviour.get("feat", ["211-Features:", " EPSV", " PASV", "211 End"])
        self.announce = behaviour.get("announce", "127.0.0.1")
        self.anonymous = behaviour.get("anonymous", True)
        self.active = behaviour.get("active", False)
        self.writable = behaviour.get("writable", False)
        self.auth_tls = behaviour.get("auth_tls", "500 AUTH not understood")
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(20)
        self.port = self.listener.getsockname()[1]
        self.commands: list[str] = []
        self.sockets: list[socket.socket] = [self.listener]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.close()

    def _serve(self) -> None:
        while True:
            try:
                conn, _peer = self.listener.accept()
            except OSError:
                return
            self.sockets.append(conn)
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        reader = conn.makefile("rb")
        data_listener: socket.socket | None = None
        active_to: tuple[str, int] | None = None
        logged_in = False

        def say(*lines: str) -> None:
            conn.sendall("".join(line + "\r\n" for line in lines).encode())

        try:
            say(self.greeting)
            for raw in reader:
                line = raw.decode().rstrip("\r\n")
                self.commands.append(line)
                verb, _sp, arg = line.partition(" ")
                verb = verb.upper()
                if verb == "QUIT":
                    say("221 Goodbye")
                    return
                if verb == "FEAT":
                    say(*self.feat)
                elif verb == "AUTH":
                    say(self.auth_tls)
                    if self.auth_tls.startswith("234"):
                        return
                elif verb == "USER":
                    if arg == "anonymous" and not self.anonymous:
                        say("530 This FTP server does not allow anonymous logins")
                    else:
                        say("331 Please specify the password")
                elif verb == "PASS":
                    logged_in = True
                    say("230 Login successful")
                elif not logged_in:
                    say("530 Please login with USER and PASS")
                elif verb in ("TYPE", "PBSZ", "PROT"):
                    say("200 OK")
                elif verb in ("PWD",):
                    say('257 "/" is the current directory')
                elif verb == "CWD":
                    say("250 OK")
                elif verb in ("PASV", "EPSV"):
                    data_listener = socket.socket()
                    data_listener.bind(("127.0.0.1", 0))
                    data_listener.listen(1)
                    self.sockets.append(data_listener)
                    port = data_listener.getsockname()[1]
                    if verb == "EPSV":
                        say(f"229 Entering Extended Passive Mode (|||{port}|)")
                    else:
                        numbers = self.announce.replace(".", ",")
                        say(f"227 Entering Passive Mode ({numbers},{port // 256},{port % 256}).")
                elif verb in ("PORT", "EPRT"):
                    if not self.active:
                        say("500 Illegal PORT command")
                        continue
                    if verb == "PORT":
                        parts = arg.split(",")
                        active_to = (".".join(parts[:4]), int(parts[4]) * 256 + int(parts[5]))
                    else:
                        fields = arg.split(arg[0])
                        active_to = (fields[2], int(fields[3]))
                    say("200 PORT command successful")
                elif verb in ("LIST", "NLST", "RETR"):
                    if data_listener is not None:
                        data_listener.settimeout(5)
                        try:
                            data, _peer = data_listener.accept()
                        except OSError:
                            say("425 Failed to establish connection")
                            continue
                        data_listener.close()
                        data_listener = None
                    elif active_to is not None:
                        data = socket.create_connection(active_to, timeout=5)
                        active_to = None
                    else:
                        say("425 Use PORT or PASV first")
                        continue
                    if verb == "RETR":
                        data.close()
                        say("550 Failed to open file")
                        continue
                    say("150 Here comes the directory listing")
                    data.sendall(b"-rw-r--r--    1 0        0            12 Jan 01 00:00 welcome.txt\r\n")
                    data.close()
                    say("226 Directory send OK")
                elif verb in ("STOR", "MKD", "APPE"):
                    if self.writable:
                        if data_listener is not None and verb != "MKD":
                            data_listener.settimeout(5)
                            data, _peer = data_listener.accept()
                            data_listener.close()
                            data_listener = None
                            say("150 Ok to send data")
                            data.settimeout(5)
                            while data.recv(4096):
                                pass
                            data.close()
                            say("226 Transfer complete")
                        else:
                            say('257 "created"' if verb == "MKD" else "226 Transfer complete")
                    else:
                        say("550 Permission denied")
                elif verb in ("DELE", "RMD"):
                    say("250 OK")
                else:
                    say("502 Command not implemented")
        except OSError:
            return
        finally:
            conn.close()


EXPECT = {
    "daemon": "vsftpd",
    "banner": "Authorised users only",
    "tls_enable": False,
    "tls_required": False,
    "anonymous_enable": True,
    "anon_upload_enable": False,
    "anon_upload_dir": "",
    "pasv_enable": True,
    "pasv_min_port": 1024,
    "pasv_max_port": 65535,
    "pasv_address": "",
    "active_enable": False,
}


@pytest.fixture
def probe() -> t.Iterator[t.Callable[..., dict[str, t.Any]]]:
    servers: list[FakeFtp] = []

    def run(behaviour: dict[str, t.Any] | None = None, **expect: t.Any) -> dict[str, t.Any]:
        server = FakeFtp(**(behaviour or {}))
        servers.append(server)
        result = Probe(
            "127.0.0.1", server.port, {**EXPECT, **expect}, sessions=2, timeout=2, time_limit=30, outside_ports=0
        ).run()
        result["by_id"] = {finding["id"]: finding for finding in result["checks"]}
        result["server"] = server
        return result

    yield run
    for server in servers:
        server.stop()


def _statuses(result: dict[str, t.Any]) -> dict[str, str]:
    return {finding["id"]: finding["status"] for finding in result["checks"]}


def test_a_server_as_the_inventory_says_passes_every_check_it_can_make(probe) -> None:  # type: ignore[no-untyped-def]
    result = probe()
    statuses = _statuses(result)
    assert list(statuses) == list(CHECK_IDS)
    failing = {check: result["by_id"][check]["evidence"] for check, s in statuses.items() if s in ("fail", "error")}
    assert failing == {}
    made = ("greeting", "anonymous_login", "anonymous_read_only", "passive_address", "passive_ports", "passive_data")
    for check_id in (*made, "active_mode"):
        assert statuses[check_id] == "pass", (check_id, result["by_id"][check_id])
    assert result["passed"] is True
    assert result["passive"], "every PASV/EPSV reply is returned"
    assert all(entry.get("in_range") for entry in result["passive"] if "port" in entry)
    assert result["connections"] <= 60
    assert all(f["remediation"] == "" for f in result["checks"] if f["status"] == "pass")


def test_a_wrong_passive_address_is_that_finding_only(probe) -> None:  # type: ignore[no-untyped-def]
    result = probe({"announce": "10.9.9.9"})
    statuses = _statuses(result)
    assert statuses["passive_address"] == "fail"
    evidence = " ".join(result["by_id"]["passive_address"]["evidence"])
    assert "10.9.9.9" in evidence
    assert "vsftpd_pasv_address" in result["by_id"]["passive_address"]["remediation"]
    assert [c for c, s in statuses.items() if s == "fail"] == ["passive_address"]


def test_the_expected_nat_address_passes(probe) -> None:  # type: ignore[no-untyped-def]
    result = probe({"announce": "127.0.0.2"}, pasv_address="127.0.0.2")
    assert _statuses(result)["passive_address"] == "pass"


def test_a_passive_port_outside_the_range_fails_and_is_not_connected(probe) -> None:  # type: ignore[no-untyped-def]
    result = probe(pasv_min_port=1024, pasv_max_port=1025)
    assert _statuses(result)["passive_ports"] == "fail"
    assert all("connect" not in entry for entry in result["passive"]), "the probe connected outside the range"
    assert "vsftpd_pasv_min_port" in result["by_id"]["passive_ports"]["remediation"]


def test_a_version_in_the_greeting_fails(probe) -> None:  # type: ignore[no-untyped-def]
    result = probe({"greeting": "220 (vsFTPd 3.0.3)"})
    assert _statuses(result)["greeting"] == "fail"
    assert "vsFTPd 3.0.3" in " ".join(result["by_id"]["greeting"]["evidence"])


def test_feat_without_auth_tls_fails_when_tls_is_expected(probe) -> None:  # type: ignore[no-untyped-def]
    result = probe(tls_enable=True)
    assert _statuses(result)["feat_auth_tls"] == "fail"
    assert _statuses(result)["tls_accepted"] in ("fail", "error")


FEAT_WITH_TLS = ["211-Extensions supported:", " EPSV", " PASV", " AUTH TLS", " PBSZ", " PROT", "211 End."]


def test_auth_tls_listed_but_refused_is_tls_off(probe) -> None:  # type: ignore[no-untyped-def]
    # Pure-FTPd with TLS 0 lists AUTH TLS in FEAT (it was built with TLS) and refuses the command.
    result = probe({"feat": FEAT_WITH_TLS, "auth_tls": "500 This security scheme is not implemented"})
    assert _statuses(result)["feat_auth_tls"] == "pass", result["by_id"]["feat_auth_tls"]
    assert "AUTH TLS is refused" in " ".join(result["by_id"]["feat_auth_tls"]["evidence"])
    assert "AUTH TLS" in result["server"].commands
    assert result["passed"] is True


def test_auth_tls_accepted_when_tls_is_off_in_the_inventory_fails(probe) -> None:  # type: ignore[no-untyped-def]
    result = probe({"feat": FEAT_WITH_TLS, "auth_tls": "234 AUTH TLS OK."})
    assert _statuses(result)["feat_auth_tls"] == "fail"
    assert "AUTH TLS was accepted" in " ".join(result["by_id"]["feat_auth_tls"]["evidence"])


def test_anonymous_refused_against_the_inventory(probe) -> None:  # type: ignore[no-untyped-def]
    result = probe({"anonymous": False})
    assert _statuses(result)["anonymous_login"] == "fail"
    assert "vsftpd_anonymous_enable" in result["by_id"]["anonymous_login"]["remediation"]


def test_anonymous_allowed_against_the_inventory(probe) -> None:  # type: ignore[no-untyped-def]
    result = probe(anonymous_enable=False)
    assert _statuses(result)["anonymous_login"] == "fail"


def test_anonymous_write_outside_the_dropbox_fails(probe) -> None:  # type: ignore[no-untyped-def]
    result = probe({"writable": True})
    assert _statuses(result)["anonymous_read_only"] == "fail"


def test_active_mode_refused_while_the_inventory_enables_it(probe) -> None:  # type: ignore[no-untyped-def]
    result = probe(active_enable=True)
    assert _statuses(result)["active_mode"] == "fail"


def test_active_mode_that_works_while_disabled_fails(probe) -> None:  # type: ignore[no-untyped-def]
    result = probe({"active": True})
    assert _statuses(result)["active_mode"] == "fail"


def test_active_mode_enabled_and_working_passes(probe) -> None:  # type: ignore[no-untyped-def]
    result = probe({"active": True}, active_enable=True)
    assert _statuses(result)["active_mode"] == "pass"


def test_no_server_is_an_error_not_a_pass(probe) -> None:  # type: ignore[no-untyped-def]
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    result = Probe("127.0.0.1", port, EXPECT, timeout=1, time_limit=10).run()
    statuses = _statuses(result)
    assert statuses["greeting"] == "fail"
    assert all(status == "error" for check_id, status in statuses.items() if check_id != "greeting")
    assert result["passed"] is False


def test_an_unresolvable_name_is_an_error_naming_the_variable() -> None:
    result = Probe("no-such-host.invalid", 21, EXPECT, timeout=1, time_limit=10).run()
    greeting = result["checks"][0]
    assert greeting["status"] == "error"
    assert "hardened_ftp_probe_address" in greeting["remediation"]
    assert result["connections"] == 0


def test_fixes_name_the_daemons_variables() -> None:
    assert "pureftpd_" in fixes("pureftpd")["passive_address"]
    assert set(fixes("vsftpd")) == set(CHECK_IDS)
