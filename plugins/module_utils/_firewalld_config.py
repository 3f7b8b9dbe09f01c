# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The firewall role's own firewalld definitions, and the zone they go in (private module).

firewalld has no module for what the role needs beside the zone's services and rich rules
(``ansible.posix.firewalld`` does those): a helper of its own on the control port, services named
after it, a policy object for what leaves port 20. The role owns the files
``/etc/firewalld/{helpers,services,policies}/hardened-ftp*.xml`` and nothing else there.

:func:`define` renders them, writes the ones that differ, has ``firewall-offline-cmd --check-config``
judge the whole permanent configuration (a warning counts as a failure: firewalld ignores what it
warns about), and reloads a running firewalld, so the runtime configuration is the permanent one.
A failed check or reload puts the previous files back (and reloads them): firewalld falls back to
its stock configuration when the user configuration does not load, which must never happen.

:func:`prune` removes the role's definitions the plan no longer has (after the zone stopped using
them) and, under default deny, turns a zone target of ACCEPT into ``default``.

The zone, unless one is named, is the one that filters the management SSH session: the zone of the
interface that holds the session's server-side address (``SSH_CONNECTION``'s third field, which the
plan carries), else - over a connection without SSH (podman, local) or an address on no interface -
the zone of the interface of the IPv4 default route; an interface bound to no zone is in firewalld's
default zone.

Commands run through ``run(argv) -> (rc, stdout, stderr)`` so the unit tests can fake them.
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import re
import socket
import struct
import typing as t
from xml.sax.saxutils import quoteattr

from ansible_collections.hardened.ftp.plugins.module_utils._firewall_rules import read_file as read

Runner = t.Callable[[t.List[str]], t.Tuple[int, str, str]]
ROOT = "/etc/firewalld"
KINDS = ("helpers", "ipsets", "services", "policies")
ROUTE = "/proc/net/route"
IF_INET6 = "/proc/net/if_inet6"
SIOCGIFADDR = 0x8915
HEADER = '<?xml version="1.0" encoding="utf-8"?>\n<!-- Managed by hardened.ftp.ftp_firewall: edits are replaced. -->\n'


class FirewalldError(Exception):
    """A step that failed; the message says what is in force now."""


# --------------------------------------------------------------------------- rendering (pure)


def _ports(ports: t.Sequence[t.Mapping[str, str]]) -> list[str]:
    return [f"  <port protocol={quoteattr(p['protocol'])} port={quoteattr(str(p['port']))}/>" for p in ports]


def render_helper(name: str, spec: t.Mapping[str, t.Any]) -> str:
    lines = [
        f"<helper module={quoteattr(spec['module'])}>",
        f"  <short>{name}</short>",
        "  <description>The conntrack ftp helper on the FTP control port, attached explicitly.</description>",
        *_ports([{"protocol": "tcp", "port": spec["port"]}]),
    ]
    return HEADER + "\n".join(lines) + "\n</helper>\n"


def render_service(name: str, spec: t.Mapping[str, t.Any]) -> str:
    lines = ["<service>", f"  <short>{name}</short>", *_ports(spec.get("ports") or [])]
    if spec.get("helper"):
        lines.append(f"  <helper name={quoteattr(spec['helper'])}/>")
    return HEADER + "\n".join(lines) + "\n</service>\n"


def render_policy(name: str, spec: t.Mapping[str, t.Any]) -> str:
    lines = [
        '<policy target="CONTINUE" priority="-100">',
        f"  <short>{name}</short>",
        '  <ingress-zone name="HOST"/>',
        '  <egress-zone name="ANY"/>',
    ]
    if spec.get("drop_source_port"):
        port = quoteattr(str(spec["drop_source_port"]))
        lines.append(f'  <rule><source-port port={port} protocol="tcp"/><drop/></rule>')
    return HEADER + "\n".join(lines) + "\n</policy>\n"


def render_ipset(name: str, spec: t.Mapping[str, t.Any]) -> str:
    lines = [
        '<ipset type="hash:net">',
        f"  <short>{name}</short>",
        f'  <option name="family" value={quoteattr(spec["family"])}/>',
        *(f"  <entry>{entry}</entry>" for entry in spec.get("entries") or []),
    ]
    return HEADER + "\n".join(lines) + "\n</ipset>\n"


RENDER = {"ipsets": render_ipset, "helpers": render_helper, "services": render_service, "policies": render_policy}


def wanted_files(definitions: t.Mapping[str, t.Mapping[str, t.Any]], root: str = ROOT) -> dict[str, str]:
    """path -> content of every definition the role wants."""
    return {
        os.path.join(root, kind, f"{name}.xml"): RENDER[kind](name, spec)
        for kind in KINDS
        for name, spec in sorted((definitions.get(kind) or {}).items())
    }


def owned(rule_or_service: str, prefix: str) -> bool:
    """Whether a zone's service name, or a rich rule naming a service, is the role's."""
    if rule_or_service.startswith("rule "):
        match = re.search(r'service name="([^"]+)"', rule_or_service)
        return bool(match) and _owned_name(match.group(1), prefix)
    return _owned_name(rule_or_service, prefix)


def _owned_name(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + "-")


def default_interface(route_text: str) -> str:
    """The interface of the IPv4 default route in ``/proc/net/route`` ('' when there is none)."""
    for line in route_text.splitlines()[1:]:
        fields = line.split()
        if len(fields) > 2 and fields[1] == "00000000":
            return fields[0]
    return ""


def inet6_addresses(text: str) -> dict[str, list[str]]:
    """interface -> its IPv6 addresses, from ``/proc/net/if_inet6``."""
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 6 and len(fields[0]) == 32:
            try:
                address = str(ipaddress.IPv6Address(bytes.fromhex(fields[0])))
            except ValueError:
                continue
            found.setdefault(fields[5], []).append(address)
    return found


def interface_of(address: str, addresses: t.Mapping[str, t.Sequence[str]]) -> str:
    """The interface that holds ``address`` ('' when none does, or ``address`` is not an address)."""
    try:
        wanted = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return ""
    for interface, held in sorted(addresses.items()):
        for item in held:
            try:
                if ipaddress.ip_address(item) == wanted:
                    return interface
            except ValueError:
                continue
    return ""


def inet_addresses() -> dict[str, list[str]]:
    """interface -> its (primary) IPv4 address, as the kernel reports it (SIOCGIFADDR)."""
    found: dict[str, list[str]] = {}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _index, name in socket.if_nameindex():
            try:
                packed = fcntl.ioctl(sock.fileno(), SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
            except OSError:
                continue  # no IPv4 address
            found[name] = [socket.inet_ntoa(packed[20:24])]
    return found


def local_addresses() -> dict[str, list[str]]:
    """interface -> the addresses it holds (IPv4 and IPv6)."""
    found = inet_addresses()
    for name, held in inet6_addresses(read(IF_INET6) or "").items():
        found.setdefault(name, []).extend(held)
    return found


# --------------------------------------------------------------------------- the host


def write(path: str, text: str | None) -> None:
    if text is None:
        if os.path.exists(path):
            os.unlink(path)
        return
    os.makedirs(os.path.dirname(path), mode=0o750, exist_ok=True)
    temp = f"{path}.hardened-ftp.tmp"
    with open(temp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(temp, 0o640)
    os.replace(temp, path)


class Firewalld:
    def __init__(self, run: Runner, root: str = ROOT) -> None:
        self.run = run
        self.root = root
        rc, _out, _err = run(["firewall-cmd", "--state"])
        self.running = rc == 0

    def cmd(self, *args: str) -> list[str]:
        """firewall-cmd on the permanent configuration, or firewall-offline-cmd when firewalld is stopped."""
        return ["firewall-cmd", "--permanent", *args] if self.running else ["firewall-offline-cmd", *args]

    def out(self, argv: list[str], ok: t.Sequence[int] = (0,)) -> str:
        rc, out, err = self.run(argv)
        if rc not in ok:
            raise FirewalldError(f"{' '.join(argv)} failed (rc={rc}): {(err or out).strip()[:400]}")
        return out.strip()

    def zone(
        self,
        wanted: str,
        route_text: str,
        session_address: str = "",
        addresses: t.Mapping[str, t.Sequence[str]] | None = None,
    ) -> tuple[str, str]:
        """(zone, why): the zone asked for; else the zone of the interface of the SSH session (the one that
        holds ``session_address``); else, with no session found, of the interface of the IPv4 default route;
        an interface in no zone is in firewalld's default zone, as is everything when neither is found."""
        zones = self.out(self.cmd("--get-zones")).split()
        if wanted:
            if wanted not in zones:
                raise FirewalldError(
                    f"ftp_firewall_firewalld_zone: firewalld has no zone {wanted} (it has {', '.join(zones)}); "
                    "name one of those, or leave it empty for the zone of the management interface"
                )
            return wanted, "ftp_firewall_firewalld_zone"
        interface = interface_of(session_address, addresses or {}) if session_address else ""
        if interface:
            what = f"{interface}, the interface of the SSH session ({session_address})"
        else:
            interface = default_interface(route_text)
            what = f"{interface}, the interface of the default route" + (
                f" ({session_address}, the SSH session's address, is on no interface)" if session_address else ""
            )
        if interface:
            rc, out, _err = self.run(self.cmd(f"--get-zone-of-interface={interface}"))
            if rc == 0 and out.strip() in zones:
                return out.strip(), f"the zone of {what}"
        # A stand-alone option: firewall-cmd refuses it with --permanent.
        default = self.out(["firewall-cmd" if self.running else "firewall-offline-cmd", "--get-default-zone"])
        where = f"{what}, is in no zone" if interface else "no SSH session and no default route"
        return default, f"firewalld's default zone ({where})"

    def listed(self, zone: str, option: str, split: t.Callable[[str], list[str]]) -> list[str]:
        """The zone's entries of ``option``, permanent then (when firewalld runs) runtime, once each."""
        found = split(self.out(self.cmd(f"--zone={zone}", option)))
        if self.running:
            found += split(self.out(["firewall-cmd", f"--zone={zone}", option]))
        return [entry for entry in dict.fromkeys(found) if entry]

    def missing_helpers(self, definitions: t.Mapping[str, t.Any]) -> list[str]:
        """The role's helpers whose ``ct helper set`` rule is not in firewalld's live table (deleted with nft).

        firewalld does not notice a rule deleted behind its back; a reload loads it again."""
        rc, out, _err = self.run(["nft", "list", "table", "inet", "firewalld"])
        if rc != 0:
            return []
        return [
            name for name in sorted(definitions.get("helpers") or {}) if f'ct helper set "helper-{name}-tcp"' not in out
        ]

    def check_config(self) -> None:
        rc, out, err = self.run(["firewall-offline-cmd", "--check-config"])
        text = f"{out}\n{err}"
        if rc != 0 or "WARNING" in text or "ERROR" in text:
            raise FirewalldError(f"firewall-offline-cmd --check-config refused it (rc={rc}): {text.strip()[:400]}")

    def reload(self) -> None:
        if self.running:
            self.out(["firewall-cmd", "--reload"])

    def replace(self, files: t.Mapping[str, str | None]) -> None:
        """Write ``files`` (None removes one), check, reload; on any failure the previous files are back."""
        before = {path: read(path) for path in files}
        for path, text in files.items():
            write(path, text)
        try:
            self.check_config()
            self.reload()
        except FirewalldError as exc:
            for path, text in before.items():
                write(path, text)
            try:
                self.reload()
            except FirewalldError as again:
                raise FirewalldError(
                    f"the role's firewalld definitions failed ({exc}), and reloading the previous ones failed too "
                    f"({again}): check firewalld by hand (firewall-cmd --list-all)"
                ) from None
            raise FirewalldError(
                f"the role's firewalld definitions failed, so the previous ones are back in force: {exc}"
            ) from None

    def owned_files(self, prefix: str) -> list[str]:
        found = []
        for kind in KINDS:
            directory = os.path.join(self.root, kind)
            if os.path.isdir(directory):
                found += [
                    os.path.join(directory, name)
                    for name in sorted(os.listdir(directory))
                    if name.endswith(".xml") and _owned_name(name[: -len(".xml")], prefix)
                ]
        return found


def _diff(path: str, before: str | None, after: str | None) -> dict[str, str]:
    return {"before_header": path, "after_header": path, "before": before or "", "after": after or ""}


def define(params: t.Mapping[str, t.Any], run: Runner, check_mode: bool, root: str = ROOT) -> dict[str, t.Any]:
    """Write the role's definitions (check, reload) and say which zone they go in and what in it is stale."""
    fw = Firewalld(run, root)
    wanted = wanted_files(params["definitions"], root)
    changed = {path: text for path, text in wanted.items() if read(path) != text}
    diffs = [_diff(path, read(path), text) for path, text in changed.items()]
    if changed and not check_mode:
        fw.replace(changed)
    session_address = params.get("session_address") or ""
    addresses = local_addresses() if session_address and not params.get("zone") else {}
    zone, why = fw.zone(params.get("zone") or "", read(ROUTE) or "", session_address, addresses)
    # Permanent and runtime alike: a rule of the role's added live only is stale too.
    services = fw.listed(zone, "--list-services", str.split)
    rules = fw.listed(zone, "--list-rich-rules", lambda text: [line.strip() for line in text.splitlines()])
    prefix = params["prefix"]
    return {
        "changed": bool(changed),
        "diff": diffs,
        "zone": zone,
        "zone_reason": why,
        "running": fw.running,
        "written": sorted(changed),
        "stale_services": [name for name in services if owned(name, prefix) and name not in params["zone_services"]],
        "stale_rich_rules": [rule for rule in rules if owned(rule, prefix) and rule not in params["rich_rules"]],
    }


def prune(params: t.Mapping[str, t.Any], run: Runner, check_mode: bool, root: str = ROOT) -> dict[str, t.Any]:
    """Remove the role's definitions the plan no longer has; under default deny, no zone target ACCEPT."""
    fw = Firewalld(run, root)
    wanted = wanted_files(params["definitions"], root)
    stale: dict[str, str | None] = {path: None for path in fw.owned_files(params["prefix"]) if path not in wanted}
    diffs = [_diff(path, read(path), None) for path in stale]
    zone = params.get("zone") or ""
    target = fw.out(fw.cmd(f"--zone={zone}", "--get-target")) if zone else ""
    retarget = bool(params.get("default_deny") and target == "ACCEPT")
    if retarget:
        diffs.append(_diff(f"target of zone {zone}", "ACCEPT\n", "default\n"))
    missing = fw.missing_helpers(params["definitions"]) if fw.running else []
    if missing:
        diffs.append(_diff("live ct helper assignments", "", "".join(f"{name}\n" for name in missing)))
    if not check_mode:
        if retarget:
            fw.out(fw.cmd(f"--zone={zone}", "--set-target=default"))
        if stale or retarget or missing:
            fw.replace(stale)
    return {
        "changed": bool(stale or retarget or missing),
        "diff": diffs,
        "removed": sorted(stale),
        "target_was": target,
        "helpers_missing": missing,
    }
