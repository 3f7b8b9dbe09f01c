# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the probe of one server expects, from the inventory the server roles read (private module).

``hardened.ftp.probe_plan`` (an action plugin, on the controller) checks the playbook's
``hardened_ftp_probe_*`` variables with the same rules the module applies to its options
(:func:`._probe_checks.check_options`), then hands the server role's variables (``vsftpd_*``,
``pureftpd_*``: the role's defaults under the inventory's values) to that role's planner, the same
one the role runs. Its ``hardened_ftp_server`` fact and checked inputs are what the wire must show,
so the probe answers one question: does the wire match the inventory? Nothing is contacted here.
"""

from __future__ import annotations

import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils import _inputs as inp
from ansible_collections.hardened.ftp.plugins.module_utils._inputs import Errors
from ansible_collections.hardened.ftp.plugins.module_utils._probe_checks import EXPECT_KEYS, check_options

ROLE = "hardened_ftp_probe"
PREFIX = "hardened_ftp_probe_"
# option of hardened.ftp.ftp_probe -> the playbook variable that sets it
VARIABLES = {
    "address": "hardened_ftp_probe_address",
    "user": "hardened_ftp_probe_user",
    "password": "hardened_ftp_probe_password",
    "dropbox_canary": "hardened_ftp_probe_dropbox_canary",
}
FROM = "hardened_ftp_probe_from"
REPORT_DIR = "hardened_ftp_probe_report_dir"
ENFORCE = "hardened_ftp_probe_enforce"
CONTROLLER = "localhost"


class Planner(t.Protocol):
    PREFIX: str
    inputs: dict[str, t.Any]
    errors: Errors

    def check(self) -> Errors:
        """The errors in ``inputs``."""

    def fact(self) -> dict[str, t.Any]:
        """The plan as a fact."""


def expectations(planner: Planner) -> dict[str, t.Any]:
    """What the server should show on the wire: the published fact, the banner and the drop-box's name."""
    fact = planner.fact()
    inputs = planner.inputs
    expect = {key: fact.get(key) for key in EXPECT_KEYS if key in fact}
    expect["banner"] = inputs.get("banner") or ""
    expect["anon_upload_dir"] = inputs.get("anon_upload_dir") or ""
    # The probe's tls_required is about logins with a password (its cleartext check), not the fact's
    # "every session": vsftpd keeps anonymous sessions in clear text and still refuses local logins without TLS.
    expect["tls_required"] = bool(inputs.get("tls_enable") and inputs.get("tls_required"))
    return {key: expect.get(key) for key in EXPECT_KEYS}


def check_probe_variables(
    raw: t.Mapping[str, t.Any], inventory_hosts: t.Collection[str], errors: Errors
) -> dict[str, t.Any]:
    """The playbook's variables checked: the probe's options, the probe host, the report directory."""
    values = {option: raw.get(variable) for option, variable in VARIABLES.items()}
    checked, found = check_options(values, VARIABLES)
    errors.items += found.items
    probe_from = raw.get(FROM) or ""
    if probe_from:
        name = errors.check(inp.text, probe_from, FROM, max_length=255, what="inventory host name")
        if name is not None and name != CONTROLLER and name not in inventory_hosts:
            errors.add(
                FROM,
                f"{inp.shown(name)} is not a host of the inventory",
                "name a host of the inventory (the probe runs there, through delegate_to), or leave it empty to "
                "probe from the controller",
            )
    checked["probe_from"] = probe_from or CONTROLLER
    report_dir = raw.get(REPORT_DIR)
    checked["report_dir"] = errors.check(inp.absolute_path, report_dir, REPORT_DIR)
    checked["enforce"] = errors.check(inp.flag, raw.get(ENFORCE, False), ENFORCE)
    return checked


def plan(
    raw: t.Mapping[str, t.Any],
    planner: Planner | None,
    daemon: str,
    daemon_variable: str,
    known_daemons: t.Sequence[str],
    inventory_hosts: t.Collection[str],
    ssh_port: int,
) -> tuple[dict[str, t.Any], Errors]:
    """The probe's plan for one server, and every problem found (all reported at once)."""
    errors = Errors()
    probe = check_probe_variables(raw, inventory_hosts, errors)
    expect: dict[str, t.Any] = {}
    port = None
    if planner is None:
        errors.add(
            daemon_variable,
            f"{inp.shown(daemon)} is not a daemon hardened.ftp knows",
            f"set it to one of {', '.join(known_daemons)}",
        )
    elif planner.check():
        errors.items += planner.errors.items
    else:
        expect = expectations(planner)
        port = planner.fact().get("control_port")
    result = {
        "address": probe.get("address"),
        "port": port,
        "probe_from": probe["probe_from"],
        "expect": expect,
        "user": probe.get("user") or "",
        "dropbox_canary": bool(probe.get("dropbox_canary")),
        "skip_ports": sorted({ssh_port, 22}),
        "report_dir": probe.get("report_dir"),
        "enforce": bool(probe.get("enforce")),
    }
    return result, errors
