# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The FTP server plan: every rule a server role's inputs must meet, and what the role then does (private module).

One planner per daemon (:mod:`._vsftpd_plan`, :mod:`._pureftpd_plan`, :mod:`._proftpd_plan`) derives from
:class:`ServerPlanner`, which holds every rule that is the same for all daemons: ports, the passive
range, addresses, the anonymous area and the drop-box, local users, TLS, limits, log files, the
banner. A daemon's planner adds only its own options and quirks. The planner works in three steps,
so that bad input fails before the host is even read, and everything fails before the host changes:

1. :meth:`ServerPlanner.check` - the inputs alone (on the controller);
2. :meth:`ServerPlanner.host_request` / :meth:`ServerPlanner.check_host` - what the host says
   (users, homes, the C library, the SSH port, installed packages, the other FTP daemons' units),
   read in one call of ``hardened.ftp.ftp_host_info``;
3. :meth:`ServerPlanner.plan` - the plan the role's tasks follow: packages, directories, users,
   the certificate, the daemon's settings, the service, and the ``hardened_ftp_server`` fact.

Messages name the daemon's own variables (``vsftpd_pasv_min_port``), never the common names.
"""

from __future__ import annotations

import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils import _inputs as inp
from ansible_collections.hardened.ftp.plugins.module_utils import _virtual_users as vu
from ansible_collections.hardened.ftp.plugins.module_utils._inputs import Errors, InputError
from ansible_collections.hardened.ftp.plugins.module_utils._limits import MAX_PASSIVE_PORTS, UNPRIVILEGED_PORTS

__all__ = ["MAX_PASSIVE_PORTS", "ServerPlanner"]
# Where the roles keep their own state (last good configuration, fast-path record): root only.
STATE_DIR = "/var/lib/hardened-ftp"
FTP_DATA_PORT = 20
TLS_DIRS = ("/etc/ssl",)
# Keys of the hardened_ftp_server fact, in order (see _server_model.SERVER_KEYS).
FACT_KEYS = (
    "daemon",
    "listen_address",
    "control_port",
    "listen_ipv6",
    "pasv_enable",
    "pasv_min_port",
    "pasv_max_port",
    "pasv_address",
    "active_enable",
    "tls_enable",
    "tls_required",
    "anonymous_enable",
    "anon_upload_enable",
    "port_promiscuous",
)
# A private key: no rights for others; the group may read it only when it is Debian's ssl-cert.
KEY_GROUP = "ssl-cert"


TlsChecker = t.Callable[[t.Optional[str], t.Optional[str]], t.Tuple[t.List[t.Tuple[str, str, str]], t.List[str]]]


class ServerPlanner:
    """The rules every FTP server role shares. Subclasses set the class attributes and add their own."""

    DAEMON = ""  # value of hardened_ftp_daemon and of the fact's "daemon"
    TITLE = ""  # how messages name the server
    PREFIX = ""  # the role's variable prefix, e.g. "vsftpd_"
    PACKAGES: tuple[str, ...] = ()
    # For a generated certificate (community.crypto on the host), and for apt itself: the apt module
    # installs python3-apt on its own in a normal run, but check mode needs it already there.
    TLS_PACKAGES = ("python3-cryptography",)
    APT_PACKAGES = ("python3-apt",)
    UNIT = ""
    PROCESS = ""  # the name (comm) of the process that must hold the control port
    FTP_USER = "ftp"
    FTP_GROUP = "ftp"
    # The common inputs every server role has, with how each is checked (see check()).
    COMMON = (
        "listen_address",
        "listen_port",
        "listen_ipv6",
        "anonymous_enable",
        "anon_root",
        "anon_upload_enable",
        "anon_upload_dir",
        "local_enable",
        "local_users_allowed",
        "chroot_local_user",
        "virtual_users",
        "virtual_users_root",
        "tls_enable",
        "tls_required",
        "tls_cert",
        "tls_key",
        "tls_generated_cert",
        "tls_generated_key",
        "tls_common_name",
        "tls_subject_alt_names",
        "tls_ciphers",
        "pasv_enable",
        "pasv_min_port",
        "pasv_max_port",
        "pasv_max_range_size",
        "pasv_address",
        "max_clients",
        "max_per_ip",
        "banner",
        "extra_options",
    )

    def __init__(self, raw: t.Mapping[str, t.Any], ssh_port: int = 22) -> None:
        self.raw = dict(raw)
        self.ssh_port = ssh_port
        self.errors = Errors()
        self.inputs: dict[str, t.Any] = {}
        self.host: dict[str, t.Any] = {}
        self.warnings: list[str] = []
        # The checked virtual users with their hashes: kept out of self.inputs, so out of the plan.
        self.virtual = vu.Checked([], {})

    # ------------------------------------------------------------------ names and values

    def var(self, name: str) -> str:
        """The role variable behind a common input name."""
        return self.PREFIX + name

    def value(self, name: str) -> t.Any:
        return self.raw.get(self.var(name))

    def take(self, name: str, check: t.Callable[..., t.Any], *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Check one input with ``check(value, variable, ...)`` and keep what it returns."""
        result = self.errors.check(check, self.value(name), self.var(name), *args, **kwargs)
        self.inputs[name] = result
        return result

    @property
    def state_dir(self) -> str:
        return f"{STATE_DIR}/{self.DAEMON}"

    # ------------------------------------------------------------------ step 1: the inputs alone

    def check(self) -> Errors:
        """Every rule that needs nothing but the inputs."""
        self.check_listening()
        self.check_anonymous()
        self.check_local()
        self.check_virtual_users()
        self.check_tls()
        self.check_passive()
        self.check_limits()
        self.check_banner()
        self.check_own()
        self.check_extra_options()
        return self.errors

    def check_listening(self) -> None:
        ipv6 = self.take("listen_ipv6", inp.flag)
        self.take("listen_port", inp.port)
        address = self.value("listen_address")
        if address in (None, ""):
            self.inputs["listen_address"] = ""
        else:
            self.take("listen_address", inp.ip_address, "ipv6" if ipv6 else "ipv4")

    def check_anonymous(self) -> None:
        anonymous = self.take("anonymous_enable", inp.flag)
        upload = self.take("anon_upload_enable", inp.flag)
        self.take("anon_root", inp.data_directory)
        self.take("anon_upload_dir", inp.relative_path)
        self.inputs["dropbox"] = bool(anonymous and upload)

    def check_local(self) -> None:
        local = self.take("local_enable", inp.flag)
        self.take("chroot_local_user", inp.flag)
        users = self.take("local_users_allowed", inp.user_names)
        if local and users == []:
            self.errors.add(
                self.var("local_users_allowed"),
                f"is empty while {self.var('local_enable')} is true, so no local user could log in",
                f"list the users allowed to log in, or set {self.var('local_enable')} to false",
            )
        if self.inputs.get("anonymous_enable") is False and local is False and self.needs_someone():
            self.errors.add(
                self.var("anonymous_enable"),
                f"and {self.var('local_enable')} are both false, so nobody could log in",
                "enable anonymous access, local users or virtual users",
            )

    def needs_someone(self) -> bool:
        """Whether a server without anonymous and local logins is an error: it is unless virtual users are listed."""
        return not self.value("virtual_users")

    # Whether the daemon enforces a virtual user's quota_mb; the fix named when it does not.
    VIRTUAL_QUOTA = True
    VIRTUAL_QUOTA_FIX = ""

    def check_virtual_users(self) -> None:
        """Virtual users (:mod:`._virtual_users`): names, hashes, homes, rights; the hashes stay out of the plan."""
        anon_root = self.inputs.get("anon_root")
        root = self.take("virtual_users_root", vu.root_directory, anon_root)
        local = (self.inputs.get("local_users_allowed") or []) if self.inputs.get("local_enable") else []
        self.virtual = vu.check_users(
            self.value("virtual_users"),
            self.var("virtual_users"),
            root,
            self.errors,
            anon_root=anon_root if self.inputs.get("anonymous_enable") else None,
            local_users=local,
            quota=self.VIRTUAL_QUOTA,
            quota_fix=self.VIRTUAL_QUOTA_FIX,
        )
        self.inputs["virtual_users"] = [user.as_plan() for user in self.virtual.users]

    def check_tls(self) -> None:
        tls = self.take("tls_enable", inp.flag)
        self.take("tls_required", inp.flag)
        cert, key = self.value("tls_cert") or "", self.value("tls_key") or ""
        self.inputs["tls_cert"] = self.inputs["tls_key"] = ""
        if cert or key:
            if not (cert and key):
                missing = self.var("tls_key") if cert else self.var("tls_cert")
                self.errors.add(
                    missing,
                    "is empty while the other half of the pair is set",
                    f"set both {self.var('tls_cert')} and {self.var('tls_key')}, or neither to generate a certificate",
                )
            else:
                self.take("tls_cert", inp.absolute_path)
                self.take("tls_key", inp.absolute_path)
        self.take("tls_generated_cert", inp.absolute_path, under=TLS_DIRS)
        self.take("tls_generated_key", inp.absolute_path, under=TLS_DIRS)
        if self.inputs.get("tls_generated_cert") and self.inputs["tls_generated_cert"] == self.inputs.get(
            "tls_generated_key"
        ):
            self.errors.add(
                self.var("tls_generated_key"), "is the same file as the certificate", "give each its own path"
            )
        self.take("tls_common_name", inp.text, allow_empty=not tls, max_length=64, what="certificate common name")
        sans = self.value("tls_subject_alt_names")
        if not isinstance(sans, (list, tuple)):
            self.errors.add(
                self.var("tls_subject_alt_names"), "must be a list", "e.g. ['DNS:ftp.example.org', 'IP:192.0.2.10']"
            )
            sans = []
        self.inputs["tls_subject_alt_names"] = [
            self.errors.check(subject_alt_name, item, self.var("tls_subject_alt_names")) for item in sans
        ]
        ciphers = self.take("tls_ciphers", inp.cipher_list)
        if ciphers and not aead_only(ciphers):
            self.errors.add(
                self.var("tls_ciphers"),
                "adds suites that are not forward-secret AEAD (GCM, ChaCha20-Poly1305, CCM), which TLS 1.0 and 1.1 "
                "could then negotiate and which the audit (HFTP-008) fails",
                "list only ECDHE suites with GCM or CHACHA20-POLY1305, as the default does",
            )

    def check_passive(self) -> None:
        pasv = self.take("pasv_enable", inp.flag)
        low = self.take("pasv_min_port", inp.port, low=UNPRIVILEGED_PORTS[0])
        high = self.take("pasv_max_port", inp.port, low=UNPRIVILEGED_PORTS[0])
        size_limit = self.take("pasv_max_range_size", inp.count, low=1, high=65535 - 1024 + 1, what="number of ports")
        address = self.value("pasv_address")
        self.inputs["pasv_address"] = ""
        if address not in (None, ""):
            self.take("pasv_address", inp.host_name)
        if not pasv or None in (low, high, size_limit):
            return
        example = f"e.g. {self.var('pasv_min_port')}: 30000, {self.var('pasv_max_port')}: 30099"
        if low > high:
            self.errors.add(
                self.var("pasv_min_port"),
                f"{low} is above {self.var('pasv_max_port')} {high}: the passive range is empty",
                example,
            )
            return
        if high - low + 1 > size_limit:
            self.errors.add(
                self.var("pasv_max_port"),
                f"the passive range {low}-{high} has {high - low + 1} ports, more than "
                f"{self.var('pasv_max_range_size')} ({size_limit})",
                f"narrow the range ({example}), or raise {self.var('pasv_max_range_size')} if you mean it",
            )
        reserved = {self.inputs.get("listen_port"): "the control port", FTP_DATA_PORT: "port 20", self.ssh_port: "SSH"}
        inside = sorted(f"{what} ({number})" for number, what in reserved.items() if number and low <= number <= high)
        if inside:
            self.errors.add(
                self.var("pasv_min_port"),
                f"the passive range {low}-{high} holds {', '.join(inside)}",
                f"move the range away from them ({example})",
            )

    def check_limits(self) -> None:
        clients = self.take("max_clients", inp.count, low=self.MIN_CLIENTS, what="number of sessions")
        per_ip = self.take("max_per_ip", inp.count, low=self.MIN_CLIENTS, what="number of sessions")
        if clients and per_ip is not None and per_ip > clients:
            self.errors.add(
                self.var("max_per_ip"),
                f"{per_ip} is more than {self.var('max_clients')} ({clients})",
                f"lower {self.var('max_per_ip')} or raise {self.var('max_clients')}",
            )

    MIN_CLIENTS = 0  # 0 means "unlimited" for daemons that allow it

    def check_banner(self) -> None:
        self.take("banner", inp.text, max_length=512, what="greeting")

    def check_own(self) -> None:
        """The daemon's own inputs (subclasses)."""

    # Extra options: the daemon's option table decides names and value types (subclasses).
    def check_extra_options(self) -> None:
        extra = self.value("extra_options")
        if extra in (None, ""):
            extra = {}
        if not isinstance(extra, t.Mapping):
            self.errors.add(
                self.var("extra_options"), "must be a mapping of option to value", "e.g. {max_login_fails: 2}"
            )
            extra = {}
        managed = set(self.managed_options())
        checked = {}
        for name, value in extra.items():
            variable = f"{self.var('extra_options')}.{name}"
            if not isinstance(name, str):
                self.errors.add(self.var("extra_options"), f"has the key {name!r}, which is not an option name", "")
                continue
            try:
                inp.text(name, self.var("extra_options"), what="option name")
            except InputError as exc:
                self.errors.items.append(exc)
                continue
            if name in managed:
                self.errors.add(
                    variable,
                    "is an option the role writes itself",
                    f"use its {self.PREFIX}* variable (see the role's README); extra options add others only",
                )
                continue
            result = self.errors.check(self.extra_option, name, value, variable)
            if result is not None:
                checked[name] = result
        self.inputs["extra_options"] = checked

    def managed_options(self) -> t.Iterable[str]:
        """Names of the options the role writes itself (subclasses)."""
        return ()

    def extra_option(self, name: str, value: t.Any, variable: str) -> t.Any:
        """The checked value of one extra option, or raise InputError (subclasses)."""
        raise InputError(variable, "extra options are not supported", "")

    # ------------------------------------------------------------------ step 2: what the host says

    def host_request(self) -> dict[str, t.Any]:
        """What ``hardened.ftp.ftp_host_info`` must read for :meth:`check_host` and :meth:`plan`."""
        i = self.inputs
        paths = [STATE_DIR, self.state_dir, i["anon_root"], f"{i['anon_root']}/{i['anon_upload_dir']}"]
        certificates = []
        if i["tls_enable"]:
            if i["tls_cert"]:
                certificates = [i["tls_cert"], i["tls_key"]]
                paths += certificates
            else:
                for path in (i["tls_generated_cert"], i["tls_generated_key"]):
                    paths += [path, path.rsplit("/", 1)[0]]
        virtual = self.virtual.users
        if virtual:
            paths += [i["virtual_users_root"], *(user.home for user in virtual)]
        return {
            "users": sorted(
                set().union(
                    i.get("local_users_allowed") or [],
                    self.own_users(),
                    (user.name for user in virtual),
                    (vu.OWNER, vu.READER) if virtual else (),
                )
            ),
            "groups": [self.FTP_GROUP],
            "paths": paths + self.own_paths(),
            "resolve": [i["pasv_address"]] if i["pasv_address"] and not _is_ipv4(i["pasv_address"]) else [],
            "packages": sorted({*self.packages(), *self.TLS_PACKAGES, *self.APT_PACKAGES}),
            "units": sorted(OTHER_UNITS),
            "read": certificates,
        }

    def own_users(self) -> list[str]:
        return []

    def packages(self) -> list[str]:
        """The daemon's packages, and what its virtual users need."""
        extra = self.virtual_database().get("packages", []) if self.virtual.users else []
        return [*self.PACKAGES, *extra]

    def own_paths(self) -> list[str]:
        return []

    def check_host(self, host: t.Mapping[str, t.Any], tls_checker: TlsChecker | None = None) -> Errors:
        """Every rule that needs the host: local users, the passive host name, the certificate you gave.

        ``tls_checker(cert_pem, key_pem)`` returns ``(problems, warnings)`` for a certificate pair
        (the controller checks it with the cryptography library); its warnings go to :attr:`warnings`.
        """
        self.host = dict(host)
        i = self.inputs
        ssh_port = (host.get("ssh") or {}).get("port")
        low, high = i["pasv_min_port"], i["pasv_max_port"]
        if i["pasv_enable"] and ssh_port and ssh_port != self.ssh_port and low <= ssh_port <= high:
            self.errors.add(
                self.var("pasv_min_port"),
                f"the passive range {low}-{high} holds the port SSH runs on ({ssh_port})",
                "move the range away from it",
            )
        if i["tls_enable"] and i["tls_cert"]:
            self.check_certificate(host, tls_checker)
        name = i["pasv_address"]
        if i["pasv_enable"] and name and not _is_ipv4(name) and not host.get("resolved", {}).get(name):
            self.errors.add(
                self.var("pasv_address"),
                f"{name} does not resolve to an IPv4 address on the host",
                "set the public IPv4 address clients reach, or fix DNS or /etc/hosts on the host",
            )
        if i["local_enable"]:
            for name in i["local_users_allowed"]:
                self.check_local_user(name, host.get("users", {}).get(name) or {})
        self.errors.items += vu.host_problems(
            self.virtual.users,
            self.var("virtual_users"),
            host.get("users", {}),
            host.get("paths", {}),
            **self.virtual_min_uid(),
        )
        return self.errors

    def virtual_min_uid(self) -> dict[str, t.Any]:
        """The lowest uid the daemon serves, for the virtual users' accounts (daemons with such a limit)."""
        return {}

    def check_certificate(self, host: t.Mapping[str, t.Any], tls_checker: TlsChecker | None) -> None:
        """The certificate and key you gave: readable files, the key kept from other users, a matching pair."""
        i = self.inputs
        paths = host.get("paths", {})
        for name in ("tls_cert", "tls_key"):
            info = paths.get(i[name]) or {}
            if not info.get("exists") or not info.get("isreg"):
                self.errors.add(
                    self.var(name),
                    f"{i[name]} is {'not a regular file' if info.get('exists') else 'missing'} on the host",
                    f"give the path of the PEM file on the host, or leave {self.var('tls_cert')} and "
                    f"{self.var('tls_key')} empty to generate a certificate",
                )
                return
        key = paths[i["tls_key"]]
        problem = key_mode_problem(key["mode"], key["uid"], key.get("group", ""))
        if problem:
            self.errors.add(
                self.var("tls_key"),
                f"{i['tls_key']} {problem}",
                f"chown root:root {i['tls_key']} && chmod 0600 {i['tls_key']} (or 0640 with group {KEY_GROUP})",
            )
        if tls_checker is None:
            return
        files = host.get("files", {})
        problems, warnings = tls_checker(files.get(i["tls_cert"]), files.get(i["tls_key"]))
        for which, problem, fix in problems:
            name = "tls_cert" if which == "cert" else "tls_key"
            self.errors.add(self.var(name), f"{i[name]} {problem}", fix)
        self.warnings += [f"{self.var('tls_cert')} {i['tls_cert']} {warning}" for warning in warnings]

    def check_local_user(self, name: str, user: t.Mapping[str, t.Any]) -> None:
        variable = self.var("local_users_allowed")
        if not user.get("exists"):
            self.errors.add(
                variable,
                f"{name} is not a user on the host",
                f"create it (useradd -m {name}) or remove it from the list",
            )
            return
        if user.get("uid") == 0:
            self.errors.add(variable, f"{name} has uid 0 (root's powers)", f"remove {name} from the list")
            return
        # Debian's PAM files for vsftpd and pure-ftpd refuse users whose shell is not in /etc/shells
        # (pam_shells) and users listed in /etc/ftpusers (pam_listfile sense=deny).
        shells = self.host.get("shells")
        if shells is not None and user.get("shell") not in shells:
            self.errors.add(
                variable,
                f"{name}'s shell {user.get('shell')} is not in /etc/shells, and the {self.TITLE} PAM "
                "configuration (pam_shells) refuses such users",
                f"give {name} a login shell listed in /etc/shells (usermod -s /bin/sh {name}), or add it there",
            )
        if name in (self.host.get("ftpusers") or []):
            self.errors.add(
                variable,
                f"{name} is listed in /etc/ftpusers, which the {self.TITLE} PAM configuration refuses",
                f"remove {name} from /etc/ftpusers, or from the list",
            )
        self.check_local_user_daemon(name, user)

    def check_local_user_daemon(self, name: str, user: t.Mapping[str, t.Any]) -> None:
        """The daemon's own rules for one allowed local user (subclasses)."""

    # ------------------------------------------------------------------ step 3: the plan

    def plan(self, check_mode: bool = False) -> dict[str, t.Any]:
        """What the role does on this host; only after :meth:`check` and :meth:`check_host` found nothing."""
        i = self.inputs
        generate = bool(i["tls_enable"] and not i["tls_cert"])
        packages = [*self.APT_PACKAGES, *self.packages(), *(self.TLS_PACKAGES if generate else ())]
        installed = self.host.get("packages", {})
        missing = [name for name in packages if not installed.get(name)]
        fresh = bool(check_mode and missing)
        plan = {
            "daemon": self.DAEMON,
            "packages": packages,
            "missing_packages": missing,
            # In check mode on a host without the package nothing can be installed, so the steps
            # that need its binary, users or directories report what they would do instead.
            "fresh_check": fresh,
            "python_apt": bool(self.host.get("python_apt")),
            "inputs": i,
            "fact": self.fact(),
            "directories": self.directories(fresh),
            "users": self.system_users() + (vu.accounts(i["virtual_users_root"]) if self.virtual.users else []),
            "virtual_users": self.virtual_plan(),
            "tls": self.tls_plan(generate),
            "service": {
                "unit": self.UNIT,
                "process": self.PROCESS,
                "port": i["listen_port"],
                "snapshot": self.snapshot_paths(),
                "store": self.state_dir,
                # The other FTP daemons' processes: one still on the port after a switch is stopped.
                "evict": sorted(set(DAEMON_PROCESSES) - {self.PROCESS}),
            },
            "other_units": self.other_units(),
            "watch": self.watch(),
        }
        plan.update(self.plan_own(fresh))
        return plan

    def watch(self) -> dict[str, t.Any]:
        """What the fast path of hardened.ftp.hardened_ftp checks before the next run (hardened.ftp.last_good_run)."""
        i = self.inputs
        tls = self.tls_plan(bool(i["tls_enable"] and not i["tls_cert"]))
        certificates = [tls["cert"]] if tls["enable"] else []
        return {
            "paths": [self.state_dir, *self.watched_files(), *([tls["cert"], tls["key"]] if tls["enable"] else [])],
            "stat_only": [
                i["anon_root"],
                f"{i['anon_root']}/{i['anon_upload_dir']}",
                *self.watched_dirs(),
                *([i["virtual_users_root"]] + [user.home for user in self.virtual.users] if self.virtual.users else []),
            ],
            # Every FTP daemon's unit: one that started again since would share the port.
            "services": list(OTHER_UNITS),
            "ports": [i["listen_port"]],
            "certificates": certificates,
        }

    def watched_files(self) -> list[str]:
        """Files and directories the role writes, read with their content by the fast path (subclasses)."""
        return []

    def virtual_plan(self) -> dict[str, t.Any]:
        """What the role does for virtual users: no hash here (the database task reads them from the variable)."""
        i = self.inputs
        return {
            "enabled": bool(self.virtual.users),
            "variable": self.var("virtual_users"),
            "root": i["virtual_users_root"],
            "users": list(i["virtual_users"]),
            "owner": vu.OWNER,
            "reader": vu.READER,
            "group": vu.GROUP,
            **self.virtual_database(),
        }

    def virtual_database(self) -> dict[str, t.Any]:
        """The daemon's own files for virtual users (subclasses): ``format``, ``path``..."""
        return {}

    def watched_dirs(self) -> list[str]:
        """Directories whose owner and mode only the fast path reads (subclasses)."""
        return []

    def fact(self) -> dict[str, t.Any]:
        """The hardened_ftp_server fact: one shape for every daemon (the firewall and the checks read it)."""
        i = self.inputs
        pasv = bool(i["pasv_enable"])
        return {
            "daemon": self.DAEMON,
            "listen_address": i["listen_address"],
            "control_port": i["listen_port"],
            "listen_ipv6": i["listen_ipv6"],
            "pasv_enable": pasv,
            "pasv_min_port": i["pasv_min_port"] if pasv else None,
            "pasv_max_port": i["pasv_max_port"] if pasv else None,
            "pasv_address": i["pasv_address"] if pasv else "",
            "active_enable": self.active_enable(),
            "tls_enable": i["tls_enable"],
            "tls_required": self.tls_every_session(),
            "anonymous_enable": i["anonymous_enable"],
            "anon_upload_enable": i["dropbox"],
            "port_promiscuous": False,
        }

    def active_enable(self) -> bool:
        return True

    def tls_every_session(self) -> bool:
        """The fact's tls_required: every session, anonymous ones included, is TLS (the readers' meaning)."""
        i = self.inputs
        return bool(i["tls_enable"] and i["tls_required"])

    def directories(self, fresh: bool) -> list[dict[str, t.Any]]:
        """Directories the role creates or keeps, in order, with owner, group and mode."""
        i = self.inputs
        paths = self.host.get("paths", {})
        found = []
        for path in (STATE_DIR, self.state_dir):
            found.append({"path": path, "owner": "root", "group": "root", "mode": "0700"})
        if i["anonymous_enable"]:
            found.append({"path": i["anon_root"], "owner": "root", "group": "root", "mode": "0755"})
        if i["dropbox"] and not fresh:
            # Group ftp (the anonymous session) may enter and create, not read: no listing. The
            # sticky bit stops it deleting or renaming files it does not own.
            found.append(
                {
                    "path": f"{i['anon_root']}/{i['anon_upload_dir']}",
                    "owner": "root",
                    "group": self.FTP_GROUP,
                    "mode": "1730",
                }
            )
        if i["tls_enable"] and not i["tls_cert"]:
            # Only where the host lacks them: Debian's ssl-cert gives /etc/ssl/private its own group.
            for path, mode in (
                (i["tls_generated_cert"].rsplit("/", 1)[0], "0755"),
                (i["tls_generated_key"].rsplit("/", 1)[0], "0700"),
            ):
                if not paths.get(path, {}).get("exists") and all(item["path"] != path for item in found):
                    found.append({"path": path, "owner": "root", "group": "root", "mode": mode})
        found.extend(self.own_directories(fresh))
        if self.virtual.users:
            found.extend(vu.directories(i["virtual_users_root"], self.virtual.users))
        return found

    def own_directories(self, fresh: bool) -> list[dict[str, t.Any]]:
        return []

    def system_users(self) -> list[dict[str, t.Any]]:
        """System users and groups the role creates (subclasses)."""
        return []

    def tls_plan(self, generate: bool) -> dict[str, t.Any]:
        i = self.inputs
        if not i["tls_enable"]:
            return {"enable": False}
        if not generate:
            return {"enable": True, "generate": False, "cert": i["tls_cert"], "key": i["tls_key"]}
        own_name = "DNS:" + i["tls_common_name"]
        return {
            "enable": True,
            "generate": True,
            "cert": i["tls_generated_cert"],
            "key": i["tls_generated_key"],
            "common_name": i["tls_common_name"],
            "subject_alt_names": [own_name, *(name for name in i["tls_subject_alt_names"] if name != own_name)],
        }

    def snapshot_paths(self) -> list[str]:
        """The configuration kept as the last good one (subclasses)."""
        return []

    def other_units(self) -> list[str]:
        """Units of other FTP daemons that run or start at boot: the role stops and disables them."""
        found = []
        for unit, state in sorted(self.host.get("units", {}).items()):
            if unit == self.UNIT or unit not in OTHER_UNITS:
                continue
            if state.get("active") not in ("inactive", "failed", "") or state.get("file_state") in (
                "enabled",
                "generated",
                "static",
                "enabled-runtime",
            ):
                found.append(unit)
        return found

    def plan_own(self, fresh: bool) -> dict[str, t.Any]:
        """The daemon's own part of the plan (subclasses)."""
        return {}

    # ------------------------------------------------------------------ local users' own areas
    # For daemons with a <prefix>local_root input (vsftpd, ProFTPd): one root-owned area per user
    # (``/srv/ftp-local/$USER``) with the user's writable <prefix>local_write_dir inside, or one root.

    def local_area_parent(self) -> str:
        root = self.inputs.get("local_root") or ""
        if USER_TOKEN not in root:
            return ""
        return root.split(USER_TOKEN, 1)[0].rstrip("/") or ""

    def local_areas(self) -> list[tuple[str, str]]:
        """``(area, user)`` for each allowed user when <prefix>local_root names one area per user."""
        root = self.inputs.get("local_root") or ""
        if USER_TOKEN not in root:
            return []
        return [(root.replace(USER_TOKEN, name), name) for name in self.inputs.get("local_users_allowed") or []]

    def local_area_paths(self) -> list[str]:
        """The areas and their parent, for the host read."""
        if not self.inputs["local_enable"]:
            return []
        return [path for path in [area for area, _user in self.local_areas()] + [self.local_area_parent()] if path]

    def local_area_directories(self) -> list[dict[str, t.Any]]:
        """The local users' areas, in order, with owner, group and mode."""
        i = self.inputs
        found: list[dict[str, t.Any]] = []
        if not i["local_enable"] or not i.get("local_root"):
            return found
        parent = self.local_area_parent()
        if not parent:
            return [{"path": i["local_root"], "owner": "root", "group": "root", "mode": "0755"}]
        found.append({"path": parent, "owner": "root", "group": "root", "mode": "0755"})
        users = self.host.get("users", {})
        for area, name in self.local_areas():
            # The chroot: root's (vsftpd accepts no other); the user's own place is inside it.
            found.append({"path": area, "owner": "root", "group": "root", "mode": "0755"})
            gid = (users.get(name) or {}).get("gid", name)
            found.append({"path": f"{area}/{i['local_write_dir']}", "owner": name, "group": gid, "mode": "0700"})
        return found


# The systemd units and process names of every FTP daemon the collection knows: one runs, the
# others are stopped.
OTHER_UNITS = ("vsftpd", "pure-ftpd", "proftpd")
DAEMON_PROCESSES = ("vsftpd", "pure-ftpd", "proftpd")
# In <prefix>local_root, the place of the user's name.
USER_TOKEN = "$USER"


def _is_ipv4(value: str) -> bool:
    try:
        inp.ip_address(value, "", "ipv4")
    except InputError:
        return False
    return True


AEAD_MARKERS = ("GCM", "CHACHA20", "CCM")


def aead_only(ciphers: str | None) -> bool:
    """True when every cipher suite an OpenSSL cipher string adds is AEAD (GCM, ChaCha20, CCM).

    TLS 1.0 and 1.1 have no AEAD suite, so such a list only negotiates TLS 1.2 or newer.
    Keywords such as ``HIGH`` or ``DEFAULT`` add non-AEAD suites and make it false."""
    if not ciphers:
        return False
    added = [part for part in ciphers.replace(",", ":").replace(" ", ":").split(":") if part]
    added = [part for part in added if not part.startswith(("!", "-", "@"))]
    return bool(added) and all(any(marker in part.upper() for marker in AEAD_MARKERS) for part in added)


SAN_KINDS = ("DNS", "IP", "email", "URI")


def subject_alt_name(value: t.Any, variable: str) -> str:
    """A subject alternative name as community.crypto takes it: ``DNS:name``, ``IP:address``, ..."""
    raw = inp.text(value, variable, allow_empty=False, what="subject alternative name").strip()
    kind, sep, name = raw.partition(":")
    if not sep or kind not in SAN_KINDS or not name:
        raise InputError(
            variable,
            f"{inp.shown(raw)} is not a subject alternative name",
            "write it as DNS:ftp.example.org or IP:192.0.2.10",
        )
    if kind == "IP":
        name = inp.ip_address(name, variable)
    elif kind == "DNS" and not name.startswith("*."):
        name = inp.host_name(name, variable)
    return f"{kind}:{name}"


def key_mode_problem(mode: int, uid: int, group: str) -> str | None:
    """Why a private key file with this mode, owner and group may not be used, or None."""
    if uid != 0:
        return f"is owned by uid {uid}, not root"
    if mode & 0o007:
        return f"has mode {mode & 0o7777:04o}: every user of the host may read it"
    if mode & 0o030 or (mode & 0o040 and group != KEY_GROUP):
        return f"has mode {mode & 0o7777:04o} with group {group}: that group may read it"
    return None


def local_root(value: t.Any, variable: str) -> str:
    """<prefix>local_root: an absolute directory outside the system trees; ``$USER`` only as a whole component."""
    path = inp.absolute_path(value, variable, extra_chars="$", not_under=tuple(inp.SYSTEM_TREES))
    if "$" in path.replace(USER_TOKEN, ""):
        raise InputError(
            variable, f"{inp.shown(path)} holds '$' other than {USER_TOKEN}", f"write {USER_TOKEN} or no '$'"
        )
    if USER_TOKEN in path and any(USER_TOKEN in part and part != USER_TOKEN for part in path.split("/")):
        raise InputError(
            variable, f"{inp.shown(path)} has {USER_TOKEN} inside a name", f"make {USER_TOKEN} a whole path component"
        )
    return path
