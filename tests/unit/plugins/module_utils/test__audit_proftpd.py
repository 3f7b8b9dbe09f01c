# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The baseline on ProFTPd hosts (the ProFTPd section of _audit), and how the collectors find and read ProFTPd.

The hardened host is the configuration the proftpd role writes (its planner and template); the weak one is
Debian's stock configuration with an anonymous area of the kind found on old servers.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._audit import evaluate, tls_protocols
from ansible_collections.hardened.ftp.plugins.module_utils._audit_collect import (
    daemon_running,
    host_paths,
    proftpd_virtual_users,
)
from ansible_collections.hardened.ftp.plugins.module_utils._collect import CollectError, detect_daemon, read_server
from ansible_collections.hardened.ftp.plugins.module_utils._proftpd_conf import (
    config_from_text,
    proftpd_server_model,
    proftpd_settings,
)
from plan_helpers import alice, host, planner
from test__audit import failing, stat, state, statuses
from test__proftpd_plan import render

WEAK_CONF = """
ServerType standalone
Port 21
UseIPv6 on
LoadModule mod_tls.c
TLSEngine on
TLSProtocol TLSv1 TLSv1.2
ServerIdent on
AllowForeignAddress on
<Anonymous ~ftp>
  User ftp
  Group nogroup
  UserAlias anonymous ftp
  <Directory incoming>
    AllowOverwrite on
    <Limit STOR READ>
      AllowAll
    </Limit>
  </Directory>
</Anonymous>
"""


def proftpd_state(text: str, **overrides: t.Any) -> dict[str, t.Any]:
    """The hand-written host of test__audit, serving ``text`` with ProFTPd."""
    config = config_from_text(text)
    files = {
        "config": stat("/etc/proftpd/proftpd.conf"),
        "tls_key": stat("/etc/ssl/private/hardened-ftp-proftpd.key", mode=0o600),
        "anon_root": stat("/srv/ftp", mode=0o755),
    }
    return state(
        "",
        **{
            "daemon": "proftpd",
            "config_path": "/etc/proftpd/proftpd.conf",
            "options": proftpd_settings(config),
            "server": proftpd_server_model(config),
            "userlist": None,
            "files": files,
            **overrides,
        },
    )


def role_conf(**overrides: t.Any) -> str:
    made = planner("proftpd", host(users={"alice": alice()}), pasv_max_port=30099, **overrides)
    assert not made.errors
    return render(made.plan())


def test_the_role_s_server_passes_every_control() -> None:
    results = evaluate(
        proftpd_state(role_conf(anon_upload_enable=True, local_enable=True, local_users_allowed=["alice"]))
    )
    assert failing(results) == [], [item for item in results if item["status"] == "fail"]
    assert all(item["evidence"] for item in results)
    evidence = {item["id"]: " | ".join(item["evidence"]) for item in results}
    assert "TransferLog=/var/log/proftpd/xferlog" in evidence["HFTP-002"]
    assert "allowed: alice" in evidence["HFTP-004"] and "DefaultRoot=/srv/ftp-local/%u" in evidence["HFTP-004"]
    assert "<Directory /srv/ftp/incoming>: store yes, read NO" in evidence["HFTP-006"]
    assert "TLSv1.2" in evidence["HFTP-008"]


def test_the_role_s_server_without_tls_or_local_users() -> None:
    results = statuses(evaluate(proftpd_state(role_conf(tls_enable=False))))
    assert results["HFTP-007"] == "fail" and results["HFTP-008"] == "not-applicable"
    assert results["HFTP-004"] == "pass" and results["HFTP-006"] == "not-applicable"
    plain_anonymous = statuses(evaluate(proftpd_state(role_conf(tls_required=False))))
    # Anonymous sessions only: no password is ever sent.
    assert plain_anonymous["HFTP-007"] == "pass"


def test_the_weak_server_fails_by_id() -> None:
    state = proftpd_state(WEAK_CONF, anon_tree=[stat("/srv/ftp/incoming", 100, 100, 0o777)])
    assert failing(evaluate(state)) == [
        "HFTP-002",
        "HFTP-003",
        "HFTP-004",
        "HFTP-005",
        "HFTP-006",
        "HFTP-007",
        "HFTP-008",
        "HFTP-009",
        "HFTP-010",
        # IPv6 without IPv6 rules, and a firewall made for another passive range.
        "HFTP-011",
        "HFTP-012",
        "HFTP-013",
    ]
    evidence = {item["id"]: " | ".join(item["evidence"]) for item in evaluate(state)}
    assert "ProFTPd greets with its name and version" in evidence["HFTP-003"]
    assert "may read uploads" in evidence["HFTP-006"] and "may overwrite uploads" in evidence["HFTP-006"]
    assert "TLSv1 can be negotiated" in evidence["HFTP-008"]


@pytest.mark.parametrize(
    ("words", "allowed"),
    [
        ("", {"TLSv1"}),
        ("TLSv1.2 TLSv1.3", {"TLSv1.2", "TLSv1.3"}),
        ("ALL -SSLv3 -TLSv1 -TLSv1.1", {"TLSv1.2", "TLSv1.3"}),
        ("ALL -SSLv3", {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}),
    ],
)
def test_tls_protocols(words: str, allowed: set[str]) -> None:
    assert tls_protocols(words) == allowed


def test_host_paths_and_the_running_daemon() -> None:
    info = read_info(role_conf(anon_upload_enable=True))
    paths = host_paths(info, {"home": "/srv/ftp"})
    assert paths["tls_key"] == "/etc/ssl/private/hardened-ftp-proftpd.key"
    assert paths["anon_root"] == "/srv/ftp" and paths["ftp_username"] == "ftp" and paths["userlist"] is None
    stock = host_paths(read_info(WEAK_CONF), {"home": "/srv/ftp"})
    assert stock["anon_root"] == "/srv/ftp"  # <Anonymous ~ftp>: the ftp user's home
    assert daemon_running("proftpd", [("proftpd", ["proftpd: (accepting connections)"])])
    assert not daemon_running("proftpd", [("vsftpd", ["/usr/sbin/vsftpd"])])


def read_info(text: str) -> dict[str, t.Any]:
    config = config_from_text(text)
    return {"daemon": "proftpd", "config_path": "/etc/proftpd/proftpd.conf", "options": proftpd_settings(config)}


def test_detect_and_read_proftpd(tmp_path: Path) -> None:
    assert detect_daemon([("proftpd", ["proftpd: (accepting connections)"])], lambda name: None) == "proftpd"
    assert detect_daemon([], lambda name: "/usr/sbin/proftpd" if name == "proftpd" else None) == "proftpd"
    assert detect_daemon([], lambda name: None, exists=lambda path: path == "/etc/proftpd/proftpd.conf") == "proftpd"
    conf = tmp_path / "proftpd.conf"
    conf.write_text(role_conf(anon_upload_enable=True) + f"Include {tmp_path}/missing.conf\n")
    found = read_server("proftpd", None, "", False, lambda name: None, proftpd_conf=str(conf))
    assert found["daemon"] == "proftpd" and found["server"]["pasv_max_port"] == 30099
    assert found["unknown_options"] == [] and "missing.conf: cannot be read" in found["problems"][0]["problem"]
    with pytest.raises(CollectError, match=r"proftpd_conf .* does not exist"):
        read_server("proftpd", None, "", False, lambda name: None, proftpd_conf=str(tmp_path / "none.conf"))
    conf.write_text("PassivePorts 30000\n")
    with pytest.raises(CollectError, match="PassivePorts"):
        read_server("proftpd", None, "", False, lambda name: None, proftpd_conf=str(conf))


def test_virtual_users_are_read_from_the_auth_user_file(tmp_path: Path) -> None:
    passwd = tmp_path / "hardened-ftp.passwd"
    passwd.write_text(
        "# comment\n"
        "vera:$6$hardenedftp$" + "a" * 86 + ":1001:1001::/srv/ftp-virtual/vera:/usr/sbin/nologin\n"
        "root:plaintext:1001:1001::/srv/ftp-virtual/root:/usr/sbin/nologin\n"
    )
    home_chroot = {"directives": {"AuthUserFile": str(passwd), "DefaultRoot": "~"}}
    found = proftpd_virtual_users(home_chroot)
    assert found is not None and found["files"][0]["path"] == str(passwd)
    assert [(user["name"], user["kind"], user["chrooted"], user["account"]) for user in found["users"]] == [
        ("vera", "sha512crypt", True, False),
        ("root", "plain", True, True),
    ]
    elsewhere = proftpd_virtual_users({"directives": {"AuthUserFile": str(passwd), "DefaultRoot": "/srv/other"}})
    assert elsewhere is not None and not any(user["chrooted"] for user in elsewhere["users"])
    assert proftpd_virtual_users({"directives": {}}) is None
    results = statuses(evaluate(proftpd_state(role_conf(), virtual=found)))
    assert results["HFTP-016"] == "pass"
    assert results["HFTP-017"] == "fail" and results["HFTP-018"] == "fail"
