# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Read what the baseline audit needs from the managed host (private module).

Only reads: ``/proc`` (processes, listening sockets), file metadata, the FTP user's
account and the allow-list.  The daemon configuration and the firewall are read by
``_collect`` (the consistency plugins), never parsed again here.  The result is the
*state* dict :func:`~._audit.evaluate` takes.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import stat as stat_module
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils import _virtual_users as vu
from ansible_collections.hardened.ftp.plugins.module_utils._collect import running_processes
from ansible_collections.hardened.ftp.plugins.module_utils._limits import MAX_PASSIVE_PORTS

LISTEN_STATE = "0A"
PROC_NET = (("/proc/net/tcp", "ipv4"), ("/proc/net/tcp6", "ipv6"))
PUREFTPD_DEFAULT_CERT = "/etc/ssl/private/pure-ftpd.pem"
# Where pure-pw keeps the source of a PureDB file by default (Debian), and Pure-FTPd's auth links.
PUREFTPD_PASSWD = "/etc/pure-ftpd/pureftpd.passwd"
PUREFTPD_AUTH_DIR = "/etc/pure-ftpd/auth"
PAM_DIR = "/etc/pam.d"
# An auth line of a PAM service that checks passwords against a file: pam_pwdfile or pam_userdb.
_PAM_DB = re.compile(r"^\s*auth\s+(?:\[[^\]]*\]|\S+)\s+(?:\S*/)?pam_(pwdfile|userdb)\.so\s.*?\b(pwdfile|db)=(\S+)")
MAX_TREE_ENTRIES = 2000
MAX_TREE_DEPTH = 4


def _hex_address(text: str, family: str) -> str:
    """An address of /proc/net/tcp*: 32-bit words in host (little-endian) order."""
    raw = bytes.fromhex(text)
    words = b"".join(raw[slice(index, index + 4)][::-1] for index in range(0, len(raw), 4))
    if family == "ipv4":
        return ".".join(str(byte) for byte in words)
    groups = [words[slice(index, index + 2)].hex() for index in range(0, 16, 2)]
    return ":".join(group.lstrip("0") or "0" for group in groups)


def parse_proc_net_tcp(text: str, family: str) -> list[dict[str, t.Any]]:
    """Listening TCP sockets ``{"family", "address", "port"}`` of a ``/proc/net/tcp[6]`` text."""
    sockets = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 4 or fields[3] != LISTEN_STATE or ":" not in fields[1]:
            continue
        address, _sep, port = fields[1].partition(":")
        try:
            sockets.append({"family": family, "address": _hex_address(address, family), "port": int(port, 16)})
        except ValueError:
            continue
    return sockets


def listening_sockets() -> list[dict[str, t.Any]]:
    found = []
    for path, family in PROC_NET:
        try:
            with open(path, encoding="ascii", errors="replace") as handle:
                found.extend(parse_proc_net_tcp(handle.read(), family))
        except OSError:
            continue
    return found


def stat_path(path: str | None) -> dict[str, t.Any] | None:
    """``{"path", "exists", "uid", "gid", "mode"}`` (symbolic links followed); ``None`` for no path."""
    if not path:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return {"path": path, "exists": False, "uid": None, "gid": None, "mode": None}
    return {
        "path": path,
        "exists": True,
        "uid": info.st_uid,
        "gid": info.st_gid,
        "owner": _user_name(info.st_uid),
        "group": _group_name(info.st_gid),
        "mode": stat_module.S_IMODE(info.st_mode),
    }


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def directory_tree(root: str | None) -> list[dict[str, t.Any]]:
    """Stats of the directories below ``root`` (not following links), bounded in size and depth."""
    found = []  # type: t.List[t.Dict[str, t.Any]]
    if not root or not os.path.isdir(root):
        return found
    base_depth = root.rstrip("/").count("/")
    for current, dirs, _files in os.walk(root):
        if current.rstrip("/").count("/") - base_depth >= MAX_TREE_DEPTH:
            dirs[:] = []
        for name in sorted(dirs):
            path = os.path.join(current, name)
            if os.path.islink(path):
                continue
            entry = stat_path(path)
            if entry:
                found.append(entry)
            if len(found) >= MAX_TREE_ENTRIES:
                return found
    return found


def ftp_user(name: str) -> dict[str, t.Any] | None:
    """The anonymous FTP account: uid, home and every group id it belongs to."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return None
    gids = {entry.pw_gid}
    for group in grp.getgrall():
        if name in group.gr_mem:
            gids.add(group.gr_gid)
    return {"name": name, "uid": entry.pw_uid, "home": entry.pw_dir, "gids": sorted(gids)}


def read_names(path: str | None) -> list[str] | None:
    """The names of a one-name-per-line list (comments skipped); ``None`` when unreadable."""
    if not path:
        return None
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def _key_values(text: str | None) -> dict[str, str]:
    """``name=value`` lines of a vsftpd per-user file."""
    found = {}
    for line in (text or "").splitlines():
        name, sep, value = line.strip().partition("=")
        if sep and not name.startswith("#"):
            found[name.strip()] = value.strip()
    return found


def pam_databases(pam_text: str | None) -> list[tuple[str, str]]:
    """``(module, path)`` of every pam_pwdfile / pam_userdb auth line of a PAM service file."""
    found = []
    for line in (pam_text or "").splitlines():
        match = _PAM_DB.match(line)
        if match:
            module, path = match.group(1), match.group(3)
            found.append((module, path + ".db" if module == "userdb" else path))
    return found


def _account_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def vsftpd_virtual_users(options: t.Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    """vsftpd's virtual users: the password files its PAM service reads, and each user's guest settings."""
    service = options.get("pam_service_name") or "vsftpd"
    databases = pam_databases(_read(os.path.join(PAM_DIR, os.path.basename(str(service)))))
    if not databases:
        return None
    users = []
    conf_dir = options.get("user_config_dir")
    for module, path in databases:
        if module != "pwdfile":
            continue  # pam_userdb's Berkeley DB is not read here; its file is still checked (HFTP-015)
        for name, hashed in vu.parse_pwdfile(_read(path) or "").items():
            own = _key_values(_read(os.path.join(conf_dir, name))) if conf_dir and "/" not in name else {}
            guest = own.get("guest_enable", "YES" if options.get("guest_enable") else "NO").upper() == "YES"
            local_privs = own.get("virtual_use_local_privs", "NO").upper() == "YES"
            chroot = guest and (not local_privs or bool(options.get("chroot_local_user")))
            users.append(
                {
                    "name": name,
                    "kind": vu.hash_kind(hashed),
                    "home": own.get("local_root") or options.get("local_root") or "",
                    "chrooted": chroot,
                    "account": _account_exists(name),
                }
            )
    return {"files": [stat_path(path) for _module, path in databases], "users": users}


def pureftpd_virtual_users(settings: t.Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    """Pure-FTPd's virtual users: PureDB (when an auth link selects it) and the passwd file it is built from."""
    database = str(settings.get("PureDB") or "").strip().splitlines()
    links = os.listdir(PUREFTPD_AUTH_DIR) if os.path.isdir(PUREFTPD_AUTH_DIR) else []
    if not database or not any(
        os.path.realpath(os.path.join(PUREFTPD_AUTH_DIR, link)).endswith("/PureDB") for link in links
    ):
        return None
    chroot_everyone = str(settings.get("ChrootEveryone") or "").strip().lower() in ("yes", "1", "on", "true")
    users = [
        {
            "name": name,
            "kind": vu.hash_kind(entry["hash"]),
            "home": entry["home"],
            "chrooted": bool(entry["chrooted"] or chroot_everyone),
            "account": _account_exists(name),
        }
        for name, entry in vu.parse_puredb(_read(PUREFTPD_PASSWD) or "").items()
    ]
    return {"files": [stat_path(database[-1].strip()), stat_path(PUREFTPD_PASSWD)], "users": users}


def proftpd_virtual_users(options: t.Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    """ProFTPd's virtual users: its AuthUserFile; a user is chrooted by ``DefaultRoot ~`` or a root holding the home."""
    directives = options.get("directives") or {}
    path = str(directives.get("AuthUserFile") or "").strip()
    if not path:
        return None
    chroot = str(directives.get("DefaultRoot") or "").split(" ", maxsplit=1)[0]
    users = []
    for name, entry in vu.parse_authuserfile(_read(path) or "").items():
        jail = entry["home"] if chroot == "~" else chroot.replace("%u", name).rstrip("/")
        users.append(
            {
                "name": name,
                "kind": vu.hash_kind(entry["hash"]),
                "home": entry["home"],
                "chrooted": bool(jail) and (entry["home"] + "/").startswith(jail + "/"),
                "account": _account_exists(name),
            }
        )
    return {"files": [stat_path(path)], "users": users}


VIRTUAL_READERS = {
    "vsftpd": vsftpd_virtual_users,
    "pureftpd": pureftpd_virtual_users,
    "proftpd": proftpd_virtual_users,
}


def daemon_running(daemon: str, processes: t.Sequence[tuple[str, list[str]]]) -> bool:
    for comm, _argv in processes:
        if (daemon in ("vsftpd", "proftpd") and comm == daemon) or (
            daemon == "pureftpd" and comm.startswith("pure-ftpd")
        ):
            return True
    return False


def pureftpd_key_path(settings: t.Mapping[str, t.Any]) -> str:
    """pure-ftpd's CertFile is ``cert[,key]``; the key is in the certificate file when not named."""
    value = str(settings.get("CertFile") or "").strip()
    if not value:
        return PUREFTPD_DEFAULT_CERT
    parts = [part.strip() for part in value.split(",") if part.strip()]
    return parts[-1]


def host_paths(server_info: t.Mapping[str, t.Any], user: t.Mapping[str, t.Any] | None) -> dict[str, t.Any]:
    """The files the controls look at, from the daemon configuration."""
    options = server_info["options"]
    home = user["home"] if user else None
    if server_info["daemon"] == "vsftpd":
        return {
            "config": server_info["config_path"],
            "userlist": options.get("userlist_file") if options.get("local_enable") else None,
            "tls_key": options.get("rsa_private_key_file") or options.get("rsa_cert_file"),
            "anon_root": options.get("anon_root") or home,
            "ftp_username": options.get("ftp_username") or "ftp",
        }
    if server_info["daemon"] == "proftpd":
        return proftpd_paths(server_info, home)
    return {
        "config": server_info["config_path"],
        "userlist": None,
        "tls_key": pureftpd_key_path(options),
        "anon_root": home,
        "ftp_username": "ftp",
    }


def proftpd_paths(server_info: t.Mapping[str, t.Any], home: str | None) -> dict[str, t.Any]:
    """ProFTPd's key (RSA, else EC), its first anonymous area (``~ftp`` is the ftp user's home) and its user."""
    options = server_info["options"]
    directives = options.get("directives") or {}
    areas = [area for area in options.get("anonymous") or [] if area.get("login")]
    root = areas[0]["root"] if areas else None
    if root and root.startswith("~"):
        root = home if root in ("~", "~ftp") else None
    key = directives.get("TLSRSACertificateKeyFile") or directives.get("TLSECCertificateKeyFile")
    return {
        "config": server_info["config_path"],
        # The allow-list is in proftpd.conf itself (<Limit LOGIN>); AuthUserFile holds hashes and is not read.
        "userlist": None,
        "tls_key": key or directives.get("TLSRSACertificateFile") or directives.get("TLSECCertificateFile"),
        "anon_root": root,
        "ftp_username": areas[0]["user"] if areas else "ftp",
    }


def audit_state(
    server_info: t.Mapping[str, t.Any] | None,
    error: str,
    firewall: t.Mapping[str, t.Any] | None,
    firewall_reason: str,
    settings: t.Mapping[str, t.Any],
) -> dict[str, t.Any]:
    """Everything :func:`~._audit.evaluate` needs. ``server_info`` is ``_collect.read_server``'s
    result (``None`` with ``error`` when no daemon could be read)."""
    state = {
        "daemon": None,
        "error": error,
        "firewall": firewall,
        "firewall_reason": firewall_reason,
        "max_passive_ports": settings.get("max_passive_ports", MAX_PASSIVE_PORTS),
        "passive_policy": settings.get("passive_policy", "auto"),
    }  # type: t.Dict[str, t.Any]
    if server_info is None:
        return state
    processes = running_processes()
    paths = host_paths(server_info, ftp_user("ftp"))
    user = ftp_user(paths["ftp_username"])
    anon_root = paths["anon_root"] if server_info["server"]["anonymous_enable"] else None
    state.update(
        daemon=server_info["daemon"],
        config_path=server_info["config_path"],
        options=dict(server_info["options"]),
        server=dict(server_info["server"]),
        running=daemon_running(server_info["daemon"], processes),
        listening=listening_sockets(),
        ftp_user=user,
        userlist=read_names(paths["userlist"]),
        anon_tree=directory_tree(anon_root) if server_info["server"]["anon_upload_enable"] else [],
        files={key: stat_path(paths[key]) for key in ("config", "userlist", "tls_key", "anon_root") if paths[key]},
        virtual=VIRTUAL_READERS[server_info["daemon"]](server_info["options"]),
    )
    if not anon_root:
        state["files"].pop("anon_root", None)
    return state
