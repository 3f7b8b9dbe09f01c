# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark hardened.ftp against the shell floor, on the local container test bed.

One run measures, each timing repeated (--repeat) on fresh containers:
  floor            bench/floor.sh over one SSH call on a fresh container
  converge         first run of playbooks/site.yml on a fresh container (ratio to the floor)
  rerun            second run of site.yml on the same host: must change nothing (asserted); it takes
                   the fast path (hardened.ftp.last_good_run)
  rerun-full       the same with hardened_ftp_fast_path=false: every task checks its part of the host
  rerun-podman     the full second run over the podman connection, for comparison (first repeat only;
                   over podman the SSH session the last good run recorded is gone, so no fast path)
  mitogen          the converge and the full second run under Mitogen's mitogen_linear strategy, on a
                   third fresh container (--no-mitogen skips)
  audit            playbooks/audit.yml on that host
  fleet            1, 5, 10 ... hosts converged then re-run together (forks = hosts), and the floor
                   run on as many fresh hosts at once (what the machine allows the fleet)
  plugins          bench/bench_plugins.py (20,000-rule iptables-save, 5,000-rule nft ruleset)
  peers            the peers' work (anonymous vsftpd) by robertdebock.vsftpd and weareinteractive.vsftpd,
                   from clones of their repositories in --peers DIR (skipped with a note when absent),
                   and by hardened.ftp with the same work; first converge and second run, then an
                   anonymous FTP listing from the controller proves each served
for two cases: vsftpd + iptables and Pure-FTPd + nftables. Results go to bench/results/<date>.json
and the table in bench/RESULTS.md. Containers are named bench-* on the podman network
hardened-ftp-bench, and are removed at the end, on failure and on Ctrl-C.

Run it with `make bench` (which builds the test bed image first), or from the repository root:
    python3 bench/run.py --repeat 3 --fleet 1,5,10
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import datetime
import json
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TMP = ROOT / ".tmp" / "bench"
NETWORK = "hardened-ftp-bench"
PREFIX = "bench-"
BASE_IMAGE = "localhost/hardened-ftp-testbed:bookworm"
BENCH_IMAGE = "localhost/hardened-ftp-bench:bookworm"
BASE_LABEL = "hardened-ftp.bench.base"
CASES = {
    "vsftpd-iptables": {"hardened_ftp_daemon": "vsftpd", "ftp_firewall_backend": "iptables"},
    "pureftpd-nftables": {"hardened_ftp_daemon": "pureftpd", "ftp_firewall_backend": "nftables"},
}
FLEET_CASE = "vsftpd-iptables"
# The peers' work (issue #23): anonymous vsftpd download with a passive range, no TLS, no firewall.
# Each peer is a playbook under bench/peers/ and the roles it needs, cloned into --peers DIR under
# these names; hardened.ftp does the same work through playbooks/site.yml.
PEER_WORK = {"hardened_ftp_daemon": "vsftpd", "hardened_ftp_firewall_enabled": "false", "vsftpd_tls_enable": "false"}
PEERS = {
    "hardened.ftp": {"playbook": ROOT / "playbooks" / "site.yml", "roles": [], "vars": PEER_WORK},
    "robertdebock.vsftpd": {
        "playbook": ROOT / "bench" / "peers" / "robertdebock.vsftpd.yml",
        "roles": ["robertdebock.vsftpd"],
        "vars": {},
    },
    "weareinteractive.vsftpd": {
        "playbook": ROOT / "bench" / "peers" / "weareinteractive.vsftpd.yml",
        "roles": ["weareinteractive.vsftpd", "weareinteractive.openssl"],
        "vars": {},
    },
}
PEERS_DIR = Path(os.environ.get("HARDENED_FTP_BENCH_PEERS", ROOT / ".tmp" / "bench" / "peers"))
# Actions that run on the controller only: they cost no round trip to the host.
CONTROLLER_ACTIONS = {
    "ansible.builtin.set_fact",
    "ansible.builtin.assert",
    "ansible.builtin.debug",
    "ansible.builtin.meta",
    "ansible.builtin.fail",
    "ansible.builtin.include_role",
    "ansible.builtin.include_tasks",
    "ansible.builtin.include_vars",
    "ansible.builtin.validate_argument_spec",
    "set_fact",
    "assert",
    "debug",
    "meta",
    "fail",
    "include_role",
    "include_tasks",
}
# Issue #23's targets (the first converge with everything on, over SSH with pipelining and under
# Mitogen; the second runs; controller CPU per host of a fleet; 10 hosts against one).
TARGETS = {
    "converge_ratio_max": 2.5,
    "converge_mitogen_ratio_max": 2.0,
    "rerun_s_max": 1.5,
    "rerun_full_s_max": 5.0,
    "audit_s_max": 3.0,
    "fleet_ratio_max": 2.5,
    "fleet_cpu_per_host_s_max": 2.0,
    "plugins_iptables_s_max": 0.5,
    "plugins_iptables_mib_max": 100,
}
MARK_BEGIN = "<!-- bench:results:begin (written by bench/run.py) -->"
MARK_END = "<!-- bench:results:end -->"


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


class BenchError(RuntimeError):
    """A benchmark whose result would mean nothing (a failed or non-idempotent run)."""


# ---------------------------------------------------------------- podman, containers, cleanup


def podman(*args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["podman", *args], check=check, text=True, capture_output=True, input=stdin)


class Bed:
    """The containers and the network of one benchmark run; everything it makes, it removes."""

    def __init__(self) -> None:
        self.run_id = f"{os.getpid()}"
        self.containers: list[str] = []
        self.counter = 0
        self.network_made = False

    def network(self) -> None:
        if podman("network", "exists", NETWORK, check=False).returncode != 0:
            podman("network", "create", NETWORK)
            self.network_made = True

    def start(self, label: str, count: int) -> list[dict[str, str]]:
        """Start count fresh containers of the bench image; wait until sshd answers."""
        names = []
        for _attempt in range(count):
            self.counter += 1
            name = f"{PREFIX}{self.run_id}-{label}-{self.counter}"
            assert name.startswith(PREFIX)
            self.containers.append(name)
            podman(
                "run", "-d", "--name", name, "--hostname", name, "--network", NETWORK,
                "--privileged", "--systemd=always", BENCH_IMAGE,
            )  # fmt: skip
            names.append(name)
        pubkey = (TMP / "id_ed25519.pub").read_text()
        hosts = []
        for name in names:
            fmt = '{{(index .NetworkSettings.Networks "' + NETWORK + '").IPAddress}}'
            addr = podman("inspect", "-f", fmt, name)
            address = addr.stdout.strip()
            podman(
                "exec", "-i", name, "sh", "-c",
                "install -d -m 0700 /root/.ssh && umask 077 && cat > /root/.ssh/authorized_keys",
                stdin=pubkey,
            )  # fmt: skip
            hosts.append({"name": name, "address": address})
        for host in hosts:
            wait_booted(host)
        return hosts

    def remove(self, hosts: list[dict[str, str]]) -> None:
        names = [h["name"] for h in hosts if h["name"] in self.containers]
        if names:
            podman("rm", "-f", "-t", "0", *names, check=False)
            self.containers = [c for c in self.containers if c not in names]

    def cleanup(self) -> None:
        names = [c for c in self.containers if c.startswith(PREFIX)]
        if names:
            say(f"removing {len(names)} container(s)")
            podman("rm", "-f", "-t", "0", *names, check=False)
        self.containers = []
        if self.network_made:
            podman("network", "rm", NETWORK, check=False)
            self.network_made = False


def wait_booted(host: dict[str, str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = podman("exec", host["name"], "systemctl", "is-system-running", check=False).stdout.strip()
        if state in ("running", "degraded"):
            with contextlib.suppress(OSError), socket.create_connection((host["address"], 22), timeout=2) as sock:
                if sock.recv(4).startswith(b"SSH"):
                    return
        time.sleep(0.5)
    raise BenchError(f"{host['name']}: systemd or sshd not up after {timeout:.0f} s")


def ensure_image() -> str:
    """The test bed image plus openssh-server: the connection real fleets are reached through."""
    if podman("image", "exists", BASE_IMAGE, check=False).returncode != 0:
        raise BenchError(f"{BASE_IMAGE} is missing: run `make bench` (or `make images`) to build it")
    base_id = podman("image", "inspect", "-f", "{{.Id}}", BASE_IMAGE).stdout.strip()
    if podman("image", "exists", BENCH_IMAGE, check=False).returncode == 0:
        fmt = '{{index .Labels "' + BASE_LABEL + '"}}'
        label = podman("image", "inspect", "-f", fmt, BENCH_IMAGE).stdout.strip()
        if label == base_id:
            return base_id
    say(f"building {BENCH_IMAGE} from {BASE_IMAGE} (adds openssh-server; once per base image)")
    name = f"{PREFIX}image-{os.getpid()}"
    script = (
        "set -e; export DEBIAN_FRONTEND=noninteractive; printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d;"
        " chmod 0755 /usr/sbin/policy-rc.d;"
        " apt-get -qq install openssh-server >/dev/null"
        " || { apt-get -qq update && apt-get -qq install openssh-server; };"
        " rm -f /usr/sbin/policy-rc.d /var/cache/apt/archives/*.deb; systemctl enable ssh"
    )
    try:
        podman("run", "--name", name, BASE_IMAGE, "sh", "-c", script)
        podman(
            "commit", "-q",
            "--change", 'CMD ["/sbin/init"]', "--change", "STOPSIGNAL SIGRTMIN+3",
            "--change", "ENV container=podman", "--change", f"LABEL {BASE_LABEL}={base_id}",
            name, BENCH_IMAGE,
        )  # fmt: skip
    finally:
        podman("rm", "-f", name, check=False)
    return base_id


def ensure_key() -> None:
    TMP.mkdir(parents=True, exist_ok=True)
    key = TMP / "id_ed25519"
    if not key.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)


# ---------------------------------------------------------------- running things, timing them


class LoadSampler(threading.Thread):
    """Samples the 1-minute load average every few seconds while the benchmark runs."""

    def __init__(self, every: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.every = every
        self.samples: list[float] = []
        self.stop_event = threading.Event()

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.samples.append(os.getloadavg()[0])
            self.stop_event.wait(self.every)

    def since(self, index: int) -> list[float]:
        return self.samples[index:] or self.samples[-1:]


SSH_OPTS = [
    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
    "-o", "BatchMode=yes",
]  # fmt: skip


def timed(argv: list[str], env: dict[str, str] | None = None, stdin: str | None = None, log: Path | None = None):
    """Run argv; return (wall seconds, controller CPU seconds, stdout). Fails loudly on rc != 0."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(argv, env=env, input=stdin, text=True, capture_output=True, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if log is not None:
        log.write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout)[-3000:]
        raise BenchError(f"{argv[0]} failed (rc {proc.returncode}); log: {log}\n{tail}")
    return wall, cpu, proc.stdout


def mitogen_strategies() -> Path:
    """The strategy plugins of the mitogen in this Python (requirements-dev.txt pins it)."""
    try:
        import ansible_mitogen
    except ImportError as exc:
        raise BenchError("mitogen is not installed in this venv: run `make venv` (requirements-dev.txt)") from exc
    return Path(ansible_mitogen.__file__).parent / "plugins" / "strategy"


def ftp_lists(address: str, what: str, timeout: float = 10) -> int:
    """An anonymous passive listing of / from the controller: the proof a converge left a server."""
    import ftplib

    try:
        with ftplib.FTP(address, timeout=timeout) as ftp:
            ftp.login()
            ftp.set_pasv(True)
            lines: list[str] = []
            ftp.retrlines("LIST", lines.append)
            return len(lines)
    except ftplib.all_errors as err:
        raise BenchError(f"{what}: no anonymous FTP listing from {address} after the converge: {err}") from err


class Ansible:
    """ansible-playbook over SSH with pipelining and ControlPersist (or over podman, to compare)."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.runs = 0

    def inventory(self, hosts: list[dict[str, str]], case: str | dict[str, str], connection: str) -> Path:
        variables = CASES[case] if isinstance(case, str) else case
        lines = ["ftp_servers:", "  hosts:"]
        for host in hosts:
            lines.append(f"    {host['name']}:")
            if connection == "ssh":
                lines += [f"      ansible_host: {host['address']}", "      ansible_user: root"]
            else:
                lines.append("      ansible_connection: containers.podman.podman")
            for key, value in variables.items():
                lines.append(f"      {key}: {value}")
            lines.append(f'      vsftpd_tls_subject_alt_names: ["IP:{host["address"]}"]')
            lines.append(f'      pureftpd_tls_subject_alt_names: ["IP:{host["address"]}"]')
        lines += ["  vars:", "    ansible_python_interpreter: /usr/bin/python3", ""]
        self.runs += 1
        path = self.logs / f"inventory-{self.runs}.yml"
        path.write_text("\n".join(lines))
        return path

    def env(self, forks: int, mitogen: bool = False, roles: Path | None = None) -> dict[str, str]:
        # A fresh ControlPath directory per run: every run pays its own connection set-up, as a
        # run started later would; within the run one master connection per host is reused.
        control = self.logs / f"cp-{self.runs}"
        control.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.update(
            {
                "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".tmp" / "collections"),
                "ANSIBLE_PIPELINING": "true",
                "ANSIBLE_SSH_ARGS": "-o ControlMaster=auto -o ControlPersist=60s " + " ".join(SSH_OPTS),
                "ANSIBLE_SSH_CONTROL_PATH_DIR": str(control),
                "ANSIBLE_PRIVATE_KEY_FILE": str(TMP / "id_ed25519"),
                "ANSIBLE_HOST_KEY_CHECKING": "false",
                "ANSIBLE_FORKS": str(max(forks, 5)),
                "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
                "ANSIBLE_FORCE_COLOR": "false",
                "ANSIBLE_NOCOLOR": "true",
                "ANSIBLE_RETRY_FILES_ENABLED": "false",
            }
        )
        if mitogen:
            env["ANSIBLE_STRATEGY_PLUGINS"] = str(mitogen_strategies())
            env["ANSIBLE_STRATEGY"] = "mitogen_linear"
        if roles is not None:
            env["ANSIBLE_ROLES_PATH"] = str(roles)
        return env

    def play(
        self,
        playbook: str | Path,
        hosts: list[dict[str, str]],
        case: str | dict[str, str],
        label: str,
        connection: str = "ssh",
        extra: tuple[str, ...] = (),
        mitogen: bool = False,
        roles: Path | None = None,
    ):
        inventory = self.inventory(hosts, case, connection)
        path = playbook if isinstance(playbook, Path) else ROOT / "playbooks" / playbook
        argv = ["ansible-playbook", "-i", str(inventory), str(path), *extra]
        if playbook == "audit.yml":
            argv += ["-e", f"hardened_ftp_audit_output_dir={self.logs / 'audit'}"]
        log = self.logs / f"{self.runs:03d}-{label}.json"
        wall, cpu, out = timed(argv, env=self.env(len(hosts), mitogen, roles), log=log)
        return wall, cpu, summarize(json.loads(out), [h["name"] for h in hosts])


def summarize(result: dict[str, Any], hosts: list[str]) -> dict[str, Any]:
    """Per host: recap counts, tasks that reached the host (loop items counted), slowest tasks."""
    stats = {h: result["stats"].get(h, {}) for h in hosts}
    remote = dict.fromkeys(hosts, 0)
    slow: list[tuple[float, str]] = []
    for play in result["plays"]:
        for task in play["tasks"]:
            duration = task["task"].get("duration", {})
            with contextlib.suppress(KeyError, ValueError):
                start = datetime.datetime.fromisoformat(duration["start"].replace("Z", "+00:00"))
                end = datetime.datetime.fromisoformat(duration["end"].replace("Z", "+00:00"))
                slow.append(((end - start).total_seconds(), task["task"]["name"]))
            for host, res in task["hosts"].items():
                if host not in remote or res.get("action") in CONTROLLER_ACTIONS:
                    continue
                items = res.get("results")
                if isinstance(items, list):
                    remote[host] += sum(1 for item in items if not item.get("skipped"))
                elif not res.get("skipped"):
                    remote[host] += 1
    slow.sort(reverse=True)
    plays = {}
    for play in result["plays"]:
        duration = play["play"].get("duration", {})
        with contextlib.suppress(KeyError, ValueError):
            start = datetime.datetime.fromisoformat(duration["start"].replace("Z", "+00:00"))
            end = datetime.datetime.fromisoformat(duration["end"].replace("Z", "+00:00"))
            plays[play["play"]["name"]] = round((end - start).total_seconds(), 2)
    return {
        "stats": stats,
        "remote_tasks": remote,
        "slowest": [[round(s, 2), n] for s, n in slow[:8]],
        "plays": plays,
    }


def check_recap(summary: dict[str, Any], what: str, changed: bool | None) -> None:
    for host, stat in summary["stats"].items():
        if not stat or stat.get("failures") or stat.get("unreachable"):
            raise BenchError(f"{what}: {host} failed or was unreachable: {stat}")
        if changed is False and stat.get("changed"):
            raise BenchError(
                f"{what}: {host} changed {stat['changed']} task(s) on a second run: the run is not idempotent, "
                "and a benchmark of it would mean nothing. See the JSON log under .tmp/bench."
            )
        if changed is True and not stat.get("changed"):
            raise BenchError(f"{what}: {host} changed nothing on a first run of a fresh container")


# ---------------------------------------------------------------- the measurements


def floor(host: dict[str, str], case: str, logs: Path, label: str) -> tuple[float, float]:
    vars_ = CASES[case]
    remote = f"FLOOR_DAEMON={vars_['hardened_ftp_daemon']} FLOOR_BACKEND={vars_['ftp_firewall_backend']} bash -s"
    key = str(TMP / "id_ed25519")
    argv = ["ssh", "-i", key, *SSH_OPTS, "-o", "ControlMaster=no", f"root@{host['address']}", remote]
    script = (ROOT / "bench" / "floor.sh").read_text()
    wall, cpu = timed(argv, stdin=script, log=logs / f"floor-{label}.log")[:2]
    return wall, cpu


def packages(host: dict[str, str]) -> set[str]:
    out = podman("exec", host["name"], "dpkg-query", "-W", "-f", "${Package} ${Status}\n").stdout
    return {line.split()[0] for line in out.splitlines() if line.endswith(" installed")}


def stat(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
        "n": len(values),
    }


def measure_cases(
    bed: Bed, ansible: Ansible, args: argparse.Namespace, sampler: LoadSampler, out: dict[str, Any]
) -> dict[str, Any]:
    for case in args.cases:
        phases = (
            "floor",
            "converge",
            "rerun",
            "rerun_full",
            "rerun_podman",
            "audit",
            "converge_mitogen",
            "rerun_full_mitogen",
        )
        out[case] = {k: [] for k in phases}
        out[case].update({"cpu": {}, "remote_tasks": {}, "slowest": {}, "packages": {}, "load": []})
    for rep in range(1, args.repeat + 1):
        for case in args.cases:
            mark = len(sampler.samples)
            say(f"repeat {rep}/{args.repeat}, {case}: two fresh containers")
            floor_host, host = bed.start(f"{case[:6]}-r{rep}", 2)
            res = out[case]
            wall, cpu = floor(floor_host, case, ansible.logs, f"{case}-{rep}")
            res["floor"].append(wall)
            res["cpu"].setdefault("floor", []).append(cpu)
            say(f"  floor (shell script over one SSH call)  {wall:6.1f} s")
            # rerun takes the fast path (hardened.ftp.last_good_run finds nothing changed); rerun_full
            # turns it off, as a run after any change to the host or the variables is.
            full = ("-e", "hardened_ftp_fast_path=false")
            for phase, playbook, connection, changed, extra in (
                ("converge", "site.yml", "ssh", True, ()),
                ("rerun", "site.yml", "ssh", False, ()),
                ("rerun_full", "site.yml", "ssh", False, full),
                # Over podman the SSH session the record holds is gone, so the fast path (rightly) is not
                # taken and the record is rewritten: the comparison is the full second run.
                ("rerun_podman", "site.yml", "podman", False, full),
                ("audit", "audit.yml", "ssh", None, ()),
            ):
                # The podman-connection figure is a comparison, taken once (first repeat) to save time.
                if phase == "rerun_podman" and (args.no_podman or rep > 1):
                    continue
                wall, cpu, summary = ansible.play(playbook, [host], case, f"{case}-{rep}-{phase}", connection, extra)
                check_recap(summary, f"{case} {phase}", changed)
                res[phase].append(wall)
                res["cpu"].setdefault(phase, []).append(cpu)
                res["remote_tasks"][phase] = summary["remote_tasks"][host["name"]]
                res["slowest"][phase] = summary["slowest"]
                if phase == "audit":
                    # The hosts' play (the module on each host), without the controller's report play.
                    res.setdefault("audit_hosts_play", []).append(next(iter(summary["plays"].values()), wall))
                say(f"  {phase:<40} {wall:6.1f} s  (controller CPU {cpu:5.1f} s)")
            if args.mitogen:
                # Mitogen on a third fresh host: the same converge and full second run, its strategy only.
                (mhost,) = bed.start(f"{case[:6]}-m{rep}", 1)
                for phase, changed, extra in (("converge_mitogen", True, ()), ("rerun_full_mitogen", False, full)):
                    wall, cpu, summary = ansible.play(
                        "site.yml", [mhost], case, f"{case}-{rep}-{phase}", "ssh", extra, mitogen=True
                    )
                    check_recap(summary, f"{case} {phase}", changed)
                    res[phase].append(wall)
                    res["cpu"].setdefault(phase, []).append(cpu)
                    say(f"  {phase:<40} {wall:6.1f} s  (controller CPU {cpu:5.1f} s)")
                bed.remove([mhost])
            on_floor, by_ansible = packages(floor_host), packages(host)
            res["packages"] = {"floor": len(on_floor), "ansible": len(by_ansible)}
            if on_floor != by_ansible:
                res["packages"]["floor_only"] = sorted(on_floor - by_ansible)
                res["packages"]["ansible_only"] = sorted(by_ansible - on_floor)
                say(f"  note: installed packages differ: {res['packages']}")
            res["load"] += sampler.since(mark)
            bed.remove([floor_host, host])
    return out


def measure_fleet(
    bed: Bed, ansible: Ansible, args: argparse.Namespace, sampler: LoadSampler, out: dict[str, Any]
) -> dict[str, Any]:
    for rep in range(1, args.fleet_repeat + 1):
        for size in args.fleet:
            mark = len(sampler.samples)
            say(f"fleet repeat {rep}/{args.fleet_repeat}: {size} fresh container(s), forks {max(size, 5)}")
            res = out.setdefault(str(size), {"floor": [], "converge": [], "rerun": [], "cpu": {}, "load": []})
            # The shell floor on as many hosts at once: what the machine itself allows the fleet.
            hosts = bed.start(f"fl{size}-r{rep}", size)
            started = time.monotonic()
            labels = [f"fleet{size}-{rep}-{h['name']}" for h in hosts]
            with concurrent.futures.ThreadPoolExecutor(max_workers=size) as pool:
                list(pool.map(floor, hosts, [FLEET_CASE] * size, [ansible.logs] * size, labels))
            res.setdefault("floor", []).append(time.monotonic() - started)
            say(f"  {'floor (shell script on every host at once)':<40} {res['floor'][-1]:6.1f} s")
            bed.remove(hosts)
            hosts = bed.start(f"fleet{size}-r{rep}", size)
            for phase, changed in (("converge", True), ("rerun", False), ("audit", None)):
                playbook = "audit.yml" if phase == "audit" else "site.yml"
                wall, cpu, summary = ansible.play(playbook, hosts, FLEET_CASE, f"fleet{size}-{rep}-{phase}")
                res.setdefault(phase, [])
                check_recap(summary, f"fleet of {size} {phase}", changed)
                res[phase].append(wall)
                res["cpu"].setdefault(phase, []).append(cpu)
                say(f"  {phase:<40} {wall:6.1f} s  (controller CPU {cpu:5.1f} s)")
            res["load"] += sampler.since(mark)
            bed.remove(hosts)
    return out


def peers_present(directory: Path) -> tuple[list[str], list[str]]:
    """(peers whose roles are all in directory, notes on those skipped)."""
    present, notes = [], []
    for peer, spec in PEERS.items():
        missing = [role for role in spec["roles"] if not (directory / role / "tasks").is_dir()]
        if missing:
            notes.append(
                f"{peer} skipped: no clone of {', '.join(missing)} in {directory} "
                f"(git clone its public repository to {directory / missing[0]})"
            )
        else:
            present.append(peer)
    return present, notes


def clone_commit(path: Path) -> str:
    """The commit a peer's clone is at (what was measured), or why it is not known."""
    done = subprocess.run(
        ["git", "-C", str(path), "log", "-1", "--format=%H %cs"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or f"not a git clone ({done.stderr.strip()[:80]})"


def measure_peers(
    bed: Bed, ansible: Ansible, args: argparse.Namespace, sampler: LoadSampler, out: dict[str, Any]
) -> dict[str, Any]:
    present, notes = peers_present(args.peers)
    out["notes"] = notes
    out["dir"] = str(args.peers)
    out["commits"] = {role: clone_commit(args.peers / role) for peer in present for role in PEERS[peer]["roles"]}
    for note in notes:
        say(f"peers: {note}")
    if present == ["hardened.ftp"]:
        say("peers: no peer roles found; the peers' comparison is skipped")
        present = []
    for rep in range(1, args.repeat + 1):
        mark = len(sampler.samples)
        hosts = dict(zip(present, bed.start(f"peers-r{rep}", len(present)))) if present else {}
        for peer, host in hosts.items():
            spec = PEERS[peer]
            res = out.setdefault(
                peer, {"converge": [], "rerun": [], "rerun_full": [], "cpu": {}, "changed": {}, "load": []}
            )
            phases = [("converge", ()), ("rerun", ())]
            if peer == "hardened.ftp":
                phases.append(("rerun_full", ("-e", "hardened_ftp_fast_path=false")))
            for phase, extra in phases:
                wall, cpu, summary = ansible.play(
                    spec["playbook"], [host], spec["vars"], f"peer-{peer}-{rep}-{phase}", "ssh", extra, roles=args.peers
                )
                # A peer's second run may change things (not every role is idempotent): recorded, not failed.
                check_recap(summary, f"peer {peer} {phase}", True if phase == "converge" else None)
                res[phase].append(wall)
                res["cpu"].setdefault(phase, []).append(cpu)
                res["changed"].setdefault(phase, []).append(summary["stats"][host["name"]].get("changed", 0))
                say(f"  peer {peer:<24} {phase:<9} {wall:6.1f} s  (controller CPU {cpu:5.1f} s)")
            res["listing_lines"] = ftp_lists(host["address"], f"peer {peer}")
            res["load"] += sampler.since(mark)
        bed.remove(list(hosts.values()))
    return out


def measure_plugins(repeat: int) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / ".tmp" / "collections"))
    argv = [sys.executable, str(ROOT / "bench" / "bench_plugins.py"), "--repeat", str(max(repeat, 5))]
    out = timed(argv, env=env)[2]
    return json.loads(out)


# ---------------------------------------------------------------- the report


def os_name() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    return platform.system()


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kib / 1024 / 1024:.1f} GiB"
    ansible = subprocess.run(["ansible", "--version"], text=True, capture_output=True, check=False).stdout
    podman_version = podman("--version", check=False).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory": mem,
        "kernel": platform.release(),
        "os": os_name(),
        "python": platform.python_version(),
        "ansible": ansible.splitlines()[0] if ansible else "",
        "podman": podman_version,
    }


def verdict(value: float, limit: float, unit: str = " s") -> str:
    if value <= limit:
        return "met"
    return f"missed by {value - limit:.1f}{unit} ({value / limit:.1f}x the target)"


def build_rows(data: dict[str, Any]) -> list[list[str]]:
    rows: list[list[str]] = []

    def row(name: str, s: dict[str, float], ratio: str = "", target: str = "", result: str = "") -> None:
        rows.append([name, f"{s['median']:.1f}", f"{s['min']:.1f}", f"{s['max']:.1f}", ratio, target, result])

    for case, res in data["cases"].items():
        fl = stat(res["floor"])
        row(f"{case}: floor (shell script)", fl)
        cv = stat(res["converge"])
        ratio = cv["median"] / fl["median"]
        limit = TARGETS["converge_ratio_max"]
        row(
            f"{case}: first converge ({res['remote_tasks'].get('converge', '?')} remote tasks)",
            cv, f"{ratio:.2f}x floor", f"<= {limit}x floor", verdict(ratio, limit, "x"),
        )  # fmt: skip
        if res.get("converge_mitogen"):
            mc = stat(res["converge_mitogen"])
            ratio = mc["median"] / fl["median"]
            limit = TARGETS["converge_mitogen_ratio_max"]
            row(
                f"{case}: first converge under Mitogen", mc, f"{ratio:.2f}x floor", f"<= {limit}x floor",
                verdict(ratio, limit, "x"),
            )  # fmt: skip
        rr = stat(res["rerun"])
        limit = TARGETS["rerun_s_max"]
        row(
            f"{case}: second run, 0 changed ({res['remote_tasks'].get('rerun', '?')} remote tasks)",
            rr, "", f"<= {limit} s", verdict(rr["median"], limit),
        )  # fmt: skip
        if res.get("rerun_full"):
            rf = stat(res["rerun_full"])
            tasks = res["remote_tasks"].get("rerun_full", "?")
            limit = TARGETS["rerun_full_s_max"]
            row(
                f"{case}: second run with the fast path off ({tasks} remote tasks)",
                rf, f"{rf['median'] / rr['median']:.1f}x fast path", f"<= {limit} s", verdict(rf["median"], limit),
            )  # fmt: skip
        if res.get("rerun_full_mitogen"):
            rm = stat(res["rerun_full_mitogen"])
            limit = TARGETS["rerun_full_s_max"]
            row(
                f"{case}: second run with the fast path off, under Mitogen", rm,
                f"{rm['median'] / rf['median']:.2f}x SSH" if res.get("rerun_full") else "", f"<= {limit} s",
                verdict(rm["median"], limit),
            )  # fmt: skip
        if res["rerun_podman"]:
            pm = stat(res["rerun_podman"])
            base = stat(res["rerun_full"])["median"] if res.get("rerun_full") else rr["median"]
            row(
                f"{case}: second run with the fast path off, over podman (comparison)",
                pm,
                f"{pm['median'] / base:.2f}x ssh",
            )
        au = stat(res["audit"])
        row(f"{case}: audit playbook, whole (host play + controller reports)", au)
        ah = stat(res["audit_hosts_play"])
        row(
            f"{case}: audit of one host (the hosts' play)",
            ah,
            "",
            "<= 3 s",
            verdict(ah["median"], TARGETS["audit_s_max"]),
        )
    fleet = data.get("fleet", {})
    if fleet:
        sizes = sorted(int(k) for k in fleet)
        one = fleet[str(sizes[0])]
        for size in sizes:
            for phase in ("floor", "converge", "rerun", "audit"):
                if not fleet[str(size)].get(phase) or not one.get(phase):
                    continue
                s = stat(fleet[str(size)][phase])
                base = stat(one[phase])["median"]
                ratio = s["median"] / base
                target = result = ""
                if size == 10 and sizes[0] == 1 and phase != "audit":
                    target = "<= 2.5x 1 host"
                    result = verdict(ratio, TARGETS["fleet_ratio_max"], "x")
                row(f"fleet of {size}: {phase}", s, f"{ratio:.2f}x {sizes[0]} host", target, result)
            cpu = fleet[str(size)].get("cpu", {}).get("converge")
            if cpu:
                per_host = statistics.median(cpu) / size
                limit = TARGETS["fleet_cpu_per_host_s_max"]
                rows.append([
                    f"fleet of {size}: controller CPU per host, converge", f"{per_host:.1f}",
                    f"{min(cpu) / size:.1f}", f"{max(cpu) / size:.1f}", "", f"<= {limit} s", verdict(per_host, limit),
                ])  # fmt: skip
    rows += peer_rows(data.get("peers") or {})
    for item in data.get("plugins", {}).get("results", []):
        s = {"median": item["median_s"], "min": item["min_s"], "max": item["max_s"]}
        name = f"plugins: {item['case']} (peak {item['peak_mib']} MiB, CPU {item['median_cpu_s']} s)"
        figures = [f"{s['median']:.2f}", f"{s['min']:.2f}", f"{s['max']:.2f}", ""]
        if item["case"].startswith("iptables"):
            limit = TARGETS["plugins_iptables_s_max"]
            ok = item["median_s"] <= limit and item["peak_mib"] <= TARGETS["plugins_iptables_mib_max"]
            result = "met" if ok else verdict(item["median_s"], limit)
            rows.append([name, *figures, "<= 0.5 s, <= 100 MiB", result])
        else:
            rows.append([name, *figures, "", ""])
    return rows


def peer_rows(peers: dict[str, Any]) -> list[list[str]]:
    """The peers' work: each peer's first converge and second run, against hardened.ftp doing the same."""
    rows: list[list[str]] = []
    ours = peers.get("hardened.ftp")
    for peer in PEERS:
        res = peers.get(peer)
        if not res or not res.get("converge"):
            continue
        cv, rr = stat(res["converge"]), stat(res["rerun"])
        changed = max(res.get("changed", {}).get("rerun") or [0])
        ratio = target = result = ""
        if ours and peer != "hardened.ftp":
            mine = stat(ours["converge"])["median"]
            ratio = f"{cv['median'] / mine:.2f}x hardened.ftp"
            if peer == "robertdebock.vsftpd":
                target = "hardened.ftp faster"
                result = "met" if mine < cv["median"] else f"missed: hardened.ftp {mine:.1f} s"
        name = f"peers' work, {peer}"
        rows.append([f"{name}: first converge", *_figures(cv), ratio, target, result])
        rows.append([f"{name}: second run ({changed} changed)", *_figures(rr), "", "", ""])
        if res.get("rerun_full"):
            rows.append([f"{name}: second run with the fast path off", *_figures(stat(res["rerun_full"])), "", "", ""])
    return rows


def shown_path(path: str) -> str:
    """A path under the repository as a relative one (RESULTS.md is read on other machines)."""
    try:
        return str(Path(path).absolute().relative_to(ROOT))
    except ValueError:
        return path


def _figures(s: dict[str, float]) -> list[str]:
    return [f"{s['median']:.1f}", f"{s['min']:.1f}", f"{s['max']:.1f}"]


def markdown(data: dict[str, Any]) -> str:
    m = data["machine"]
    load = data["load"]
    lines = [
        f"Run {data['date']} ({data['duration_s'] / 60:.0f} min): `{data['command']}`; JSON: `{data['json']}`.",
        "",
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory']}, {m['os']}, kernel {m['kernel']};"
        f" {m['ansible']}, Python {m['python']}, {m['podman']}. Connection: SSH, pipelining, ControlPersist.",
        *(
            [f"**Partial run** (stopped: {data['error'][:200]}): the rows below are what was measured before.", ""]
            if data.get("error")
            else []
        ),
        f"Load average (1 min) during the run: median {load['median']}, min {load['min']}, max {load['max']}"
        f" on {m['cpus']} CPUs, the benchmark's own containers and controller included.",
        "",
        "| measurement | median s | min s | max s | ratio | target | result |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in build_rows(data)]
    cpu_lines = []
    for case, res in data["cases"].items():
        parts = [f"{phase} {statistics.median(v):.1f}" for phase, v in res["cpu"].items()]
        cpu_lines.append(f"{case}: " + ", ".join(parts))
    for size, res in data.get("fleet", {}).items():
        parts = [f"{phase} {statistics.median(v):.1f}" for phase, v in res["cpu"].items() if v]
        if parts:
            cpu_lines.append(f"fleet of {size}: " + ", ".join(parts))
    lines += ["", "Controller CPU seconds (median): " + "; ".join(cpu_lines) + "."]
    pk = [f"{case} {res['packages']}" for case, res in data["cases"].items()]
    lines += ["Installed packages afterwards (floor vs Ansible container): " + "; ".join(pk) + "."]
    peers = data.get("peers") or {}
    if peers:
        work = ", ".join(f"{k}={v}" for k, v in PEER_WORK.items())
        lines += [
            f"Peers' work: anonymous vsftpd download with a passive range, no TLS, no firewall (hardened.ftp: {work});"
            " each on a fresh container, each proven by an anonymous FTP listing afterwards. Roles from"
            f" `{shown_path(peers.get('dir', '?'))}`: "
            + ", ".join(f"{role} {commit[:7]}{commit[40:]}" for role, commit in (peers.get("commits") or {}).items())
            + "."
            + "".join(f" {note}." for note in peers.get("notes", []))
        ]
    return "\n".join(lines) + "\n"


def write_results(data: dict[str, Any], rewrite_json: bool = True) -> None:
    if rewrite_json:
        results = ROOT / "bench" / "results"
        results.mkdir(exist_ok=True)
        path = results / f"{data['date'][:10]}.json"
        data["json"] = str(path.relative_to(ROOT))
        path.write_text(json.dumps(data, indent=1) + "\n")
    md = ROOT / "bench" / "RESULTS.md"
    text = md.read_text() if md.exists() else f"# Benchmark results\n\n{MARK_BEGIN}\n{MARK_END}\n"
    if MARK_BEGIN not in text:
        text += f"\n{MARK_BEGIN}\n{MARK_END}\n"
    head, rest = text.split(MARK_BEGIN, 1)
    tail = rest.split(MARK_END, 1)[1] if MARK_END in rest else "\n"
    md.write_text(head + MARK_BEGIN + "\n" + markdown(data) + MARK_END + tail)
    say(f"results: {data['json']} and bench/RESULTS.md")
    print("\n".join("| " + " | ".join(r) + " |" for r in build_rows(data)))


# ---------------------------------------------------------------- main


def merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One result from runs that each measured a part (e.g. the cases, then the fleet)."""
    data = dict(parts[0])
    data["cases"], data["fleet"], data["peers"] = {}, {}, {}
    for part in parts:
        data["cases"].update(part.get("cases") or {})
        data["fleet"].update(part.get("fleet") or {})
        data["peers"].update(part.get("peers") or {})
    data["command"] = " ; ".join(part["command"] for part in parts)
    data["duration_s"] = sum(part.get("duration_s", 0) for part in parts)
    data["parts"] = [{"date": p["date"], "load": p.get("load"), "error": p.get("error")} for p in parts]
    loads = [p["load"] for p in parts if p.get("load")]
    data["load"] = {
        "median": round(statistics.median(item["median"] for item in loads), 2),
        "min": min(item["min"] for item in loads),
        "max": max(item["max"] for item in loads),
        "n": sum(item["n"] for item in loads),
    }
    # A part stopped on purpose (to leave time for the next) is not an error of the merged result.
    data["error"] = "; ".join(p["error"] for p in parts if p.get("error") and p["error"] != "interrupted")
    return data


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timings per measurement (default 3)")
    parser.add_argument("--fleet", default="1,5,10", help="fleet sizes, comma-separated (default 1,5,10; '' skips)")
    parser.add_argument("--fleet-repeat", type=int, help="repeats of the fleet runs (default: --repeat)")
    parser.add_argument("--cases", default=",".join(CASES), help=f"cases to run (default {','.join(CASES)})")
    parser.add_argument("--no-podman", action="store_true", help="skip the podman-connection comparison run")
    parser.add_argument("--no-write", action="store_true", help="print the results, do not write bench/results")
    parser.add_argument(
        "--no-mitogen", dest="mitogen", action="store_false", help="skip the runs under Mitogen's strategy"
    )
    parser.add_argument(
        "--peers",
        type=Path,
        default=PEERS_DIR,
        help="directory holding clones of the peers' roles, named robertdebock.vsftpd, weareinteractive.vsftpd "
        "and weareinteractive.openssl (default $HARDENED_FTP_BENCH_PEERS or .tmp/bench/peers); peers whose clone "
        "is absent are skipped with a note",
    )
    parser.add_argument("--no-peers", action="store_true", help="skip the peers' comparison")
    parser.add_argument(
        "--from-json",
        type=Path,
        nargs="+",
        help="measure nothing: write the results again from saved JSON files (partial runs are merged)",
    )
    args = parser.parse_args(argv)
    args.fleet = [int(s) for s in args.fleet.split(",") if s.strip()]
    args.fleet_repeat = args.fleet_repeat or args.repeat
    args.cases = [c for c in args.cases.split(",") if c]
    unknown = set(args.cases) - set(CASES)
    if unknown or args.repeat < 1:
        parser.error(f"unknown case(s) {sorted(unknown)}; --repeat must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.from_json:
        write_results(merge([json.loads(path.read_text()) for path in args.from_json]))
        return 0
    os.environ.setdefault("CONTAINERS_CONF", str(ROOT / "testbed" / "containers.conf"))
    for tool in ("podman", "ansible-playbook", "ssh", "ssh-keygen"):
        if not shutil.which(tool):
            say(f"{tool} is not on PATH: run through `make bench`")
            return 2
    bed = Bed()

    def interrupted(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    sampler = LoadSampler()
    started = time.monotonic()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    logs = TMP / f"run-{time.strftime('%Y%m%d-%H%M%S')}"
    logs.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {}
    try:
        ensure_key()
        base_id = ensure_image()
        bed.network()
        sampler.start()
        ansible = Ansible(logs)
        data.update(
            {
                "date": date,
                "command": "python3 bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
                "machine": machine(),
                "image": {"base": BASE_IMAGE, "base_id": base_id[:12], "bench": BENCH_IMAGE},
                "connection": "ssh (pipelining, ControlPersist=60s, one ControlPath per run)",
                "targets": TARGETS,
            }
        )
        say("plugins: bench/bench_plugins.py")
        data["plugins"] = measure_plugins(args.repeat)
        data["cases"] = {}
        measure_cases(bed, ansible, args, sampler, data["cases"])
        if not args.no_peers:
            data["peers"] = {}
            measure_peers(bed, ansible, args, sampler, data["peers"])
        if args.fleet:
            data["fleet"] = {}
            measure_fleet(bed, ansible, args, sampler, data["fleet"])
        sampler.stop_event.set()
        data["load"] = stat(sampler.samples or [os.getloadavg()[0]])
        data["duration_s"] = round(time.monotonic() - started)
        data["logs"] = str(logs.relative_to(ROOT))
        if args.no_write:
            data["json"] = "(not written)"
            print(json.dumps(data, indent=1))
        else:
            write_results(data)
        return 0
    except (BenchError, KeyboardInterrupt) as err:
        say(f"FAILED: {err}" if isinstance(err, BenchError) else "interrupted")
        with contextlib.suppress(Exception):
            # What was measured before the failure, marked as such, for the analysis; not a result.
            data["error"] = str(err)[:2000] if isinstance(err, BenchError) else "interrupted"
            data["load"] = stat(sampler.samples or [os.getloadavg()[0]])
            data["duration_s"] = round(time.monotonic() - started)
            (logs / "partial.json").write_text(json.dumps(data, indent=1) + "\n")
            say(f"partial data: {logs / 'partial.json'}")
        return 1 if isinstance(err, BenchError) else 130
    finally:
        sampler.stop_event.set()
        bed.cleanup()


if __name__ == "__main__":
    sys.exit(main())
