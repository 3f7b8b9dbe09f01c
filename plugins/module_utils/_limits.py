# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Limits shared by provisioning, the consistency check and the audit: one home each (private module).

The roles' defaults repeat two of them for their users (``vsftpd_pasv_max_range_size`` and
``pureftpd_pasv_max_range_size`` default to :data:`MAX_PASSIVE_PORTS`); a unit test keeps
those defaults equal to the values here.
"""

from __future__ import annotations

# The largest passive port range a server may announce: a guard against opening half the
# port space by a typo, and what ftp_consistency, ftp_firewall_findings and ftp_audit
# (HFTP-009) accept by default.
MAX_PASSIVE_PORTS = 1000

# Ports a client's side of a connection uses, and where a passive range may lie: above the
# privileged ports (below 1024 only root may listen).
UNPRIVILEGED_PORTS = (1024, 65535)

# The passive range a server without one may pick from (vsftpd and pure-ftpd let the kernel
# choose any unprivileged port).
UNBOUNDED_PASSIVE_RANGE = UNPRIVILEGED_PORTS
