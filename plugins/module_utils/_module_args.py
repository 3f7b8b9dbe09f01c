# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Argument specs and parameter plumbing shared by the FTP modules (private module).

The options are documented once, in the ``hardened.ftp.ftp_checks`` doc fragment
(``SERVER`` and ``FIREWALL``); the specs here are their code side.
"""

from __future__ import annotations

import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._collect import CollectError, firewall_model, read_server

SERVER_ARGS = {
    "daemon": {"type": "str", "default": "auto", "choices": ["auto", "vsftpd", "pureftpd", "proftpd"]},
    "vsftpd_conf": {"type": "path"},
    "pureftpd_conf_dir": {"type": "path", "default": "/etc/pure-ftpd/conf"},
    "proftpd_conf": {"type": "path", "default": "/etc/proftpd/proftpd.conf"},
    "use_running": {"type": "bool", "default": True},
}  # type: t.Dict[str, t.Dict[str, t.Any]]

FIREWALL_ARGS = {
    "backend": {
        "type": "str",
        "default": "auto",
        "choices": ["auto", "iptables", "nftables", "firewalld", "ufw", "none"],
    },
    "client_sources": {"type": "list", "elements": "str", "default": []},
    "interface": {"type": "str"},
    "auto_helper": {"type": "bool"},
    "ipv6": {"type": "bool", "default": True},
}  # type: t.Dict[str, t.Dict[str, t.Any]]


def _find_bin(module: t.Any) -> t.Callable[[str], str | None]:
    return lambda name: module.get_bin_path(name, opt_dirs=["/usr/sbin", "/sbin"])


def server_from_params(module: t.Any) -> dict[str, t.Any]:
    """Read the FTP daemon configuration named by the ``SERVER_ARGS`` parameters.

    Raises :class:`~._collect.CollectError`."""
    params = module.params
    return read_server(
        params["daemon"],
        params["vsftpd_conf"],
        params["pureftpd_conf_dir"],
        params["use_running"],
        _find_bin(module),
        proftpd_conf=params["proftpd_conf"],
    )


def firewall_from_params(module: t.Any) -> dict[str, t.Any]:
    """Read and model the packet filter as the ``FIREWALL_ARGS`` parameters say.

    Raises :class:`~._collect.CollectError`."""
    params = module.params
    return firewall_model(
        params["backend"],
        lambda argv: module.run_command(argv, check_rc=False),
        _find_bin(module),
        params["client_sources"],
        params["interface"],
        params["auto_helper"],
        params["ipv6"],
    )


def read_or_fail(module: t.Any, read: t.Callable[[t.Any], dict[str, t.Any]]) -> dict[str, t.Any]:
    """``read(module)`` (:func:`server_from_params` or :func:`firewall_from_params`), failing the
    module with the collector's message, which names the option to change."""
    try:
        return read(module)
    except CollectError as exc:
        module.fail_json(msg=str(exc))
        raise  # not reached: fail_json exits
