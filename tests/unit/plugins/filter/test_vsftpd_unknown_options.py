# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.hardened.ftp.plugins.filter.vsftpd_unknown_options import vsftpd_unknown_options


def test_known_options_pass() -> None:
    assert vsftpd_unknown_options(["max_clients", "idle_session_timeout", "ssl_enable", "ftpd_banner"]) == []


def test_typos_are_listed_once_in_order() -> None:
    assert vsftpd_unknown_options(["max_client", "ssl_enable", "idle_timeout", "max_client"]) == [
        "max_client",
        "idle_timeout",
    ]


def test_string_input_is_an_error() -> None:
    with pytest.raises(AnsibleFilterError, match="list of option names"):
        vsftpd_unknown_options("max_clients")
