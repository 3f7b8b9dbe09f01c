# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rules every server role shares, run against both daemons' planners with their own variable names."""

from __future__ import annotations

import typing as t

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._inputs import InputError
from ansible_collections.hardened.ftp.plugins.module_utils._server_model import SERVER_KEYS
from ansible_collections.hardened.ftp.plugins.module_utils._server_plan import (
    FACT_KEYS,
    MAX_PASSIVE_PORTS,
    aead_only,
    key_mode_problem,
    subject_alt_name,
)
from plan_helpers import PLANNERS, alice, defaults, host, messages, planner


@pytest.mark.parametrize("role", PLANNERS)
def test_the_defaults_pass_and_plan_a_server(role: str) -> None:
    made = planner(role, host())
    assert not made.errors, messages(made)
    plan = made.plan()
    assert plan["fact"]["daemon"] == role and plan["fact"]["control_port"] == 21
    assert plan["fact"]["pasv_min_port"] == 30000 and plan["fact"]["pasv_max_port"] == 30099
    assert {"path": "/var/lib/hardened-ftp", "owner": "root", "group": "root", "mode": "0700"} in plan["directories"]
    # A bare host lacks everything: the package, and python3-cryptography for the generated certificate.
    assert set(plan["missing_packages"]) == {*PLANNERS[role].PACKAGES, "python3-cryptography", "python3-apt"}
    assert plan["tls"]["generate"] and plan["tls"]["subject_alt_names"] == ["DNS:ftp1.example.org"]


@pytest.mark.parametrize("role", PLANNERS)
def test_the_fact_has_one_shape_for_every_daemon(role: str) -> None:
    fact = planner(role, host()).plan()["fact"]
    assert tuple(fact) == FACT_KEYS and set(FACT_KEYS) == set(SERVER_KEYS)


# Each case: the overrides (common names), and what the message must hold; {p} is the role's prefix.
COMMON_BAD = [
    ({"listen_port": 70000}, "{p}listen_port: 70000 is outside 1-65535"),
    ({"listen_port": "twenty-one"}, "{p}listen_port: 'twenty-one' is not a port number"),
    ({"listen_address": "fe80::1%eth0", "listen_ipv6": True}, "{p}listen_address: 'fe80::1%eth0' has an IPv6 scope id"),
    (
        {"listen_address": "2001:db8::1"},
        "{p}listen_address: 2001:db8::1 is an IPv6 address where an IPv4 one is needed",
    ),
    ({"anon_root": "srv/ftp"}, "{p}anon_root: 'srv/ftp' is not an absolute path"),
    ({"anon_root": "/etc"}, "{p}anon_root: /etc is a system directory"),
    ({"anon_root": "/srv/ftp\nanon_other_write_enable=YES"}, "{p}anon_root: holds the control character U+000A"),
    ({"anon_upload_dir": "../etc"}, "{p}anon_upload_dir: '../etc' climbs out of its parent"),
    (
        {"local_users_allowed": ["alice", "../../shadow"]},
        "{p}local_users_allowed: '../../shadow' is not a valid user name",
    ),
    ({"local_users_allowed": ["alice\nroot"]}, "{p}local_users_allowed: holds the control character U+000A"),
    ({"local_users_allowed": ["alice", "root"]}, "{p}local_users_allowed: root may never log in"),
    (
        {"local_enable": True, "local_users_allowed": []},
        "{p}local_users_allowed: is empty while {p}local_enable is true",
    ),
    ({"pasv_min_port": 31000, "pasv_max_port": 30000}, "{p}pasv_min_port: 31000 is above {p}pasv_max_port 30000"),
    ({"pasv_min_port": 20000, "pasv_max_port": 40000}, "more than {p}pasv_max_range_size (1000)"),
    ({"listen_port": 30005}, "{p}pasv_min_port: the passive range 30000-30099 holds the control port (30005)"),
    ({"pasv_min_port": 22, "pasv_max_port": 30}, "{p}pasv_min_port: 22 is outside 1024-65535"),
    (
        {"pasv_address": "ftp_1.example.org"},
        "{p}pasv_address: 'ftp_1.example.org' is neither an IPv4 address nor a host name",
    ),
    ({"tls_cert": "/etc/ssl/certs/x.pem"}, "{p}tls_key: is empty while the other half of the pair is set"),
    ({"tls_ciphers": "HIGH:!aNULL"}, "{p}tls_ciphers: adds suites that are not forward-secret AEAD"),
    ({"tls_ciphers": "ECDHE-RSA-AES128-GCM-SHA256\nssl_sslv3=YES"}, "{p}tls_ciphers: holds the control character"),
    ({"tls_generated_key": "/etc/shadow"}, "{p}tls_generated_key: /etc/shadow is not inside /etc/ssl"),
    (
        {"tls_subject_alt_names": ["ftp.example.org"]},
        "{p}tls_subject_alt_names: 'ftp.example.org' is not a subject alternative name",
    ),
    ({"tls_subject_alt_names": ["IP:fe80::1%eth0"]}, "{p}tls_subject_alt_names: 'fe80::1%eth0' has an IPv6 scope id"),
    ({"max_per_ip": 80}, "{p}max_per_ip: 80 is more than {p}max_clients (50)"),
    ({"extra_options": "nope"}, "{p}extra_options: must be a mapping"),
    ({"anonymous_enable": False, "local_enable": False}, "{p}anonymous_enable: and {p}local_enable are both false"),
]


@pytest.mark.parametrize("role", PLANNERS)
@pytest.mark.parametrize(("overrides", "wanted"), COMMON_BAD, ids=[repr(case[0])[:60] for case in COMMON_BAD])
def test_common_rules_name_the_daemons_variable(role: str, overrides: dict[str, t.Any], wanted: str) -> None:
    if role == "pureftpd" and "max_per_ip" in overrides:
        overrides = {**overrides, "pasv_max_port": 30199}
    made = planner(role, host(), **overrides)
    assert wanted.format(p=f"{role}_") in messages(made)


@pytest.mark.parametrize("role", PLANNERS)
def test_every_problem_is_reported_at_once(role: str) -> None:
    made = planner(role, None, listen_port=0, anon_root="relative", pasv_min_port=1, tls_ciphers="RC4")
    assert len(made.errors.items) >= 4


@pytest.mark.parametrize("role", PLANNERS)
def test_managed_options_cannot_be_set_as_extra_options(role: str) -> None:
    name = {"vsftpd": "ssl_sslv3", "pureftpd": "TLS", "proftpd": "TLSRequired"}[role]
    made = planner(role, host(), extra_options={name: True})
    assert f"{role}_extra_options.{name}: is an option the role writes itself" in messages(made)


@pytest.mark.parametrize("role", PLANNERS)
def test_the_passive_range_limit_is_one_number(role: str) -> None:
    assert defaults(role)[f"{role}_pasv_max_range_size"] == MAX_PASSIVE_PORTS
    made = planner(
        role, host(), pasv_min_port=30000, pasv_max_port=30000 + MAX_PASSIVE_PORTS - 1, max_clients=5, max_per_ip=5
    )
    assert not made.errors, messages(made)


@pytest.mark.parametrize("role", PLANNERS)
def test_the_live_ssh_port_may_not_be_in_the_passive_range(role: str) -> None:
    made = planner(role, host(ssh={"client": "192.0.2.1", "port": 30022}))
    assert f"{role}_pasv_min_port: the passive range 30000-30099 holds the port SSH runs on (30022)" in messages(made)


@pytest.mark.parametrize("role", PLANNERS)
def test_a_passive_host_name_must_resolve_on_the_host(role: str) -> None:
    made = planner(role, host(resolved={"ftp.example.invalid": []}), pasv_address="ftp.example.invalid")
    assert f"{role}_pasv_address: ftp.example.invalid does not resolve" in messages(made)
    assert not planner(role, host(resolved={"ftp.example.org": ["192.0.2.9"]}), pasv_address="ftp.example.org").errors


@pytest.mark.parametrize("role", PLANNERS)
def test_local_users_must_exist_have_a_pam_shell_and_not_be_in_ftpusers(role: str) -> None:
    users = {"alice": alice(shell="/usr/sbin/nologin"), "bob": {"exists": False}, "carol": alice(uid=1001)}
    made = planner(
        role,
        host(users=users, ftpusers=["root", "carol"]),
        local_enable=True,
        local_users_allowed=["alice", "bob", "carol"],
    )
    text = messages(made)
    assert "alice's shell /usr/sbin/nologin is not in /etc/shells" in text
    assert "bob is not a user on the host; create it (useradd -m bob)" in text
    assert "carol is listed in /etc/ftpusers" in text


def test_banners_vsftpd_one_line_pureftpd_lines_without_a_lone_percent() -> None:
    assert "vsftpd_banner: holds the control character U+000A" in messages(
        planner("vsftpd", host(), banner="a\nlisten=YES")
    )
    assert not planner("pureftpd", host(), banner="Authorised use only.\nAll transfers are logged.").errors
    assert "line holding only '%'" in messages(planner("pureftpd", host(), banner="a\n%\nb"))
    assert "pureftpd_banner (line 2): holds the control character U+000D" in messages(
        planner("pureftpd", host(), banner="a\nb\rc")
    )


def test_a_user_with_uid_0_is_refused() -> None:
    made = planner("vsftpd", host(users={"toor": alice(uid=0)}), local_enable=True, local_users_allowed=["toor"])
    assert "toor has uid 0" in messages(made)


@pytest.mark.parametrize("role", PLANNERS)
def test_a_given_certificate_is_checked(role: str, cert_pair) -> None:  # type: ignore[no-untyped-def]
    cert, key = cert_pair()
    other_cert, _other_key = cert_pair()
    paths = {
        "/etc/ssl/certs/ftp.pem": {"exists": True, "isreg": True, "uid": 0, "gid": 0, "group": "root", "mode": 0o644},
        "/etc/ssl/private/ftp.key": {"exists": True, "isreg": True, "uid": 0, "gid": 0, "group": "root", "mode": 0o644},
    }
    files = {"/etc/ssl/certs/ftp.pem": other_cert, "/etc/ssl/private/ftp.key": key}
    from ansible_collections.hardened.ftp.plugins.plugin_utils._tls_pair import pair_problems

    made = planner(role, None, tls_cert="/etc/ssl/certs/ftp.pem", tls_key="/etc/ssl/private/ftp.key")
    made.check_host(host(paths=paths, files=files), tls_checker=pair_problems)
    text = messages(made)
    assert f"{role}_tls_key: /etc/ssl/private/ftp.key has mode 0644: every user of the host may read it" in text
    assert f"{role}_tls_key: /etc/ssl/private/ftp.key does not belong to the certificate" in text
    assert key not in text and "PRIVATE" not in text
    # The right pair with a private key passes, and the plan serves it.
    paths["/etc/ssl/private/ftp.key"]["mode"] = 0o600
    files["/etc/ssl/certs/ftp.pem"] = cert
    made = planner(role, None, tls_cert="/etc/ssl/certs/ftp.pem", tls_key="/etc/ssl/private/ftp.key")
    made.check_host(host(paths=paths, files=files), tls_checker=pair_problems)
    assert not made.errors, messages(made)
    plan = made.plan()
    assert plan["tls"] == {
        "enable": True,
        "generate": False,
        "cert": "/etc/ssl/certs/ftp.pem",
        "key": "/etc/ssl/private/ftp.key",
    }
    assert "python3-cryptography" not in plan["packages"]


def test_a_missing_certificate_file_is_named() -> None:
    made = planner("vsftpd", None, tls_cert="/etc/ssl/certs/missing.pem", tls_key="/etc/ssl/private/missing.key")
    made.check_host(host(paths={}))
    assert "vsftpd_tls_cert: /etc/ssl/certs/missing.pem is missing on the host" in messages(made)


def test_key_mode_rule() -> None:
    assert key_mode_problem(0o600, 0, "root") is None
    assert key_mode_problem(0o640, 0, "ssl-cert") is None
    assert "group root" in (key_mode_problem(0o640, 0, "root") or "")
    assert "every user" in (key_mode_problem(0o604, 0, "root") or "")
    assert "not root" in (key_mode_problem(0o600, 1000, "alice") or "")


def test_aead_rule_is_the_audits() -> None:
    assert aead_only("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305")
    assert not aead_only("ECDHE-RSA-AES128-SHA") and not aead_only("HIGH") and not aead_only("")


def test_subject_alt_names() -> None:
    assert subject_alt_name("IP:192.0.2.10", "v") == "IP:192.0.2.10"
    assert subject_alt_name("DNS:*.example.org", "v") == "DNS:*.example.org"
    with pytest.raises(InputError):
        subject_alt_name("DNS:bad name", "v")


@pytest.mark.parametrize("role", PLANNERS)
def test_other_daemons_that_run_or_start_at_boot_are_stopped(role: str) -> None:
    units = {
        "vsftpd": {"load": "loaded", "active": "active", "file_state": "enabled"},
        "pure-ftpd": {"load": "not-found", "active": "active", "file_state": ""},
        "proftpd": {"load": "not-found", "active": "inactive", "file_state": ""},
    }
    other = planner(role, host(units=units)).plan()["other_units"]
    assert other == {"vsftpd": ["pure-ftpd"], "pureftpd": ["vsftpd"], "proftpd": ["pure-ftpd", "vsftpd"]}[role]


def test_check_mode_on_a_bare_host_only_reports() -> None:
    made = planner("vsftpd", host(), anon_upload_enable=True)
    plan = made.plan(check_mode=True)
    assert plan["fresh_check"] and not plan["python_apt"]
    # The drop-box needs the ftp group the package creates: not in check mode on a bare host.
    assert not [d for d in plan["directories"] if d["path"] == "/srv/ftp/incoming"]
    assert next(d for d in made.plan()["directories"] if d["path"] == "/srv/ftp/incoming")["mode"] == "1730"


def test_the_tls_directories_are_made_only_where_missing() -> None:
    plan = planner("vsftpd", host(paths={"/etc/ssl/certs": {"exists": True, "isdir": True}})).plan()
    made = {d["path"]: d["mode"] for d in plan["directories"]}
    assert "/etc/ssl/certs" not in made and made["/etc/ssl/private"] == "0700"


def test_the_watch_list_names_what_the_role_writes() -> None:
    watch = planner("vsftpd", host()).plan()["watch"]
    assert "/etc/vsftpd.conf" in watch["paths"] and "/var/lib/hardened-ftp/vsftpd" in watch["paths"]
    assert watch["ports"] == [21] and "pure-ftpd" in watch["services"]
    assert watch["certificates"] == ["/etc/ssl/certs/hardened-ftp-vsftpd.pem"]
