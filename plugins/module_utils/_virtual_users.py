# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Virtual users: FTP accounts that are not accounts of the host (private module).

One set of rules for every daemon: the shape of ``<daemon>_virtual_users`` and
``<daemon>_virtual_users_root``, which names and homes may be used, what a password hash must look
like, who owns the homes, and the lines of the password files the daemons read (vsftpd through
``pam_pwdfile``, Pure-FTPd through PureDB, ProFTPd through ``AuthUserFile``). The planners
(:mod:`._server_plan`) check the inputs with :func:`check_users`, the module
``hardened.ftp.ftp_virtual_users`` writes the files with :func:`pwdfile_line`, :func:`puredb_line`
and :func:`authuserfile_line`, and the audit classifies what it finds with
:func:`hash_kind`. A hash is never part of a message, of the plan or of a result.
"""

from __future__ import annotations

import re
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils import _inputs as inp
from ansible_collections.hardened.ftp.plugins.module_utils._inputs import Errors, InputError

DEFAULT_ROOT = "/srv/ftp-virtual"
# The account that owns every home and that sessions with write rights run as, and the account
# read-only sessions run as (it may read the homes through the group, and write nowhere). Both
# have no shell and no password; their uid is a regular one (Pure-FTPd refuses uids below MinUID).
OWNER = "ftpvirtual"
READER = "ftpvirtual-ro"
GROUP = "ftpvirtual"
# The first uid useradd gives a regular account (UID_MIN of Debian's /etc/login.defs).
UID_MIN = 1000
# Names a virtual user may never take: the daemons treat the first two as anonymous logins, the
# others are the accounts the roles create.
RESERVED_NAMES = ("anonymous", "ftp", OWNER, READER, "root")
KEYS = ("name", "password_hash", "home", "write", "max_rate", "quota_mb")
MAX_USERS = 10000
MAX_QUOTA_MB = 1024 * 1024 * 16  # 16 TiB
HOME_WRITE_MODE = "0700"
HOME_READ_MODE = "0750"
ROOT_MODE = "0711"

_B64 = "[./0-9A-Za-z]"
# The crypt(3) schemes the roles accept: yescrypt (Debian's default), SHA-512-crypt, SHA-256-crypt.
ACCEPTED_SCHEMES = {
    "yescrypt": re.compile(rf"^\$y\${_B64}+\${_B64}{{0,86}}\${_B64}{{43}}$"),
    "sha512crypt": re.compile(rf"^\$6\$(?:rounds=[0-9]{{1,9}}\$)?{_B64}{{0,16}}\${_B64}{{86}}$"),
    "sha256crypt": re.compile(rf"^\$5\$(?:rounds=[0-9]{{1,9}}\$)?{_B64}{{0,16}}\${_B64}{{43}}$"),
}
# Strong schemes other tools write (pure-pw, htpasswd): the audit accepts them, the roles do not write them.
OTHER_STRONG = {
    "gost-yescrypt": re.compile(rf"^\$gy\${_B64}+\${_B64}{{0,86}}\${_B64}{{43}}$"),
    "scrypt": re.compile(rf"^\$7\${_B64}+\${_B64}{{43}}$"),
    "bcrypt": re.compile(rf"^\$2[aby]\$[0-9]{{2}}\${_B64}{{53}}$"),
    "argon2": re.compile(r"^\$argon2(?:id|i|d)\$v=[0-9]+\$m=[0-9]+,t=[0-9]+,p=[0-9]+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$"),
}
WEAK = {
    "md5crypt": re.compile(rf"^\$1\$.{{0,8}}\${_B64}{{22}}$"),
    "descrypt": re.compile(rf"^{_B64}{{13}}$"),
}
HASH_HELP = (
    "give a crypt(3) hash ($y$, $6$ or $5$), e.g. made with mkpasswd -m yescrypt or "
    "\"{{ 'the password' | password_hash('sha512') }}\", and keep it in Ansible Vault (see docs/virtual-users.md)"
)


def hash_kind(value: t.Any) -> str:
    """The scheme of a password file's hash field: an accepted or other strong scheme, ``weak``-ish, or ``plain``.

    ``plain`` means the value is no hash at all (a password typed where a hash belongs), or empty.
    """
    if not isinstance(value, str) or not value:
        return "plain"
    for table in (ACCEPTED_SCHEMES, OTHER_STRONG, WEAK):
        for name, pattern in table.items():
            if pattern.match(value):
                return name
    if value.startswith(("!", "*")):
        return "locked"
    return "plain"


def password_hash(value: t.Any, variable: str) -> str:
    """A crypt(3) hash of an accepted scheme; the message never shows the value."""
    if isinstance(value, bool) or not isinstance(value, str) or not value:
        raise InputError(variable, "must be a crypt(3) hash (got no text)", HASH_HELP)
    inp.text(value, variable, secret=True, max_length=512, what="password hash")
    kind = hash_kind(value)
    if kind in ACCEPTED_SCHEMES:
        return value
    if kind in WEAK:
        problem = f"is a {kind} hash, which is too weak to keep (the value is not shown)"
    elif kind in OTHER_STRONG:
        problem = f"is a {kind} hash, which pam_pwdfile and Pure-FTPd on every supported Debian cannot all check"
    else:
        problem = "is not a crypt(3) hash: it looks like a plain password (the value is not shown)"
    raise InputError(variable, problem, HASH_HELP)


def root_directory(value: t.Any, variable: str, anon_root: str | None) -> str:
    """``<daemon>_virtual_users_root``: a data directory of its own, apart from the anonymous area."""
    root = inp.data_directory(value, variable)
    if anon_root and (_inside(root, anon_root) or _inside(anon_root, root)):
        raise InputError(
            variable,
            f"{root} and the anonymous area {anon_root} hold one another, so anonymous sessions would reach "
            "virtual users' files (or the reverse)",
            f"give the virtual users a directory of their own, e.g. {DEFAULT_ROOT}",
        )
    return root


def _inside(path: str, tree: str) -> bool:
    return path == tree or path.startswith(tree.rstrip("/") + "/")


class VirtualUser(t.NamedTuple):
    """One checked virtual user, without its hash (that stays in :attr:`Checked.hashes`)."""

    name: str
    home: str
    write: bool
    max_rate: int
    quota_mb: int | None

    @property
    def account(self) -> str:
        """The account the user's sessions run as."""
        return OWNER if self.write else READER

    def as_plan(self) -> dict[str, t.Any]:
        return {
            "name": self.name,
            "home": self.home,
            "write": self.write,
            "max_rate": self.max_rate,
            "quota_mb": self.quota_mb,
            "account": self.account,
            "group": GROUP,
        }


class Checked(t.NamedTuple):
    users: list[VirtualUser]
    hashes: dict[str, str]


def check_users(
    value: t.Any,
    variable: str,
    root: str | None,
    errors: Errors,
    *,
    anon_root: str | None = None,
    local_users: t.Collection[str] = (),
    quota: bool = True,
    quota_fix: str = "",
) -> Checked:
    """Every entry of ``<daemon>_virtual_users``; problems go to ``errors`` naming ``variable[i].key``."""
    users: list[VirtualUser] = []
    hashes: dict[str, str] = {}
    if value in (None, ""):
        return Checked(users, hashes)
    if not isinstance(value, (list, tuple)):
        errors.add(variable, f"must be a list of users (got {type(value).__name__})", "e.g. [{name: ..., ...}]")
        return Checked(users, hashes)
    if len(value) > MAX_USERS:
        errors.add(variable, f"has {len(value)} users, more than {MAX_USERS}", "split the server")
        return Checked(users, hashes)
    seen: dict[str, int] = {}
    homes: dict[str, str] = {}
    for index, entry in enumerate(value):
        at = f"{variable}[{index}]"
        if not isinstance(entry, t.Mapping):
            errors.add(at, f"must be a mapping (got {type(entry).__name__})", "give name, password_hash and the rest")
            continue
        unknown = sorted(str(key) for key in entry if key not in KEYS)
        if unknown:
            errors.add(
                at,
                f"has keys the role does not know: {', '.join(inp.shown(key) for key in unknown)}",
                f"use only {', '.join(KEYS)}",
            )
        user = _check_one(entry, at, root, errors, anon_root, local_users, quota, quota_fix)
        if user is None:
            continue
        if user.name in seen:
            errors.add(
                f"{at}.name",
                f"{user.name} is already the name of {variable}[{seen[user.name]}]",
                "list each virtual user once",
            )
            continue
        seen[user.name] = index
        clash = next((name for name, home in homes.items() if _inside(user.home, home) or _inside(home, user.home)), "")
        if clash:
            errors.add(
                f"{at}.home",
                f"{user.home} is, holds or is inside {clash}'s home {homes[clash]}, so one user could reach the "
                "other's files",
                f"give each user a home of their own, e.g. {root}/{user.name}",
            )
            continue
        homes[user.name] = user.home
        users.append(user)
        hashes[user.name] = t.cast(str, entry.get("password_hash"))
    return Checked(users, hashes)


def _check_one(
    entry: t.Mapping[str, t.Any],
    at: str,
    root: str | None,
    errors: Errors,
    anon_root: str | None,
    local_users: t.Collection[str],
    quota: bool,
    quota_fix: str,
) -> VirtualUser | None:
    before = len(errors.items)
    name = errors.check(user_name, entry.get("name"), f"{at}.name", local_users)
    errors.check(password_hash, entry.get("password_hash"), f"{at}.password_hash")
    home = None
    if root:
        raw_home = entry.get("home")
        if raw_home in (None, "") and name:
            home = f"{root}/{name}"
        elif raw_home not in (None, ""):
            home = errors.check(user_home, raw_home, f"{at}.home", root, anon_root)
    write = errors.check(inp.flag, entry.get("write", False), f"{at}.write")
    rate = entry.get("max_rate")
    max_rate = (
        0 if rate in (None, "") else errors.check(inp.count, rate, f"{at}.max_rate", what="rate in bytes per second")
    )
    quota_mb = None
    if entry.get("quota_mb") not in (None, ""):
        if not quota:
            errors.add(f"{at}.quota_mb", "is set, but this daemon cannot enforce a quota", quota_fix)
        else:
            quota_mb = errors.check(
                inp.count, entry.get("quota_mb"), f"{at}.quota_mb", low=1, high=MAX_QUOTA_MB, what="size in MB"
            )
    if len(errors.items) > before or not name or not home:
        return None
    return VirtualUser(name, home, bool(write), int(max_rate or 0), quota_mb)


def user_name(value: t.Any, variable: str, local_users: t.Collection[str] = ()) -> str:
    """A virtual user's login name: a strict user name, never a reserved one nor an allowed local user."""
    name = inp.user_name(value, variable)
    if name in RESERVED_NAMES:
        why = "an anonymous login" if name in ("anonymous", "ftp") else "an account the role creates"
        raise InputError(variable, f"{name} is reserved ({why})", "choose another name")
    if name in local_users:
        raise InputError(
            variable,
            f"{name} is also in the allowed local users, and one login name can be only one of them",
            "rename the virtual user, or remove the local user from the allow-list",
        )
    return name


def user_home(value: t.Any, variable: str, root: str, anon_root: str | None = None) -> str:
    """A virtual user's home: a directory of its own inside ``<daemon>_virtual_users_root``."""
    home = inp.absolute_path(value, variable, not_under=inp.SYSTEM_TREES)
    if anon_root and _inside(home, anon_root):
        raise InputError(
            variable,
            f"{home} is inside the anonymous area {anon_root}",
            f"keep virtual users' homes inside {root}",
        )
    if not home.startswith(root.rstrip("/") + "/"):
        raise InputError(variable, f"{home} is not inside {root}", f"put it under {root}/ (or leave it out)")
    return home


# ------------------------------------------------------------------ what the host says


def host_problems(
    users: t.Sequence[VirtualUser],
    variable: str,
    host_users: t.Mapping[str, t.Mapping[str, t.Any]],
    paths: t.Mapping[str, t.Mapping[str, t.Any]],
    min_uid: int | None = None,
    min_uid_variable: str = "",
) -> list[InputError]:
    """Names that are accounts of the host, homes that are not directories, owners that cannot serve."""
    problems = []
    for index, user in enumerate(users):
        if (host_users.get(user.name) or {}).get("exists"):
            problems.append(
                InputError(
                    f"{variable}[{index}].name",
                    f"{user.name} is an account of the host (getent passwd {user.name}), and a virtual user must "
                    "not be one",
                    "rename the virtual user (or remove the host's account)",
                )
            )
        home = paths.get(user.home) or {}
        if home.get("exists") and (home.get("islnk") or not home.get("isdir")):
            problems.append(
                InputError(
                    f"{variable}[{index}].home",
                    f"{user.home} exists on the host and is not a directory",
                    "give a path that is free or a directory",
                )
            )
    for account in (OWNER, READER):
        info = host_users.get(account) or {}
        if not info.get("exists"):
            if users and min_uid and min_uid > UID_MIN:
                # useradd would give it a uid from UID_MIN, which the daemon would refuse.
                problems.append(
                    InputError(
                        min_uid_variable,
                        f"is {min_uid}, and the account {account} the role would create for virtual users gets a "
                        f"uid from {UID_MIN}, which the daemon would refuse",
                        f"create {account} first with a uid of at least {min_uid} (useradd -u UID -g {GROUP} -M "
                        f"-s /usr/sbin/nologin {account}, after groupadd {GROUP}), or lower {min_uid_variable}",
                    )
                )
            continue
        if info.get("uid") == 0:
            problems.append(InputError(variable, f"the host's account {account} has uid 0", f"remove {account}"))
        elif min_uid and int(info.get("uid") or 0) < min_uid:
            problems.append(
                InputError(
                    min_uid_variable,
                    f"the account {account} that virtual users' sessions run as has uid {info.get('uid')}, "
                    f"below {min_uid}, so the daemon would refuse every virtual user",
                    f"lower {min_uid_variable}, or give {account} a uid of at least {min_uid}",
                )
            )
    return problems


# ------------------------------------------------------------------ the plan


def accounts(root: str) -> list[dict[str, t.Any]]:
    """The accounts the role creates for virtual users: no shell, no password, home the root."""
    return [
        {"name": OWNER, "group": GROUP, "home": root, "system": False},
        {"name": READER, "group": GROUP, "home": root, "system": False},
    ]


def directories(root: str, users: t.Sequence[VirtualUser]) -> list[dict[str, t.Any]]:
    """The root (root's, enter only) and each home, owned by the owner account, never root's."""
    found = [{"path": root, "owner": "root", "group": "root", "mode": ROOT_MODE}]
    for user in users:
        # Read-only users' sessions run as READER, which reads through the group and writes nowhere.
        mode = HOME_WRITE_MODE if user.write else HOME_READ_MODE
        found.append({"path": user.home, "owner": OWNER, "group": GROUP, "mode": mode})
    return found


# ------------------------------------------------------------------ the files the daemons read


def _field(value: str, what: str) -> str:
    if ":" in value or "\n" in value or "\r" in value:
        raise ValueError(f"{what} holds ':' or a line break")
    return value


def pwdfile_line(name: str, hashed: str) -> str:
    """A line of the password file pam_pwdfile reads (``name:hash``)."""
    return f"{_field(name, 'a name')}:{_field(hashed, 'a hash')}"


def authuserfile_line(name: str, hashed: str, uid: int, gid: int, home: str) -> str:
    """A line of ProFTPd's ``AuthUserFile`` (passwd(5)): the home is the user's chroot (``DefaultRoot ~``)."""
    fields = [_field(name, "a name"), _field(hashed, "a hash"), str(int(uid)), str(int(gid)), ""]
    return ":".join([*fields, _field(home.rstrip("/"), "a home"), "/usr/sbin/nologin"])


def puredb_line(
    name: str, hashed: str, uid: int, gid: int, home: str, max_rate: int = 0, quota_mb: int | None = None
) -> str:
    """A line of Pure-FTPd's passwd file (as ``pure-pw`` writes it): chrooted home, rates, size quota."""
    rate = str(max_rate) if max_rate else ""
    size = str(quota_mb * 1024 * 1024) if quota_mb else ""
    fields = [
        _field(name, "a name"),
        _field(hashed, "a hash"),
        str(int(uid)),
        str(int(gid)),
        "",
        # The trailing "/./" makes Pure-FTPd chroot the user into the home.
        _field(home.rstrip("/"), "a home") + "/./",
        rate,  # upload bandwidth, bytes per second
        rate,  # download bandwidth
        "",
        "",
        "",
        "",  # number of files quota
        size,  # size quota in bytes
        "",
        "",
        "",
        "",
        "",
    ]
    return ":".join(fields)


def parse_pwdfile(text: str) -> dict[str, str]:
    """``{name: hash}`` of a pam_pwdfile password file (the audit and the module read it)."""
    found = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#") or ":" not in line:
            continue
        name, _sep, rest = line.partition(":")
        found[name] = rest.split(":", 1)[0]
    return found


def parse_puredb(text: str) -> dict[str, dict[str, t.Any]]:
    """``{name: {"hash", "uid", "gid", "home", "chrooted"}}`` of a Pure-FTPd passwd file."""
    found = {}
    for line in text.splitlines():
        fields = line.split(":")
        if len(fields) < 6 or not fields[0] or line.lstrip().startswith("#"):
            continue
        home, chroot, _below = fields[5].partition("/./")
        # Pure-FTPd chroots the user where "/./" stands in the home (pure-pw -d), else not (-D).
        found[fields[0]] = {
            "hash": fields[1],
            "uid": fields[2],
            "gid": fields[3],
            "home": home,
            "chrooted": bool(chroot),
        }
    return found


def parse_authuserfile(text: str) -> dict[str, dict[str, t.Any]]:
    """``{name: {"hash", "uid", "gid", "home"}}`` of a ProFTPd ``AuthUserFile`` (passwd(5) lines)."""
    found = {}
    for line in text.splitlines():
        fields = line.split(":")
        if len(fields) < 7 or not fields[0] or line.lstrip().startswith("#"):
            continue
        found[fields[0]] = {"hash": fields[1], "uid": fields[2], "gid": fields[3], "home": fields[5]}
    return found
