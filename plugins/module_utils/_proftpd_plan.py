# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What hardened.ftp.proftpd checks and writes: ProFTPd's own rules on top of the shared ones (private module).

The shared rules are in :class:`._server_plan.ServerPlanner`; the directive table and the writer of
proftpd.conf are in :mod:`._proftpd_conf`. Here: ProFTPd's own inputs and quirks, the value rules of
``proftpd_extra_options``, the virtual users, and proftpd.conf as a tree of directives and contexts
(:meth:`ProftpdPlanner.config`), which the role's template prints line by line.

ProFTPd's quirks the rules below keep the role from walking into, each seen on Debian 11, 12 and 13:

* it never offers the last port of ``PassivePorts``, and when every other port of the range is taken
  it lets the kernel pick one outside it: the range needs two ports, and more usable ports than sessions;
* it sends active-mode data from port 20 only when the session keeps root's powers (``RootRevoke off``),
  so active mode is off by default, and ``RootRevoke`` is on;
* it requires TLS (``TLSRequired``) before it knows who logs in: per-user exceptions
  (``TLSOptions AllowPerUser``) let the password cross in clear text first, so anonymous sessions use
  TLS whenever logins must;
* it asks PAM first for every password, and PAM refuses the users of ``AuthUserFile``: virtual users and
  local users (through PAM) cannot share a server;
* it expands ``%`` variables (``%u``, ``%{env:...}``) in its configuration and in the greeting, and has
  no way to quote ``"`` or ``\\``.
"""

from __future__ import annotations

import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils import _inputs as inp
from ansible_collections.hardened.ftp.plugins.module_utils._inputs import InputError
from ansible_collections.hardened.ftp.plugins.module_utils._proftpd_conf import KNOWN, render_lines, unquotable
from ansible_collections.hardened.ftp.plugins.module_utils._server_plan import USER_TOKEN, ServerPlanner, local_root

CONF_PATH = "/etc/proftpd/proftpd.conf"
PASSWD_PATH = "/etc/proftpd/hardened-ftp.passwd"
MODULE_PATH = "/usr/lib/proftpd"
# Debian's postinst copies this into the home of the ftp user it creates (the anonymous area).
WELCOME_TEMPLATE = "/usr/share/proftpd/templates/welcome.msg"
PID_FILE = "/run/proftpd.pid"
# Modules compiled in on Debian 11 and 12 and loadable on Debian 13; mod_delay blunts login timing attacks.
LOADABLE = ("mod_xfer", "mod_ls", "mod_delay")
# Every directive config() may write outside the contexts: proftpd_extra_options may not set them (a unit
# test proves config() writes nothing else).
_MANAGED = """
    ServerType DefaultServer ServerName ServerIdent DeferWelcome UseIPv6 DefaultAddress
    SocketBindTight Port User Group PidFile UseReverseDNS WtmpLog RootRevoke ModulePath LoadModule
    AuthPAM AuthPAMConfig AuthOrder AuthUserFile RootLogin RequireValidShell UseFtpUsers
    MaxLoginAttempts TimeoutLogin DefaultRoot DefaultChdir Umask AllowOverwrite TLSEngine
    TLSProtocol TLSCipherSuite TLSServerCipherPreference TLSRSACertificateFile
    TLSRSACertificateKeyFile TLSVerifyClient TLSRenegotiate TLSOptions TLSRequired PassivePorts
    MasqueradeAddress AllowForeignAddress MaxInstances MaxConnectionsPerHost TimeoutIdle
    TimeoutStalled TransferLog SystemLog TransferRate
"""
MANAGED_DIRECTIVES = tuple(_MANAGED.split())
# Directives that would undo what the role promises, or that belong inside a <Limit>: refused in
# proftpd_extra_options whatever their value.
_WEAKENING = {
    "reads a file the role does not check": "Include",
    "loads code the role does not choose": "LoadFile",
    "changes which modules run": "ModuleOrder",
    "lets modules be loaded at run time": "ModuleControlsACLs",
    "allows FTP bounce (data connections to and from other hosts)": "AllowForeignAddress",
    "stops refusing the accounts of /etc/ftpusers": "UseFtpUsers",
    "lets accounts without a password log in": "AllowEmptyPasswords",
    "logs one name in as another account": "UserAlias",
    "changes which names may log in": "AuthAliasOnly AuthUsingAlias",
    "gives an account a second password": "UserPassword",
    "creates homes as root at login": "CreateHome",
    "opens ProFTPd's administration socket": "ControlsEngine ControlsACLs ControlsSocketACL",
    "turns off the capability limits of every session": "CapabilitiesEngine",
    "changes the capabilities of every session": "CapabilitiesSet CapabilitiesRootRevoke",
    "stops the standalone daemon systemd runs": "ServerType",
    "changes which parts of the configuration apply": "Define",
    "changes the daemon's environment": "SetEnv UnsetEnv",
    "logs internals (passwords included)": "DebugLevel Trace TraceLog TraceOptions",
    "belongs inside a <Limit>, which extra options cannot write": (
        "Allow AllowAll AllowClass AllowGroup AllowUser Deny DenyAll DenyClass DenyGroup DenyUser Order Satisfy"
    ),
}
WEAKENING = {name: reason for reason, names in _WEAKENING.items() for name in names.split()}

Item = t.Dict[str, t.Any]


def directive(name: str, *args: t.Any) -> Item:
    return {"directive": name, "args": [str(arg) for arg in args]}


def section(name: str, args: t.Sequence[t.Any], items: t.Sequence[Item]) -> Item:
    return {"section": name, "args": [str(arg) for arg in args], "items": list(items)}


def comment(text: str) -> Item:
    return {"comment": text}


def deny(*commands: str) -> Item:
    return section("Limit", commands, [directive("DenyAll")])


def on(value: t.Any) -> str:
    return "on" if value else "off"


def no_variables(value: str, variable: str, what: str = "value") -> str:
    """A word proftpd.conf takes literally: one it can quote (:func:`unquotable`), without ``%`` (a variable)."""
    problem = unquotable(value)
    if problem:
        raise InputError(variable, f"{inp.shown(value)} {problem}", f"write the {what} without it")
    if "%" in value:
        raise InputError(
            variable,
            f"{inp.shown(value)} holds '%', which ProFTPd reads as the start of a variable (%u, %{{env:...}})",
            f"write the {what} without '%'",
        )
    return value


class ProftpdPlanner(ServerPlanner):
    DAEMON = "proftpd"
    TITLE = "ProFTPd"
    PREFIX = "proftpd_"
    # mod_tls is in proftpd-mod-crypto on Debian 11, 12 and 13.
    PACKAGES = ("proftpd-core", "proftpd-mod-crypto")
    UNIT = "proftpd"
    PROCESS = "proftpd"
    # MaxInstances needs one session at least; 0 does not mean unlimited.
    MIN_CLIENTS = 1

    # ------------------------------------------------------------------ the inputs alone

    # ProFTPd's quotas need mod_quotatab and its tally tables, which the role does not set up.
    VIRTUAL_QUOTA = False
    VIRTUAL_QUOTA_FIX = (
        "remove quota_mb: ProFTPd enforces quotas only with mod_quotatab and its tally tables, which the role does "
        "not set up (a file system quota on the virtual users' root is the alternative)"
    )

    def check_banner(self) -> None:
        banner = self.take("banner", inp.text, max_length=512, what="greeting")
        if banner:
            self.errors.check(no_variables, banner, self.var("banner"), "greeting")

    def check_own(self) -> None:
        i = self.inputs
        i["local_root"] = ""
        if self.value("local_root") not in (None, ""):
            self.take("local_root", local_root)
        self.take("local_write_dir", inp.relative_path)
        for name in ("local_write_enable", "tls_require_ssl_reuse", "active_enable"):
            self.take(name, inp.flag)
        self.take("local_umask", inp.umask)
        for name in ("idle_session_timeout", "data_connection_timeout", "login_timeout"):
            self.take(name, inp.count, low=1, what="number of seconds")
        self.take("max_login_fails", inp.count, low=1, what="number of failed logins")
        self.take("xferlog_file", inp.log_file)
        self.take("log_file", inp.log_file)
        if i.get("xferlog_file") and i.get("xferlog_file") == i.get("log_file"):
            self.errors.add(
                self.var("log_file"), "is the same file as proftpd_xferlog_file", "give each log its own file"
            )
        for name in ("anon_root", "anon_upload_dir", "local_root", "local_write_dir", "xferlog_file", "log_file"):
            if i.get(name):
                self.errors.check(no_variables, i[name].replace(USER_TOKEN, ""), self.var(name), "path")
        for name in ("tls_cert", "tls_key", "tls_generated_cert", "tls_generated_key", "virtual_users_root"):
            if i.get(name):
                self.errors.check(no_variables, i[name], self.var(name), "path")
        self.check_own_passive()
        self.check_own_virtual()

    def check_own_passive(self) -> None:
        i = self.inputs
        low, high, clients = i.get("pasv_min_port"), i.get("pasv_max_port"), i.get("max_clients")
        if not i.get("pasv_enable") or None in (low, high) or low > high:
            return
        if low == high:
            self.errors.add(
                self.var("pasv_max_port"),
                f"the passive range {low}-{high} has one port, and ProFTPd never offers the last port of its range",
                f"give at least two ports (e.g. {self.var('pasv_max_port')}: {low + 9})",
            )
        elif clients and clients > high - low:
            self.errors.add(
                self.var("max_clients"),
                f"{clients} sessions could take every port ProFTPd offers from the passive range {low}-{high} "
                f"({high - low}: never the last one), and it then lets the kernel pick a port outside the range, "
                "which the firewall keeps closed",
                f"lower {self.var('max_clients')} to {high - low} or widen the range to "
                f"{self.var('pasv_max_port')}: {low + clients}",
            )

    def check_own_virtual(self) -> None:
        i = self.inputs
        users = i.get("virtual_users") or []
        if users and i.get("local_enable"):
            self.errors.add(
                self.var("virtual_users"),
                f"is set while {self.var('local_enable')} is true: ProFTPd asks PAM first for every password, "
                "and PAM refuses users it does not know, so virtual and local users cannot share a server",
                f"set {self.var('local_enable')} to false, or give these users local accounts instead",
            )
        for index, user in enumerate(users):
            self.errors.check(no_variables, user["home"], f"{self.var('virtual_users')}[{index}].home", "path")

    def managed_options(self) -> t.Iterable[str]:
        return MANAGED_DIRECTIVES

    def extra_option(self, name: str, value: t.Any, variable: str) -> t.Any:
        known = KNOWN.get(name.lower())
        if known is None:
            raise InputError(
                variable,
                "is not a directive of the modules the role loads (ProFTPd's core, mod_auth*, mod_xfer, mod_ls, "
                "mod_log, mod_delay, mod_facts, mod_cap, mod_ctrls, mod_lang, mod_rlimit, mod_tls)",
                "check the spelling against ProFTPd's documentation (directives of other modules cannot be set)",
            )
        spelling = known[0]
        if spelling in MANAGED_DIRECTIVES:
            raise InputError(
                variable,
                f"{spelling} is a directive the role writes itself",
                f"use its {self.PREFIX}* variable (see the role's README); extra options add others only",
            )
        if spelling in WEAKENING:
            raise InputError(variable, f"{spelling} {WEAKENING[spelling]}, so the role refuses it", "remove it")
        if isinstance(value, bool):
            words = [on(value)]
        elif isinstance(value, (list, tuple)):
            words = [inp.text(word, variable, allow_empty=False) for word in value]
        else:
            words = inp.text(value, variable, allow_empty=False).split()
        if not words:
            raise InputError(variable, "has no value", "give the directive's arguments")
        for word in words:
            no_variables(word, variable)
        return words

    # ------------------------------------------------------------------ what the host says

    def own_users(self) -> list[str]:
        return [self.FTP_USER]

    def own_paths(self) -> list[str]:
        return self.local_area_paths()

    def check_local_user_daemon(self, name: str, user: t.Mapping[str, t.Any]) -> None:
        i = self.inputs
        if i["chroot_local_user"] and USER_TOKEN in i["local_root"]:
            return  # logged into an area of their own: their home does not matter
        home = user.get("home") or ""
        if home in ("", "/") or not (user.get("home_stat") or {}).get("isdir"):
            self.errors.add(
                self.var("local_users_allowed"),
                f"{name}'s home {home or '(none)'} is not a directory, and ProFTPd logs a local user into their "
                f"home when {self.var('local_root')} names no area per user",
                f"create it (mkhomedir_helper {name}), keep {self.var('local_root')} at its default "
                f"(/srv/ftp-local/{USER_TOKEN}), or remove {name} from the list",
            )

    # ------------------------------------------------------------------ the plan

    def system_users(self) -> list[dict[str, t.Any]]:
        # ProFTPd serves anonymous sessions as ftp, group ftp (the group of the drop-box); the user owns
        # the uploads, and exists with anonymous logins off too (it owns earlier uploads).
        return [{"name": self.FTP_USER, "group": self.FTP_GROUP, "home": self.inputs["anon_root"]}]

    def own_directories(self, fresh: bool) -> list[dict[str, t.Any]]:
        return self.local_area_directories()

    def snapshot_paths(self) -> list[str]:
        return [CONF_PATH, PASSWD_PATH]

    def watched_files(self) -> list[str]:
        return [CONF_PATH, PASSWD_PATH]

    def watched_dirs(self) -> list[str]:
        return [item["path"] for item in self.own_directories(False)]

    def active_enable(self) -> bool:
        return bool(self.inputs["active_enable"])

    def virtual_database(self) -> dict[str, t.Any]:
        return {"format": "authuserfile", "path": PASSWD_PATH}

    def plan_own(self, fresh: bool) -> dict[str, t.Any]:
        config = self.config()
        return {
            "config": config,
            "conf_lines": render_lines(config),
            "files": {"conf": CONF_PATH, "welcome_template": WELCOME_TEMPLATE},
        }

    # ------------------------------------------------------------------ proftpd.conf

    def config(self) -> list[Item]:
        """proftpd.conf as items (:func:`._proftpd_conf.render_lines` writes them), in the order written."""
        return [
            *self.config_server(),
            *self.config_logins(),
            *self.config_local(),
            *self.config_tls(),
            *self.config_data(),
            *self.config_limits(),
            *self.config_anonymous(),
            *self.config_virtual(),
            *self.config_extra(),
        ]

    def config_server(self) -> list[Item]:
        i = self.inputs
        address = i["listen_address"]
        items = [
            comment("Standalone, run by systemd (proftpd.service); nothing else is included."),
            directive("ServerType", "standalone"),
            directive("DefaultServer", "on"),
            directive("ServerName", "FTP"),
            directive("ServerIdent", "on", i["banner"]) if i["banner"] else directive("ServerIdent", "off"),
            directive("DeferWelcome", "on"),
            directive("UseIPv6", on(i["listen_ipv6"])),
        ]
        if address:
            items += [directive("DefaultAddress", address), directive("SocketBindTight", "on")]
        items += [
            directive("Port", i["listen_port"]),
            directive("User", "proftpd"),
            directive("Group", "nogroup"),
            directive("PidFile", PID_FILE),
            directive("UseReverseDNS", "off"),
            directive("WtmpLog", "off"),
            # Port 20 for active data needs root's powers in the session; without active mode, none are kept.
            directive("RootRevoke", on(not i["active_enable"])),
            comment("Only the modules the server needs."),
            directive("ModulePath", MODULE_PATH),
            *(section("IfModule", [f"!{name}.c"], [directive("LoadModule", f"{name}.c")]) for name in LOADABLE),
        ]
        if i["tls_enable"]:
            items.append(directive("LoadModule", "mod_tls.c"))
        return items

    def config_logins(self) -> list[Item]:
        i = self.inputs
        virtual = i.get("virtual_users") or []
        local = bool(i["local_enable"])
        allowed = (list(i["local_users_allowed"]) if local else []) + [user["name"] for user in virtual]
        items = [comment("Logins: root never; local users through PAM, on the allow-list below.")]
        if virtual:
            items += [
                directive("AuthPAM", "off"),
                directive("AuthOrder", "mod_auth_file.c", "mod_auth_unix.c"),
                directive("AuthUserFile", PASSWD_PATH),
            ]
        else:
            items += [
                directive("AuthPAM", "on"),
                directive("AuthPAMConfig", "proftpd"),
                directive("AuthOrder", "mod_auth_pam.c*", "mod_auth_unix.c"),
            ]
        items += [
            directive("RootLogin", "off"),
            directive("RequireValidShell", on(local)),
            directive("UseFtpUsers", "on"),
            directive("MaxLoginAttempts", i["max_login_fails"]),
            directive("TimeoutLogin", i["login_timeout"]),
            section("Limit", ["LOGIN"], [*(directive("AllowUser", name) for name in allowed), directive("DenyAll")]),
        ]
        return items

    def config_local(self) -> list[Item]:
        i = self.inputs
        if not (i["local_enable"] or i.get("virtual_users")):
            return []
        umask = i["local_umask"]
        items = [comment("Users' areas (chroot), umask and write rights.")]
        if i.get("virtual_users"):
            items.append(directive("DefaultRoot", "~"))
        elif i["chroot_local_user"]:
            items.append(directive("DefaultRoot", (i["local_root"] or "~").replace(USER_TOKEN, "%u")))
        elif i["local_root"]:
            items.append(directive("DefaultChdir", i["local_root"].replace(USER_TOKEN, "%u")))
        items += [directive("Umask", umask, umask), directive("AllowOverwrite", "on")]
        if i["local_enable"] and not i["local_write_enable"]:
            places = [self.local_area_parent() or i["local_root"]] if i["local_root"] else self.local_homes()
            items += [section("Directory", [place], [deny("WRITE", "SITE_CHMOD")]) for place in places if place]
        return items

    def local_homes(self) -> list[str]:
        users = self.host.get("users", {})
        homes = [(users.get(name) or {}).get("home") or "" for name in self.inputs["local_users_allowed"]]
        return sorted({home for home in homes if home not in ("", "/")})

    def config_tls(self) -> list[Item]:
        i = self.inputs
        if not i["tls_enable"]:
            return []
        tls = self.tls_plan(not i["tls_cert"])
        items = [
            comment("TLS 1.2 or newer, forward-secret AEAD suites only."),
            directive("TLSEngine", "on"),
            directive("TLSProtocol", "TLSv1.2", "TLSv1.3"),
            directive("TLSCipherSuite", i["tls_ciphers"]),
            directive("TLSServerCipherPreference", "on"),
            directive("TLSRSACertificateFile", tls["cert"]),
            directive("TLSRSACertificateKeyFile", tls["key"]),
            directive("TLSVerifyClient", "off"),
            directive("TLSRenegotiate", "none"),
        ]
        if not i["tls_require_ssl_reuse"]:
            items.append(directive("TLSOptions", "NoSessionReuseRequired"))
        # Decided before the user is known, so it holds for anonymous sessions too.
        items.append(directive("TLSRequired", on(i["tls_required"])))
        return items

    def config_data(self) -> list[Item]:
        i = self.inputs
        items = [comment("Data connections: a bounded passive range, no FTP bounce.")]
        if i["pasv_enable"]:
            items.append(directive("PassivePorts", i["pasv_min_port"], i["pasv_max_port"]))
            if i["pasv_address"]:
                items.append(directive("MasqueradeAddress", i["pasv_address"]))
        else:
            items.append(deny("PASV", "EPSV"))
        items.append(directive("AllowForeignAddress", "off"))
        if not i["active_enable"]:
            items.append(deny("PORT", "EPRT"))
        return items

    def config_limits(self) -> list[Item]:
        i = self.inputs
        return [
            comment("Limits and logs."),
            directive("MaxInstances", i["max_clients"]),
            directive("MaxConnectionsPerHost", i["max_per_ip"]),
            directive("TimeoutIdle", i["idle_session_timeout"]),
            directive("TimeoutStalled", i["data_connection_timeout"]),
            directive("TransferLog", i["xferlog_file"]),
            directive("SystemLog", i["log_file"]),
        ]

    def config_anonymous(self) -> list[Item]:
        i = self.inputs
        if not i["anonymous_enable"]:
            return []
        items = [
            directive("User", self.FTP_USER),
            directive("Group", self.FTP_GROUP),
            directive("UserAlias", "anonymous", self.FTP_USER),
            directive("RequireValidShell", "off"),
            section("Limit", ["LOGIN"], [directive("AllowAll")]),
            deny("WRITE", "SITE_CHMOD", "SITE_CHGRP"),
        ]
        if i["dropbox"]:
            # Write-only: a new file may be stored, nothing else (no listing, reading, renaming, deleting,
            # overwriting, appending); uploads are ftp's, mode 0600.
            items.append(
                section(
                    "Directory",
                    [f"{i['anon_root']}/{i['anon_upload_dir']}"],
                    [
                        directive("AllowOverwrite", "off"),
                        directive("Umask", "077", "077"),
                        deny("ALL"),
                        section("Limit", ["STOR"], [directive("AllowAll")]),
                    ],
                )
            )
        title = "Anonymous download, read-only" + (", and the write-only drop-box" if i["dropbox"] else "")
        return [comment(title), section("Anonymous", [i["anon_root"]], items)]

    def config_virtual(self) -> list[Item]:
        users = self.inputs.get("virtual_users") or []
        if not users:
            return []
        items = [comment("Virtual users: read-only unless write is set; transfer rates.")]
        items += [
            section("Directory", [user["home"]], [deny("WRITE", "SITE_CHMOD")]) for user in users if not user["write"]
        ]
        for user in users:
            if user["max_rate"]:
                rate = f"{user['max_rate'] / 1024:.2f}".rstrip("0").rstrip(".")
                items.append(directive("TransferRate", "RETR,STOR,APPE,STOU", rate, "user", user["name"]))
        return items

    def config_extra(self) -> list[Item]:
        extra = self.inputs["extra_options"]
        if not extra:
            return []
        return [comment("proftpd_extra_options")] + [
            directive(KNOWN[name.lower()][0], *words) for name, words in sorted(extra.items())
        ]
