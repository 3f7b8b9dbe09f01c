# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the hardened.ftp.vsftpd role checks and writes: vsftpd's own rules on top of the shared ones (private module).

The shared rules are in :class:`._server_plan.ServerPlanner`. Here: vsftpd's own inputs, its
option table for ``vsftpd_extra_options`` (names and value types from :mod:`._vsftpd_conf`), the
seccomp decision, the local users' chroot layout, and the settings of ``vsftpd.conf`` in the order
the template writes them.
"""

from __future__ import annotations

import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils import _inputs as inp
from ansible_collections.hardened.ftp.plugins.module_utils import _virtual_users as vu
from ansible_collections.hardened.ftp.plugins.module_utils._inputs import InputError
from ansible_collections.hardened.ftp.plugins.module_utils._server_plan import USER_TOKEN, ServerPlanner, local_root
from ansible_collections.hardened.ftp.plugins.module_utils._vsftpd_conf import (
    BOOL_OPTIONS,
    NUMERIC_OPTIONS,
    STRING_OPTIONS,
)

CONF_PATH = "/etc/vsftpd.conf"
USER_LIST_PATH = "/etc/vsftpd.user_list"
USER_CONF_DIR = "/etc/vsftpd/user_conf"
CHECK_SCRIPT = "/usr/local/sbin/hardened-ftp-vsftpd-check"
SECURE_CHROOT_DIR = "/var/run/vsftpd/empty"
# Virtual users: a PAM service of the role's (pam_pwdfile for virtual users, then Debian's vsftpd
# stack for local users), the password file pam_pwdfile reads, and the names its account step admits.
PAM_SERVICE = "vsftpd"
VIRTUAL_PAM_SERVICE = "hardened-ftp-vsftpd"
VIRTUAL_PAM_FILE = f"/etc/pam.d/{VIRTUAL_PAM_SERVICE}"
VIRTUAL_PWDFILE = "/etc/vsftpd/hardened-ftp-virtual.passwd"
VIRTUAL_NAMES = "/etc/vsftpd/hardened-ftp-virtual.users"
# vsftpd 3.0's seccomp filter does not allow newfstatat, which glibc 2.33 and newer use for every
# fstat: on such hosts the kernel kills the session at its first transfer or TLS handshake.
SECCOMP_GLIBC_LIMIT = (2, 33)
# String options whose value vsftpd opens or reads as an absolute path (hide_file and deny_file are
# patterns; message_file is a name looked up in each directory).
PATH_OPTIONS = frozenset(
    (
        "banned_email_file",
        "banner_file",
        "ca_certs_file",
        "chroot_list_file",
        "dsa_cert_file",
        "dsa_private_key_file",
        "email_password_file",
    )
)
USER_OPTIONS = frozenset(("guest_username",))
# Options that would undo what the role promises (every local user chrooted, privilege separation,
# data from port 20 as the firewall expects): refused in vsftpd_extra_options, whatever their value.
WEAKENING_OPTIONS = {
    "chroot_list_enable": "lets listed users out of the chroot",
    "passwd_chroot_enable": "moves the chroot to a place the user's passwd entry names",
    "one_process_model": "turns off vsftpd's privilege separation",
    "run_as_launching_user": "turns off vsftpd's privilege separation",
    "isolate": "turns off vsftpd's process isolation",
    "isolate_network": "turns off vsftpd's network isolation",
    "ftp_data_port": "moves active-mode data away from port 20, which the firewall opens",
    "ftp_username": "changes the account anonymous sessions run as, which owns the anonymous area's rights",
    "nopriv_user": "changes the account vsftpd's unprivileged parts run as",
    "debug_ssl": "logs TLS internals",
    "implicit_ssl": "switches the control port to implicit TLS, which clients and the firewall do not expect",
    "guest_enable": "maps every local login to one account",
    "virtual_use_local_privs": "gives virtual users local users' rights",
}

# Every option the settings below may write, in the order they are written: an extra option may
# not set any of them (it would be written after the role's line and win). A unit test proves the
# settings never write an option missing here.
MANAGED_OPTIONS = (
    "listen",
    "listen_ipv6",
    "listen_address",
    "listen_address6",
    "listen_port",
    "background",
    "ftpd_banner",
    "pam_service_name",
    "secure_chroot_dir",
    "seccomp_sandbox",
    "hide_ids",
    "ls_recurse_enable",
    "use_localtime",
    "dirmessage_enable",
    "anonymous_enable",
    "anon_root",
    "no_anon_password",
    "anon_world_readable_only",
    "anon_upload_enable",
    "anon_mkdir_write_enable",
    "anon_other_write_enable",
    "anon_max_rate",
    "chown_uploads",
    "chown_username",
    "chown_upload_mode",
    "anon_umask",
    "local_enable",
    "write_enable",
    "userlist_enable",
    "userlist_deny",
    "userlist_file",
    "user_config_dir",
    "chroot_local_user",
    "allow_writeable_chroot",
    "local_root",
    "user_sub_token",
    "local_umask",
    "local_max_rate",
    "ssl_enable",
    "rsa_cert_file",
    "rsa_private_key_file",
    "ssl_sslv2",
    "ssl_sslv3",
    "ssl_tlsv1",
    "ssl_tlsv1_1",
    "ssl_tlsv1_2",
    "ssl_ciphers",
    "allow_anon_ssl",
    "force_local_logins_ssl",
    "force_local_data_ssl",
    "force_anon_logins_ssl",
    "force_anon_data_ssl",
    "require_ssl_reuse",
    "pasv_enable",
    "pasv_min_port",
    "pasv_max_port",
    "pasv_address",
    "pasv_addr_resolve",
    "port_enable",
    "connect_from_port_20",
    "port_promiscuous",
    "pasv_promiscuous",
    "max_clients",
    "max_per_ip",
    "idle_session_timeout",
    "data_connection_timeout",
    "accept_timeout",
    "connect_timeout",
    "max_login_fails",
    "delay_failed_login",
    "xferlog_enable",
    "dual_log_enable",
    "xferlog_std_format",
    "xferlog_file",
    "vsftpd_log_file",
    "log_ftp_protocol",
)


def yn(value: t.Any) -> str:
    return "YES" if value else "NO"


def glibc_version(text: str) -> tuple[int, ...] | None:
    """``(2, 36)`` from ``glibc 2.36`` / ``2.36``; None when unknown."""
    words = (text or "").split()
    if not words:
        return None
    try:
        return tuple(int(part) for part in words[-1].split(".")[:2])
    except ValueError:
        return None


def seccomp_breaks(glibc: tuple[int, ...] | None, dropbox: bool) -> str:
    """Why vsftpd 3.0's seccomp sandbox cannot run on this host with this configuration ('' when it can)."""
    if glibc is None or glibc >= SECCOMP_GLIBC_LIMIT:
        return (
            "vsftpd 3.0's filter does not allow newfstatat, which glibc 2.33 and newer use for every fstat, so the "
            "kernel kills each session at its first transfer or TLS handshake"
        )
    if dropbox:
        return (
            "vsftpd 3.0's filter does not allow the chown of chown_uploads, so the kernel kills the session in the "
            "middle of every drop-box upload and leaves a truncated file"
        )
    return ""


def seccomp(choice: str, glibc: tuple[int, ...] | None, dropbox: bool = False) -> bool:
    """Whether vsftpd's seccomp sandbox is on for ``vsftpd_seccomp_sandbox`` = ``choice``."""
    if choice in ("enabled", "disabled"):
        return choice == "enabled"
    return not seccomp_breaks(glibc, dropbox)


class VsftpdPlanner(ServerPlanner):
    DAEMON = "vsftpd"
    TITLE = "vsftpd"
    PREFIX = "vsftpd_"
    PACKAGES = ("vsftpd",)
    UNIT = "vsftpd"
    PROCESS = "vsftpd"
    VIRTUAL_QUOTA = False
    VIRTUAL_QUOTA_FIX = (
        "vsftpd has no quotas: remove quota_mb (or use filesystem quotas on the virtual users' root, or "
        "Pure-FTPd, which enforces it)"
    )

    # ------------------------------------------------------------------ the inputs alone

    def check_own(self) -> None:
        i = self.inputs
        owner = self.take("anon_upload_owner", inp.user_name)
        if owner in ("root", self.FTP_USER):
            self.errors.add(
                self.var("anon_upload_owner"),
                f"{owner} may not own the uploads (it is {'root' if owner == 'root' else 'the anonymous session'})",
                "use a dedicated system user, e.g. ftpupload",
            )
        root = self.value("local_root")
        i["local_root"] = ""
        if root not in (None, ""):
            self.take("local_root", local_root)
        self.take("local_write_dir", inp.relative_path)
        for name in ("allow_writeable_chroot", "local_write_enable", "tls_require_ssl_reuse", "active_enable"):
            self.take(name, inp.flag)
        self.take("log_ftp_protocol", inp.flag)
        self.take("local_umask", inp.umask)
        for name in ("anon_max_rate", "local_max_rate"):
            self.take(name, inp.count, what="rate in bytes per second")
        for name in ("idle_session_timeout", "data_connection_timeout", "accept_timeout", "connect_timeout"):
            self.take(name, inp.count, low=1, what="number of seconds")
        self.take("max_login_fails", inp.count, low=1, what="number of failed logins")
        self.take("delay_failed_login", inp.count, what="number of seconds")
        self.take("seccomp_sandbox", inp.choice, ("auto", "enabled", "disabled"))
        self.take("xferlog_file", inp.log_file)
        self.take("log_file", inp.log_file)
        if i.get("xferlog_file") and i.get("xferlog_file") == i.get("log_file"):
            self.errors.add(
                self.var("log_file"), "is the same file as vsftpd_xferlog_file", "give each log its own file"
            )

    def managed_options(self) -> t.Iterable[str]:
        return MANAGED_OPTIONS

    def extra_option(self, name: str, value: t.Any, variable: str) -> t.Any:
        if name in WEAKENING_OPTIONS:
            raise InputError(variable, f"{WEAKENING_OPTIONS[name]}, so the role refuses it", "remove it")
        if name in BOOL_OPTIONS:
            return yn(inp.flag(value, variable))
        if name in NUMERIC_OPTIONS:
            return str(inp.count(value, variable))
        if name in STRING_OPTIONS:
            if name in PATH_OPTIONS:
                return inp.absolute_path(value, variable)
            if name in USER_OPTIONS:
                return inp.user_name(value, variable)
            return inp.text(value, variable, allow_empty=False)
        raise InputError(variable, "is not an option vsftpd knows", "check the spelling against vsftpd.conf(5)")

    # ------------------------------------------------------------------ what the host says

    def own_users(self) -> list[str]:
        return [self.inputs["anon_upload_owner"]] if self.inputs.get("dropbox") else []

    def own_paths(self) -> list[str]:
        return self.local_area_paths()

    def check_host(self, host: t.Mapping[str, t.Any], tls_checker: t.Any = None) -> t.Any:
        errors = super().check_host(host, tls_checker)
        why = seccomp_breaks(glibc_version(host.get("glibc", "")), bool(self.inputs["dropbox"]))
        if self.inputs["seccomp_sandbox"] == "enabled" and why:
            self.errors.add(
                self.var("seccomp_sandbox"),
                f"is enabled, but on this host ({host.get('glibc') or 'unknown C library'}) {why}",
                "set it to auto, which turns the sandbox on only where it works",
            )
        return errors

    def check_local_user_daemon(self, name: str, user: t.Mapping[str, t.Any]) -> None:
        variable = self.var("local_users_allowed")
        i = self.inputs
        home = user.get("home") or ""
        home_stat = user.get("home_stat") or {}
        if not home_stat.get("isdir"):
            # vsftpd changes into the user's home at login, before it changes into vsftpd_local_root
            # and chroots there: without a home the session dies right after "OK LOGIN".
            self.errors.add(
                variable,
                f"{name}'s home {home or '(none)'} is not a directory, and vsftpd changes into a user's home at "
                "login (before the chroot), so the session would end right after the password",
                f"create the home (mkhomedir_helper {name}), or remove {name} from the list",
            )
            return
        if not i["chroot_local_user"] or i["local_root"] or i["allow_writeable_chroot"]:
            return
        if writable_by(home_stat, user):
            self.errors.add(
                variable,
                f"{name} can write to their home {home}, and vsftpd refuses a chroot the user can write to "
                "(its '500 OOPS' then reaches TLS clients as a TLS error)",
                f"keep {self.var('local_root')} at its default (a root-owned area per user with a writable "
                f"'{i['local_write_dir']}' inside), or make {home} owned by root and not writable by {name}",
            )

    # ------------------------------------------------------------------ the plan

    def own_directories(self, fresh: bool) -> list[dict[str, t.Any]]:
        # user_config_dir, root's alone; its parent /etc/vsftpd also holds the virtual users' password file.
        settings = {"path": USER_CONF_DIR, "owner": "root", "group": "root", "mode": "0700"}
        return [settings, *self.local_area_directories()]

    def system_users(self) -> list[dict[str, t.Any]]:
        if not self.inputs["dropbox"]:
            return []
        return [{"name": self.inputs["anon_upload_owner"], "group": None, "home": "/nonexistent"}]

    def snapshot_paths(self) -> list[str]:
        return [CONF_PATH, USER_LIST_PATH]

    def watched_files(self) -> list[str]:
        virtual = [VIRTUAL_PAM_FILE, VIRTUAL_PWDFILE, VIRTUAL_NAMES] if self.virtual.users else []
        return [CONF_PATH, USER_LIST_PATH, USER_CONF_DIR, CHECK_SCRIPT, *virtual]

    def virtual_database(self) -> dict[str, t.Any]:
        return {
            "format": "pwdfile",
            "path": VIRTUAL_PWDFILE,
            "names": VIRTUAL_NAMES,
            "pam_file": VIRTUAL_PAM_FILE,
            "pam_include": PAM_SERVICE,
            "packages": ["libpam-pwdfile"],
        }

    def user_settings(self, user: vu.VirtualUser) -> dict[str, str]:
        """A virtual user's file in user_config_dir: a guest of its own account, chrooted in its home.

        vsftpd reads this file before it maps the login: guest_enable makes the session a guest one
        (the anonymous rights below, always chrooted) for this user only, so local users stay local.
        """
        write = yn(user.write)
        settings = {
            "guest_enable": "YES",
            "guest_username": user.account,
            "local_root": user.home,
            "write_enable": write,
            "anon_upload_enable": write,
            "anon_mkdir_write_enable": write,
            "anon_other_write_enable": write,
            # Their own files are theirs to read (uploads are 0600); the drop-box's rules are not theirs.
            "anon_world_readable_only": "NO",
            "chown_uploads": "NO",
            "anon_umask": "077",
            "anon_max_rate": str(user.max_rate),
        }
        if user.write:
            # The home is the user's to write in; vsftpd otherwise refuses a writable chroot.
            settings["allow_writeable_chroot"] = "YES"
        return settings

    def watched_dirs(self) -> list[str]:
        return [item["path"] for item in self.own_directories(False)]

    def tls_every_session(self) -> bool:
        # vsftpd_tls_required forces TLS on local logins; anonymous sessions stay in clear text
        # (allow_anon_ssl=NO), as _vsftpd_conf reads it back.
        return super().tls_every_session() and not self.inputs["anonymous_enable"]

    def active_enable(self) -> bool:
        return bool(self.inputs["active_enable"])

    def plan_own(self, fresh: bool) -> dict[str, t.Any]:
        i = self.inputs
        users = list(i["local_users_allowed"]) if i["local_enable"] else []
        virtual = self.virtual.users
        glibc = glibc_version(self.host.get("glibc", ""))
        user_conf = {name: {"write_enable": yn(i["local_write_enable"])} for name in users}
        user_conf.update({user.name: self.user_settings(user) for user in virtual})
        return {
            "seccomp": seccomp(i["seccomp_sandbox"], glibc, i["dropbox"]),
            "settings": self.settings(glibc),
            # vsftpd checks anonymous logins against the list too (userlist_deny=NO).
            "user_list": (["anonymous", "ftp"] if i["anonymous_enable"] else []) + users + [u.name for u in virtual],
            "user_conf": user_conf,
            # Each user's file of settings (user_config_dir), as hardened.ftp.ftp_files writes it.
            "user_conf_files": [
                {
                    "path": f"{USER_CONF_DIR}/{name}",
                    "mode": "0600",
                    "content": "".join(f"{key}={value}\n" for key, value in sorted(settings.items())),
                }
                for name, settings in sorted(user_conf.items())
            ],
            "files": {
                "conf": CONF_PATH,
                "user_list": USER_LIST_PATH,
                "user_conf_dir": USER_CONF_DIR,
                "check_script": CHECK_SCRIPT,
            },
        }

    def settings(self, glibc: tuple[int, ...] | None) -> list[dict[str, t.Any]]:
        """vsftpd.conf as sections of ``[name, value]`` pairs, in the order they are written."""
        i = self.inputs
        tls = self.tls_plan(bool(i["tls_enable"] and not i["tls_cert"]))
        sections: list[dict[str, t.Any]] = []

        def section(title: str, *pairs: tuple[str, t.Any] | None) -> None:
            sections.append({"title": title, "options": [[key, str(value)] for key, value in filter(None, pairs)]})

        address = i["listen_address"]
        section(
            "Listening (standalone, run by systemd in the foreground)",
            ("listen", yn(not i["listen_ipv6"])),
            ("listen_ipv6", yn(i["listen_ipv6"])),
            (("listen_address6" if i["listen_ipv6"] else "listen_address"), address) if address else None,
            ("listen_port", i["listen_port"]),
            ("background", "NO"),
            # vsftpd strips the value: a banner of blanks alone would be an empty greeting line.
            ("ftpd_banner", i["banner"]) if (i["banner"] or "").strip() else None,
            ("pam_service_name", VIRTUAL_PAM_SERVICE if self.virtual.users else PAM_SERVICE),
            ("secure_chroot_dir", SECURE_CHROOT_DIR),
            ("seccomp_sandbox", yn(seccomp(i["seccomp_sandbox"], glibc, i["dropbox"]))),
            ("hide_ids", "YES"),
            ("ls_recurse_enable", "NO"),
            ("use_localtime", "YES"),
            ("dirmessage_enable", "NO"),
        )
        anonymous = i["anonymous_enable"]
        dropbox = i["dropbox"]
        section(
            "Anonymous download" + (" and write-only drop-box" if dropbox else ""),
            ("anonymous_enable", yn(anonymous)),
            ("anon_root", i["anon_root"]) if anonymous else None,
            ("no_anon_password", "YES") if anonymous else None,
            ("anon_world_readable_only", "YES") if anonymous else None,
            ("anon_upload_enable", yn(dropbox)) if anonymous else None,
            ("anon_mkdir_write_enable", "NO") if anonymous else None,
            ("anon_other_write_enable", "NO") if anonymous else None,
            ("anon_max_rate", i["anon_max_rate"]) if anonymous else None,
            # Uploads are handed to the owner with mode 0600: never readable by the ftp user.
            ("chown_uploads", "YES") if dropbox else None,
            ("chown_username", i["anon_upload_owner"]) if dropbox else None,
            ("chown_upload_mode", "0600") if dropbox else None,
            ("anon_umask", "077") if dropbox else None,
        )
        local = i["local_enable"]
        # vsftpd logs virtual users in as local users first (then maps them to their guest account).
        logins = local or bool(self.virtual.users)
        root = i["local_root"]
        section(
            "Local and virtual users (allow-list in " + USER_LIST_PATH + "; root is never allowed)",
            ("local_enable", yn(logins)),
            # Global (anonymous uploads need it); each allowed user's file in user_config_dir sets their own.
            ("write_enable", yn((local and i["local_write_enable"]) or dropbox)),
            ("userlist_enable", "YES") if logins else None,
            ("userlist_deny", "NO") if logins else None,
            ("userlist_file", USER_LIST_PATH) if logins else None,
            ("user_config_dir", USER_CONF_DIR) if logins else None,
            ("chroot_local_user", yn(i["chroot_local_user"] or not local)) if logins else None,
            ("allow_writeable_chroot", yn(local and i["allow_writeable_chroot"])) if logins else None,
            ("local_root", root) if local and root else None,
            ("user_sub_token", USER_TOKEN) if local and USER_TOKEN in root else None,
            ("local_umask", i["local_umask"]) if local else None,
            ("local_max_rate", i["local_max_rate"]) if local else None,
        )
        required = i["tls_required"]
        section(
            "TLS (explicit FTPS, TLS 1.2 or newer)",
            ("ssl_enable", yn(i["tls_enable"])),
            ("rsa_cert_file", tls.get("cert")) if i["tls_enable"] else None,
            ("rsa_private_key_file", tls.get("key")) if i["tls_enable"] else None,
            ("ssl_sslv2", "NO") if i["tls_enable"] else None,
            ("ssl_sslv3", "NO") if i["tls_enable"] else None,
            # vsftpd 3.0.3 has one switch for every TLS 1.x; the AEAD-only cipher list cannot be
            # negotiated by TLS 1.0 or 1.1, so only TLS 1.2 and 1.3 handshakes succeed.
            ("ssl_tlsv1", "YES") if i["tls_enable"] else None,
            ("ssl_ciphers", i["tls_ciphers"]) if i["tls_enable"] else None,
            ("allow_anon_ssl", "NO") if i["tls_enable"] else None,
            ("force_local_logins_ssl", yn(required)) if i["tls_enable"] else None,
            ("force_local_data_ssl", yn(required)) if i["tls_enable"] else None,
            ("require_ssl_reuse", yn(i["tls_require_ssl_reuse"])) if i["tls_enable"] else None,
        )
        pasv = i["pasv_enable"]
        section(
            "Data connections",
            ("pasv_enable", yn(pasv)),
            ("pasv_min_port", i["pasv_min_port"]) if pasv else None,
            ("pasv_max_port", i["pasv_max_port"]) if pasv else None,
            ("pasv_address", i["pasv_address"]) if pasv and i["pasv_address"] else None,
            ("pasv_addr_resolve", yn(not _ipv4(i["pasv_address"]))) if pasv and i["pasv_address"] else None,
            ("port_enable", yn(i["active_enable"])),
            ("connect_from_port_20", yn(i["active_enable"])),
            # No FTP bounce: data connections only to and from the control connection's address.
            ("port_promiscuous", "NO"),
            ("pasv_promiscuous", "NO"),
        )
        section(
            "Limits",
            ("max_clients", i["max_clients"]),
            ("max_per_ip", i["max_per_ip"]),
            ("idle_session_timeout", i["idle_session_timeout"]),
            ("data_connection_timeout", i["data_connection_timeout"]),
            ("accept_timeout", i["accept_timeout"]),
            ("connect_timeout", i["connect_timeout"]),
            ("max_login_fails", i["max_login_fails"]),
            ("delay_failed_login", i["delay_failed_login"]),
        )
        section(
            "Logging: xferlog_file in the standard xferlog format, vsftpd_log_file in vsftpd's own",
            ("xferlog_enable", "YES"),
            ("dual_log_enable", "YES"),
            ("xferlog_std_format", "NO"),
            ("xferlog_file", i["xferlog_file"]),
            ("vsftpd_log_file", i["log_file"]),
            ("log_ftp_protocol", yn(i["log_ftp_protocol"])),
        )
        if i["extra_options"]:
            section("vsftpd_extra_options", *sorted(i["extra_options"].items()))
        return sections


def writable_by(stat: t.Mapping[str, t.Any], user: t.Mapping[str, t.Any]) -> bool:
    """Whether ``user`` (uid, gid, groups) may write to the file ``stat`` describes."""
    mode = int(stat.get("mode", 0))
    if stat.get("uid") == user.get("uid"):
        return bool(mode & 0o200)
    if stat.get("gid") in [user.get("gid"), *list(user.get("groups") or [])]:
        return bool(mode & 0o020)
    return bool(mode & 0o002)


def _ipv4(value: str) -> bool:
    try:
        inp.ip_address(value, "", "ipv4")
    except InputError:
        return False
    return True
