# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input from tests/bad_input/resilience.yml is refused before anything on the host changes.

Besides the daemon's configuration and service (as in molecule/shared_tests/test_bad_input.py),
the live firewall rules must be exactly as before (these hosts run the firewall role), and
management SSH must still answer over IPv4 and IPv6.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import Firewall, Server, group_hosts
from res_common import podman_exec, rules, run_playbook, state

TABLE = Path(__file__).resolve().parents[3] / "tests" / "bad_input" / "resilience.yml"
CASES = yaml.safe_load(TABLE.read_text())

# Certificates for the TLS cases: a valid pair, an expired certificate and a key of no certificate.
MAKE_CERTS = """
import datetime, os
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

os.makedirs("/root/bad-tls", mode=0o700, exist_ok=True)
now = datetime.datetime.now(datetime.timezone.utc)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bad-input.test")])
key, other = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
def cert(days_from, days_to):
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now + datetime.timedelta(days=days_from))
            .not_valid_after(now + datetime.timedelta(days=days_to)).sign(key, hashes.SHA256()))
def save(path, data):
    with open(path, "wb") as handle:
        handle.write(data)
pem = serialization.Encoding.PEM
save("/root/bad-tls/valid.pem", cert(-1, 30).public_bytes(pem))
save("/root/bad-tls/expired.pem", cert(-30, -1).public_bytes(pem))
for path, k in (("/root/bad-tls/valid.key", key), ("/root/bad-tls/other.key", other), ("/root/bad-tls/open.key", key)):
    save(path, k.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    os.chmod(path, 0o600)
os.chmod("/root/bad-tls/open.key", 0o644)
"""


@pytest.fixture(scope="module")
def server(host):  # type: ignore[no-untyped-def]
    if host.backend.name != group_hosts("ftp_servers")[0]:
        pytest.skip("bad input is checked on the first server only: the checks do not depend on the daemon's state")
    found = Server(host.backend.name)
    podman_exec(found.name, ["python3", "-"], stdin=MAKE_CERTS)
    return found


@pytest.fixture(scope="module")
def firewall(server):  # type: ignore[no-untyped-def]
    return Firewall(server)


def _fill(value, daemon: str):  # type: ignore[no-untyped-def]
    if isinstance(value, str):
        other = "pureftpd" if daemon == "vsftpd" else "vsftpd"
        return value.replace("{daemon}", daemon).replace("{other}", other)
    if isinstance(value, list):
        return [_fill(v, daemon) for v in value]
    if isinstance(value, dict):
        return {_fill(k, daemon): _fill(v, daemon) for k, v in value.items()}
    return value


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_res_bad_input_is_refused_before_any_change(server, firewall, case):  # type: ignore[no-untyped-def]
    daemon = server.vars["hardened_ftp_daemon"]
    before, rules_before = state(server), rules(firewall)
    rc, output, _seconds = run_playbook(server, case["run"], _fill(case["vars"], daemon))
    assert rc != 0, f"{case['name']}: the run succeeded:\n{output[-3000:]}"
    errors = case["error"] if isinstance(case["error"], list) else [case["error"]]
    for needle in _fill(errors, daemon):
        assert needle in output, f"{case['name']}: {needle!r} not in the failure:\n{output[-3000:]}"
    assert "changed=0" in output, output[-2000:]
    assert state(server) == before
    assert rules(firewall) == rules_before
    firewall.assert_ssh_answers()
