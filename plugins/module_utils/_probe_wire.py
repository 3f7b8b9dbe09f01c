# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The probe's FTP client, written for servers that may misbehave (private module).

Everything here is bounded: each reply must arrive within the probe's timeout, is at most
:data:`MAX_LINES` lines of at most :data:`MAX_LINE` bytes, every read stops at the module's
deadline, data transfers stop after :data:`MAX_DATA` bytes, and every connection (made or
accepted) is counted against the module's limit by :class:`Budget`. Replies are parsed strictly:
a reply that is not ``ddd text`` is a :class:`ProtocolError`, never a guess. Standard library only
(``socket``, ``ssl``), so the module runs on any host with Python 3.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import select
import socket
import ssl
import time
import typing as t

MAX_LINE = 2048
MAX_LINES = 200
MAX_REPLY = 32768
MAX_DATA = 1 << 20
_PASV = re.compile(r"(\d{1,3}),\s*(\d{1,3}),\s*(\d{1,3}),\s*(\d{1,3}),\s*(\d{1,3}),\s*(\d{1,3})")
_EPSV = re.compile(r"\((.)\1\1(\d{1,5})\1\)")
# TLS versions the probe offers one at a time, as ssl names them.
TLS_VERSIONS = ("TLSv1", "TLSv1_1", "TLSv1_2", "TLSv1_3")


class ProbeError(Exception):
    """Something the server did or did not do that ends the current step; the text is evidence."""


class ProtocolError(ProbeError):
    """A reply that breaks the FTP protocol (garbage, too long, too many lines)."""


class ConnectFailed(ProbeError):
    """A TCP connection the probe tried was refused or not answered."""


class BudgetExhausted(ProbeError):
    """The module's time or connection limit is reached: no further traffic."""


class Budget:
    """The module's deadline and connection limit, shared by every step of one probe."""

    def __init__(self, time_limit: float, max_connections: int, timeout: float, clock=time.monotonic) -> None:  # type: ignore[no-untyped-def]
        self.clock = clock
        self.started = clock()
        self.deadline = self.started + time_limit
        self.time_limit = time_limit
        self.max_connections = max_connections
        self.timeout = timeout
        self.connections = 0

    def remaining(self) -> float:
        return self.deadline - self.clock()

    def elapsed(self) -> float:
        return self.clock() - self.started

    def wait(self, limit: float | None = None) -> float:
        """Seconds the next wait may last: the probe's timeout (or ``limit``), never past the deadline."""
        remaining = self.remaining()
        if remaining <= 0:
            raise BudgetExhausted(f"the probe's time limit of {self.time_limit:g} s is reached")
        return max(0.05, min(self.timeout if limit is None else limit, remaining))

    def spend(self) -> None:
        """Count one more connection, or refuse it."""
        if self.connections >= self.max_connections:
            raise BudgetExhausted(f"the probe's limit of {self.max_connections} connections is reached")
        self.wait()
        self.connections += 1

    def connect(self, address: str, port: int, limit: float | None = None) -> socket.socket:
        """A TCP connection to ``address``:``port``, counted; :class:`ProbeError` naming what happened."""
        self.spend()
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        wait = self.wait(limit)
        sock.settimeout(wait)
        try:
            sock.connect((address, port))
        except socket.timeout:
            sock.close()
            raise ConnectFailed(f"no answer from {_where(address, port)} within {wait:.0f} s") from None
        except OSError as exc:
            sock.close()
            raise ConnectFailed(f"{_where(address, port)}: {exc.strerror or exc}") from None
        return sock


def _where(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


class Reply(t.NamedTuple):
    code: int
    lines: list[str]

    @property
    def text(self) -> str:
        return " / ".join(self.lines)

    def shown(self, limit: int = 160) -> str:
        """The reply as evidence: its lines joined, cut at ``limit`` characters."""
        text = self.text
        return text if len(text) <= limit else text[: limit - 3] + "..."

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 400


def printable(raw: bytes) -> str:
    """Bytes from the server as text safe to show: non-printable characters escaped."""
    text = raw.decode("utf-8", "replace")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class Control:
    """One control connection: reads replies under the limits, sends commands, switches to TLS."""

    def __init__(self, budget: Budget, address: str, port: int) -> None:
        self.budget = budget
        self.address = address
        self.port = port
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.tls = False
        self.tls_version = ""
        self.protected = False
        self.context: ssl.SSLContext | None = None
        self.peer_der: bytes | None = None
        self.greeting: Reply | None = None

    # -- connection

    def connect(self) -> Reply:
        self.sock = self.budget.connect(self.address, self.port)
        self.greeting = self.reply()
        return self.greeting

    @property
    def peer(self) -> str:
        if self.sock is None:
            raise ProbeError("the control connection is closed")
        return str(self.sock.getpeername()[0])

    @property
    def local(self) -> str:
        if self.sock is None:
            raise ProbeError("the control connection is closed")
        return str(self.sock.getsockname()[0])

    @property
    def family(self) -> int:
        if self.sock is None:
            raise ProbeError("the control connection is closed")
        return int(self.sock.family)

    def close(self) -> None:
        if self.sock is None:
            return
        try:
            self.sock.settimeout(0.5)
            self.sock.sendall(b"QUIT\r\n")
        except OSError:
            pass
        with contextlib.suppress(OSError):
            self.sock.close()
        self.sock = None

    def __enter__(self) -> Control:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- replies

    def _readline(self, deadline: float) -> bytes:
        if self.sock is None:
            raise ProbeError("the control connection is closed")
        while b"\n" not in self.buffer:
            if len(self.buffer) > MAX_LINE:
                raise ProtocolError(f"the server sent a line longer than {MAX_LINE} bytes")
            remaining = min(deadline, self.budget.deadline) - self.budget.clock()
            if remaining <= 0:
                if self.budget.remaining() <= 0:
                    raise BudgetExhausted(f"the probe's time limit of {self.budget.time_limit:g} s is reached")
                raise ProbeError(f"no complete reply within {self.budget.timeout:g} s")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(4096)
            except socket.timeout:
                continue
            except (OSError, ssl.SSLError) as exc:
                raise ProbeError(f"the control connection failed: {exc}") from None
            if not chunk:
                after = f" after {printable(self.buffer)!r}" if self.buffer else ""
                raise ProbeError(f"the server closed the control connection{after}")
            self.buffer += chunk
        line, _newline, self.buffer = self.buffer.partition(b"\n")
        if len(line) > MAX_LINE:
            raise ProtocolError(f"the server sent a line longer than {MAX_LINE} bytes")
        return line.rstrip(b"\r")

    def reply(self) -> Reply:
        """The next reply: ``ddd text`` or a multi-line ``ddd-`` ... ``ddd text``."""
        deadline = self.budget.clock() + self.budget.wait()
        first = self._readline(deadline)
        code = first[:3]
        if len(first) < 3 or not code.isdigit() or code[:1] not in b"12345" or first[3:4] not in (b" ", b"-", b""):
            raise ProtocolError(f"the server sent {printable(first[:80])!r}, which is not an FTP reply")
        lines = [printable(first)]
        size = len(first)
        if first[3:4] == b"-":
            while True:
                line = self._readline(deadline)
                size += len(line)
                lines.append(printable(line))
                if len(lines) > MAX_LINES or size > MAX_REPLY:
                    raise ProtocolError(f"the server sent a reply of more than {MAX_LINES} lines or {MAX_REPLY} bytes")
                if line[:3] == code and line[3:4] == b" ":
                    break
        return Reply(int(code), lines)

    def command(self, text: str) -> Reply:
        """Send one command and read its reply (a ``1xx`` preliminary reply is returned as is)."""
        self.send(text)
        return self.reply()

    def send(self, text: str) -> None:
        if self.sock is None:
            raise ProbeError("the control connection is closed")
        if "\r" in text or "\n" in text:
            raise ValueError("an FTP command is one line")
        self.sock.settimeout(self.budget.wait())
        try:
            self.sock.sendall(text.encode("utf-8") + b"\r\n")
        except (OSError, ssl.SSLError) as exc:
            raise ProbeError(f"the control connection failed: {exc}") from None

    # -- TLS

    def start_tls(self, context: ssl.SSLContext, server_name: str) -> Reply:
        """``AUTH TLS`` and the handshake: the reply (234, or a refusal); :class:`TlsRefused` on a failed handshake."""
        reply = self.command("AUTH TLS")
        if reply.code != 234:
            return reply
        if self.buffer:
            raise ProtocolError("the server sent data after its AUTH TLS reply, before the handshake")
        if self.sock is None:
            raise ProbeError("the control connection is closed")
        self.sock.settimeout(self.budget.wait())
        try:
            wrapped = context.wrap_socket(self.sock, server_hostname=server_name if not _is_ip(server_name) else None)
        except (ssl.SSLError, OSError) as exc:
            self.sock = None
            raise TlsRefused(describe_tls_error(exc)) from None
        self.sock = wrapped
        self.context = context
        self.tls = True
        self.tls_version = str(wrapped.version() or "")
        self.peer_der = wrapped.getpeercert(binary_form=True)
        return reply

    def login(self, user: str, password: str) -> Reply:
        """``USER`` and, when asked for it, ``PASS``; the last reply."""
        reply = self.command(f"USER {user}")
        if reply.code == 331:
            reply = self.command(f"PASS {password}")
        return reply

    def protect(self) -> Reply:
        """``PBSZ 0`` and ``PROT P`` on a TLS session: data connections use TLS too."""
        reply = self.command("PBSZ 0")
        if reply.ok:
            reply = self.command("PROT P")
        self.protected = reply.ok
        return reply

    def session(self) -> ssl.SSLSession | None:
        return getattr(self.sock, "session", None) if self.tls else None


class TlsRefused(ProbeError):
    """The TLS handshake failed (the server refused the version or the ciphers, or closed)."""


LOCAL_TLS_REASONS = ("NO_PROTOCOLS_AVAILABLE", "NO_CIPHERS_AVAILABLE", "UNSUPPORTED_PROTOCOL")


def describe_tls_error(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    if reason:
        return str(reason)
    return str(exc) or type(exc).__name__


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def tls_context(version: str | None = None) -> ssl.SSLContext:
    """A client context that accepts any certificate (the check reads it itself).

    With ``version`` it offers exactly that version, with every cipher OpenSSL has (security
    level 0), so a server that should refuse TLS 1.0 is asked with everything TLS 1.0 can use."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if version:
        member = getattr(ssl.TLSVersion, version)
        context.minimum_version = member
        context.maximum_version = member
        if version in ("TLSv1", "TLSv1_1"):
            context.set_ciphers("ALL:@SECLEVEL=0")
    return context


def local_tls_support(version: str) -> str:
    """Why this host's OpenSSL cannot offer ``version`` ('' when it can)."""
    flag = {"TLSv1": "HAS_TLSv1", "TLSv1_1": "HAS_TLSv1_1", "TLSv1_2": "HAS_TLSv1_2", "TLSv1_3": "HAS_TLSv1_3"}[version]
    if not getattr(ssl, flag, False):
        return f"the probe host's OpenSSL ({ssl.OPENSSL_VERSION}) cannot offer {version_name(version)}"
    return ""


def version_name(version: str) -> str:
    """``TLS 1.0`` for ``TLSv1``, ``TLS 1.3`` for ``TLSv1_3``."""
    return "TLS 1.0" if version == "TLSv1" else version.replace("TLSv1_", "TLS 1.")


# ------------------------------------------------------------------ passive and active data


def parse_pasv(reply: Reply) -> tuple[str, int]:
    """``(address, port)`` of a ``227`` reply; :class:`ProtocolError` for anything else."""
    if reply.code != 227:
        raise ProtocolError(f"PASV was answered {reply.shown()!r}")
    found = _PASV.search(reply.text)
    if not found:
        raise ProtocolError(f"the 227 reply {reply.shown()!r} holds no h1,h2,h3,h4,p1,p2")
    numbers = [int(part) for part in found.groups()]
    if any(number > 255 for number in numbers):
        raise ProtocolError(f"the 227 reply {reply.shown()!r} holds a number above 255")
    return ".".join(str(n) for n in numbers[:4]), numbers[4] * 256 + numbers[5]


def parse_epsv(reply: Reply) -> int:
    """The port of a ``229`` reply (``(|||port|)``); :class:`ProtocolError` for anything else."""
    if reply.code != 229:
        raise ProtocolError(f"EPSV was answered {reply.shown()!r}")
    found = _EPSV.search(reply.text)
    if not found or not 0 < int(found.group(2)) <= 65535:
        raise ProtocolError(f"the 229 reply {reply.shown()!r} holds no (|||port|)")
    return int(found.group(2))


def read_all(sock: socket.socket, budget: Budget, limit: int = MAX_DATA) -> bytes:
    """What the data connection carries until the server closes it, at most ``limit`` bytes."""
    data = b""
    deadline = budget.clock() + budget.wait()
    while len(data) < limit:
        remaining = min(deadline, budget.deadline) - budget.clock()
        if remaining <= 0:
            raise ProbeError(f"the data connection did not end within {budget.timeout:g} s")
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(min(65536, limit - len(data)))
        except socket.timeout:
            continue
        except (OSError, ssl.SSLError) as exc:
            if isinstance(exc, ssl.SSLError) and "EOF" in str(exc).upper():
                break
            raise ProbeError(f"the data connection failed: {exc}") from None
        if not chunk:
            break
        data += chunk
    return data


def close_quietly(sock: socket.socket | None) -> None:
    if sock is None:
        return
    try:
        if isinstance(sock, ssl.SSLSocket):
            sock.settimeout(0.5)
            sock.unwrap()
    except (OSError, ssl.SSLError, ValueError):
        pass
    with contextlib.suppress(OSError):
        sock.close()


def wrap_data(control: Control, sock: socket.socket) -> socket.socket:
    """A data connection in TLS when the session protects data (``PROT P``), reusing the control's TLS session."""
    context = control.context or tls_context()
    sock.settimeout(control.budget.wait())
    try:
        return context.wrap_socket(sock, session=control.session())
    except (ssl.SSLError, OSError, ValueError) as exc:
        close_quietly(sock)
        raise ProbeError(f"the TLS handshake of the data connection failed: {describe_tls_error(exc)}") from None


def listen_active(control: Control) -> socket.socket:
    """A listening socket on the probe's side of the control connection, for the server to connect to."""
    family = socket.AF_INET6 if control.family == socket.AF_INET6 else socket.AF_INET
    server = socket.socket(family, socket.SOCK_STREAM)
    try:
        server.bind((control.local, 0))
        server.listen(1)
    except OSError as exc:
        server.close()
        raise ProbeError(f"cannot listen for the active-mode connection on {control.local}: {exc}") from None
    return server


def port_command(control: Control, server: socket.socket) -> str:
    """The ``PORT`` (IPv4) or ``EPRT`` (IPv6) command announcing ``server``'s address."""
    address, port = server.getsockname()[:2]
    if server.family == socket.AF_INET6:
        return f"EPRT |2|{address}|{port}|"
    return "PORT {},{},{}".format(address.replace(".", ","), port // 256, port % 256)


def accept_from(server: socket.socket, peer: str, budget: Budget) -> tuple[socket.socket, tuple[str, int]]:
    """The server's active-mode data connection, from ``peer`` only (others are closed); counted."""
    deadline = budget.clock() + budget.wait()
    while True:
        remaining = min(deadline, budget.deadline) - budget.clock()
        if remaining <= 0:
            raise ProbeError(f"the server did not connect back within {budget.timeout:g} s")
        readable, _w, _x = select.select([server], [], [], remaining)
        if not readable:
            continue
        conn, source = server.accept()
        if _same_address(source[0], peer):
            try:
                budget.spend()
            except BudgetExhausted:
                conn.close()
                raise
            return conn, (str(source[0]), int(source[1]))
        conn.close()


def _same_address(one: str, other: str) -> bool:
    try:
        first, second = ipaddress.ip_address(one.split("%")[0]), ipaddress.ip_address(other.split("%")[0])
    except ValueError:
        return one == other
    mapped = getattr(first, "ipv4_mapped", None)
    if mapped is not None:
        first = mapped
    mapped = getattr(second, "ipv4_mapped", None)
    if mapped is not None:
        second = mapped
    return first == second


def same_address(one: str, other: str) -> bool:
    return _same_address(one, other)


def knock(budget: Budget, address: str, ports: t.Sequence[int], limit: float) -> dict[int, str]:
    """Try a TCP connection to each port at once: ``answered``, ``refused`` or ``no answer`` per port."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    pending: dict[socket.socket, int] = {}
    results: dict[int, str] = {}
    try:
        for port in ports:
            budget.spend()
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setblocking(False)
            code = sock.connect_ex((address, port))
            if code == 0:
                results[port] = "answered"
                sock.close()
                continue
            pending[sock] = port
        deadline = budget.clock() + budget.wait(limit)
        while pending:
            remaining = min(deadline, budget.deadline) - budget.clock()
            if remaining <= 0:
                break
            _r, writable, _x = select.select([], list(pending), [], remaining)
            for sock in writable:
                port = pending.pop(sock)
                error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                results[port] = "answered" if error == 0 else "refused"
                sock.close()
        for sock, port in pending.items():
            results[port] = "no answer"
            sock.close()
        pending = {}
    finally:
        for sock in pending:
            sock.close()
    return results


def resolve(name: str, port: int) -> list[str]:
    """The addresses ``name`` has for the probe host, IPv4 first; [] when it does not resolve."""
    try:
        infos = socket.getaddrinfo(name, port, 0, socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    found: list[str] = []
    for info in sorted(infos, key=lambda item: 0 if item[0] == socket.AF_INET else 1):
        address = str(info[4][0])
        if address not in found:
            found.append(address)
    return found
