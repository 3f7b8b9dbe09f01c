# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading a host with the standard library only: users, paths, packages, units, the SSH session."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils import _host_info as hi

DPKG_STATUS = """Package: vsftpd
Status: install ok installed
Architecture: amd64
Version: 3.0.3-13+b2

Package: pure-ftpd
Status: deinstall ok config-files
Version: 1.0.50-2.1

Package: python3-apt
Status: install ok installed
Version: 2.6.0
"""


def test_paths_are_described_without_following_links(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    target.chmod(0o640)
    (tmp_path / "link").symlink_to(target)
    assert hi.path_info(str(target))["mode"] == 0o640 and hi.path_info(str(target))["isreg"]
    link = hi.path_info(str(tmp_path / "link"))
    assert link["islnk"] and not link["isreg"]
    assert hi.path_info(str(tmp_path / "missing")) == {"exists": False}
    assert hi.path_info(str(tmp_path))["isdir"]


def test_users_as_nss_resolves_them() -> None:
    me = pwd.getpwuid(os.getuid())
    info = hi.user_info(me.pw_name)
    assert info["exists"] and info["uid"] == me.pw_uid and info["home"] == me.pw_dir and me.pw_gid in info["groups"]
    assert hi.user_info("no-such-user-hardened-ftp") == {"exists": False}
    assert hi.group_info("no-such-group-hardened-ftp") == {"exists": False}


def test_installed_packages_from_dpkgs_status(tmp_path: Path) -> None:
    status = tmp_path / "status"
    status.write_text(DPKG_STATUS)
    found = hi.installed_packages(["vsftpd", "pure-ftpd", "nftables"], str(status))
    assert found == {"vsftpd": "3.0.3-13+b2", "pure-ftpd": "", "nftables": ""}
    assert hi.installed_packages(["vsftpd"], str(tmp_path / "none")) == {"vsftpd": ""}


def test_word_lists_and_os_release(tmp_path: Path) -> None:
    shells = tmp_path / "shells"
    shells.write_text("# /etc/shells: valid login shells\n/bin/sh\n\n/bin/bash\n")
    assert hi.word_list(str(shells)) == ["/bin/sh", "/bin/bash"]
    assert hi.word_list(str(tmp_path / "none")) is None
    release = tmp_path / "os-release"
    release.write_text(
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n'
    )
    assert hi.os_release(str(release)) == {"id": "debian", "version_id": "12", "codename": "bookworm"}


def test_unit_states_from_one_systemctl_show() -> None:
    out = (
        "Id=vsftpd.service\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n\n"
        "Id=pure-ftpd.service\nLoadState=not-found\nActiveState=inactive\nUnitFileState=\n"
    )
    calls = []

    def run(argv: list[str]) -> tuple[int, str]:
        calls.append(argv)
        return 0, out

    states = hi.unit_states(["vsftpd", "pure-ftpd"], run)
    assert states["vsftpd"] == {"load": "loaded", "active": "active", "file_state": "enabled"}
    assert states["pure-ftpd"]["load"] == "not-found"
    assert len(calls) == 1 and calls[0][:2] == ["systemctl", "show"]
    assert hi.unit_states(["vsftpd"], lambda argv: (1, "")) == {}
    assert hi.unit_states([], run) == {}


def test_host_info_answers_the_request(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\n")
    info = hi.host_info(
        {"paths": [str(tmp_path)], "read": [str(cert), str(tmp_path / "none")], "resolve": ["localhost"]},
        lambda argv: (1, ""),
    )
    assert info["paths"][str(tmp_path)]["isdir"]
    assert info["files"] == {str(cert): "-----BEGIN CERTIFICATE-----\n", str(tmp_path / "none"): None}
    assert "127.0.0.1" in info["resolved"]["localhost"]
    assert info["glibc"].startswith("glibc ") and isinstance(info["python_apt"], bool)
    assert set(info) >= {"os", "shells", "ftpusers", "users", "groups", "packages", "units", "ssh"}


def test_names_that_do_not_resolve() -> None:
    assert hi.resolve_ipv4("ftp.example.invalid") == []


class _ClaimsEveryModule:
    """A sys.meta_path finder like Mitogen's: it offers any module, from the controller."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: object = None) -> object:
        import importlib.machinery

        return importlib.machinery.ModuleSpec(name, loader=None)


def test_python_apt_is_what_the_interpreter_has_not_what_an_import_hook_offers(tmp_path: Path, monkeypatch) -> None:
    import sys

    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    monkeypatch.setattr(sys, "meta_path", [_ClaimsEveryModule(), *sys.meta_path])
    assert hi.has_python_apt() is False
    (tmp_path / "apt_pkg.py").write_text("")
    assert hi.has_python_apt() is True


def test_ssh_session_has_the_client_the_servers_address_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hi, "ssh_connection", lambda: ["192.0.2.10", "50522", "192.0.2.20", "2222"])
    assert hi.ssh_session() == {"client": "192.0.2.10", "port": 2222, "server": "192.0.2.20"}
    monkeypatch.setattr(hi, "ssh_connection", lambda: [])
    assert hi.ssh_session() == {}
