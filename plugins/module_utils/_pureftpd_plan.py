# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What hardened.ftp.pureftpd checks and writes: Pure-FTPd's own rules on top of the shared ones (private module).

Debian's ``pure-ftpd-wrapper`` builds Pure-FTPd's command line from one file per setting in
``/etc/pure-ftpd/conf``; the settings table (names, flags, kinds) is :data:`._pureftpd_conf.SETTINGS`.
Here: Pure-FTPd's own inputs, the settings the role writes, the value rules of
``pureftpd_extra_options``, the local users' homes (Pure-FTPd chroots a user into their home) and
the command line the wrapper must build from the settings.
"""

from __future__ import annotations

import re
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils import _inputs as inp
from ansible_collections.hardened.ftp.plugins.module_utils._inputs import InputError
from ansible_collections.hardened.ftp.plugins.module_utils._pureftpd_conf import AUTH_SETTINGS, SETTINGS
from ansible_collections.hardened.ftp.plugins.module_utils._server_plan import ServerPlanner

CONF_DIR = "/etc/pure-ftpd/conf"
AUTH_DIR = "/etc/pure-ftpd/auth"
WRAPPER = "/usr/sbin/pure-ftpd-wrapper"
# Debian's pure-ftpd is built to read its certificate and key from this one file.
TLS_PEM = "/etc/ssl/private/pure-ftpd.pem"
BANNER_FILE = "/etc/pure-ftpd/hardened-ftp-banner"
PAM_FILE = "/etc/pam.d/pure-ftpd"
ALLOW_FILE = "/etc/pure-ftpd/hardened-ftp-users.allow"
# The authentication back-ends the role selects, in the order Pure-FTPd asks them: PureDB (virtual
# users, when there are any), then PAM (Unix users, through the allow-list).
AUTH_LINK = "70pam"
PUREDB_LINK = "50puredb"
PUREDB_PASSWD = "/etc/pure-ftpd/pureftpd.passwd"
PUREDB_FILE = "/etc/pure-ftpd/pureftpd.pdb"
PURE_PW = "/usr/bin/pure-pw"
# Every setting settings() may write: pureftpd_extra_options may not set them (a unit test proves
# settings() writes nothing else).
MANAGED_SETTINGS = (
    "Bind",
    "IPV4Only",
    "IPV6Only",
    "NoAnonymous",
    "AnonymousOnly",
    "AntiWarez",
    "AnonymousCantUpload",
    "AnonymousCanCreateDirs",
    "AllowAnonymousFXP",
    "AllowUserFXP",
    "ChrootEveryone",
    "MinUID",
    "TLS",
    "NATmode",
    "MaxClientsNumber",
    "MaxClientsPerIP",
    "MaxIdleTime",
    "Umask",
    "AltLog",
    "VerboseLog",
    "SyslogFacility",
    "DontResolve",
    "ProhibitDotFilesRead",
    "ProhibitDotFilesWrite",
    "AllowDotFiles",
    "BrokenClientsCompatibility",
    "LimitRecursion",
    "TLSCipherSuite",
    "FortunesFile",
    "PassivePortRange",
    "ForcePassiveIP",
)
_FACILITY = re.compile(r"^[a-z0-9]{1,16}$")
_NUMBER_PAIR = re.compile(r"^\d+[ :]\d+$")


class PureFtpdPlanner(ServerPlanner):
    DAEMON = "pureftpd"
    TITLE = "Pure-FTPd"
    PREFIX = "pureftpd_"
    PACKAGES = ("pure-ftpd",)
    UNIT = "pure-ftpd"
    PROCESS = "pure-ftpd"
    # Pure-FTPd needs at least one session; 0 does not mean unlimited.
    MIN_CLIENTS = 1

    # ------------------------------------------------------------------ the inputs alone

    def check_own(self) -> None:
        i = self.inputs
        self.take("min_uid", inp.count, low=1, what="uid (1 or more, so root is always refused)")
        umask = self.take("umask", inp.umask)
        if umask and i.get("dropbox") and not (umask[1] in "67" and umask[2] in "67"):
            self.errors.add(
                self.var("umask"),
                f"{umask} leaves uploads readable or writable by group or others while the drop-box is on",
                "end it in 66 or 77 (e.g. '077') so uploads are mode 0600",
            )
        self.take("idle_timeout_minutes", inp.count, low=1, what="number of minutes")
        self.take("transfer_log", inp.log_file)
        self.take("transfer_log_format", inp.choice, ("xferlog", "clf", "stats", "w3c"))
        self.take("verbose_log", inp.flag)
        facility = self.take("syslog_facility", inp.text, allow_empty=False, what="syslog facility")
        if facility and not _FACILITY.match(facility):
            self.errors.add(self.var("syslog_facility"), f"{inp.shown(facility)} is not a syslog facility", "e.g. ftp")
        clients = i.get("max_clients")
        low, high = i.get("pasv_min_port"), i.get("pasv_max_port")
        if i.get("pasv_enable") and clients and low and high and low <= high:
            size = high - low + 1
            if clients > size // 2:
                self.errors.add(
                    self.var("max_clients"),
                    f"{clients} is more than half the passive range {low}-{high} ({size} ports): Pure-FTPd "
                    f"would admit only {size // 2} sessions",
                    f"lower {self.var('max_clients')} or widen the range to at least {clients * 2} ports "
                    f"({self.var('pasv_max_port')})",
                )

    def check_banner(self) -> None:
        banner = self.value("banner")
        result = self.errors.check(inp.lines, banner if banner is not None else "", self.var("banner"), max_length=512)
        self.inputs["banner"] = "\n".join(result or [])
        if result and any(line.strip() == "%" for line in result):
            self.errors.add(
                self.var("banner"),
                "has a line holding only '%', which Pure-FTPd reads as the end of the text",
                "reword that line",
            )

    def managed_options(self) -> t.Iterable[str]:
        return MANAGED_SETTINGS + tuple(AUTH_SETTINGS)

    def extra_option(self, name: str, value: t.Any, variable: str) -> t.Any:
        if name in AUTH_SETTINGS:
            raise InputError(variable, "selects an authentication back-end, which the role manages", "")
        if name not in SETTINGS:
            raise InputError(
                variable,
                "is not a setting Debian's pure-ftpd-wrapper knows",
                "check the spelling against pure-ftpd-wrapper(8)",
            )
        kind = SETTINGS[name][1]
        if kind == "flag":
            return inp.flag(value, variable)
        result = inp.text(value, variable, allow_empty=False)
        if kind == "pair" and not _NUMBER_PAIR.match(result.strip()):
            raise InputError(variable, f"{inp.shown(result)} is not two numbers", "write them as '10 20'")
        if any(char.isspace() for char in result.strip()) and kind != "pair":
            raise InputError(variable, f"{inp.shown(result)} holds white space, which the wrapper splits on", "")
        return result.strip()

    # ------------------------------------------------------------------ what the host says

    def check_local_user_daemon(self, name: str, user: t.Mapping[str, t.Any]) -> None:
        variable = self.var("local_users_allowed")
        i = self.inputs
        if i.get("min_uid") and user.get("uid", 0) < i["min_uid"]:
            self.errors.add(
                variable,
                f"{name} has uid {user.get('uid')}, below {self.var('min_uid')} ({i['min_uid']}), so Pure-FTPd "
                "would refuse it",
                f"lower {self.var('min_uid')} (at least 1) or remove {name} from the list",
            )
        home = user.get("home") or ""
        home_stat = user.get("home_stat") or {}
        if home in ("", "/") or not home_stat.get("isdir"):
            self.errors.add(
                variable,
                f"{name}'s home {home or '(none)'} is not a directory, and Pure-FTPd logs local users into their "
                "home (and chroots them there)",
                f"create it (mkhomedir_helper {name}), or remove {name} from the list",
            )

    # ------------------------------------------------------------------ the plan

    def system_users(self) -> list[dict[str, t.Any]]:
        # Pure-FTPd serves anonymous sessions as the system user ftp, chrooted to that user's home.
        # The user exists with anonymous logins off too: it owns earlier uploads in the drop-box.
        return [{"name": self.FTP_USER, "group": self.FTP_GROUP, "home": self.inputs["anon_root"]}]

    def snapshot_paths(self) -> list[str]:
        return [CONF_DIR]

    def virtual_min_uid(self) -> dict[str, t.Any]:
        return {"min_uid": self.inputs.get("min_uid"), "min_uid_variable": self.var("min_uid")}

    def virtual_database(self) -> dict[str, t.Any]:
        return {"format": "puredb", "path": PUREDB_PASSWD, "database": PUREDB_FILE, "pure_pw": PURE_PW, "packages": []}

    def auth_links(self) -> list[dict[str, str]]:
        """``{path, target}`` of /etc/pure-ftpd/auth: PureDB before PAM when there are virtual users."""
        links = [(PUREDB_LINK, "../conf/PureDB")] if self.virtual.users else []
        return [
            {"path": f"{AUTH_DIR}/{name}", "target": target}
            for name, target in [*links, (AUTH_LINK, "../conf/PAMAuthentication")]
        ]

    def auth_order(self) -> str:
        """The words of the wrapper's command line that select the back-ends, in order."""
        words = [f"-l puredb:{PUREDB_FILE}"] if self.virtual.users else []
        return " ".join([*words, "-l pam"])

    def watched_files(self) -> list[str]:
        return ["/etc/pure-ftpd", PAM_FILE] + ([TLS_PEM] if self.inputs["tls_enable"] else [])

    def settings(self) -> dict[str, t.Any]:
        """The files of /etc/pure-ftpd/conf the role writes: setting name to value."""
        i = self.inputs
        umask = i.get("umask") or "077"
        settings: dict[str, t.Any] = {
            "Bind": f"{i['listen_address']},{i['listen_port']}",
            "IPV4Only": not i["listen_ipv6"],
            "IPV6Only": False,
            "NoAnonymous": not i["anonymous_enable"],
            "AnonymousOnly": not (i["local_enable"] or self.virtual.users),
            # Anonymous uploads (owned by ftp) cannot be downloaded until an administrator chowns them.
            "AntiWarez": True,
            "AnonymousCantUpload": not i["dropbox"],
            "AnonymousCanCreateDirs": False,
            # No FXP: data connections only to and from the control connection's address.
            "AllowAnonymousFXP": False,
            "AllowUserFXP": False,
            "ChrootEveryone": bool(i["chroot_local_user"]),
            "MinUID": i.get("min_uid"),
            "PAMAuthentication": True,
            "UnixAuthentication": False,
            # 1: TLS offered; 3: every login and every data connection must use TLS.
            "TLS": (3 if i["tls_required"] else 1) if i["tls_enable"] else 0,
            "NATmode": not i["pasv_enable"],
            "MaxClientsNumber": i["max_clients"],
            "MaxClientsPerIP": i["max_per_ip"],
            "MaxIdleTime": i.get("idle_timeout_minutes"),
            # Files: never the execute bit (Pure-FTPd creates files 0777 & ~umask); directories as given.
            "Umask": f"{int(umask[0]) // 2 * 2 + 1}{umask[1:]} {umask}",
            "AltLog": f"{i.get('transfer_log_format')}:{i.get('transfer_log')}",
            "VerboseLog": bool(i.get("verbose_log")),
            "SyslogFacility": i.get("syslog_facility"),
            "DontResolve": True,
            "ProhibitDotFilesRead": True,
            "ProhibitDotFilesWrite": True,
            "AllowDotFiles": False,
            "BrokenClientsCompatibility": False,
            "LimitRecursion": "10000 8",
        }
        if self.virtual.users:
            settings["PureDB"] = PUREDB_FILE
        if i["tls_enable"]:
            settings["TLSCipherSuite"] = i["tls_ciphers"]
        if i["banner"]:
            settings["FortunesFile"] = BANNER_FILE
        if i["pasv_enable"]:
            settings["PassivePortRange"] = f"{i['pasv_min_port']} {i['pasv_max_port']}"
            if i["pasv_address"]:
                settings["ForcePassiveIP"] = i["pasv_address"]
        return settings

    def plan_own(self, fresh: bool) -> dict[str, t.Any]:
        i = self.inputs
        settings = {**self.settings(), **i["extra_options"]}
        return {
            "settings": settings,
            # The names the role owns in /etc/pure-ftpd/conf: it removes those it no longer wants.
            "owned": sorted(set(SETTINGS) | set(AUTH_SETTINGS)),
            "banner": i["banner"],
            "allow_list": list(i["local_users_allowed"]) if i["local_enable"] else [],
            "command_line": command_line(settings),
            "auth_links": self.auth_links(),
            "auth_order": self.auth_order(),
            "files": {
                "conf_dir": CONF_DIR,
                "auth_dir": AUTH_DIR,
                "auth_link": AUTH_LINK,
                "wrapper": WRAPPER,
                "tls_pem": TLS_PEM,
                "banner": BANNER_FILE,
                "pam": PAM_FILE,
                "allow": ALLOW_FILE,
            },
        }


def command_line(settings: t.Mapping[str, t.Any]) -> dict[str, list[str]]:
    """What ``pure-ftpd-wrapper --show-options`` must print for ``settings``: words present and absent."""
    present: list[str] = []
    absent: list[str] = []
    for name, value in sorted(settings.items()):
        flag = SETTINGS.get(name, ("", ""))[0]
        if not flag:
            continue
        if isinstance(value, bool):
            (present if value else absent).append(flag)
        else:
            present.append(f"{flag} {re.sub(r'[ ]+', ':', str(value).strip())}")
    return {"present": present, "absent": absent}


def command_line_problems(shown: str, expected: t.Mapping[str, t.Sequence[str]]) -> list[str]:
    """The differences between the wrapper's command line and :func:`command_line`'s."""
    words = f" {shown.strip()} "
    problems = [f"missing {item!r}" for item in expected.get("present", []) if f" {item} " not in words]
    problems += [f"unwanted {item!r}" for item in expected.get("absent", []) if f" {item} " in words]
    return problems
