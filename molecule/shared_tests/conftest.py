# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures shared by the molecule scenarios' testinfra tests.

Hosts come from the scenario's molecule inventory; testinfra reaches them with its podman
backend (no Ansible round trip per command). FTP sessions are run by ftpclient.py, on the
controller or, when the scenario has a ``ftp_clients`` group, inside that client container.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

HERE = Path(__file__).resolve().parent
CLIENT_SCRIPT = HERE / "ftpclient.py"


def _inventory() -> dict[str, Any]:
    inv_file = os.environ.get("MOLECULE_INVENTORY_FILE")
    if not inv_file:
        pytest.exit("MOLECULE_INVENTORY_FILE is not set: run these tests through molecule verify", 2)
    out = subprocess.run(
        ["ansible-inventory", "-i", str(Path(inv_file).parent), "--list"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


INVENTORY = _inventory()


def group_hosts(group: str) -> list[str]:
    return sorted(INVENTORY.get(group, {}).get("hosts", []))


def hostvars(name: str) -> dict[str, Any]:
    return INVENTORY["_meta"]["hostvars"].get(name, {})


def pytest_configure(config: pytest.Config) -> None:
    if not config.option.hosts:
        config.option.hosts = ",".join(f"podman://{h}" for h in group_hosts("ftp_servers"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A scenario's own tests (molecule/<scenario>/tests/) run after the shared ones, whatever order
    molecule passes the files in: they may leave a host changed for good (switched back to vsftpd)."""
    items.sort(key=lambda item: Path(str(item.fspath)).parent.name != "shared_tests")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With pytest-xdist (``-n``), each server's tests run on one worker, in file order.

    A server's tests change its state in turn (the helper taken out and put back, the firewall role
    re-run, a reboot), so they never run at the same time; different servers are tested in parallel.
    The scope of a test is the longest server name in its id (``[podman://NAME...]``).
    """
    from xdist.scheduler import LoadScopeScheduling  # only imported when xdist runs the tests

    servers = group_hosts("ftp_servers")

    class PerServer(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            named = [name for name in servers if f"podman://{name}" in nodeid]
            return max(named, key=len) if named else nodeid

    return PerServer(config, log)


def container_ip(name: str) -> str:
    return subprocess.run(
        ["podman", "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", name],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[0]


# --- Sockets and processes, read from /proc by the host's own python3 ----------------------------
# A bare Debian host has neither ss/netstat (iproute2, net-tools) nor ps (procps), which testinfra's
# host.socket and host.process need; python3 is there on every host Ansible manages.

PROC_READER = r"""
import json, os, socket, struct, sys

def comm(pid):
    try:
        with open("/proc/%s/comm" % pid) as handle:
            return handle.read().strip()
    except OSError:
        return ""

def cmdline(pid):
    try:
        with open("/proc/%s/cmdline" % pid, "rb") as handle:
            return [w.decode(errors="replace") for w in handle.read().split(b"\0") if w]
    except OSError:
        return []

def pids():
    return sorted(int(name) for name in os.listdir("/proc") if name.isdigit())

def socket_owners():
    owners = {}
    for pid in pids():
        try:
            fds = os.listdir("/proc/%d/fd" % pid)
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if target.startswith("socket:["):
                owners.setdefault(target[8:-1], set()).add(pid)
    return owners

def address(hex_addr, family):
    raw = bytes.fromhex(hex_addr)
    # The kernel prints each 32-bit word in host (little-endian) order.
    words = b"".join(struct.pack("<I", struct.unpack(">I", raw[i:i + 4])[0]) for i in range(0, len(raw), 4))
    return socket.inet_ntop(socket.AF_INET if family == "ipv4" else socket.AF_INET6, words)

def listeners(port):
    owners = socket_owners()
    found = []
    for name, family in (("tcp", "ipv4"), ("tcp6", "ipv6")):
        try:
            with open("/proc/net/" + name) as handle:
                rows = handle.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, state, inode = fields[1], fields[3], fields[9]
            hex_addr, hex_port = local.split(":")
            if state != "0A" or (port and int(hex_port, 16) != port):
                continue
            holders = sorted(owners.get(inode, ()))
            found.append({"family": family, "address": address(hex_addr, family), "port": int(hex_port, 16),
                          "pids": holders, "processes": sorted({comm(p) for p in holders})})
    return found

def processes(name):
    return [{"pid": p, "comm": comm(p), "cmdline": cmdline(p)} for p in pids() if not name or comm(p) == name]

what, arg = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
print(json.dumps(listeners(int(arg or 0)) if what == "listeners" else processes(arg)))
"""


def listeners(container: str, port: int = 0) -> list[dict[str, Any]]:
    """TCP sockets listening in ``container`` (on ``port``; every port when 0): family, address, port, and the
    pids and process names (``/proc/PID/comm``) that hold each, read from ``/proc/net/tcp{,6}``."""
    proc = podman_exec(container, ["python3", "-", "listeners", str(port)], stdin=PROC_READER)
    return json.loads(proc.stdout)


def processes(container: str, name: str = "") -> list[dict[str, Any]]:
    """Processes of ``container`` (those whose ``/proc/PID/comm`` is ``name``, when given): pid, comm, cmdline."""
    proc = podman_exec(container, ["python3", "-", "processes", name], stdin=PROC_READER)
    return json.loads(proc.stdout)


class Server:
    """One FTP server under test: its address, what it published, and a way to talk FTP to it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.vars = hostvars(name)
        self.test = self.vars.get("ftp_test", {})
        self.ip = container_ip(name)
        published = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "published" / f"{name}.json"
        if not published.is_file():
            pytest.fail(f"{published} is missing: converge must save the hardened_ftp_server fact")
        self.fact: dict[str, Any] = json.loads(published.read_text())
        clients = group_hosts("ftp_clients")
        self.client = clients[0] if clients else None

    def session(self, steps: list[dict[str, Any]] | None = None, **kw: Any) -> dict[str, Any]:
        session = {"host": self.ip, "port": self.fact["control_port"], "steps": steps or [], **kw}
        payload = json.dumps(session)
        if self.client:
            cmd = ["podman", "exec", "-i", self.client, "python3", "-", payload]
        else:
            cmd = ["python3", "-", payload]
        proc = subprocess.run(
            cmd, input=CLIENT_SCRIPT.read_text(), capture_output=True, text=True, timeout=120, check=False
        )
        if proc.returncode != 0:
            pytest.fail(f"ftp client failed: {proc.stderr}")
        return json.loads(proc.stdout)

    @property
    def anonymous_tls(self) -> bool:
        """A daemon that enforces TLS per server, not per user (Pure-FTPd), needs it for anonymous too."""
        return bool(self.test.get("anonymous_tls", False)) and bool(self.fact["tls_required"])

    def anonymous(self, steps: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
        kw.setdefault("tls", self.anonymous_tls)
        result = self.session(steps, user="anonymous", password="test@example.org", **kw)
        assert result.get("login", {}).get("ok"), f"anonymous login failed: {result}"
        return result

    def download_works(self, **kw: Any) -> bool:
        """An anonymous download of the scenario's test file returns its content."""
        want = self.test["download"]
        step = self.anonymous([{"op": "retr", "path": want["path"]}], **kw)["steps"][0]
        return bool(step["ok"]) and step["data"] == want["content"]


@pytest.fixture(scope="module")
def server(host) -> Server:  # type: ignore[no-untyped-def]
    return Server(host.backend.name)


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:12]


# --- Firewall tests (hardened.ftp.ftp_firewall) ------------------------------------------------

LISTENER = """
import os, socket, sys
port, pidfile, idle, v6only = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)  # 0: IPv4 and IPv6 alike
sock.bind(("::", port))
sock.listen(5)
sock.settimeout(idle)
with open(pidfile, "w") as handle:
    handle.write(str(os.getpid()))
try:
    while True:
        conn, _peer = sock.accept()
        conn.sendall(b"hello\\n")
        conn.close()
except OSError:
    pass
"""

IPTABLES_COMMANDS = ("iptables", "ip6tables")

PROBE = """
import json, socket, sys
host, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
try:
    with socket.create_connection((host, port), timeout=timeout) as conn:
        conn.settimeout(timeout)
        print(json.dumps({"ok": True, "banner": conn.recv(64).decode("ascii", "replace")}))
except OSError as exc:
    print(json.dumps({"ok": False, "error": type(exc).__name__ + ": " + str(exc)}))
"""


def podman_exec(container: str, argv: list[str], stdin: str | None = None, check: bool = True, timeout: int = 120):  # type: ignore[no-untyped-def]
    cmd = ["podman", "exec", *(["-i"] if stdin is not None else []), container, *argv]
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        pytest.fail(f"{' '.join(argv)} on {container} failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    return proc


class Firewall:
    """The firewall in front of one Server: its backend and policy, and ways to poke at it."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.name = server.name
        self.backend = server.vars.get("ftp_firewall_backend", "nftables")
        policy = server.vars.get("ftp_firewall_passive_policy", "auto")
        if policy == "auto":
            policy = "range" if server.fact["tls_enable"] else "related"
        self.policy = policy
        self.egress = bool(server.vars.get("ftp_firewall_filter_egress", False))
        self.default_deny = bool(server.vars.get("ftp_firewall_default_deny", True))
        self.low, self.high = server.fact["pasv_min_port"], server.fact["pasv_max_port"]
        self.control_port = server.fact["control_port"]

    def sh(self, *argv: str, check: bool = True):  # type: ignore[no-untyped-def]
        return podman_exec(self.name, list(argv), check=check)

    def probe(
        self, port: int, timeout: float = 3.0, source: str | None = None, target: str | None = None
    ) -> dict[str, Any]:
        """Open a TCP connection to the server's port from the client, or from ``source``.

        ``source`` is a container name, or ``"controller"`` for the machine running the tests (an
        address on the network that no firewall input names). ``target`` defaults to the server's
        IPv4 address.
        """
        where = source or self.server.client
        if target is None:
            target = "127.0.0.1" if where == self.name else self.server.ip
        argv = ["python3", "-", target, str(port), str(timeout)]
        if where and where != "controller":
            proc = podman_exec(where, argv, stdin=PROBE)
        else:
            proc = subprocess.run(argv, input=PROBE, capture_output=True, text=True, check=True, timeout=60)
        return json.loads(proc.stdout)

    def ipv6_link_local(self) -> str:
        """The server's link-local IPv6 address on eth0, scoped for a peer on the same network."""
        for line in self.sh("cat", "/proc/net/if_inet6").stdout.splitlines():
            fields = line.split()
            if fields[-1] == "eth0" and fields[0].startswith("fe80"):
                raw = fields[0]
                return ":".join(raw[i : i + 4] for i in range(0, 32, 4)) + "%eth0"
        pytest.fail(f"{self.name} has no IPv6 link-local address on eth0")

    def run_role(self, overrides: dict[str, Any]) -> None:
        """Run hardened.ftp.ftp_firewall alone on this server, with ``overrides`` over the inventory."""
        extra = {"hardened_ftp_server": self.server.fact, **overrides}
        inventory = str(Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent)
        play = (
            f"- hosts: {self.name}\n  gather_facts: false\n  tasks:\n"
            "    - ansible.builtin.include_role:\n        name: hardened.ftp.ftp_firewall\n"
        )
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "play.yml").write_text(play)
            (Path(tmp) / "vars.json").write_text(json.dumps(extra))
            proc = subprocess.run(
                ["ansible-playbook", "-i", inventory, "-e", f"@{tmp}/vars.json", f"{tmp}/play.yml"],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
        if proc.returncode != 0:
            pytest.fail(f"ftp_firewall with {overrides} failed:\n{proc.stdout[-4000:]}{proc.stderr[-2000:]}")
        self.assert_ssh_answers()

    def assert_ssh_answers(self) -> None:
        """Management SSH answers over IPv4 and over IPv6 (link-local, on the scenario network)."""
        for target in (None, self.ipv6_link_local()):
            reply = self.probe(22, target=target)
            assert reply["ok"] and reply["banner"].startswith("SSH-2.0"), f"SSH to {target or 'IPv4'}: {reply}"

    def own_rules(self) -> str:
        """The live rules the role owns (its chains and the jumps to them, or its table), counters stripped."""
        if self.backend == "nftables":
            return self.sh("nft", "list", "table", "inet", "hardened_ftp").stdout
        if self.backend == "firewalld":
            # The runtime configuration: every zone and policy, with the role's services and rich rules.
            zones = self.sh("firewall-cmd", "--list-all-zones").stdout
            return zones + self.sh("firewall-cmd", "--list-all-policies").stdout
        marks = ("HARDENED-FTP", "ufw-hardened-ftp")
        found = []
        for cmd in IPTABLES_COMMANDS:
            for table in ("raw", "filter"):
                listing = self.sh(cmd, "-w", "-t", table, "-S").stdout.splitlines()
                found += [f"{cmd} {table} {line}" for line in listing if any(mark in line for mark in marks)]
                policy = next((line for line in listing if line.startswith("-P INPUT ")), "")
                found.append(f"{cmd} {table} {policy}")
        return "\n".join(found)

    def accept_by_default(self) -> None:
        """Make the host's own stance "accept what is not dropped", as a host with its own firewall has."""
        if self.backend == "iptables":
            for cmd in IPTABLES_COMMANDS:
                self.sh(cmd, "-w", "-P", "INPUT", "ACCEPT")
        elif self.backend == "ufw":
            self.sh("ufw", "default", "allow", "incoming")
        elif self.backend == "firewalld":
            zone = self.sh("firewall-cmd", "--get-default-zone").stdout.strip()
            self.sh("firewall-cmd", "--permanent", f"--zone={zone}", "--set-target=ACCEPT")
            self.sh("firewall-cmd", "--reload")
        # nftables: the role's table is the only one, and its policy follows ftp_firewall_default_deny.

    def reboot(self) -> None:
        """Restart the server's container (a fresh network namespace: no rules survive but the saved ones)."""
        subprocess.run(["podman", "restart", "-t", "20", self.name], check=True, capture_output=True, timeout=120)
        for _attempt in range(120):
            state = podman_exec(self.name, ["systemctl", "is-system-running"], check=False).stdout.strip()
            if state in ("running", "degraded"):
                break
            time.sleep(1)
        else:
            pytest.fail(f"{self.name} did not finish booting: {state}")
        self.server.ip = container_ip(self.name)

    @contextlib.contextmanager
    def listener(self, port: int, idle: float = 90, v6only: bool = False) -> Iterator[int]:
        """A TCP listener on the server that is not the FTP daemon; stopped by its own pid.

        It also stops by itself after ``idle`` seconds without a connection. With ``v6only`` it
        listens on IPv6 only, so it can share a port the daemon holds on IPv4.
        """
        pidfile = f"/tmp/hardened-ftp-listener-{port}.pid"
        self.sh("rm", "-f", pidfile)
        argv = f"{port} {pidfile} {idle} {int(v6only)}"
        podman_exec(self.name, ["sh", "-c", f"python3 -c '{LISTENER}' {argv} >/dev/null 2>&1 &"])
        for _attempt in range(50):
            if self.sh("test", "-s", pidfile, check=False).returncode == 0:
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"the test listener on port {port} did not start on {self.name}")
        try:
            yield port
        finally:
            self.sh("sh", "-c", f"kill $(cat {pidfile}) && rm -f {pidfile}", check=False)

    def delete_firewalld_helper_rules(self) -> None:
        """Delete the "ct helper set" rules of firewalld's live table by handle, behind firewalld's back."""
        listing = self.sh("nft", "-a", "list", "table", "inet", "firewalld").stdout
        chain, found = "", []
        for line in listing.splitlines():
            words = line.split()
            if words[:1] == ["chain"]:
                chain = words[1]
            elif "ct helper set" in line and "# handle" in line:
                found.append((chain, words[-1]))
        assert found, f"no ct helper set rule in firewalld's table on {self.name}"
        for name, handle in found:
            self.sh("nft", "delete", "rule", "inet", "firewalld", name, "handle", handle)

    @contextlib.contextmanager
    def helper_removed(self) -> Iterator[None]:
        """Take the role's ftp helper assignment out of the live firewall, and put it back."""
        if self.backend == "firewalld":
            # A reload puts the zone's "ct helper set" rule back.
            self.delete_firewalld_helper_rules()
            try:
                yield
            finally:
                self.sh("firewall-cmd", "--reload")
            return
        if self.backend == "nftables":
            self.sh("nft", "flush", "chain", "inet", "hardened_ftp", "prerouting")
            try:
                yield
            finally:
                self.sh("nft", "-f", "/etc/nftables.d/hardened-ftp.nft")
            return
        chain = "HARDENED-FTP-PRE" if self.backend == "iptables" else "ufw-hardened-ftp-helper"
        saved = {cmd: self.sh(cmd, "-w", "-t", "raw", "-S", chain).stdout.splitlines() for cmd in IPTABLES_COMMANDS}
        for cmd in saved:
            self.sh(cmd, "-w", "-t", "raw", "-F", chain)
        try:
            yield
        finally:
            for cmd, lines in saved.items():
                for line in lines:
                    if line.startswith("-A "):
                        self.sh(cmd, "-w", "-t", "raw", *shlex.split(line))

    @contextlib.contextmanager
    def passive_range_closed_to_new(self, new_only: bool = True) -> Iterator[None]:
        """Drop NEW connections to the passive range before the role's rules see them.

        RELATED connections (those the ftp helper announced) still pass: what is left is exactly
        the helper's path. With ``new_only=False`` every connection to the range is dropped, as a
        firewall in front of the server that does not open it does.
        """
        span = f"{self.low}:{self.high}"
        if self.backend in ("nftables", "firewalld"):
            self.sh("nft", "add", "table", "inet", "hardened_ftp_test")
            self.sh(
                "nft",
                "add chain inet hardened_ftp_test input { type filter hook input priority -10 ; policy accept ; }",
            )
            state = "ct state new " if new_only else ""
            self.sh("nft", f"add rule inet hardened_ftp_test input tcp dport {self.low}-{self.high} {state}drop")
            try:
                yield
            finally:
                self.sh("nft", "delete", "table", "inet", "hardened_ftp_test")
            return
        state = ["-m", "conntrack", "--ctstate", "NEW"] if new_only else []
        rule = ["-p", "tcp", "--dport", span, *state, "-j", "DROP"]
        self.sh("iptables", "-w", "-I", "INPUT", "1", *rule)
        try:
            yield
        finally:
            self.sh("iptables", "-w", "-D", "INPUT", *rule)

    def consistency(self, passive_policy: str | None = None) -> list[dict[str, str]]:
        """Findings of hardened.ftp.ftp_consistency on the live server and firewall."""
        policy = passive_policy or ("range" if self.policy == "range" else "helper")
        args = json.dumps({"server": self.server.fact, "backend": self.backend, "passive_policy": policy})
        env = dict(os.environ, ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="json")
        inventory = str(Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent)
        proc = subprocess.run(
            ["ansible", self.name, "-i", inventory, "-m", "hardened.ftp.ftp_consistency", "-a", args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        try:
            result = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"][self.name]
        except (ValueError, KeyError, IndexError):
            pytest.fail(f"ftp_consistency did not run: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
        assert "findings" in result, result
        return result["findings"]


@pytest.fixture(scope="module")
def firewall(server: Server) -> Firewall:
    return Firewall(server)


ROLE_PLAYBOOK = """
- hosts: {host}
  gather_facts: false
  tasks:
    - ansible.builtin.include_role:
        name: hardened.ftp.{role}
"""


def run_role(host: str, overrides: dict[str, Any], timeout: int = 900) -> tuple[int, str]:
    """Run the host's daemon role alone with the scenario's inventory and ``overrides`` as extra
    variables: its return code and its whole output."""
    role = hostvars(host)["hardened_ftp_daemon"]
    inventory = str(Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent)
    with tempfile.TemporaryDirectory() as tmp:
        playbook = Path(tmp) / "play.yml"
        playbook.write_text(ROLE_PLAYBOOK.format(host=host, role=role))
        extra = Path(tmp) / "vars.json"
        extra.write_text(json.dumps(overrides))
        proc = subprocess.run(
            ["ansible-playbook", "-i", inventory, "-e", f"@{extra}", str(playbook)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    return proc.returncode, proc.stdout + proc.stderr
