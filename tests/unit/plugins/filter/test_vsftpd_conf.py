# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.hardened.ftp.plugins.filter.vsftpd_conf import FilterModule, vsftpd_conf


def test_registered() -> None:
    assert "vsftpd_conf" in FilterModule().filters()


def test_example_values() -> None:
    conf = vsftpd_conf("listen=YES\npasv_min_port=30000\nssl_enable=yes\nlocal_umask=022\n")
    assert conf["pasv_min_port"] == 30000 and conf["ssl_enable"] is True and conf["local_umask"] == 18
    assert conf["listen_port"] == 21


def test_unknown_modes() -> None:
    text = "listen=YES\npasv_min_prot=30000\n"
    with pytest.raises(AnsibleFilterError, match="pasv_min_prot"):
        vsftpd_conf(text)
    assert vsftpd_conf(text, "ignore")["listen"] is True
    assert vsftpd_conf(text, "list")["unknown"] == ["pasv_min_prot"]
    with pytest.raises(AnsibleFilterError, match="unknown="):
        vsftpd_conf(text, "explode")
    with pytest.raises(AnsibleFilterError, match=r"text of vsftpd\.conf"):
        vsftpd_conf(42)
