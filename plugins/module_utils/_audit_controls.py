# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The hardened.ftp baseline as data: one entry per control (private module).

``docs/baseline.md`` is the prose of the same list; a unit test keeps the ids, titles and
mappings of both in step.  ``firewall`` marks the controls that need the packet filter
model: they are not applicable when the audit is told the firewall is managed elsewhere.
"""

from __future__ import annotations

import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._names import FACTS, ROLE_VARIABLES

# The variables the remediations name, per role (vsftpd, pure-ftpd, ProFTPd, firewall, the site playbook).
V, P, R = ROLE_VARIABLES["vsftpd"], ROLE_VARIABLES["pureftpd"], ROLE_VARIABLES["proftpd"]
F, S = ROLE_VARIABLES["ftp_firewall"], ROLE_VARIABLES["site"]
VIRTUAL_USERS = f"{V['virtual_users']} ({P['virtual_users']}, {R['virtual_users']})"

STATUSES = ("fail", "pass", "not-applicable", "waived")

CONTROLS = (
    {
        "id": "HFTP-001",
        "title": "The FTP service is intended, and it is the one listening on the control port",
        "mapping": ['CIS Debian "Ensure ftp server services are not in use": documented exception'],
        "remediation": f"Provision the host with hardened.ftp.site ({S['daemon']}), or remove it from "
        "ftp_servers and uninstall the daemon if it is not meant to serve FTP.",
        "firewall": False,
    },
    {
        "id": "HFTP-002",
        "title": "Every transfer is logged",
        "mapping": ["ComplianceAsCode ftp_log_transactions"],
        "remediation": "Run hardened.ftp.site: the vsftpd role always writes xferlog_enable=YES "
        f"({V['transfer_log']}), the pureftpd role AltLog ({P['transfer_log']}), the proftpd role TransferLog "
        f"({R['transfer_log']}).",
        "firewall": False,
    },
    {
        "id": "HFTP-003",
        "title": "A warning banner is shown before login",
        "mapping": ["ComplianceAsCode ftp_present_banner"],
        "remediation": f"Run hardened.ftp.site with {V['banner']}, {P['banner']} or {R['banner']} set (each defaults "
        "to a warning text).",
        "firewall": False,
    },
    {
        "id": "HFTP-004",
        "title": "Local logins are off, or limited to an allow-list without root and chrooted",
        "mapping": ["ComplianceAsCode ftp_restrict_to_anon (allow-list is the documented deviation)"],
        "remediation": f"Run hardened.ftp.site; list the users in {V['local_users_allowed']} "
        f"({P['local_users_allowed']}, {R['local_users_allowed']}), keep {V['chroot_local_user']} "
        f"({R['chroot_local_user']}): true.",
        "firewall": False,
    },
    {
        "id": "HFTP-005",
        "title": "Anonymous sessions are read-only outside the drop-box",
        "mapping": [],
        "remediation": "Run hardened.ftp.site: the roles write anon_mkdir_write_enable=NO, anon_other_write_enable=NO, "
        "anon_world_readable_only=YES and keep the anonymous root owned by root, mode 0755.",
        "firewall": False,
    },
    {
        "id": "HFTP-006",
        "title": "The anonymous drop-box is write-only",
        "mapping": [],
        "remediation": f"Run hardened.ftp.site with {V['anon_upload_enable']}: true: the drop-box becomes "
        f"root:ftp mode 1730 and uploads are handed to {V['anon_upload_owner']} with mode 0600.",
        "firewall": False,
    },
    {
        "id": "HFTP-007",
        "title": "TLS is offered, and every password login and its data use it",
        "mapping": [
            "DISA STIG V-72299 (RHEL-07-040690): FTP only where documented as needed, never with clear-text passwords"
        ],
        "remediation": f"Run hardened.ftp.site with {V['tls_enable']} and {V['tls_required']} true (the defaults; "
        f"{P['tls_enable']} / {P['tls_required']}; {R['tls_enable']} / {R['tls_required']}).",
        "firewall": False,
    },
    {
        "id": "HFTP-008",
        "title": "Only TLS 1.2 or newer can be negotiated",
        "mapping": [],
        "remediation": "Run hardened.ftp.site: SSLv2/SSLv3 off and an AEAD-only cipher list "
        f"({V['tls_ciphers']}, {P['tls_ciphers']}, {R['tls_ciphers']}), which TLS 1.0 and 1.1 cannot negotiate.",
        "firewall": False,
    },
    {
        "id": "HFTP-009",
        "title": "The passive port range is bounded",
        "mapping": [],
        "remediation": f"Run hardened.ftp.site with {V['pasv_min_port']} / {V['pasv_max_port']} (at most "
        f"{V['pasv_max_range_size']} ports above 1023; {P['pasv_min_port']} / {P['pasv_max_port']} for pure-ftpd, "
        f"{R['pasv_min_port']} / {R['pasv_max_port']} for ProFTPd).",
        "firewall": False,
    },
    {
        "id": "HFTP-010",
        "title": "No FTP bounce: data connections only to and from the client",
        "mapping": [],
        "remediation": "Run hardened.ftp.site: the vsftpd role always writes port_promiscuous=NO and "
        "pasv_promiscuous=NO, the pureftpd role refuses FXP, the proftpd role writes AllowForeignAddress off.",
        "firewall": False,
    },
    {
        "id": "HFTP-011",
        "title": "The firewall drops by default what is not opened",
        "mapping": [],
        "remediation": f"Run hardened.ftp.site with {S['firewall_enabled']}: true and {F['default_deny']}: true.",
        "firewall": True,
    },
    {
        "id": "HFTP-012",
        "title": "The firewall and the FTP server agree",
        "mapping": [],
        "remediation": "Run hardened.ftp.site: the ftp_firewall role opens exactly the ports the server role "
        f"published ({FACTS['server']}), and checks them with hardened.ftp.ftp_consistency.",
        "firewall": True,
    },
    {
        "id": "HFTP-013",
        "title": "The FTP conntrack helper is attached explicitly, never automatically",
        "mapping": [],
        "remediation": "Run hardened.ftp.site: the ftp_firewall role attaches the ftp helper to the control port "
        "with an explicit rule; set net.netfilter.nf_conntrack_helper=0.",
        "firewall": True,
    },
    {
        "id": "HFTP-014",
        "title": "The configuration and the TLS private key are protected",
        "mapping": [],
        "remediation": "Run hardened.ftp.site: configuration files root-owned and not writable by others, private "
        "key root-owned mode 0600.",
        "firewall": False,
    },
    {
        "id": "HFTP-015",
        "title": "The virtual users' password files are root's alone",
        "mapping": [],
        "remediation": f"Run hardened.ftp.site with {VIRTUAL_USERS}: the password file "
        "and Pure-FTPd's PureDB are written root:root, mode 0600.",
        "firewall": False,
    },
    {
        "id": "HFTP-016",
        "title": "Every virtual user is chrooted in a home of their own",
        "mapping": ["ComplianceAsCode ftp_restrict_to_anon (virtual users: chrooted, as local users)"],
        "remediation": f"Run hardened.ftp.site with {VIRTUAL_USERS}: vsftpd makes each a "
        "guest chrooted in its home (user_config_dir), Pure-FTPd's PureDB chroots each in its home.",
        "firewall": False,
    },
    {
        "id": "HFTP-017",
        "title": "No virtual user's password is kept in plain text or as a weak hash",
        "mapping": ["DISA STIG V-72299 (RHEL-07-040690): never clear-text passwords"],
        "remediation": f"Give every user of {VIRTUAL_USERS} a crypt(3) password_hash "
        "($y$, $6$ or $5$) and run hardened.ftp.site.",
        "firewall": False,
    },
    {
        "id": "HFTP-018",
        "title": "No virtual user is also an account of the host",
        "mapping": [],
        "remediation": f"Rename the virtual user in {VIRTUAL_USERS}, or remove the host's "
        "account of that name, and run hardened.ftp.site.",
        "firewall": False,
    },
)  # type: t.Tuple[t.Dict[str, t.Any], ...]

CONTROL_IDS = tuple(control["id"] for control in CONTROLS)


def control(control_id: str) -> dict[str, t.Any]:
    """The control with id ``control_id`` (KeyError when unknown)."""
    for item in CONTROLS:
        if item["id"] == control_id:
            return item
    raise KeyError(control_id)
