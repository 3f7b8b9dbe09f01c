# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role and playbook variables the plugins name in their messages: one table (private module).

Findings and audit remediations tell the user which variable to change; they take the name
from here, so renaming a role variable is one edit (a unit test checks that every name here
is a variable the roles or playbooks define).  Keys are what the variable controls, alike for
every daemon that has it.
"""

from __future__ import annotations

ROLE_VARIABLES = {
    "vsftpd": {
        "listen_port": "vsftpd_listen_port",
        "pasv_min_port": "vsftpd_pasv_min_port",
        "pasv_max_port": "vsftpd_pasv_max_port",
        "pasv_max_range_size": "vsftpd_pasv_max_range_size",
        "active_enable": "vsftpd_active_enable",
        "tls_enable": "vsftpd_tls_enable",
        "tls_required": "vsftpd_tls_required",
        "tls_ciphers": "vsftpd_tls_ciphers",
        "banner": "vsftpd_banner",
        "transfer_log": "vsftpd_xferlog_file",
        "local_users_allowed": "vsftpd_local_users_allowed",
        "chroot_local_user": "vsftpd_chroot_local_user",
        "anonymous_enable": "vsftpd_anonymous_enable",
        "anon_upload_enable": "vsftpd_anon_upload_enable",
        "anon_upload_owner": "vsftpd_anon_upload_owner",
        "listen_address": "vsftpd_listen_address",
        "listen_ipv6": "vsftpd_listen_ipv6",
        "pasv_enable": "vsftpd_pasv_enable",
        "pasv_address": "vsftpd_pasv_address",
        "virtual_users": "vsftpd_virtual_users",
    },
    "pureftpd": {
        "listen_port": "pureftpd_listen_port",
        "pasv_min_port": "pureftpd_pasv_min_port",
        "pasv_max_port": "pureftpd_pasv_max_port",
        "pasv_max_range_size": "pureftpd_pasv_max_range_size",
        "tls_enable": "pureftpd_tls_enable",
        "tls_required": "pureftpd_tls_required",
        "tls_ciphers": "pureftpd_tls_ciphers",
        "banner": "pureftpd_banner",
        "transfer_log": "pureftpd_transfer_log",
        "local_users_allowed": "pureftpd_local_users_allowed",
        "chroot_local_user": "pureftpd_chroot_local_user",
        "anonymous_enable": "pureftpd_anonymous_enable",
        "anon_upload_enable": "pureftpd_anon_upload_enable",
        "listen_address": "pureftpd_listen_address",
        "listen_ipv6": "pureftpd_listen_ipv6",
        "pasv_enable": "pureftpd_pasv_enable",
        "pasv_address": "pureftpd_pasv_address",
        "virtual_users": "pureftpd_virtual_users",
    },
    "proftpd": {
        "listen_port": "proftpd_listen_port",
        "pasv_min_port": "proftpd_pasv_min_port",
        "pasv_max_port": "proftpd_pasv_max_port",
        "pasv_max_range_size": "proftpd_pasv_max_range_size",
        "active_enable": "proftpd_active_enable",
        "tls_enable": "proftpd_tls_enable",
        "tls_required": "proftpd_tls_required",
        "tls_ciphers": "proftpd_tls_ciphers",
        "banner": "proftpd_banner",
        "transfer_log": "proftpd_xferlog_file",
        "local_users_allowed": "proftpd_local_users_allowed",
        "chroot_local_user": "proftpd_chroot_local_user",
        "anonymous_enable": "proftpd_anonymous_enable",
        "anon_upload_enable": "proftpd_anon_upload_enable",
        "listen_address": "proftpd_listen_address",
        "listen_ipv6": "proftpd_listen_ipv6",
        "pasv_enable": "proftpd_pasv_enable",
        "pasv_address": "proftpd_pasv_address",
        "virtual_users": "proftpd_virtual_users",
    },
    "ftp_firewall": {
        "passive_policy": "ftp_firewall_passive_policy",
        "allowed_sources": "ftp_firewall_allowed_sources",
        "default_deny": "ftp_firewall_default_deny",
    },
    "site": {
        "daemon": "hardened_ftp_daemon",
        "firewall_enabled": "hardened_ftp_firewall_enabled",
        "audit_waivers": "hardened_ftp_audit_waivers",
    },
}  # type: t.Dict[str, t.Dict[str, str]]

# Facts the roles publish and the plugins read.
FACTS = {"server": "hardened_ftp_server"}

# The keys of the server model (see _server_model.SERVER_KEYS) each daemon role sets from a
# variable; the others it always writes the same way (port_promiscuous is always off).
SERVER_KEY_VARIABLES = {
    "control_port": "listen_port",
    "pasv_min_port": "pasv_min_port",
    "pasv_max_port": "pasv_max_port",
    "active_enable": "active_enable",
    "tls_enable": "tls_enable",
    "tls_required": "tls_required",
    "anonymous_enable": "anonymous_enable",
    "anon_upload_enable": "anon_upload_enable",
    "listen_address": "listen_address",
    "listen_ipv6": "listen_ipv6",
    "pasv_enable": "pasv_enable",
    "pasv_address": "pasv_address",
}


def variable(role: str, concept: str) -> str:
    """The variable of ``role`` that controls ``concept`` (KeyError when it has none)."""
    return ROLE_VARIABLES[role][concept]


def passive_range_variables(daemon: str) -> str:
    """``vsftpd_pasv_min_port / vsftpd_pasv_max_port`` for a daemon role."""
    return "{} / {}".format(variable(daemon, "pasv_min_port"), variable(daemon, "pasv_max_port"))
