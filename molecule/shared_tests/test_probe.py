# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hardened.ftp.probe from the client container: every check passes on a converged server, and
each thing broken on the server (or its firewall) is exactly the one finding it should be.

Runs the real playbook (ansible-playbook hardened.ftp.probe) with hardened_ftp_probe_from set to
the scenario's client, as an admin probes from a bastion; the verdicts are read back from the JSON
report the shared renderer wrote. Each break is put back before the test ends."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from conftest import Firewall, Server, podman_exec

CONF = "/etc/vsftpd.conf"
# Runs of the probe when a check could not be judged, and the seconds between them.
ATTEMPTS = 3
RETRY_PAUSE = 10


def _address(server: Server) -> str:
    """The name clients use, as the certificate names it; the client's /etc/hosts resolves it when DNS does not."""
    found = podman_exec(server.client, ["getent", "hosts", server.name], check=False)
    if found.returncode != 0 or server.ip not in found.stdout.split():
        podman_exec(server.client, ["sh", "-c", f"echo '{server.ip} {server.name}' >> /etc/hosts"])
    return server.name


def probe(server: Server, **extra: Any) -> dict[str, str]:
    """Run hardened.ftp.probe on ``server`` from the client; ``{check: status}`` from its JSON report.

    A check that could not be judged (``error``: a reply that did not come within the probe's 10 s,
    seen on loaded machines after EPSV) is no verdict, so such a run is made again, up to
    ``ATTEMPTS`` runs in all; a verdict (``pass``/``fail``) never is. Before a run with the canary
    is made again, the canaries of the run before are removed."""
    unjudged: list[str] = []
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(RETRY_PAUSE)
            if extra.get("hardened_ftp_probe_dropbox_canary"):
                _remove_canaries(server)
        statuses = _probe_once(server, **extra)
        errors = [check for check, status in statuses.items() if status == "error"]
        if not errors:
            break
        unjudged.append(findings(server))
    if unjudged:
        server.last_probe["first_run_errors"] = unjudged  # type: ignore[attr-defined]
    return statuses


def _probe_once(server: Server, **extra: Any) -> dict[str, str]:
    if not server.client:
        pytest.skip("the probe runs from the scenario's client container (group ftp_clients)")
    inventory = str(Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent)
    with tempfile.TemporaryDirectory() as tmp:
        variables = {
            "hardened_ftp_probe_from": server.client,
            "hardened_ftp_probe_address": _address(server),
            "hardened_ftp_probe_report_dir": tmp,
            **extra,
        }
        (Path(tmp) / "vars.json").write_text(json.dumps(variables))
        proc = subprocess.run(
            [
                "ansible-playbook",
                "-i",
                inventory,
                "--limit",
                f"{server.name},{server.client}",
                "-e",
                f"@{tmp}/vars.json",
                "hardened.ftp.probe",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        report_file = Path(tmp) / "hardened-ftp-probe.json"
        if proc.returncode != 0 or not report_file.is_file():
            pytest.fail(f"hardened.ftp.probe failed:\n{proc.stdout[-4000:]}{proc.stderr[-2000:]}")
        report = json.loads(report_file.read_text())
        assert (Path(tmp) / "hardened-ftp-probe.xml").is_file() and (Path(tmp) / "hardened-ftp-probe.html").is_file()
    (host,) = [entry for entry in report["hosts"] if entry["host"] == server.name]
    assert host["status"] != "error", host
    server.last_probe = host  # type: ignore[attr-defined]
    server.last_probe_output = proc.stdout + proc.stderr + json.dumps(report)  # type: ignore[attr-defined]
    return {check["id"]: check["status"] for check in host["checks"]}


def failing(statuses: dict[str, str]) -> list[str]:
    return sorted(check for check, status in statuses.items() if status in ("fail", "error"))


def findings(server: Server) -> str:
    """The checks that did not pass, with their evidence, for an assertion's message."""
    found = [c for c in server.last_probe["checks"] if c["status"] in ("fail", "error")]  # type: ignore[attr-defined]
    earlier = server.last_probe.get("first_run_errors")  # type: ignore[attr-defined]
    return json.dumps(found, indent=1) + (f"\n(earlier runs could not judge: {earlier})" if earlier else "")


def evidence(server: Server, check_id: str) -> str:
    (check,) = [c for c in server.last_probe["checks"] if c["id"] == check_id]  # type: ignore[attr-defined]
    return json.dumps(check)


@contextlib.contextmanager
def vsftpd_changed(server: Server, script: str) -> Iterator[None]:
    """Change the live vsftpd (a shell script on the server), restart it; put the file back and restart."""
    podman_exec(server.name, ["cp", "-p", CONF, f"{CONF}.probe-test"])
    try:
        podman_exec(server.name, ["sh", "-ec", script + "\nsystemctl restart vsftpd"])
        yield
    finally:
        podman_exec(server.name, ["sh", "-ec", f"mv {CONF}.probe-test {CONF}; systemctl restart vsftpd"])


def set_option(name: str, value: str) -> str:
    return f"sed -i '/^{name}=/d' {CONF}; echo '{name}={value}' >> {CONF}"


def test_probe_every_check_passes(server: Server) -> None:
    statuses = probe(server)
    assert failing(statuses) == [], findings(server)
    assert statuses["passive_data"] == "pass"
    assert statuses["active_mode"] == "pass"
    assert statuses["anonymous_read_only"] == "pass"
    assert statuses["tls_legacy_refused"] == ("pass" if server.fact["tls_enable"] else "not-applicable")


def test_probe_finds_a_wrong_pasv_address(server: Server, firewall: Firewall) -> None:
    with vsftpd_changed(
        server, set_option("pasv_address", "192.0.2.77") + "\n" + set_option("pasv_addr_resolve", "NO")
    ):
        statuses = probe(server)
    assert "192.0.2.77" in evidence(server, "passive_address"), evidence(server, "passive_address")
    if firewall.policy == "range":
        assert failing(statuses) == ["passive_address"], findings(server)
        return
    # With the ftp helper, the firewall expects the data connection at the announced address only:
    # the data connections fail too, as they do for the clients, and what needs them cannot be judged.
    assert statuses["passive_address"] == "fail" and statuses["passive_data"] == "fail", findings(server)
    others = {c: s for c, s in statuses.items() if c not in ("passive_address", "passive_data")}
    assert all(s != "fail" for s in others.values()), findings(server)


def test_probe_finds_the_passive_range_dropped(server: Server, firewall: Firewall) -> None:
    with firewall.passive_range_closed_to_new(new_only=False):
        statuses = probe(server)
    assert statuses["passive_data"] == "fail", findings(server)
    assert [c for c, s in statuses.items() if s == "fail"] == ["passive_data"], findings(server)


def test_probe_finds_tls_1_0_re_enabled(server: Server) -> None:
    if not server.fact["tls_enable"]:
        pytest.skip("TLS is off on this server")
    with vsftpd_changed(server, set_option("ssl_ciphers", "DEFAULT:@SECLEVEL=0")):
        statuses = probe(server)
    assert failing(statuses) == ["tls_legacy_refused"], findings(server)
    assert "accepted" in evidence(server, "tls_legacy_refused"), evidence(server, "tls_legacy_refused")


def test_probe_finds_anonymous_upload_into_the_anonymous_root(server: Server) -> None:
    # vsftpd refuses to run with a writable anonymous root itself: a directory of it, outside the drop-box.
    pub = f"{server.test['anon_root']}/pub"
    try:
        podman_exec(server.name, ["chmod", "0777", pub])
        statuses = probe(server)
    finally:
        podman_exec(server.name, ["sh", "-c", f"chmod 0755 {pub}; rm -f {pub}/hardened-ftp-probe-*"])
    assert failing(statuses) == ["anonymous_read_only"], findings(server)
    assert statuses["anonymous_read_only"] == "fail", findings(server)
    assert "/pub/" in evidence(server, "anonymous_read_only"), evidence(server, "anonymous_read_only")


def test_probe_finds_port_20_blocked(server: Server, firewall: Firewall) -> None:
    if firewall.backend != "iptables":
        pytest.skip("one backend is enough to block port 20 on the way out")
    rule = ["OUTPUT", "-p", "tcp", "--sport", "20", "-j", "DROP"]
    firewall.sh("iptables", "-w", "-I", *rule[:1], "1", *rule[1:])
    try:
        statuses = probe(server)
    finally:
        firewall.sh("iptables", "-w", "-D", *rule)
    assert failing(statuses) == ["active_mode"], findings(server)


def _logins_probed(server: Server) -> None:
    """The canary and the logins are the daemon's business, not the firewall's: probed on the hosts that say so."""
    if not server.vars.get("ftp_test_probe_logins"):
        pytest.skip("the drop-box canary and the logins are probed on the hosts with ftp_test_probe_logins")


def _dropbox(server: Server) -> str:
    return f"{server.test['anon_root']}/{server.test['upload_dir']}"


def _canaries(server: Server) -> list[str]:
    pattern = f"{_dropbox(server)}/hardened-ftp-probe-*"
    return podman_exec(server.name, ["sh", "-c", f"ls {pattern} 2>/dev/null"], check=False).stdout.split()


def _remove_canaries(server: Server) -> None:
    podman_exec(server.name, ["sh", "-c", f"rm -f {_dropbox(server)}/hardened-ftp-probe-*"])


def test_probe_canary_goes_into_the_drop_box_and_never_comes_back(server: Server) -> None:
    _logins_probed(server)
    try:
        statuses = probe(server, hardened_ftp_probe_dropbox_canary=True)
        canaries = _canaries(server)
        owners = podman_exec(server.name, ["stat", "-c", "%U %a", *canaries], check=False).stdout.split("\n")
        content = podman_exec(server.name, ["cat", *canaries], check=False).stdout
    finally:
        _remove_canaries(server)
    assert failing(statuses) == [], findings(server)
    assert statuses["dropbox_canary"] == "pass", findings(server)
    # The one write: one file, in the drop-box, owned by the upload owner and not readable by anonymous.
    assert len(canaries) == 1, canaries
    assert owners[0].split()[0] == server.test["upload_owner"], owners
    assert not int(owners[0].split()[1], 8) & 0o004, owners
    assert content.startswith("hardened.ftp probe canary"), content


def test_probe_canary_finds_a_drop_box_that_lists_its_uploads(server: Server) -> None:
    _logins_probed(server)
    dropbox = _dropbox(server)
    mode = podman_exec(server.name, ["stat", "-c", "%a", dropbox]).stdout.strip()
    try:
        podman_exec(server.name, ["chmod", "0777", dropbox])
        statuses = probe(server, hardened_ftp_probe_dropbox_canary=True)
    finally:
        podman_exec(server.name, ["chmod", mode, dropbox])
        _remove_canaries(server)
    assert failing(statuses) == ["dropbox_canary"], findings(server)
    assert statuses["dropbox_canary"] == "fail", findings(server)
    assert "lists the canary" in evidence(server, "dropbox_canary"), evidence(server, "dropbox_canary")


def _as_local_user(server: Server) -> dict[str, str]:
    user = server.test["local_user"]
    return {"hardened_ftp_probe_user": user["name"], "hardened_ftp_probe_password": user["password"]}


def test_probe_logs_in_as_a_local_user_chrooted_and_never_in_clear_text(server: Server) -> None:
    _logins_probed(server)
    statuses = probe(server, **_as_local_user(server))
    assert failing(statuses) == [], findings(server)
    assert statuses["login_chrooted"] == "pass", findings(server)
    # <daemon>_tls_required (on by default) forces TLS on every login with a password.
    assert statuses["cleartext_login_refused"] == ("pass" if server.fact["tls_enable"] else "not-applicable")
    assert server.test["local_user"]["password"] not in server.last_probe_output  # type: ignore[attr-defined]


def test_probe_finds_a_local_user_outside_the_chroot(server: Server) -> None:
    _logins_probed(server)
    with vsftpd_changed(server, set_option("chroot_local_user", "NO")):
        statuses = probe(server, **_as_local_user(server))
    assert failing(statuses) == ["login_chrooted"], findings(server)
    assert statuses["login_chrooted"] == "fail", findings(server)
    assert "not in the root of a chroot" in evidence(server, "login_chrooted"), evidence(server, "login_chrooted")


def test_probe_finds_a_password_login_allowed_in_clear_text(server: Server) -> None:
    _logins_probed(server)
    if not server.fact["tls_enable"]:
        pytest.skip("TLS is off on this server: clear text is all it has")
    with vsftpd_changed(server, set_option("force_local_logins_ssl", "NO")):
        statuses = probe(server, **_as_local_user(server))
    assert failing(statuses) == ["cleartext_login_refused"], findings(server)
    assert statuses["cleartext_login_refused"] == "fail", findings(server)
    assert "the server would take the password in clear text" in evidence(server, "cleartext_login_refused"), evidence(
        server, "cleartext_login_refused"
    )
