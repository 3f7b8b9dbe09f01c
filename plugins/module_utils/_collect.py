# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Read the FTP daemon configuration and the firewall of the managed host (private module).

Only reads: files, ``/proc`` and the read-only listing commands (``iptables-save``,
``ip6tables-save``, ``nft -j list ruleset``, ``ufw status verbose``).  The host access is
passed in (a ``run`` callable with AnsibleModule.run_command's signature and a ``bin``
lookup) so everything here is unit testable without a host.
"""

from __future__ import annotations

import json
import os
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._errors import ParseError
from ansible_collections.hardened.ftp.plugins.module_utils._firewall_model import build_model, empty_model
from ansible_collections.hardened.ftp.plugins.module_utils._iptables import parse_iptables_save
from ansible_collections.hardened.ftp.plugins.module_utils._netfilter_model import FAMILIES, Ruleset
from ansible_collections.hardened.ftp.plugins.module_utils._nftables import parse_nft_json
from ansible_collections.hardened.ftp.plugins.module_utils._proftpd_conf import (
    DEFAULT_PATH as PROFTPD_CONF,
)
from ansible_collections.hardened.ftp.plugins.module_utils._proftpd_conf import (
    ProftpdConfigError,
    load_config,
    proftpd_server_model,
    proftpd_settings,
    unknown_directives,
)
from ansible_collections.hardened.ftp.plugins.module_utils._pureftpd_conf import (
    PureFtpdConfigError,
    parse_pureftpd_conf_file,
    pureftpd_server_model,
    unknown_settings,
    wrapper_value,
)
from ansible_collections.hardened.ftp.plugins.module_utils._ufw import parse_ufw_status
from ansible_collections.hardened.ftp.plugins.module_utils._vsftpd_conf import (
    parse_vsftpd_conf,
    vsftpd_conf_problems,
    vsftpd_server_model,
    vsftpd_unknown_options,
)

Runner = t.Callable[..., t.Tuple[int, str, str]]
BinFinder = t.Callable[[str], t.Optional[str]]

VSFTPD_PATHS = ("/etc/vsftpd.conf", "/etc/vsftpd/vsftpd.conf")
PUREFTPD_CONF_DIR = "/etc/pure-ftpd/conf"
PUREFTPD_CONF_FILES = ("/etc/pure-ftpd/pure-ftpd.conf", "/etc/pure-ftpd.conf")
IPTABLES_COMPAT_TABLES = frozenset(("filter", "raw", "mangle", "nat", "security"))
IPTABLES_CHAIN_NAMES = frozenset(("INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING"))
# The table firewalld's nftables backend loads: its zones are chains, its helpers ct helper objects.
FIREWALLD_TABLE = "firewalld"
HELPER_SYSCTL = "/proc/sys/net/netfilter/nf_conntrack_helper"


class CollectError(Exception):
    """A problem reading the host, with a message naming the option and the fix."""


def read_text(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read()


def running_processes(proc: str = "/proc") -> list[tuple[str, list[str]]]:
    """``(comm, argv)`` of every readable process."""
    found = []
    try:
        entries = os.listdir(proc)
    except OSError:
        return found
    for entry in entries:
        if not entry.isdecimal():
            continue
        try:
            with open(os.path.join(proc, entry, "cmdline"), "rb") as handle:
                raw = handle.read()
            with open(os.path.join(proc, entry, "comm")) as handle:
                comm = handle.read().strip()
        except OSError:
            continue
        argv = [part.decode("utf-8", "replace") for part in raw.split(b"\0") if part]
        found.append((comm, argv))
    return found


def detect_daemon(
    processes: t.Sequence[tuple[str, list[str]]], find_bin: BinFinder, exists: t.Callable[[str], bool] = os.path.exists
) -> str | None:
    """Running daemon first, then installed binary, then configuration present."""
    for comm, _argv in processes:
        if comm == "vsftpd":
            return "vsftpd"
        if comm.startswith("pure-ftpd"):
            return "pureftpd"
        if comm == "proftpd":
            return "proftpd"
    if find_bin("vsftpd"):
        return "vsftpd"
    if find_bin("pure-ftpd") or find_bin("pure-ftpd-wrapper"):
        return "pureftpd"
    if find_bin("proftpd"):
        return "proftpd"
    if any(exists(path) for path in VSFTPD_PATHS):
        return "vsftpd"
    if exists(PUREFTPD_CONF_DIR) or any(exists(path) for path in PUREFTPD_CONF_FILES):
        return "pureftpd"
    if exists(PROFTPD_CONF):
        return "proftpd"
    return None


def pureftpd_argv(processes: t.Sequence[tuple[str, list[str]]]) -> list[str] | None:
    """The running pure-ftpd's options, or None when they cannot be read.

    pure-ftpd rewrites its process title to ``pure-ftpd (SERVER)``, which hides its options on
    most builds: a command line without a single option says nothing, and the files are read.
    """
    for comm, argv in processes:
        if not (comm.startswith("pure-ftpd") and argv) or "wrapper" in argv[0]:
            continue
        program = os.path.basename(argv[0]).split(" ")[0]
        if "pure-ftpd" in program and any(arg.startswith("-") for arg in argv[1:]):
            return argv
    return None


def read_server(
    daemon: str,
    vsftpd_conf: str | None,
    pureftpd_conf_dir: str,
    use_running: bool,
    find_bin: BinFinder,
    processes: t.Sequence[tuple[str, list[str]]] | None = None,
    proftpd_conf: str | None = None,
) -> dict[str, t.Any]:
    """Return ``{"server": model, "daemon", "config_path", "options", "unknown_options", "problems", "argv"}``."""
    if processes is None:
        processes = running_processes() if (daemon == "auto" or use_running) else []
    if daemon == "auto":
        detected = detect_daemon(processes, find_bin)
        if detected is None:
            raise CollectError(
                "daemon=auto found neither vsftpd, pure-ftpd nor proftpd (no process, binary or configuration); "
                "set daemon and vsftpd_conf, pureftpd_conf_dir or proftpd_conf"
            )
        daemon = detected
    if daemon == "vsftpd":
        return _read_vsftpd(vsftpd_conf)
    if daemon == "proftpd":
        return _read_proftpd(proftpd_conf or PROFTPD_CONF)
    return _read_pureftpd(pureftpd_conf_dir, pureftpd_argv(processes) if use_running else None)


def _read_vsftpd(path: str | None) -> dict[str, t.Any]:
    candidates = [path] if path else list(VSFTPD_PATHS)
    for candidate in candidates:
        if os.path.isfile(candidate):
            try:
                text = read_text(candidate)
            except OSError as exc:
                raise CollectError(
                    f"vsftpd_conf {candidate} cannot be read ({exc}); run the task with become: true"
                ) from None
            parsed = parse_vsftpd_conf(text)
            return {
                "daemon": "vsftpd",
                "server": vsftpd_server_model(parsed),
                "config_path": candidate,
                "options": parsed,
                "unknown_options": vsftpd_unknown_options(text),
                "problems": vsftpd_conf_problems(text),
                "argv": [],
            }
    raise CollectError(
        "vsftpd_conf: none of {} exists; set vsftpd_conf to the configuration file vsftpd uses".format(
            ", ".join(candidates)
        )
    )


def _read_pureftpd(conf_dir: str, argv: list[str] | None) -> dict[str, t.Any]:
    settings = {}  # type: t.Dict[str, str]
    source = ""
    if os.path.isdir(conf_dir):
        source = conf_dir
        for name in sorted(os.listdir(conf_dir)):
            path = os.path.join(conf_dir, name)
            if os.path.isfile(path) and not name.startswith("."):
                try:
                    settings[name] = wrapper_value(read_text(path))
                except OSError as exc:
                    raise CollectError(
                        f"pureftpd_conf_dir {conf_dir}: cannot read {name} ({exc}); run with become: true"
                    ) from None
    else:
        for path in PUREFTPD_CONF_FILES:
            if os.path.isfile(path):
                source = path
                settings = parse_pureftpd_conf_file(read_text(path))
                break
    if not source and not argv:
        raise CollectError(
            f"pureftpd_conf_dir {conf_dir} does not exist and no pure-ftpd process runs; set pureftpd_conf_dir"
        )
    try:
        model = pureftpd_server_model(settings, argv)
    except PureFtpdConfigError as exc:
        raise CollectError("{} (in {})".format(exc, source or "the running command line")) from None
    return {
        "daemon": "pureftpd",
        "server": model,
        "config_path": source,
        "options": dict(settings),
        "unknown_options": unknown_settings(settings),
        "problems": [],
        "argv": list(argv or []),
    }


def _read_proftpd(path: str) -> dict[str, t.Any]:
    if not os.path.isfile(path):
        raise CollectError(f"proftpd_conf {path} does not exist; set proftpd_conf to the file proftpd reads")
    try:
        read_text(path)
    except OSError as exc:
        raise CollectError(f"proftpd_conf {path} cannot be read ({exc}); run the task with become: true") from None
    config = load_config(path)
    try:
        model = proftpd_server_model(config)
    except ProftpdConfigError as exc:
        raise CollectError(f"{exc} (in {path} or a file it includes)") from None
    return {
        "daemon": "proftpd",
        "server": model,
        "config_path": path,
        "options": proftpd_settings(config),
        "unknown_options": unknown_directives(config),
        "problems": [{"line": 0, "option": "", "problem": problem} for problem in config.problems],
        "argv": [],
    }


# --------------------------------------------------------------------------- firewall


def _run(run: Runner, argv: list[str]) -> str:
    rc, out, err = run(argv)
    if rc != 0:
        raise CollectError(
            f"{' '.join(argv)} failed (rc={rc}): {(err or out).strip()[:300]}; the firewall backend needs root: "
            "run the task with become: true, or set backend"
        )
    return out


def _nft_without_iptables_compat(data: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Drop the tables iptables-nft manages (they are read through iptables-save)."""
    compat = set()
    for item in data.get("nftables", []):
        chain = item.get("chain") if isinstance(item, dict) else None
        if not chain or chain.get("family") not in ("ip", "ip6"):
            continue
        if chain.get("table") in IPTABLES_COMPAT_TABLES and chain.get("name") in IPTABLES_CHAIN_NAMES:
            compat.add((chain.get("family"), chain.get("table")))
    kept = []
    for item in data.get("nftables", []):
        body = next(iter(item.values())) if isinstance(item, dict) and item else None
        if isinstance(body, dict) and (body.get("family"), body.get("table", body.get("name"))) in compat:
            continue
        kept.append(item)
    return {"nftables": kept}


def firewalld_runs(data: t.Mapping[str, t.Any]) -> bool:
    """Whether a decoded ``nft -j list ruleset`` holds the table firewalld (nftables backend) loads."""
    for item in data.get("nftables", []):
        table = item.get("table") if isinstance(item, dict) else None
        if isinstance(table, dict) and table.get("family") == "inet" and table.get("name") == FIREWALLD_TABLE:
            return True
    return False


def read_ruleset(backend: str, run: Runner, find_bin: BinFinder, ipv6: bool = True) -> tuple[Ruleset, dict[str, t.Any]]:
    """Read the live ruleset; returns it and backend details (ufw status...)."""
    details = {}  # type: t.Dict[str, t.Any]
    if backend == "none":
        return Ruleset("none"), details
    if backend in ("auto", "ufw") and find_bin("ufw"):
        status = parse_ufw_status(_run(run, [find_bin("ufw") or "ufw", "status", "verbose"]))
        details["ufw"] = status
        if backend == "auto" and status["active"]:
            backend = "ufw"
    elif backend == "ufw":
        raise CollectError(
            "backend=ufw but the ufw command is not installed; set backend to iptables, nftables or auto"
        )
    rulesets = []
    if backend in ("auto", "iptables", "ufw"):
        for command, family in (("iptables-save", "ipv4"), ("ip6tables-save", "ipv6")):
            if family == "ipv6" and not ipv6:
                continue
            path = find_bin(command)
            if path is None:
                if backend == "iptables" and family == "ipv4":
                    raise CollectError(
                        "backend=iptables but iptables-save is not installed; set backend to nftables or auto"
                    )
                continue
            text = _run(run, [path])
            if text.strip():
                rulesets.append(parse_iptables_save(text, family, backend="ufw" if backend == "ufw" else "iptables"))
    if backend in ("auto", "nftables", "firewalld"):
        path = find_bin("nft")
        if path is None:
            if backend in ("nftables", "firewalld"):
                raise CollectError(
                    f"backend={backend} but the nft command is not installed; set backend to iptables or auto"
                )
        else:
            data = json.loads(_run(run, [path, "-j", "list", "ruleset"]) or '{"nftables": []}')
            if rulesets:
                data = _nft_without_iptables_compat(data)
            if backend == "firewalld" and not firewalld_runs(data):
                raise CollectError(
                    f"backend=firewalld but the live ruleset has no table inet {FIREWALLD_TABLE}: firewalld is not "
                    "running (systemctl start firewalld), or set backend to nftables or auto"
                )
            # firewalld (nftables backend) writes its whole policy as one table, read like any other.
            nft = parse_nft_json(data, "firewalld" if firewalld_runs(data) else "nftables")
            if nft.tables:
                rulesets.append(nft)
    if not rulesets:
        ruleset = Ruleset("none")
        ruleset.warnings.append("no packet filter rules found: every port is reachable")
        return ruleset, details
    result = rulesets[0]
    for other in rulesets[1:]:
        result = result.merge(other)
    result.backend = "+".join(sorted({ruleset.backend for ruleset in rulesets}))
    return result, details


def read_auto_helper(setting: bool | None) -> bool:
    """The legacy ``net.netfilter.nf_conntrack_helper`` automatic helper assignment."""
    if setting is not None:
        return setting
    try:
        return read_text(HELPER_SYSCTL).strip() == "1"
    except OSError:
        return False


def firewall_model(
    backend: str,
    run: Runner,
    find_bin: BinFinder,
    client_sources: t.Sequence[str] = (),
    interface: str | None = None,
    auto_helper: bool | None = None,
    ipv6: bool = True,
) -> dict[str, t.Any]:
    """The exported firewall model of the host."""
    try:
        ruleset, details = read_ruleset(backend, run, find_bin, ipv6)
    except ParseError as exc:
        raise CollectError(f"cannot parse the {backend} ruleset: {exc}") from None
    except ValueError as exc:
        raise CollectError(f"cannot read the {backend} ruleset: {exc}") from None
    ruleset.auto_helper = ruleset.auto_helper or read_auto_helper(auto_helper)
    if ruleset.backend == "none" and not ruleset.tables:
        families = FAMILIES if ipv6 else FAMILIES[:1]
        model = empty_model("none", families, ruleset.auto_helper, ruleset.warnings)
    else:
        try:
            model = build_model(ruleset, client_sources, interface)
        except ValueError as exc:
            raise CollectError(f"client_sources: {exc}; give CIDR networks such as 192.0.2.0/24") from None
    model["details"] = details
    return model
