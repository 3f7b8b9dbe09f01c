# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a run of ``playbooks/site.yml`` left on a host, read in one pass (private module).

``hardened.ftp.last_good_run`` records this state at the end of a good run and compares it at the
start of the next one. Everything here reads; nothing writes. Commands are run through a callable
``run(argv) -> (rc, stdout)`` so the unit tests can give canned output.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._x509_dates import not_after_of_file

Runner = t.Callable[[t.List[str]], t.Tuple[int, str]]

FORMAT = 1

# How each backend's live rules are read. ufw is iptables underneath: its chains are in iptables-save.
FIREWALL_COMMANDS = {
    "iptables": [["iptables-save"], ["ip6tables-save"]],
    "ufw": [["iptables-save"], ["ip6tables-save"]],
    "nftables": [["nft", "list", "ruleset"]],
    # firewalld (nftables backend) loads its whole configuration, runtime included, as nft tables.
    "firewalld": [["nft", "list", "ruleset"]],
    "none": [],
}  # type: t.Dict[str, t.List[t.List[str]]]

# Counters and timers change with traffic, not with configuration.
_VOLATILE = [
    (re.compile(r"\s\[\d+:\d+\]"), ""),  # iptables-save chain counters
    (re.compile(r"counter packets \d+ bytes \d+"), "counter"),  # nft counters
    (re.compile(r"\s(used \d+ \w+|expires \S+)"), ""),  # nft quotas and set element timers
]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(65536), b""):
            digest.update(block)
    return digest.hexdigest()


def describe(path: str, walk: bool, skip: t.Collection[str] = ()) -> dict[str, str]:
    """Type, mode, owner and content digest of ``path`` (and, with ``walk``, of everything under it)."""
    found = {}  # type: t.Dict[str, str]
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return {path: "missing"}
    meta = f"{stat.S_IMODE(st.st_mode):04o} {st.st_uid}:{st.st_gid}"
    if stat.S_ISLNK(st.st_mode):
        found[path] = f"link -> {os.readlink(path)}"
    elif stat.S_ISDIR(st.st_mode):
        found[path] = f"directory {meta}"
        if walk:
            for name in sorted(os.listdir(path)):
                child = os.path.join(path, name)
                if child not in skip:
                    found.update(describe(child, walk, skip))
    elif stat.S_ISREG(st.st_mode):
        found[path] = f"file {meta} sha256:{_file_digest(path)}"
    else:
        found[path] = f"special {meta}"
    return found


def services(units: t.Sequence[str], run: Runner) -> dict[str, str]:
    """``load/active/enabled`` state of each unit, from one ``systemctl show``."""
    if not units:
        return {}
    rc, out = run(["systemctl", "show", "--property=Id,LoadState,ActiveState,UnitFileState", "--", *units])
    if rc != 0:
        return {unit: "unknown" for unit in units}
    blocks = out.strip().split("\n\n")
    states = {}
    for unit, block in zip(units, blocks):
        props = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
        states[unit] = "/".join(props.get(key, "") or "-" for key in ("LoadState", "ActiveState", "UnitFileState"))
    return states


def listening_ports(proc: str = "/proc/net") -> set[int]:
    """TCP ports with a socket in LISTEN, IPv4 and IPv6."""
    ports = set()
    for name in ("tcp", "tcp6"):
        try:
            with open(os.path.join(proc, name), encoding="ascii") as handle:
                lines = handle.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 3 and fields[3] == "0A":
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def normalise_rules(text: str) -> str:
    """A ruleset listing without comments, counters and timers."""
    lines = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        for pattern, repl in _VOLATILE:
            line = pattern.sub(repl, line)
        lines.append(line.rstrip())
    return "\n".join(lines)


def firewall_digest(backend: str, run: Runner) -> str:
    """Digest of the live rules of ``backend`` (``none`` when there is nothing to read)."""
    parts = []
    for argv in FIREWALL_COMMANDS[backend]:
        rc, out = run(argv)
        parts.append(f"{' '.join(argv)} rc={rc}\n{normalise_rules(out) if rc == 0 else ''}")
    return _sha256("\n".join(parts).encode()) if parts else "none"


def packages_digest(status: str = "/var/lib/dpkg/status") -> str:
    """Digest of every installed package's name, architecture and version."""
    try:
        with open(status, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return "unreadable"
    installed = []
    for paragraph in text.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in paragraph.splitlines() if ": " in line and not line.startswith(" ")
        )
        if fields.get("Status", "").endswith(" installed"):
            installed.append(f"{fields.get('Package')}:{fields.get('Architecture')}={fields.get('Version')}")
    return _sha256("\n".join(sorted(installed)).encode())


def ssh_connection(proc: str = "/proc") -> list[str]:
    """The four words of ``SSH_CONNECTION`` of the session this process runs in ([] when none): client
    address, client port, server address, server port.

    ``sudo`` drops ``SSH_CONNECTION`` from the environment, so the parents' environments are read too."""
    pid = "self"
    for _depth in range(16):
        try:
            with open(os.path.join(proc, pid, "environ"), "rb") as handle:
                env = dict(item.split(b"=", 1) for item in handle.read().split(b"\0") if b"=" in item)
            with open(os.path.join(proc, pid, "stat"), encoding="ascii", errors="replace") as handle:
                ppid = handle.read().rsplit(")", 1)[1].split()[1]
        except (OSError, IndexError, ValueError):
            return []
        words = env.get(b"SSH_CONNECTION", b"").decode(errors="replace").split()
        if len(words) == 4:
            return words
        if ppid in ("0", "1", pid):
            return []
        pid = ppid
    return []


def ssh_endpoint(proc: str = "/proc") -> str:
    """``client-address server-port`` of the SSH session this process runs in ('' when none)."""
    words = ssh_connection(proc)
    return f"{words[0]} {words[3]}" if words else ""


def not_after(certificates: t.Sequence[str]) -> int | None:
    """The earliest expiry (seconds since the epoch) of the PEM certificates; None when there are none."""
    ends = []
    for path in certificates:
        end = not_after_of_file(path)
        if end is None:
            return 0  # unreadable now: the next run must not take the fast path
        ends.append(end)
    return min(ends) if ends else None


def read_state(spec: dict[str, t.Any], run: Runner, skip: t.Collection[str] = ()) -> dict[str, t.Any]:
    """Everything ``spec`` names, as the host has it now."""
    files = {}  # type: t.Dict[str, str]
    for path in spec.get("paths", []):
        files.update(describe(path, walk=True, skip=skip))
    for path in spec.get("stat_only", []):
        files.update(describe(path, walk=False))
    listening = listening_ports()
    backend = spec.get("firewall", "none")
    return {
        "files": files,
        "services": {
            **services(spec.get("services", []), run),
            # Units that only load something at boot (netfilter-persistent, nftables): whether they are
            # installed and enabled matters, not whether they ran since the last boot.
            **{
                unit: "/".join(part for index, part in enumerate(state.split("/")) if index != 1)
                for unit, state in services(spec.get("boot_services", []), run).items()
            },
        },
        "ports": {str(port): port in listening for port in spec.get("ports", [])},
        "firewall": firewall_digest(backend, run),
        "ssh": ssh_endpoint() if backend != "none" else "",
        "packages": packages_digest(),
        "os": _file_digest("/etc/os-release") if os.path.exists("/etc/os-release") else "",
    }


_LABELS = {
    "services": "service",
    "ports": "port",
    "firewall": "the live firewall rules",
    "ssh": "the SSH client address or port Ansible came through",
    "packages": "the installed packages",
    "os": "/etc/os-release (the release)",
}


def differences(recorded: dict[str, t.Any], live: dict[str, t.Any], limit: int = 10) -> list[str]:
    """Readable reasons why ``live`` is not ``recorded`` (at most ``limit``, then a count)."""
    reasons = []
    for key in ("files", "services", "ports"):
        old, new = recorded.get(key, {}), live.get(key, {})
        for name in sorted(set(old) | set(new)):
            if old.get(name) != new.get(name):
                what = name if key == "files" else f"{_LABELS[key]} {name}"
                reasons.append(f"{what}: was {old.get(name, 'not there')}, now {new.get(name, 'not there')}")
    for key in ("firewall", "ssh", "packages", "os"):
        if recorded.get(key) != live.get(key):
            reasons.append(f"{_LABELS[key]} changed")
    if len(reasons) > limit:
        reasons = [*reasons[:limit], f"and {len(reasons) - limit} more differences"]
    return reasons
