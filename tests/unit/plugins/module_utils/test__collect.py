# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils import _collect
from ansible_collections.hardened.ftp.plugins.module_utils._collect import (
    CollectError,
    detect_daemon,
    firewall_model,
    read_server,
)


def runner(outputs: dict):
    def run(argv: list) -> tuple:
        name = argv[0].rsplit("/", 1)[-1]
        if name not in outputs:
            return 1, "", f"{name}: permission denied"
        return 0, outputs[name], ""

    return run


def test_read_vsftpd(tmp_path: Path, fixture_text: t.Callable[[str], str]) -> None:
    conf = tmp_path / "vsftpd.conf"
    conf.write_text(fixture_text("vsftpd_messy.conf"))
    result = read_server("vsftpd", str(conf), "/nonexistent", False, lambda name: None, processes=[])
    assert result["server"]["control_port"] == 2121 and result["unknown_options"] == ["pasv_min_prot"]
    with pytest.raises(CollectError, match="vsftpd_conf"):
        read_server("vsftpd", str(tmp_path / "missing.conf"), "/x", False, lambda name: None, processes=[])


def test_read_pureftpd_dir_and_running(tmp_path: Path) -> None:
    (tmp_path / "PassivePortRange").write_text("30000 30999\n")
    (tmp_path / "NoAnonymous").write_text("yes\n")
    processes = [("pure-ftpd", ["pure-ftpd (SERVER)", "-p", "40000:40999", "-E"])]
    result = read_server("auto", None, str(tmp_path), False, lambda name: None, processes=processes)
    assert result["daemon"] == "pureftpd" and result["server"]["pasv_min_port"] == 30000
    running = read_server("pureftpd", None, str(tmp_path), True, lambda name: None, processes=processes)
    assert running["server"]["pasv_min_port"] == 40000
    with pytest.raises(CollectError, match="neither vsftpd, pure-ftpd nor proftpd"):
        read_server("auto", None, "/nonexistent", False, lambda name: None, processes=[])


def test_read_pureftpd_files_with_a_comment_header(tmp_path: Path) -> None:
    """The files hardened.ftp.pureftpd writes: an Ansible-managed header, then the value."""
    header = (
        "#\n# Ansible managed\n#\n# {name}: read by Debian's pure-ftpd-wrapper (first line that is not a comment).\n"
    )
    for name, value in {
        "PassivePortRange": "30000 30009",
        "ChrootEveryone": "yes",
        "MinUID": "1000",
        "TLS": "3",
    }.items():
        (tmp_path / name).write_text(header.format(name=name) + value + "\n")
    result = read_server("pureftpd", None, str(tmp_path), False, lambda name: None, processes=[])
    assert result["options"] == {
        "ChrootEveryone": "yes",
        "MinUID": "1000",
        "PassivePortRange": "30000 30009",
        "TLS": "3",
    }
    assert (result["server"]["pasv_min_port"], result["server"]["pasv_max_port"]) == (30000, 30009)
    assert result["server"]["tls_required"] is True
    # The daemon's rewritten process title hides its options: the files are what it runs with.
    hidden = [("pure-ftpd", ["pure-ftpd (SERVER)"])]
    running = read_server("pureftpd", None, str(tmp_path), True, lambda name: None, processes=hidden)
    assert running["server"]["pasv_min_port"] == 30000 and running["server"]["tls_required"] is True


def test_detect_prefers_running_then_binary() -> None:
    assert detect_daemon([("vsftpd", [])], lambda n: None, lambda p: False) == "vsftpd"
    assert (
        detect_daemon([], lambda n: "/usr/sbin/pure-ftpd" if n == "pure-ftpd" else None, lambda p: False) == "pureftpd"
    )
    assert detect_daemon([], lambda n: None, lambda p: False) is None


def test_firewall_auto_merges_iptables_and_native_nft(fixture_text: t.Callable[[str], str], nft_ruleset: dict) -> None:
    outputs = {
        "iptables-save": fixture_text("iptables_docker_host.save"),
        "ip6tables-save": fixture_text("ip6tables_host.save"),
        "nft": fixture_text("nft_ruleset.json"),
    }
    model = firewall_model(
        "auto", runner(outputs), lambda name: "/usr/sbin/" + name if name != "ufw" else None, auto_helper=False
    )
    assert model["backend"] == "iptables+nftables"
    assert model["families"] == ["ipv4", "ipv6"]


def test_firewall_errors_name_the_fix() -> None:
    with pytest.raises(CollectError, match="become: true"):
        firewall_model("iptables", runner({}), lambda name: "/usr/sbin/" + name, auto_helper=False)
    with pytest.raises(CollectError, match="backend=nftables"):
        firewall_model("nftables", runner({}), lambda name: None, auto_helper=False)
    with pytest.raises(CollectError, match="cannot parse"):
        firewall_model(
            "iptables",
            runner({"iptables-save": "garbage\n", "ip6tables-save": ""}),
            lambda n: "/sbin/" + n,
            auto_helper=False,
        )


def test_firewall_ufw_and_none(monkeypatch: pytest.MonkeyPatch, fixture_text: t.Callable[[str], str]) -> None:
    outputs = {
        "ufw": fixture_text("ufw_status_verbose.txt"),
        "iptables-save": fixture_text("iptables_docker_host.save"),
        "ip6tables-save": "",
    }
    model = firewall_model(
        "auto", runner(outputs), lambda name: "/usr/sbin/" + name if name != "nft" else None, auto_helper=False
    )
    assert model["backend"] == "ufw" and model["details"]["ufw"]["active"] is True
    open_host = firewall_model("none", runner({}), lambda name: None, auto_helper=True)
    assert open_host["auto_helper"] is True and open_host["openings"][0]["port_max"] == 65535
    monkeypatch.setattr(_collect, "read_text", lambda path: "1\n")
    assert _collect.read_auto_helper(None) is True
