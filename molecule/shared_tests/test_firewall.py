# SPDX-License-Identifier: GPL-3.0-or-later
"""What hardened.ftp.ftp_firewall lets through, proven with real connections from a client.

Shared by every firewall host: each server in the scenario carries its backend
(``ftp_firewall_backend``), and policy and ports come from the published ``hardened_ftp_server``
fact, so the same tests cover {vsftpd, Pure-FTPd} x {iptables, nftables, ufw}. Failure cases use
short timeouts: a dropped data connection shows up as a timeout, never as a hang.
"""

from __future__ import annotations

import pytest

FAST = 5  # seconds a client waits for a data connection that must not come


def ok(step):  # type: ignore[no-untyped-def]
    return step["ok"]


def _anon_retr(server, passive=True, **kw):  # type: ignore[no-untyped-def]
    want = server.test["download"]
    result = server.anonymous([{"op": "retr", "path": want["path"]}], passive=passive, **kw)
    return result["steps"][0], want["content"]


def _local_session(server, steps, passive=True, **kw):  # type: ignore[no-untyped-def]
    user = server.test["local_user"]
    result = server.session(
        steps, user=user["name"], password=user["password"], tls=server.fact["tls_enable"], passive=passive, **kw
    )
    assert result.get("login", {}).get("ok"), result
    return result


def _ids(findings):  # type: ignore[no-untyped-def]
    return {f["id"] for f in findings if f["severity"] == "error"}


def test_ssh_still_connects_after_the_role(firewall):  # type: ignore[no-untyped-def]
    assert firewall.default_deny, "this scenario runs every backend with ftp_firewall_default_deny"
    reply = firewall.probe(22)
    assert reply["ok"], reply
    assert reply["banner"].startswith("SSH-2.0"), reply


def test_a_switch_to_firewalld_left_nothing_of_the_roles_earlier_backend(server, firewall):  # type: ignore[no-untyped-def]
    """A host the role filtered with nftables or iptables before (molecule/firewalld/switch_from.yml):
    after the converge to firewalld the role's table or chains and their files are gone, the
    administrator's rule beside them is still there (nftables: live and in /etc/nftables.conf;
    iptables: in netfilter-persistent's file), and firewalld alone filters SSH and FTP."""
    earlier = server.test.get("switched_from")
    if not earlier or firewall.backend != "firewalld":
        pytest.skip("this host was not switched from another backend")
    sh = firewall.sh
    assert sh("test", "-e", f"/var/lib/hardened-ftp/firewall/{earlier['backend']}.json", check=False).returncode != 0
    if earlier["backend"] == "nftables":
        tables = sh("nft", "list", "tables").stdout
        assert "inet hardened_ftp" not in tables and "inet admin_keep" in tables, tables
        assert "admin_keep" in sh("nft", "list", "table", "inet", "admin_keep").stdout
        assert sh("test", "-e", "/etc/nftables.d/hardened-ftp.nft", check=False).returncode != 0
        conf = sh("cat", "/etc/nftables.conf").stdout
        assert "table inet admin_keep" in conf and "/etc/nftables.d/" not in conf, conf
        sh("nft", "-c", "-f", "/etc/nftables.conf")
        # firewalld's unit conflicts with nftables.service: the role stopped it loading at boot.
        assert sh("systemctl", "is-enabled", "nftables", check=False).stdout.strip() == "disabled"
    else:
        for tool in ("iptables-save", "ip6tables-save"):
            live = sh(tool).stdout
            assert "HARDENED-FTP" not in live and ":INPUT ACCEPT" in live, live
        assert sh("test", "-e", "/etc/hardened-ftp", check=False).returncode != 0
        # firewalld flushes the live iptables rules when it starts (the administrator's too); the saved ones
        # keep the administrator's rule, without the role's chains or its DROP policy.
        saved = sh("cat", "/etc/iptables/rules.v4").stdout
        assert "admin_keep" in saved and "HARDENED-FTP" not in saved and ":INPUT ACCEPT" in saved, saved
        assert "HARDENED-FTP" not in sh("cat", "/etc/iptables/rules.v6").stdout
    firewall.assert_ssh_answers()
    assert server.download_works()


def test_consistency_check_is_clean(firewall):  # type: ignore[no-untyped-def]
    findings = firewall.consistency()
    assert _ids(findings) == set(), findings


def test_passive_download_and_upload(server, unique):  # type: ignore[no-untyped-def]
    step, content = _anon_retr(server)
    assert ok(step) and step["data"] == content, step
    upload = server.anonymous([{"op": "stor", "path": f"{server.test['upload_dir']}/{unique}.txt", "data": "up"}])
    assert ok(upload["steps"][0]), upload
    user = server.test["local_user"]
    local = _local_session(
        server,
        [{"op": "retr", "path": user["file"]}, {"op": "stor", "path": f"files/{unique}.txt", "data": "mine"}],
    )
    assert all(ok(s) for s in local["steps"]), local
    assert local["steps"][0]["data"] == user["content"]
    if server.fact["tls_enable"]:
        assert local["tls_version"] in ("TLSv1.2", "TLSv1.3"), local


def test_active_download(server):  # type: ignore[no-untyped-def]
    if not server.fact["active_enable"]:
        pytest.skip("active mode is off on this server")
    step, content = _anon_retr(server, passive=False)
    assert ok(step) and step["data"] == content, step
    user = server.test["local_user"]
    local = _local_session(server, [{"op": "retr", "path": user["file"]}], passive=False)
    assert ok(local["steps"][0]) and local["steps"][0]["data"] == user["content"], local


def test_listener_outside_the_passive_range_is_unreachable(firewall):  # type: ignore[no-untyped-def]
    with firewall.listener(firewall.high + 1234) as port:
        assert firewall.probe(port, source=firewall.name)["ok"], "the test listener does not answer locally"
        reply = firewall.probe(port)
        assert not reply["ok"], f"port {port} (outside {firewall.low}-{firewall.high}) is reachable: {reply}"


def test_unannounced_port_in_the_range(firewall):  # type: ignore[no-untyped-def]
    """Under related only announced ports open; under range the whole range is (the trade-off)."""
    with firewall.listener(firewall.high) as port:
        assert firewall.probe(port, source=firewall.name)["ok"], "the test listener does not answer locally"
        reply = firewall.probe(port)
        if firewall.policy == "related":
            assert not reply["ok"], f"port {port} was never announced but is reachable under related: {reply}"
        else:
            assert reply["ok"], f"port {port} is in the opened range but unreachable: {reply}"


def test_tls_data_goes_only_through_the_opened_range(server, firewall):  # type: ignore[no-untyped-def]
    if not server.fact["tls_enable"]:
        pytest.skip("plain FTP server: nothing hides PASV from the helper")
    user = server.test["local_user"]
    with firewall.passive_range_closed_to_new():
        if not server.anonymous_tls:
            # Plain FTP: the helper reads PASV and lets the data connection in as RELATED ...
            step, content = _anon_retr(server, data_timeout=FAST)
            assert ok(step) and step["data"] == content, step
        # ... FTPS: the helper is blind, and without the open range the data connection is dropped.
        blind = _local_session(server, [{"op": "retr", "path": user["file"]}], data_timeout=FAST)
        assert not ok(blind["steps"][0]), blind
    again = _local_session(server, [{"op": "retr", "path": user["file"]}])
    assert ok(again["steps"][0]), again


def test_without_the_helper_related_passive_fails(server, firewall):  # type: ignore[no-untyped-def]
    if firewall.policy != "related":
        pytest.skip("passive policy range: the open range carries passive data, helper or not")
    with firewall.helper_removed():
        step, _content = _anon_retr(server, data_timeout=FAST)
        assert not ok(step), f"passive transfer worked without the helper under related: {step}"
        assert "helper_not_attached" in _ids(firewall.consistency())
    step, content = _anon_retr(server)
    assert ok(step) and step["data"] == content, step


def test_without_the_helper_active_fails_with_egress_filtering(server, firewall):  # type: ignore[no-untyped-def]
    if not (firewall.egress and server.fact["active_enable"]):
        pytest.skip("egress is not filtered or active mode is off")
    if server.fact["tls_enable"]:
        pytest.skip("with TLS the helper is blind to PORT, so port 20 may leave as NEW by design")
    with firewall.helper_removed():
        step, _content = _anon_retr(server, passive=False, data_timeout=FAST)
        assert not ok(step), f"active transfer left port 20 without the helper: {step}"
        assert "active_port20_blocked" in {f["id"] for f in firewall.consistency()}
    step, content = _anon_retr(server, passive=False)
    assert ok(step) and step["data"] == content, step


def test_ipv6_gets_the_same_policy(firewall):  # type: ignore[no-untyped-def]
    """Over IPv6 (link-local, on the scenario network): SSH stays open, everything else is dropped."""
    address = firewall.ipv6_link_local()
    reply = firewall.probe(22, target=address)
    assert reply["ok"] and reply["banner"].startswith("SSH-2.0"), reply
    with firewall.listener(firewall.high + 1234) as port:
        assert firewall.probe(port, source=firewall.name, target="::1")["ok"], "the listener does not answer"
        reply = firewall.probe(port, target=address)
        assert not reply["ok"], f"IPv6 port {port} is reachable: {reply}"


def test_rules_survive_a_reboot(server, firewall):  # type: ignore[no-untyped-def]
    """The rules the distribution restores at boot are the role's: helper, range, default deny."""
    firewall.reboot()
    # Under the related policy only the helper lets this data connection in: attached after boot too.
    assert server.download_works()
    with firewall.listener(firewall.high + 1234) as port:
        assert not firewall.probe(port)["ok"], f"port {port} is reachable after the reboot"
    firewall.assert_ssh_answers()
    assert not [f for f in firewall.consistency() if f["severity"] == "error"]
