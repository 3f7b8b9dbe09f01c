# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Read what the roles' checks need from a host, with the Python standard library only (private module).

A bare host has systemd and python3 and little else (no ``ss``, ``ps``, ``openssl`` or ``getent``
binaries are assumed), so users, groups, files, host names, packages, the C library, the SSH
session and whether the kernel has IPv6 are read here from Python and ``/proc``; only
``systemctl`` is run, for unit states.
"""

from __future__ import annotations

import grp
import importlib.machinery
import os
import pwd
import socket
import stat as stat_module
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._host_state import ssh_connection

Runner = t.Callable[[t.List[str]], t.Tuple[int, str]]
MAX_READ = 1 << 20
DPKG_STATUS = "/var/lib/dpkg/status"
IF_INET6 = "/proc/net/if_inet6"


def path_info(path: str) -> dict[str, t.Any]:
    """``exists``, kind, owner, group and mode of ``path`` (the link itself, not its target)."""
    try:
        st = os.lstat(path)
    except OSError:
        return {"exists": False}
    try:
        group = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        group = str(st.st_gid)
    return {
        "exists": True,
        "isdir": stat_module.S_ISDIR(st.st_mode),
        "isreg": stat_module.S_ISREG(st.st_mode),
        "islnk": stat_module.S_ISLNK(st.st_mode),
        "uid": st.st_uid,
        "gid": st.st_gid,
        "group": group,
        "mode": stat_module.S_IMODE(st.st_mode),
    }


def user_info(name: str) -> dict[str, t.Any]:
    """The account ``name`` as NSS resolves it (files, LDAP...), with its groups and its home."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return {"exists": False}
    try:
        groups = sorted(set(os.getgrouplist(name, entry.pw_gid)))
    except OSError:
        groups = [entry.pw_gid]
    return {
        "exists": True,
        "uid": entry.pw_uid,
        "gid": entry.pw_gid,
        "groups": groups,
        "home": entry.pw_dir,
        "shell": entry.pw_shell,
        "home_stat": path_info(entry.pw_dir) if entry.pw_dir else {"exists": False},
    }


def group_info(name: str) -> dict[str, t.Any]:
    try:
        return {"exists": True, "gid": grp.getgrnam(name).gr_gid}
    except KeyError:
        return {"exists": False}


def resolve_ipv4(name: str) -> list[str]:
    """The IPv4 addresses ``name`` resolves to on this host ([] when it does not)."""
    try:
        found = socket.getaddrinfo(name, None, socket.AF_INET, socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return sorted({item[4][0] for item in found})


def installed_packages(names: t.Collection[str], status: str = DPKG_STATUS) -> dict[str, str]:
    """Version of each of ``names`` that dpkg has installed ('' when it is not installed)."""
    found = {name: "" for name in names}
    try:
        with open(status, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return found
    for paragraph in text.split("\n\n"):
        fields = {}
        for line in paragraph.splitlines():
            if ": " in line and not line.startswith(" "):
                key, value = line.split(": ", 1)
                fields[key] = value
        name = fields.get("Package")
        if name in found and fields.get("Status", "").endswith(" installed"):
            found[name] = fields.get("Version", "")
    return found


def word_list(path: str) -> list[str] | None:
    """The non-comment lines of a file like /etc/shells (None when it does not exist)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return [line.strip() for line in handle if line.strip() and not line.lstrip().startswith("#")]
    except OSError:
        return None


def os_release(path: str = "/etc/os-release") -> dict[str, str]:
    found = {}
    for line in word_list(path) or []:
        key, sep, value = line.partition("=")
        if sep:
            found[key.lower()] = value.strip().strip('"')
    return {
        "id": found.get("id", ""),
        "version_id": found.get("version_id", ""),
        "codename": found.get("version_codename", ""),
    }


def glibc() -> str:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError):
        return ""


def unit_states(units: t.Sequence[str], run: Runner) -> dict[str, dict[str, str]]:
    """``load``, ``active`` and ``file_state`` of each systemd unit, from one ``systemctl show``."""
    if not units:
        return {}
    rc, out = run(["systemctl", "show", "--property=Id,LoadState,ActiveState,UnitFileState", "--", *units])
    if rc != 0:
        return {}
    states = {}
    for unit, block in zip(units, out.strip().split("\n\n")):
        props = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
        states[unit] = {
            "load": props.get("LoadState", ""),
            "active": props.get("ActiveState", ""),
            "file_state": props.get("UnitFileState", ""),
        }
    return states


def read_small(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_READ + 1)
    except OSError:
        return None
    if len(data) > MAX_READ:
        return None
    return data.decode("ascii", errors="replace")


def ssh_session() -> dict[str, t.Any]:
    """The client address, server address and server port of the SSH session Ansible runs in ({} when none)."""
    words = ssh_connection()
    if not words or not words[3].isdecimal():
        return {}
    return {"client": words[0], "port": int(words[3]), "server": words[2]}


def has_ipv6(path: str = IF_INET6) -> bool:
    """Whether the kernel has IPv6: ``/proc/net/if_inet6`` is missing when it is disabled at boot (ipv6.disable=1)."""
    return os.path.exists(path)


def has_python_apt() -> bool:
    """Whether ``apt_pkg`` is installed for this interpreter (M(ansible.builtin.apt) needs it in check mode).

    Only the interpreter's own path is searched: an import hook on ``sys.meta_path`` (Mitogen's, which
    offers the controller's modules to the host) would answer for a module the host does not have.
    """
    return importlib.machinery.PathFinder.find_spec("apt_pkg") is not None


def host_info(request: t.Mapping[str, t.Any], run: Runner) -> dict[str, t.Any]:
    """Everything ``request`` asks for, and what every check needs (os, libc, apt, shells, SSH)."""
    return {
        "euid": os.geteuid(),
        "os": os_release(),
        "glibc": glibc(),
        "python_apt": has_python_apt(),
        "shells": word_list("/etc/shells"),
        "ftpusers": word_list("/etc/ftpusers"),
        "users": {name: user_info(name) for name in request.get("users", [])},
        "groups": {name: group_info(name) for name in request.get("groups", [])},
        "paths": {path: path_info(path) for path in request.get("paths", [])},
        "resolved": {name: resolve_ipv4(name) for name in request.get("resolve", [])},
        "packages": installed_packages(request.get("packages", [])),
        "units": unit_states(list(request.get("units", [])), run),
        "ssh": ssh_session(),
        "ipv6": has_ipv6(),
        "files": {path: read_small(path) for path in request.get("read", [])},
    }
