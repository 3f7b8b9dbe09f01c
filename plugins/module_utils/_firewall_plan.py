# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The firewall plan: every rule the ``ftp_firewall_*`` inputs must meet, and the rules they make (private module).

Like the server planners (:mod:`._server_plan`), :class:`FirewallPlanner` works in three steps, so
bad input fails before the host is read, and everything fails before the host changes:

1. :meth:`FirewallPlanner.check` - the inputs alone, against the ``hardened_ftp_server`` fact;
2. :meth:`FirewallPlanner.host_request` / :meth:`FirewallPlanner.check_host` - what the host says
   (the SSH session, whether the kernel has IPv6, installed packages, loadable kernel modules),
   read in one call of ``hardened.ftp.ftp_host_info``;
3. :meth:`FirewallPlanner.plan` - what the templates and tasks of ``hardened.ftp.ftp_firewall`` use.

What ``ftp_firewall_ipv6`` means (one meaning on every backend): ``true`` - FTP is opened over
IPv4 and IPv6 as the sources say; ``false`` - FTP is opened over IPv4 only, and IPv6 is still
filtered like the rest of the host (same default policy; established traffic, loopback, ICMPv6,
management SSH and the extra ports stay open). A kernel without IPv6 gets IPv4 rules only.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils import _inputs as inp
from ansible_collections.hardened.ftp.plugins.module_utils._inputs import Errors, InputError
from ansible_collections.hardened.ftp.plugins.module_utils._server_model import (
    ServerModelError,
    normalize_server_model,
)

PREFIX = "ftp_firewall_"
FACT = "hardened_ftp_server"
BACKENDS = ("iptables", "nftables", "ufw", "firewalld")
POLICIES = ("auto", "range", "related")
PROTOCOLS = ("tcp", "udp")
FAMILIES = ("ipv4", "ipv6")
ANY = "any"
EVERYWHERE = {"ipv4": "0.0.0.0/0", "ipv6": "::/0"}
# Keys of the hardened_ftp_server fact the firewall reads.
FACT_KEYS = (
    "daemon",
    "control_port",
    "listen_ipv6",
    "pasv_enable",
    "pasv_min_port",
    "pasv_max_port",
    "active_enable",
    "tls_enable",
    "tls_required",
)
FLAGS = (
    "ipv6",
    "filter_egress",
    "default_deny",
    "load_helper_modules",
    "nat_helper",
    "persist",
    "consistency_check",
)
# Where the role's own state lives (hardened.ftp.firewall_rules keeps the digest of what it loaded).
STATE_DIR = "/var/lib/hardened-ftp/firewall"
HELPER_MODULES = ("nf_conntrack_ftp",)
NAT_HELPER_MODULES = ("nf_nat_ftp",)
PROC_MODULES = "/proc/modules"
SYS_MODULE = "/sys/module"
PACKAGES = {
    "iptables": ("iptables",),
    "nftables": ("nftables",),
    "ufw": ("ufw", "procps"),
    # firewalld pulls python3-firewall, dbus and python3-nftables; it cannot start without /etc/protocols
    # (netbase), and the plugins read its table with nft (nftables).
    "firewalld": ("firewalld", "netbase", "nftables"),
}
PERSIST_PACKAGES = {"iptables": ("netfilter-persistent", "iptables-persistent")}
# ansible.builtin.apt installs python3-apt itself in a normal run, but check mode needs it there.
APT_PACKAGES = ("python3-apt",)
ALL_PACKAGES = (
    "iptables",
    "netfilter-persistent",
    "iptables-persistent",
    "nftables",
    "ufw",
    "procps",
    "firewalld",
    "netbase",
    "kmod",
    "python3-apt",
)
# The objects the role owns, per backend: it never touches any other chain or table.
NAMES = {
    "iptables": {"pre": "HARDENED-FTP-PRE", "input": "HARDENED-FTP-INPUT", "output": "HARDENED-FTP-OUTPUT"},
    "ufw": {"pre": "ufw-hardened-ftp-helper", "output": "ufw-hardened-ftp-output"},
    "nftables": {"table": "hardened_ftp"},
    # firewalld: definitions named hardened-ftp* (a policy name has at most 18 characters).
    "firewalld": {
        "prefix": "hardened-ftp",
        "helper": "hardened-ftp",
        "control": "hardened-ftp",
        "passive": "hardened-ftp-passive",
        "ssh": "hardened-ftp-ssh",
        "extra": "hardened-ftp-extra",
        "egress": "hardened-ftp-out",
    },
}
FILES = {
    "iptables": {"ipv4": "/etc/hardened-ftp/rules.ipv4", "ipv6": "/etc/hardened-ftp/rules.ipv6"},
    "ufw": {"ipv4": "/etc/ufw/before.rules", "ipv6": "/etc/ufw/before6.rules"},
    "nftables": {"inet": "/etc/nftables.d/hardened-ftp.nft"},
    "firewalld": {},
}
NFT_CONF = "/etc/nftables.conf"
# The line of /etc/nftables.conf that loads the role's table (and its directory's others) at boot.
NFT_INCLUDE = 'include "/etc/nftables.d/*.nft"'
UFW_CONF = "/etc/ufw/ufw.conf"
UFW_DEFAULTS = "/etc/default/ufw"
WATCH = {
    # Units that load the rules at boot: their enablement is watched, not whether they ran since boot.
    "iptables": {"paths": ["/etc/hardened-ftp", "/etc/iptables"], "boot_services": ["netfilter-persistent"]},
    "nftables": {"paths": [NFT_CONF, "/etc/nftables.d"], "boot_services": ["nftables"]},
    "ufw": {"paths": ["/etc/ufw", "/etc/default/ufw"], "boot_services": ["ufw"]},
    "firewalld": {"paths": ["/etc/firewalld"], "boot_services": ["firewalld"]},
}
# The role's files of the backends a switch to firewalld takes out: still there means their rules may still be
# in force (the rules files, and the digest hardened.ftp.firewall_rules keeps of what it loaded).
LEFT_BEHIND = {
    "nftables": (FILES["nftables"]["inet"], f"{STATE_DIR}/nftables.json"),
    "iptables": (FILES["iptables"]["ipv4"], FILES["iptables"]["ipv6"], f"{STATE_DIR}/iptables.json"),
}
# What netfilter-persistent save writes (the role saved its iptables chains there with ftp_firewall_persist).
IPTABLES_SAVED = ("/etc/iptables/rules.v4", "/etc/iptables/rules.v6")
# The port firewalld's stock zones open for SSH (their service ssh) when the package starts it.
FIREWALLD_STOCK_SSH = 22
# Packages that cannot live beside a backend (Debian's iptables-persistent conflicts with ufw).
CONFLICTS = {
    "ufw": ("iptables-persistent", "netfilter-persistent"),
    "iptables": ("ufw",),
}
FORMAT = 2


class FirewallPlanner:
    """The rules of ``hardened.ftp.ftp_firewall``'s inputs, and the plan they make."""

    def __init__(self, raw: t.Mapping[str, t.Any], server: t.Any) -> None:
        self.raw = dict(raw)
        self.server_raw = server
        self.server: dict[str, t.Any] = {}
        self.errors = Errors()
        self.inputs: dict[str, t.Any] = {}
        self.host: dict[str, t.Any] = {}
        self.warnings: list[str] = []

    # ------------------------------------------------------------------ names and values

    @staticmethod
    def var(name: str) -> str:
        return PREFIX + name

    def take(self, name: str, check: t.Callable[..., t.Any], *args: t.Any, **kwargs: t.Any) -> t.Any:
        result = self.errors.check(check, self.raw.get(self.var(name)), self.var(name), *args, **kwargs)
        self.inputs[name] = result
        return result

    def server_var(self, name: str) -> str:
        """The server role's variable behind a key of the fact (``vsftpd_listen_ipv6``)."""
        daemon = self.server.get("daemon") or "vsftpd"
        return f"{daemon}_{name}"

    # ------------------------------------------------------------------ step 1: the inputs alone

    def check(self) -> Errors:
        self.check_server()
        self.take("backend", inp.choice, BACKENDS)
        self.take("passive_policy", inp.choice, POLICIES)
        for name in FLAGS:
            self.take(name, inp.flag)
        self.take("ssh_port", inp.port)
        self.take("firewalld_zone", firewalld_zone)
        self.networks("allowed_sources")
        self.networks("ssh_sources")
        self.check_extra()
        if self.server:
            self.check_policy()
            self.check_ssh_port()
            self.check_ipv6()
        return self.errors

    def check_server(self) -> None:
        fix = (
            "run hardened.ftp.vsftpd, hardened.ftp.pureftpd or hardened.ftp.proftpd (or hardened.ftp.hardened_ftp) "
            "before this role in the same play: they publish it, so no port is typed twice"
        )
        if not isinstance(self.server_raw, t.Mapping):
            self.errors.add(FACT, "is not set on this host" if self.server_raw is None else "is not a mapping", fix)
            return
        missing = [key for key in FACT_KEYS if key not in self.server_raw]
        if missing:
            self.errors.add(FACT, f"lacks {', '.join(missing)}", fix)
            return
        try:
            server = normalize_server_model(self.server_raw, partial=True)
        except ServerModelError as exc:
            self.errors.add(FACT, str(exc), fix)
            return
        if not 1 <= server["control_port"] <= 65535:
            self.errors.add(FACT, f"control_port {server['control_port']} is not a port 1-65535", fix)
            return
        self.server = server

    def networks(self, name: str) -> list[str] | None:
        """A list of networks, each checked on its own so that every bad one is reported."""
        variable, values = self.var(name), self.raw.get(self.var(name))
        if values in (None, ""):
            values = []
        if not isinstance(values, (list, tuple)):
            self.errors.check(inp.ip_networks, values, variable)
            self.inputs[name] = None
            return None
        found = [self.errors.check(inp.ip_network, value, variable) for value in values]
        result = None if None in found else list(dict.fromkeys(found))
        self.inputs[name] = result
        return result

    def check_extra(self) -> None:
        variable = self.var("extra_allowed")
        items = self.raw.get(variable)
        found: list[dict[str, t.Any]] = []
        self.inputs["extra_allowed"] = found
        if items in (None, ""):
            return
        if not isinstance(items, (list, tuple)):
            self.errors.add(variable, "must be a list", "e.g. [{port: 443, proto: tcp}]")
            return
        for index, item in enumerate(items):
            where = f"{variable}[{index}]"
            if not isinstance(item, t.Mapping) or "port" not in item:
                self.errors.add(
                    where, f"{inp.shown(item)} is not a mapping with a port", "e.g. {port: 443, proto: tcp}"
                )
                continue
            unknown = sorted(str(key) for key in item if key not in ("port", "proto"))
            if unknown:
                self.errors.add(where, f"has unknown keys {', '.join(unknown)}", "give port and, optionally, proto")
                continue
            span = self.errors.check(inp.port_span, item["port"], f"{where}.port")
            proto = self.errors.check(inp.choice, item.get("proto", "tcp"), f"{where}.proto", PROTOCOLS)
            if span is not None and proto is not None:
                entry = {"proto": proto, "min": span[0], "max": span[1]}
                if entry not in found:
                    found.append(entry)

    def policy(self) -> str:
        wanted = self.inputs.get("passive_policy")
        if wanted == "auto":
            return "range" if self.server["tls_enable"] else "related"
        return t.cast(str, wanted)

    def check_policy(self) -> None:
        if self.inputs.get("passive_policy") is None:
            return
        s, policy, variable = self.server, self.policy(), self.var("passive_policy")
        if policy == "related" and s["tls_enable"]:
            self.errors.add(
                variable,
                f"related does not fit {s['daemon']} with TLS on ({self.server_var('tls_enable')}): the conntrack "
                "helper cannot read the encrypted PASV/EPSV replies, so every FTPS data connection would be dropped",
                f"use range (or auto), or turn TLS off with {self.server_var('tls_enable')}: false",
            )
        if policy == "range" and s["pasv_enable"] and s["pasv_min_port"] is None:
            self.errors.add(
                variable,
                f"range, but {s['daemon']} published no passive port range to open",
                f"set {self.server_var('pasv_min_port')} and {self.server_var('pasv_max_port')}, or use related",
            )

    def check_ssh_port(self) -> None:
        ssh, s = self.inputs.get("ssh_port"), self.server
        if ssh is None:
            return
        low, high = s["pasv_min_port"], s["pasv_max_port"]
        fix = (
            "set ftp_firewall_ssh_port to the port sshd listens on, and move the server role's passive range or "
            "control port away from it"
        )
        if ssh == s["control_port"]:
            self.errors.add(self.var("ssh_port"), f"{ssh} is the FTP control port of {s['daemon']}", fix)
        elif s["pasv_enable"] and low is not None and low <= ssh <= high:
            self.errors.add(
                self.var("ssh_port"), f"{ssh} is inside the passive range {low}-{high} of {s['daemon']}", fix
            )

    def check_ipv6(self) -> None:
        if self.inputs.get("ipv6") is not False:
            return
        if self.server["listen_ipv6"]:
            self.errors.add(
                self.var("ipv6"),
                f"is false, but {self.server['daemon']} listens on IPv6 ({self.server_var('listen_ipv6')}: true), "
                "so its IPv6 clients would be dropped",
                f"set ftp_firewall_ipv6: true to serve FTP over IPv6, or {self.server_var('listen_ipv6')}: false",
            )
        sources = [net for net in self.inputs.get("allowed_sources") or [] if inp.network_family(net) == "ipv6"]
        if sources:
            self.errors.add(
                self.var("allowed_sources"),
                f"lists IPv6 networks ({', '.join(sources)}) while ftp_firewall_ipv6 is false, "
                "so they would open nothing",
                "remove them, or set ftp_firewall_ipv6: true",
            )

    # ------------------------------------------------------------------ step 2: what the host says

    def helper_modules(self) -> list[str]:
        return list(HELPER_MODULES) + (list(NAT_HELPER_MODULES) if self.inputs.get("nat_helper") else [])

    def host_request(self) -> dict[str, t.Any]:
        backend = self.inputs.get("backend")
        return {
            "packages": list(ALL_PACKAGES),
            "paths": [
                PROC_MODULES,
                *(f"{SYS_MODULE}/{name}" for name in self.helper_modules()),
                *(path for paths in LEFT_BEHIND.values() for path in paths if backend == "firewalld"),
            ],
            "read": {
                "ufw": [UFW_CONF, UFW_DEFAULTS],
                "firewalld": [UFW_CONF, UFW_DEFAULTS],
                "nftables": [NFT_CONF],
            }.get(str(backend), []),
            # firewalld's state, and whether the backend's boot service is enabled already (then the role
            # does not ask the host again).
            "units": list(dict.fromkeys(["firewalld", *WATCH.get(str(backend), {}).get("boot_services", [])])),
        }

    def boot_enabled(self, backend: str) -> bool:
        """Whether every boot service of the backend is enabled on the host as it was read."""
        units = self.host.get("units") or {}
        return all((units.get(name) or {}).get("file_state") == "enabled" for name in WATCH[backend]["boot_services"])

    def nft_include_present(self) -> bool:
        """Whether /etc/nftables.conf already has the role's include line (as the host was read)."""
        text = (self.host.get("files") or {}).get(NFT_CONF) or ""
        return NFT_INCLUDE in (line.strip() for line in text.splitlines())

    def ufw_setting(self, path: str, name: str) -> str:
        """A ``NAME=value`` setting of one of ufw's shell-style files, as the host has it ('' when unset)."""
        text = (self.host.get("files") or {}).get(path) or ""
        for line in text.splitlines():
            key, _sep, value = line.strip().partition("=")
            if key.strip() == name:
                return value.strip().strip("'\"")
        return ""

    def check_host(self, host: t.Mapping[str, t.Any]) -> Errors:
        self.host = dict(host)
        i = self.inputs
        installed = host.get("packages") or {}
        backend = i["backend"]
        conflicting = [name for name in CONFLICTS.get(backend, ()) if installed.get(name)]
        if backend == "iptables" and not i["persist"]:
            conflicting = []
        if conflicting:
            other = "iptables" if backend == "ufw" else "ufw"
            self.errors.add(
                self.var("backend"),
                f"{backend}, but {', '.join(conflicting)} {'is' if len(conflicting) == 1 else 'are'} installed, "
                f"which Debian does not install beside {'ufw' if backend == 'ufw' else 'iptables-persistent'}",
                f"keep one firewall per host: set ftp_firewall_backend: {other} (what the host runs), or remove "
                f"{', '.join(conflicting)} first",
            )
        if not self.has_ipv6():
            self.warnings.append(
                "the kernel has no IPv6 (no /proc/net/if_inet6): hardened.ftp.ftp_firewall writes IPv4 rules only"
            )
        self.check_ssh_sources()
        self.check_session()
        if backend == "firewalld" and not installed.get("firewalld"):
            self.check_firewalld_start()
        self.check_switch(backend)
        return self.errors

    def check_switch(self, backend: str) -> None:
        """One firewall per host: firewalld beside another backend's rules would leave both in force."""
        if backend != "firewalld":
            if ((self.host.get("units") or {}).get("firewalld") or {}).get("active") == "active":
                self.errors.add(
                    self.var("backend"),
                    f"{backend}, but firewalld runs on this host, its ruleset would stay in force beside the role's",
                    "stop and mask firewalld first (systemctl mask --now firewalld), or set ftp_firewall_backend: "
                    "firewalld",
                )
            return
        if self.ufw_setting(UFW_CONF, "ENABLED").lower() == "yes":
            self.errors.add(
                self.var("backend"),
                "firewalld, but ufw is enabled on this host: its rules would stay in force beside firewalld's, and "
                "they are the administrator's (ufw is a frontend of its own), so the role does not take them out",
                "disable ufw first (ufw disable, and remove it or mask ufw.service), or keep ftp_firewall_backend: ufw",
            )

    def switch_from(self) -> list[dict[str, t.Any]]:
        """The role's own rules of iptables or nftables still on a host that moves to firewalld: what
        hardened.ftp.firewall_rules (state absent) takes out once firewalld filters the host."""
        if self.inputs.get("backend") != "firewalld":
            return []
        paths = self.host.get("paths") or {}
        found = []
        for backend, owned in LEFT_BEHIND.items():
            if not any((paths.get(path) or {}).get("exists") for path in owned):
                continue
            item: dict[str, t.Any] = {
                "backend": backend,
                "rules": [{"family": family, "path": path} for family, path in FILES[backend].items()],
            }
            if backend == "iptables":
                item.update(chains=sorted(NAMES["iptables"].values()), saved_files=list(IPTABLES_SAVED))
            else:
                folder = FILES["nftables"]["inet"].rsplit("/", 1)[0]
                item.update(table=NAMES["nftables"]["table"], nft_conf=NFT_CONF, include=f'include "{folder}/*.nft"')
            found.append(item)
        return found

    def check_firewalld_start(self) -> None:
        """Debian's package starts firewalld on install with its stock zone, which opens SSH on port 22 only."""
        ports = sorted({self.inputs.get("ssh_port"), self.session().get("port")} - {None, FIREWALLD_STOCK_SSH})
        if ports:
            self.errors.add(
                self.var("backend"),
                f"firewalld, which is not installed yet: its package starts it at once with the stock zone, which "
                f"opens SSH on port {FIREWALLD_STOCK_SSH} only, so management SSH on {', '.join(map(str, ports))} "
                "would be cut before the role could open it",
                "install firewalld and open the SSH port in its zone first (firewall-cmd --permanent "
                "--add-port=PORT/tcp, then --reload), or use another backend",
            )

    def has_ipv6(self) -> bool:
        return bool(self.host.get("ipv6", True))

    def families(self) -> list[str]:
        """The families the role filters: both where the kernel has IPv6."""
        return ["ipv4", "ipv6"] if self.has_ipv6() else ["ipv4"]

    def ftp_families(self) -> list[str]:
        """The families FTP is opened in."""
        return [family for family in self.families() if family == "ipv4" or self.inputs["ipv6"]]

    def check_ssh_sources(self) -> None:
        sources = self.inputs.get("ssh_sources") or []
        if not sources or not self.inputs.get("default_deny"):
            return
        given = {inp.network_family(net) for net in sources}
        for family in self.families():
            if family in given:
                continue
            other = "IPv4" if family == "ipv6" else "IPv6"
            name = "IPv6" if family == "ipv6" else "IPv4"
            self.errors.add(
                self.var("ssh_sources"),
                f"lists {other} networks only, so management SSH over {name} would be closed (the host filters "
                f"{name} too{', even with ftp_firewall_ipv6: false' if family == 'ipv6' else ''})",
                f"add the {name} networks you administer from, or {EVERYWHERE[family]} to keep SSH over {name} open",
            )

    def session(self) -> dict[str, t.Any]:
        """The live SSH session: ``client`` (an address of a filtered family), ``port`` and ``server`` (the
        host's own address of the session, whatever its family), or {}."""
        ssh = self.host.get("ssh") or {}
        client, port = ssh.get("client"), ssh.get("port")
        if not client or not port:
            return {}
        try:
            address = inp.ip_address(_plain_address(client), "SSH_CONNECTION")
            number = inp.port(port, "SSH_CONNECTION")
        except InputError as exc:
            self.warnings.append(f"the SSH session cannot be kept open by address: {exc}")
            return {}
        found: dict[str, t.Any] = {"port": number}
        if inp.network_family(address) in self.families():
            found["client"] = address
        # Only the firewalld zone uses it, and falls back to the default route's interface without it.
        with contextlib.suppress(InputError):
            found["server"] = inp.ip_address(_plain_address(ssh.get("server") or ""), "SSH_CONNECTION")
        return dict(sorted(found.items()))

    def check_session(self) -> None:
        port = self.session().get("port")
        s = self.server
        if not port or port == self.inputs.get("ssh_port"):
            return
        low, high = s["pasv_min_port"], s["pasv_max_port"]
        if port == s["control_port"] or (s["pasv_enable"] and low is not None and low <= port <= high):
            self.errors.add(
                self.var("ssh_port"),
                f"Ansible reaches the host over SSH on port {port}, which is the FTP control port or inside the "
                f"passive range of {s['daemon']}",
                "connect through the management SSH port, or move the server's ports away from it",
            )

    # ------------------------------------------------------------------ step 3: the plan

    def sources(self, networks: t.Sequence[str], families: t.Sequence[str], extra: str = "") -> dict[str, list[str]]:
        """Per family, the networks allowed ([any] when ``networks`` is empty or holds 0.0.0.0/0 or ::/0).

        A family not named by ``networks`` (when some are given) gets nothing; ``extra`` (the live SSH
        client) is added to its family when that family is restricted."""
        result: dict[str, list[str]] = {}
        for family in families:
            if not networks:
                result[family] = [ANY]
                continue
            mine = [net for net in networks if inp.network_family(net) == family]
            if EVERYWHERE[family] in mine:
                result[family] = [ANY]
                continue
            if extra and inp.network_family(extra) == family and not _covered(extra, mine):
                mine.append(extra)
            result[family] = mine
        return result

    def passive_range(self) -> dict[str, int]:
        s = self.server
        if self.policy() == "range" and s["pasv_enable"] and s["pasv_min_port"] is not None:
            return {"min": s["pasv_min_port"], "max": s["pasv_max_port"]}
        return {}

    def packages(self) -> list[str]:
        i = self.inputs
        backend = i["backend"]
        found = [*APT_PACKAGES, *PACKAGES[backend]]
        if i["persist"]:
            found += PERSIST_PACKAGES.get(backend, ())
        if self.modules():
            found.append("kmod")
        return found

    def modules(self) -> list[str]:
        """The helper modules to load with modprobe: only where the kernel loads modules and lacks them."""
        if not self.inputs.get("load_helper_modules"):
            return []
        paths = self.host.get("paths") or {}
        if not (paths.get(PROC_MODULES) or {}).get("exists"):
            return []
        return [name for name in self.helper_modules() if not (paths.get(f"{SYS_MODULE}/{name}") or {}).get("exists")]

    def modules_note(self) -> str:
        if not self.inputs.get("load_helper_modules"):
            return "ftp_firewall_load_helper_modules is false: no helper module is loaded"
        if self.modules():
            return f"loading {', '.join(self.modules())} now and at boot"
        paths = self.host.get("paths") or {}
        names = ", ".join(self.helper_modules())
        if not (paths.get(PROC_MODULES) or {}).get("exists"):
            present = (paths.get(f"{SYS_MODULE}/{HELPER_MODULES[0]}") or {}).get("exists")
            return (
                f"not loading {names}: this kernel cannot load modules (a container, or a kernel without module "
                f"support); the helper must be built in ({'it is' if present else 'it does not appear to be'} "
                "under /sys/module)"
            )
        return f"not loading {names}: already loaded or built in"

    def plan(self, check_mode: bool = False) -> dict[str, t.Any]:
        """What the role does; only after :meth:`check` and :meth:`check_host` found nothing."""
        i, s = self.inputs, self.server
        backend = i["backend"]
        families, ftp_families = self.families(), self.ftp_families()
        session = self.session()
        ssh_ports = sorted({i["ssh_port"], *([session["port"]] if session.get("port") else [])})
        installed = self.host.get("packages") or {}
        packages = self.packages()
        rules = {
            "format": FORMAT,
            "backend": backend,
            "families": families,
            "ftp_families": ftp_families,
            "control_port": s["control_port"],
            "policy": self.policy(),
            "passive_range": self.passive_range(),
            "ftp_sources": self.sources(i["allowed_sources"], ftp_families),
            "ssh_ports": ssh_ports,
            "ssh_sources": self.sources(i["ssh_sources"], families, session.get("client", "")),
            "default_deny": i["default_deny"],
            "extra_allowed": i["extra_allowed"],
            "egress": {
                "filter": i["filter_egress"],
                # FTPS hides PORT from the helper too: active data must then leave port 20 as NEW.
                "tls_active": bool(i["filter_egress"] and s["active_enable"] and s["tls_enable"]),
            },
        }
        rev = hashlib.sha256(json.dumps(rules, sort_keys=True).encode()).hexdigest()[:12]
        plan = dict(rules)
        plan.update(
            {
                "rev": rev,
                "ipv6": i["ipv6"],
                "ipv6_kernel": self.has_ipv6(),
                "session": session,
                "ufw_rules": ufw_rules(rules),
                "ufw_keep": ufw_keep(ufw_rules(rules)),
                "ufw_absent": ufw_absent(rules),
                # On an enabled ufw, "ufw enable" and "ufw default" reload it, which adds the raw-table jump
                # of before.rules once more (ufw never flushes raw): the role runs them only when needed.
                "ufw_enabled": self.ufw_setting(UFW_CONF, "ENABLED").lower() == "yes",
                "ufw_default_deny": self.ufw_setting(UFW_DEFAULTS, "DEFAULT_INPUT_POLICY").upper() == "DROP",
                "server": s,
                "names": dict(NAMES[backend]),
                "files": {family: path for family, path in FILES[backend].items() if family in (*families, "inet")},
                "nft_conf": NFT_CONF,
                "nft_include": NFT_INCLUDE,
                "nft_include_present": backend == "nftables" and self.nft_include_present(),
                "boot_enabled": self.boot_enabled(backend),
                "firewalld": (
                    firewalld_plan(rules, i.get("firewalld_zone") or "", session.get("server", ""))
                    if backend == "firewalld"
                    else {}
                ),
                "switch_from": self.switch_from(),
                "state_dir": STATE_DIR,
                "packages": packages,
                "missing_packages": [name for name in packages if not installed.get(name)],
                # Check mode compares the rules wherever the backend's tools are in (python3-apt aside).
                "fresh_check": bool(
                    check_mode and any(not installed.get(name) for name in packages if name not in APT_PACKAGES)
                ),
                "python_apt": bool(self.host.get("python_apt")),
                "allowed_sources": list(i["allowed_sources"]),
                "modules": self.modules(),
                "modules_note": self.modules_note(),
                "persist": i["persist"],
                "consistency_check": i["consistency_check"],
                "watch": {
                    "paths": [*WATCH[backend]["paths"], STATE_DIR],
                    "boot_services": list(WATCH[backend]["boot_services"]),
                },
            }
        )
        return plan


def ufw_rules(rules: t.Mapping[str, t.Any]) -> list[dict[str, str]]:
    """The ufw allow rules of a plan, management SSH first (so enabling ufw never locks the operator out)."""
    found = [
        {"port": port, "proto": "tcp", "from_ip": source, "comment": comment}
        for port, sources, comment in _ufw_groups(rules)
        for source in ufw_sources(sources, rules["families"])
    ]
    found += [
        {
            "port": str(item["min"]) if item["min"] == item["max"] else f"{item['min']}:{item['max']}",
            "proto": item["proto"],
            "from_ip": ANY,
            "comment": "hardened-ftp ftp_firewall_extra_allowed",
        }
        for item in rules["extra_allowed"]
    ]
    return found


def _ufw_groups(rules: t.Mapping[str, t.Any]) -> list[tuple[str, dict[str, list[str]], str]]:
    """(port in ufw's spelling, per-family sources, comment) of each group of ufw allow rules but the extra ports."""
    groups = [(str(port), rules["ssh_sources"], "hardened-ftp management SSH") for port in rules["ssh_ports"]]
    groups.append((str(rules["control_port"]), rules["ftp_sources"], "hardened-ftp control port"))
    span = rules["passive_range"]
    if span:
        groups.append((f"{span['min']}:{span['max']}", rules["ftp_sources"], "hardened-ftp passive range"))
    return groups


def ufw_absent(rules: t.Mapping[str, t.Any]) -> list[dict[str, str]]:
    """The one-family halves of ufw rules that must not be there.

    ufw stores ``from any`` as two rules, ``0.0.0.0/0`` for IPv4 and ``::/0`` for IPv6, and its
    ``show added`` lists either half as ``from any``: where a family is restricted (or, for FTP, not
    served), the half of an earlier ``from any`` rule for that family is deleted by name. Deleting a
    rule that is not there changes nothing."""
    found = []
    for port, sources, comment in _ufw_groups(rules):
        for family in rules["families"]:
            if list(sources.get(family) or []) != [ANY]:
                found.append({"port": port, "proto": "tcp", "from_ip": EVERYWHERE[family], "comment": comment})
    return found


def ufw_keep(rules: t.Sequence[t.Mapping[str, str]]) -> list[dict[str, t.Any]]:
    """What ``hardened.ftp.ufw_stale_rules`` must keep: ``show added`` prints a one-family half as ``from any``."""
    return [
        dict(rule, from_ip=[rule["from_ip"], ANY]) if rule["from_ip"] in EVERYWHERE.values() else dict(rule)
        for rule in rules
    ]


def ufw_sources(sources: t.Mapping[str, t.Sequence[str]], families: t.Sequence[str]) -> list[str]:
    """ufw's ``from`` values for per-family sources: ``any`` only when every filtered family is open to all."""
    if families and all(list(sources.get(family) or []) == [ANY] for family in families):
        return [ANY]
    found: list[str] = []
    for family in FAMILIES:
        for source in sources.get(family) or []:
            found.append(EVERYWHERE[family] if source == ANY else source)
    return found


def _plain_address(address: t.Any) -> str:
    """An address of SSH_CONNECTION without its IPv6 scope, and an IPv4-mapped IPv6 address as IPv4."""
    text = str(address).split("%", 1)[0]
    if text.lower().startswith("::ffff:") and "." in text:
        text = text[7:]
    return text


def _covered(address: str, networks: t.Sequence[str]) -> bool:
    host = ipaddress.ip_address(address)
    return any(host in ipaddress.ip_network(net) for net in networks)


def firewalld_zone(value: t.Any, variable: str) -> str:
    """A firewalld zone name, or '' (the zone of the management interface)."""
    if value in (None, ""):
        return ""
    name = inp.text(value, variable)
    if len(name) > 17 or not all(c.isalnum() or c in "-_" for c in name) or name.startswith("-"):
        raise InputError(
            variable,
            f"{inp.shown(value)} is not a firewalld zone name",
            "give a zone firewall-cmd --get-zones lists (letters, digits, - and _, at most 17 characters), "
            "or leave it empty for the zone of the interface Ansible reaches the host through",
        )
    return name


def _port(span: t.Mapping[str, t.Any]) -> str:
    return str(span["min"]) if span["min"] == span["max"] else f"{span['min']}-{span['max']}"


def firewalld_rich_rule(family: str, source: str, service: str) -> str:
    """A rich rule as firewalld prints it (firewall-cmd --list-rich-rules), so a listing compares as text."""
    where = "" if source == ANY else f' source address="{source}"'
    return f'rule family="{family}"{where} service name="{service}" accept'


def firewalld_plan(rules: t.Mapping[str, t.Any], zone: str, session_address: str = "") -> dict[str, t.Any]:
    """What the role puts in firewalld: its definitions, and the zone's services and rich rules that use them.

    A service open to every source in both families goes in the zone as a service; otherwise one rich
    rule per family and source names it (a family not opened gets none). The ftp helper is the role's
    own definition on the control port, named by the control service, so it is attached explicitly."""
    names = NAMES["firewalld"]
    services: dict[str, dict[str, t.Any]] = {
        names["ssh"]: {"ports": [{"port": str(port), "protocol": "tcp"} for port in rules["ssh_ports"]]},
        names["control"]: {
            "ports": [{"port": str(rules["control_port"]), "protocol": "tcp"}],
            "helper": names["helper"],
        },
    }
    opened = [(names["ssh"], rules["ssh_sources"]), (names["control"], rules["ftp_sources"])]
    if rules["passive_range"]:
        services[names["passive"]] = {"ports": [{"port": _port(rules["passive_range"]), "protocol": "tcp"}]}
        opened.append((names["passive"], rules["ftp_sources"]))
    if rules["extra_allowed"]:
        services[names["extra"]] = {
            "ports": [{"port": _port(item), "protocol": item["proto"]} for item in rules["extra_allowed"]]
        }
        opened.append((names["extra"], {family: [ANY] for family in FAMILIES}))
    zone_services: list[str] = []
    rich_rules: list[str] = []
    for name, sources in opened:
        if all(list(sources.get(family) or []) == [ANY] for family in FAMILIES):
            zone_services.append(name)
            continue
        rich_rules += [
            firewalld_rich_rule(family, source, name) for family in FAMILIES for source in sources.get(family) or []
        ]
    # SSH sources: a firewalld service of the zone (its stock ssh) accepts from anywhere, and accepts come
    # after denies in a zone, so what is not an SSH source is dropped first, by an ipset of the sources.
    ipsets: dict[str, dict[str, t.Any]] = {}
    denies: list[str] = []
    for family, suffix, kind in (("ipv4", "4", "inet"), ("ipv6", "6", "inet6")):
        networks = list(rules["ssh_sources"].get(family) or [])
        if networks and networks != [ANY]:
            ipsets[names["ssh"] + suffix] = {"family": kind, "entries": networks}
            denies.append(
                f'rule family="{family}" source NOT ipset="{names["ssh"] + suffix}" service name="{names["ssh"]}" drop'
            )
    rich_rules = rich_rules + denies
    egress = rules["egress"]
    policies = {}
    if egress["filter"] and not egress["tls_active"]:
        # Active data leaves port 20 as RELATED (accepted by firewalld's output chain before any policy);
        # new connections from port 20 are dropped. With FTPS and active mode the helper cannot read PORT,
        # so new connections from port 20 stay allowed (no policy).
        policies[names["egress"]] = {"drop_source_port": 20}
    return {
        "zone": zone,
        # The host's own address of the management SSH session: its interface's zone is the default zone.
        "session_address": session_address,
        "prefix": names["prefix"],
        "helpers": {names["helper"]: {"module": "nf_conntrack_ftp", "port": str(rules["control_port"])}},
        "ipsets": ipsets,
        "services": services,
        "policies": policies,
        "zone_services": zone_services,
        "rich_rules": rich_rules,
        "default_deny": rules["default_deny"],
    }
