# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The baseline evaluated on hand-written host states: a hardened host passes, a weak one fails by id."""

from __future__ import annotations

import re
import typing as t
from pathlib import Path

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._audit import (
    AuditInputError,
    aead_only,
    apply_waivers,
    evaluate,
    ftp_class_bits,
    summarize,
    validate_waivers,
)
from ansible_collections.hardened.ftp.plugins.module_utils._audit_controls import CONTROL_IDS, CONTROLS
from ansible_collections.hardened.ftp.plugins.module_utils._vsftpd_conf import parse_vsftpd_conf, vsftpd_server_model

BASELINE_DOC = Path(__file__).parents[4] / "docs" / "baseline.md"
FTP_USER = {"name": "ftp", "uid": 100, "home": "/srv/ftp", "gids": [65534, 101]}
AEAD = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305"

HARDENED_CONF = f"""
listen=YES
listen_port=21
ftpd_banner=Authorised use only.
anonymous_enable=YES
anon_root=/srv/ftp
anon_upload_enable=YES
anon_mkdir_write_enable=NO
anon_other_write_enable=NO
anon_world_readable_only=YES
chown_uploads=YES
chown_username=ftpupload
chown_upload_mode=0600
write_enable=YES
local_enable=YES
userlist_enable=YES
userlist_deny=NO
chroot_local_user=YES
ssl_enable=YES
rsa_cert_file=/etc/ssl/certs/ftp.pem
rsa_private_key_file=/etc/ssl/private/ftp.key
ssl_sslv2=NO
ssl_sslv3=NO
ssl_tlsv1=YES
ssl_ciphers={AEAD}
force_local_logins_ssl=YES
force_local_data_ssl=YES
pasv_min_port=30000
pasv_max_port=30099
port_promiscuous=NO
xferlog_enable=YES
"""

WEAK_CONF = """
listen=YES
anonymous_enable=YES
anon_root=/srv/ftp
anon_upload_enable=YES
anon_mkdir_write_enable=YES
write_enable=YES
local_enable=YES
port_promiscuous=YES
"""


def firewall(passive_open: bool = True, helper: bool = False, policy: str = "drop") -> dict[str, t.Any]:
    openings = [
        {"protocol": "tcp", "port_min": 21, "port_max": 21, "sources": ["any"], "family": "ipv4", "interface": ""}
    ]
    if passive_open:
        openings.append(
            {
                "protocol": "tcp",
                "port_min": 30000,
                "port_max": 30099,
                "sources": ["any"],
                "family": "ipv4",
                "interface": "",
            }
        )
    return {
        "backend": "iptables",
        "families": ["ipv4"],
        "input_policy": {"ipv4": policy},
        "output_policy": {"ipv4": "accept"},
        "openings": openings,
        "helper_ports": [{"family": "ipv4", "port_min": 21, "port_max": 21}] if helper else [],
        "auto_helper": False,
        "related_ports": [{"family": "ipv4", "port_min": 1, "port_max": 65535, "helper": "any"}],
        "established_accepted": {"ipv4": True},
        "egress": {},
        "warnings": [],
    }


def stat(path: str, uid: int = 0, gid: int = 0, mode: int = 0o644) -> dict[str, t.Any]:
    return {"path": path, "exists": True, "uid": uid, "gid": gid, "mode": mode}


def state(conf: str, **overrides: t.Any) -> dict[str, t.Any]:
    options = parse_vsftpd_conf(conf)
    result = {
        "daemon": "vsftpd",
        "error": "",
        "config_path": "/etc/vsftpd.conf",
        "options": options,
        "server": vsftpd_server_model(options),
        "running": True,
        "listening": [{"family": "ipv4", "address": "0.0.0.0", "port": 21}],
        "ftp_user": FTP_USER,
        "userlist": ["alice"],
        "anon_tree": [stat("/srv/ftp/incoming", 0, 101, 0o1730), stat("/srv/ftp/pub", 0, 0, 0o755)],
        "files": {
            "config": stat("/etc/vsftpd.conf"),
            "userlist": stat("/etc/vsftpd.user_list"),
            "tls_key": stat("/etc/ssl/private/ftp.key", mode=0o600),
            "anon_root": stat("/srv/ftp", mode=0o755),
        },
        "firewall": firewall(),
        "firewall_reason": "",
        "max_passive_ports": 1000,
    }
    result.update(overrides)
    return result


def statuses(results: list[dict[str, t.Any]]) -> dict[str, str]:
    return {item["id"]: item["status"] for item in results}


def failing(results: list[dict[str, t.Any]]) -> list[str]:
    return [item["id"] for item in results if item["status"] == "fail"]


def test_hardened_host_passes_every_control() -> None:
    results = evaluate(state(HARDENED_CONF))
    assert [item["id"] for item in results] == list(CONTROL_IDS)
    assert failing(results) == [], [item for item in results if item["status"] == "fail"]
    assert all(item["evidence"] for item in results)
    assert all(item["remediation"] == "" for item in results)


def test_weak_host_fails_the_expected_controls() -> None:
    weak = state(
        WEAK_CONF,
        anon_tree=[stat("/srv/ftp/incoming", 100, 101, 0o777)],
        firewall=firewall(passive_open=False),
        userlist=None,
    )
    results = evaluate(weak)
    assert failing(results) == [
        "HFTP-002", "HFTP-003", "HFTP-004", "HFTP-005", "HFTP-006",
        "HFTP-007", "HFTP-009", "HFTP-010", "HFTP-012", "HFTP-013",
    ]  # fmt: skip
    assert statuses(results)["HFTP-008"] == "not-applicable"
    by_id = {item["id"]: item for item in results}
    assert any("listed by the anonymous user" in line for line in by_id["HFTP-006"]["evidence"])
    assert any("passive_range_not_open" in line for line in by_id["HFTP-012"]["evidence"])
    assert by_id["HFTP-010"]["remediation"].startswith("Run hardened.ftp.site")


def test_firewall_controls_not_applicable_with_reason() -> None:
    results = evaluate(state(HARDENED_CONF, firewall=None, firewall_reason="managed by the network team"))
    for item in results:
        if item["id"] in ("HFTP-011", "HFTP-012", "HFTP-013"):
            assert item["status"] == "not-applicable"
            assert item["evidence"] == ["managed by the network team"]


def test_no_daemon_fails_the_service_control_only() -> None:
    results = evaluate({"daemon": None, "error": "daemon=auto found neither vsftpd nor pure-ftpd"})
    assert failing(results) == ["HFTP-001"]
    assert {item["status"] for item in results[1:]} == {"not-applicable"}


def test_nothing_listening_fails_service() -> None:
    results = evaluate(state(HARDENED_CONF, listening=[{"family": "ipv4", "address": "0.0.0.0", "port": 22}]))
    assert failing(results) == ["HFTP-001"]


def test_root_on_allow_list_and_no_chroot() -> None:
    conf = HARDENED_CONF.replace("chroot_local_user=YES", "chroot_local_user=NO")
    results = evaluate(state(conf, userlist=["alice", "root"]))
    evidence = next(item for item in results if item["id"] == "HFTP-004")["evidence"]
    assert failing(results) == ["HFTP-004"]
    assert "root is on the allow-list" in evidence and "local users are not chrooted" in evidence


def test_tls_versions_need_aead_or_old_versions_off() -> None:
    weak = HARDENED_CONF.replace(f"ssl_ciphers={AEAD}", "ssl_ciphers=HIGH")
    assert failing(evaluate(state(weak))) == ["HFTP-008"]
    old_off = weak + "ssl_tlsv1=NO\nssl_tlsv1_1=NO\n"
    assert failing(evaluate(state(old_off))) == []


def test_unprotected_key_and_writable_config() -> None:
    files = dict(state(HARDENED_CONF)["files"])
    files["tls_key"] = stat("/etc/ssl/private/ftp.key", mode=0o644)
    files["config"] = stat("/etc/vsftpd.conf", uid=1000, mode=0o666)
    evidence = next(item for item in evaluate(state(HARDENED_CONF, files=files)) if item["id"] == "HFTP-014")[
        "evidence"
    ]
    assert "the TLS private key is readable by group or others" in evidence
    assert "/etc/vsftpd.conf is not owned by root" in evidence
    assert "/etc/vsftpd.conf is writable by group or others" in evidence


def test_accept_policy_and_auto_helper() -> None:
    wall = firewall(policy="accept")
    wall["auto_helper"] = True
    assert failing(evaluate(state(HARDENED_CONF, firewall=wall))) == ["HFTP-011", "HFTP-013"]


@pytest.mark.parametrize(
    ("ciphers", "expected"),
    [
        (AEAD, True),
        ("ECDHE-RSA-AES256-GCM-SHA384:!aNULL:-MD5", True),
        ("HIGH:!aNULL", False),
        ("ECDHE-RSA-AES256-SHA384", False),
        ("", False),
        (None, False),
    ],
)
def test_aead_only(ciphers: str | None, expected: bool) -> None:
    assert aead_only(ciphers) is expected


def test_ftp_class_bits() -> None:
    assert ftp_class_bits(stat("/d", 100, 0, 0o700), FTP_USER) == 7
    assert ftp_class_bits(stat("/d", 0, 101, 0o730), FTP_USER) == 3
    assert ftp_class_bits(stat("/d", 0, 0, 0o751), FTP_USER) == 1
    assert ftp_class_bits(stat("/d", 0, 0, 0o755), None) == 5


def test_waivers_mark_failures_and_keep_stale_ones() -> None:
    results = evaluate(state(HARDENED_CONF.replace("ftpd_banner=Authorised use only.", "")))
    waived = apply_waivers(results, {"HFTP-003": "legacy clients", "HFTP-002": "kept for the record"})
    by_id = {item["id"]: item for item in waived}
    assert by_id["HFTP-003"]["status"] == "waived" and by_id["HFTP-003"]["original_status"] == "fail"
    assert by_id["HFTP-003"]["waiver"] == "legacy clients"
    assert (
        by_id["HFTP-002"]["status"] == "pass" and "waiver recorded but not needed" in by_id["HFTP-002"]["evidence"][-1]
    )
    assert summarize(waived)["waived"] == 1 and summarize(waived)["fail"] == 0


@pytest.mark.parametrize(
    ("waivers", "message"),
    [
        ({"HFTP-999": "x"}, "unknown control id 'HFTP-999'"),
        ({"HFTP-003": ""}, "HFTP-003 needs a reason"),
        ({"HFTP-003": 3}, "HFTP-003 needs a reason"),
        (["HFTP-003"], "must be a dict"),
    ],
)
def test_bad_waivers_name_the_variable(waivers: t.Any, message: str) -> None:
    with pytest.raises(AuditInputError, match=re.escape(message)) as caught:
        validate_waivers(waivers, "hardened_ftp_audit_waivers")
    assert "hardened_ftp_audit_waivers" in str(caught.value)


def test_baseline_document_lists_every_control() -> None:
    text = BASELINE_DOC.read_text()
    headings = re.findall(r"^### (HFTP-\d{3}) (.+)$", text, re.MULTILINE)
    assert [control_id for control_id, _title in headings] == list(CONTROL_IDS)
    for (control_id, title), control in zip(headings, CONTROLS):
        assert title.strip() == control["title"], control_id
        for mapping in control["mapping"]:
            assert mapping.split(" ")[1] in text, (control_id, mapping)


def test_agreement_that_cannot_be_verified_fails_naming_the_rules() -> None:
    wall = firewall()
    wall["openings"] = wall["openings"][1:]  # the control port depends on a rate limit
    wall["uncertain_openings"] = [
        {
            "protocol": "tcp",
            "port_min": 21,
            "port_max": 21,
            "sources": ["any"],
            "family": "ipv4",
            "interface": "",
            "rules": ["ipv4 filter INPUT: -A INPUT -p tcp --dport 21 -m limit --limit 5/s -j ACCEPT [-m limit]"],
        }
    ]
    results = {item["id"]: item for item in evaluate(state(HARDENED_CONF, firewall=wall))}
    assert results["HFTP-012"]["status"] == "fail"
    (evidence,) = results["HFTP-012"]["evidence"]
    assert evidence.startswith("cannot be verified, verdict_uncertain: whether control port 21/tcp")
    assert "-m limit --limit 5/s" in evidence


# --------------------------------------------------------------------------- virtual users (HFTP-015..018)

VIRTUAL_IDS = ("HFTP-015", "HFTP-016", "HFTP-017", "HFTP-018")


def virtual_user(name: str, **kw: t.Any) -> dict[str, t.Any]:
    user = {"name": name, "kind": "sha512crypt", "home": f"/srv/ftp-virtual/{name}", "chrooted": True, "account": False}
    user.update(kw)
    return user


def virtual_results(virtual: t.Any) -> dict[str, dict[str, t.Any]]:
    results = evaluate(state(HARDENED_CONF, virtual=virtual))
    return {item["id"]: item for item in results if item["id"] in VIRTUAL_IDS}


def test_virtual_users_controls_are_not_applicable_without_them() -> None:
    assert {item["status"] for item in virtual_results(None).values()} == {"not-applicable"}


def test_virtual_users_as_the_roles_make_them_pass() -> None:
    found = virtual_results(
        {
            "files": [stat("/etc/vsftpd/hardened-ftp-virtual.passwd", mode=0o600)],
            "users": [virtual_user("upload-acme"), virtual_user("reader", kind="yescrypt")],
        }
    )
    assert {key: item["status"] for key, item in found.items()} == dict.fromkeys(VIRTUAL_IDS, "pass")
    assert "hash schemes in use: sha512crypt, yescrypt" in found["HFTP-017"]["evidence"]


def test_virtual_users_controls_fail_by_id() -> None:
    found = virtual_results(
        {
            "files": [stat("/etc/vsftpd/hardened-ftp-virtual.passwd", mode=0o644), stat("/etc/x.db", uid=1000)],
            "users": [
                virtual_user("plain", kind="plain"),
                virtual_user("old", kind="md5crypt", home="/srv/ftp-virtual/shared"),
                virtual_user("free", chrooted=False, home="/srv/ftp-virtual/shared"),
                virtual_user("bob", account=True),
            ],
        }
    )
    assert {key: item["status"] for key, item in found.items()} == dict.fromkeys(VIRTUAL_IDS, "fail")
    assert (
        "/etc/vsftpd/hardened-ftp-virtual.passwd is readable or writable by group or others"
        in (found["HFTP-015"]["evidence"])
    )
    assert "/etc/x.db is not owned by root" in found["HFTP-015"]["evidence"]
    assert "not chrooted in a home of their own: free" in found["HFTP-016"]["evidence"]
    assert "old, free share the home /srv/ftp-virtual/shared" in found["HFTP-016"]["evidence"]
    assert found["HFTP-017"]["evidence"][:2] == ["plain: plain text", "old: md5crypt"]
    assert "also accounts of the host (getent passwd): bob" in found["HFTP-018"]["evidence"]
    assert all(item["remediation"] for item in found.values())
