# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which processes listen on a TCP port, read from /proc (private module).

A bare host has no ``ss`` or ``netstat``: listening sockets come from ``/proc/net/tcp{,6}``, and
their owners from the ``socket:[inode]`` links under ``/proc/<pid>/fd``.
"""

from __future__ import annotations

import os
import typing as t

LISTEN_STATE = "0A"
PROC_NET = (("tcp", "ipv4"), ("tcp6", "ipv6"))


def hex_address(text: str, family: str) -> str:
    """An address of /proc/net/tcp*: 32-bit words in host (little-endian) order."""
    raw = bytes.fromhex(text)
    words = b"".join(raw[slice(index, index + 4)][::-1] for index in range(0, len(raw), 4))
    if family == "ipv4":
        return ".".join(str(byte) for byte in words)
    groups = [words[slice(index, index + 2)].hex() for index in range(0, 16, 2)]
    return ":".join(group.lstrip("0") or "0" for group in groups)


def parse_proc_net_tcp(text: str, family: str) -> list[dict[str, t.Any]]:
    """Listening sockets ``{"family", "address", "port", "inode"}`` of a ``/proc/net/tcp[6]`` text."""
    sockets = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10 or fields[3] != LISTEN_STATE or ":" not in fields[1]:
            continue
        address, _sep, port = fields[1].partition(":")
        try:
            sockets.append(
                {
                    "family": family,
                    "address": hex_address(address, family),
                    "port": int(port, 16),
                    "inode": int(fields[9]),
                }
            )
        except ValueError:
            continue
    return sockets


def listening_sockets(proc: str = "/proc") -> list[dict[str, t.Any]]:
    """Every listening TCP socket of the host's network namespace, IPv4 and IPv6."""
    found = []
    for name, family in PROC_NET:
        try:
            with open(os.path.join(proc, "net", name), encoding="ascii", errors="replace") as handle:
                found.extend(parse_proc_net_tcp(handle.read(), family))
        except OSError:
            continue
    return found


def socket_owners(inodes: t.Collection[int], proc: str = "/proc") -> list[tuple[int, str]]:
    """``(pid, command name)`` of each process holding one of the socket ``inodes``."""
    wanted = {f"socket:[{inode}]" for inode in inodes}
    owners = []
    if not wanted:
        return owners
    for pid in os.listdir(proc):
        if not pid.isdecimal():
            continue
        fd_dir = os.path.join(proc, pid, "fd")
        try:
            fds = os.listdir(fd_dir)
        except OSError:  # gone, or not ours to read
            continue
        if not wanted.intersection(_links(fd_dir, fds)):
            continue
        try:
            with open(os.path.join(proc, pid, "comm"), encoding="utf-8", errors="replace") as handle:
                owners.append((int(pid), handle.read().strip()))
        except OSError:
            continue
    return sorted(owners)


def _links(fd_dir: str, fds: t.Iterable[str]) -> set[str]:
    """Targets of a process's open file descriptors; one closed meanwhile is skipped."""
    found = set()
    for fd in fds:
        try:
            found.add(os.readlink(os.path.join(fd_dir, fd)))
        except OSError:
            continue
    return found


def port_holders(port: int, proc: str = "/proc") -> list[tuple[int, str]]:
    """``(pid, command name)`` of the processes listening on TCP ``port``."""
    inodes = [item["inode"] for item in listening_sockets(proc) if item["port"] == port]
    return socket_owners(inodes, proc)
