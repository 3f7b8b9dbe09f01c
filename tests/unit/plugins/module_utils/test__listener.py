# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Who listens on a port, from /proc (no ss on a bare host)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from ansible_collections.hardened.ftp.plugins.module_utils import _listener as ls

TCP = """  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0015 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4711 1 0000 100 0 0 10 0
   1: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4712 1 0000 100 0 0 10 0
   2: 0A00000B:0015 0A000001:D431 01 00000000:00000000 00:00000000 00000000     0        0 4713 1 0000 100 0 0 10 0
"""
TCP6 = (
    "  sl  local_address                         remote_address                        st tx_queue rx_queue"
    " tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000000000000000000000000000:0015 00000000000000000000000000000000:0000 0A 00000000:00000000"
    " 00:00000000 00000000     0        0 4714 1 0000 100 0 0 10 0\n"
)


def fake_proc(root: Path) -> Path:
    (root / "net").mkdir(parents=True)
    (root / "net" / "tcp").write_text(TCP)
    (root / "net" / "tcp6").write_text(TCP6)
    for pid, comm, inode in (("812", "vsftpd", 4711), ("900", "nginx", 4712), ("901", "sshd", 9999)):
        fd = root / pid / "fd"
        fd.mkdir(parents=True)
        (root / pid / "comm").write_text(comm + "\n")
        os.symlink(f"socket:[{inode}]", fd / "3")
        os.symlink("/dev/null", fd / "0")
    (root / "self").mkdir()
    return root


def test_listening_sockets_of_both_families(tmp_path: Path) -> None:
    found = ls.listening_sockets(str(fake_proc(tmp_path)))
    assert {"family": "ipv4", "address": "0.0.0.0", "port": 21, "inode": 4711} in found
    assert {"family": "ipv4", "address": "127.0.0.1", "port": 631, "inode": 4712} in found
    assert {"family": "ipv6", "address": "0:0:0:0:0:0:0:0", "port": 21, "inode": 4714} in found
    # An established connection is not a listener.
    assert all(item["inode"] != 4713 for item in found)


def test_port_holders_name_the_process(tmp_path: Path) -> None:
    proc = str(fake_proc(tmp_path))
    assert ls.port_holders(21, proc) == [(812, "vsftpd")]
    assert ls.port_holders(631, proc) == [(900, "nginx")]
    assert ls.port_holders(2121, proc) == []


def test_the_live_host_sees_its_own_listener() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        holders = ls.port_holders(port)
    assert holders and holders[0][0] == os.getpid()
