#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ftp_service
short_description: Run an FTP daemon's unit, prove the daemon holds its port, or go back to its last good configuration
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - Enables and starts (O(state=started)) or restarts (O(state=restarted)) a systemd unit, then waits until a
    process named O(process) listens on TCP O(port). A unit that systemd calls active says little - vsftpd runs in
    the foreground and may exit a moment later, and the unit Debian generates from Pure-FTPd's init script stays
    active after the daemon died - so the port, read from C(/proc), is the proof.
  - With O(state=started), a unit that is active but whose daemon does not hold the port is restarted once.
  - When the daemon does not hold the port in time, the module reads the unit's journal and who holds the port
    instead, puts the last good configuration back (when O(snapshot) names it and O(store) holds a copy), restarts
    the unit on it, and fails naming the cause. When the daemon holds its port, O(snapshot) is saved into O(store)
    as the new last good configuration.
  - Needs only C(systemctl) and C(journalctl) (systemd); no C(ss), C(ps) or C(netstat).
options:
  name:
    description: The systemd unit.
    type: str
    required: true
  state:
    description: V(started) starts the unit when it is not active; V(restarted) always restarts it.
    type: str
    choices: [started, restarted]
    default: started
  enabled:
    description: Whether the unit starts at boot.
    type: bool
    default: true
  port:
    description: The TCP port the daemon must listen on.
    type: int
    required: true
  process:
    description: The command name (C(/proc/<pid>/comm)) of the process that must hold O(port).
    type: str
    required: true
  timeout:
    description: Seconds to wait for the daemon to hold its port after a start.
    type: int
    default: 10
  evict:
    description:
      - Command names of other FTP daemons. A process of one of them that still listens on O(port) (one whose package
        apt removed while it ran, so systemd no longer stops it) gets C(SIGTERM), then C(SIGKILL) after 5 seconds,
        before the unit starts. Processes with other names are never touched.
    type: list
    elements: str
    default: []
  snapshot:
    description:
      - The files or directories of the daemon's configuration (see M(hardened.ftp.config_snapshot)).
      - Saved into O(store) once the daemon holds its port; put back from it when it does not.
    type: list
    elements: path
    default: []
  store:
    description: Directory that keeps the last good configuration (mode C(0700)). Required with O(snapshot).
    type: path
attributes:
  check_mode:
    support: full
    description: Reports whether it would enable, start or restart the unit, and changes nothing.
  diff_mode:
    support: none
    description: Starts, restarts or checks a service; there is no file to show a difference of.
notes:
  - Call it from a handler with O(state=restarted), and once more after the handlers ran with O(state=started), so
    the daemon holds its port at the end of every run.
seealso:
  - module: hardened.ftp.config_snapshot
"""

EXAMPLES = r"""
- name: Run vsftpd, or go back to the last configuration it ran with
  hardened.ftp.ftp_service:
    name: vsftpd
    state: restarted
    port: 21
    process: vsftpd
    snapshot: [/etc/vsftpd.conf, /etc/vsftpd.user_list]
    store: /var/lib/hardened-ftp/vsftpd
  become: true
"""

RETURN = r"""
started:
  description: Whether the unit was started or restarted (or would be, in check mode).
  returned: always
  type: bool
enabled_now:
  description: Whether the unit was enabled by this call.
  returned: always
  type: bool
holders:
  description: The processes listening on O(port) at the end, as C(pid name).
  returned: always
  type: list
  elements: str
  sample: ["812 vsftpd"]
evicted:
  description: Processes of other FTP daemons stopped because they held O(port), as C(pid name).
  returned: always
  type: list
  elements: str
saved:
  description: Files the last good configuration was updated with.
  returned: always
  type: list
  elements: str
"""

import contextlib
import os
import signal
import time
import typing as t

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardened.ftp.plugins.module_utils._listener import port_holders
from ansible_collections.hardened.ftp.plugins.module_utils._snapshot import snapshot

ARGUMENT_SPEC = {
    "name": {"type": "str", "required": True},
    "state": {"type": "str", "choices": ["started", "restarted"], "default": "started"},
    "enabled": {"type": "bool", "default": True},
    "port": {"type": "int", "required": True},
    "process": {"type": "str", "required": True},
    "timeout": {"type": "int", "default": 10},
    "snapshot": {"type": "list", "elements": "path", "default": []},
    "store": {"type": "path"},
    "evict": {"type": "list", "elements": "str", "default": []},
}
ENABLED_STATES = ("enabled", "enabled-runtime", "static", "alias", "indirect", "generated", "linked")


class Service:
    """One unit, driven through systemctl, and its daemon's port."""

    def __init__(self, module: AnsibleModule) -> None:
        self.module = module
        self.params = module.params
        self.systemctl = module.get_bin_path("systemctl")
        if not self.systemctl:
            module.fail_json(msg="systemctl is missing: hardened.ftp needs a host that runs systemd")

    def systemctl_run(self, *args: str) -> tuple[int, str, str]:
        return t.cast(t.Tuple[int, str, str], self.module.run_command([self.systemctl, *args], check_rc=False))

    def active(self) -> tuple[str, str]:
        _rc, out, _err = self.systemctl_run("show", "--property=LoadState,ActiveState", "--", self.params["name"])
        props = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        return props.get("LoadState", ""), props.get("ActiveState", "")

    def holders(self) -> list[tuple[int, str]]:
        return port_holders(self.params["port"])

    def holds(self) -> bool:
        return any(name == self.params["process"] for _pid, name in self.holders())

    def wait(self) -> bool:
        deadline = time.monotonic() + max(1, self.params["timeout"])
        while time.monotonic() < deadline:
            if self.holds():
                return True
            time.sleep(0.2)
        return self.holds()

    def journal(self) -> str:
        journalctl = self.module.get_bin_path("journalctl")
        if not journalctl:
            return "no journalctl on the host"
        _rc, out, _err = self.module.run_command(
            [journalctl, "--unit", self.params["name"], "--lines", "8", "--no-pager", "--output", "cat"], check_rc=False
        )
        return " | ".join(line for line in out.splitlines() if line.strip()) or "nothing in the journal"

    def evict(self) -> list[str]:
        """Stop the processes of other FTP daemons that hold the port; ``pid name`` of each."""
        strays = [(pid, name) for pid, name in self.holders() if name in self.params["evict"]]
        for pid, _name in strays:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while strays and time.monotonic() < deadline and any(_alive(pid) for pid, _name in strays):
            time.sleep(0.2)
        for pid, _name in strays:
            if _alive(pid):
                _signal(pid, signal.SIGKILL)
        return [f"{pid} {name}" for pid, name in strays]

    def start(self, verb: str) -> None:
        rc, _out, err = self.systemctl_run(verb, self.params["name"])
        if rc != 0:
            self.module.log(f"systemctl {verb} {self.params['name']}: {err.strip()}")


def _signal(pid: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, number)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    if params["snapshot"] and not params["store"]:
        module.fail_json(msg="store is required with snapshot")
    service = Service(module)
    name = params["name"]
    load, active = service.active()
    if load == "not-found":
        module.fail_json(msg=f"the unit {name} is not installed on the host: install its package first")
    result: dict[str, t.Any] = {"changed": False, "started": False, "enabled_now": False, "saved": [], "evicted": []}

    _rc, out, _err = service.systemctl_run("is-enabled", name)
    enabled_state = out.strip()
    if params["enabled"] and enabled_state not in ENABLED_STATES:
        result.update(changed=True, enabled_now=True)
        if not module.check_mode:
            rc, _out, err = service.systemctl_run("enable", name)
            if rc != 0:
                module.fail_json(msg=f"systemctl enable {name} failed: {err.strip()}", **result)

    verb = ""
    if params["state"] == "restarted":
        verb = "restart"
    elif active != "active":
        verb = "start"
    elif not module.check_mode and not service.holds():
        verb = "restart"  # active, but its daemon died (a SysV unit stays active)
    if verb:
        result.update(changed=True, started=True)
    if module.check_mode:
        result["holders"] = [f"{pid} {cmd}" for pid, cmd in service.holders()]
        module.exit_json(**result)

    if params["evict"] and not module.check_mode and not service.holds():
        result["evicted"] = service.evict()
        if result["evicted"]:
            result["changed"] = True
            verb = verb or "restart"
    held = True
    if verb:
        service.start(verb)
        held = service.wait()
    if not held:
        holders = service.holders()
        journal = service.journal()
        restored = False
        if params["snapshot"]:
            restored = bool(snapshot(params["snapshot"], params["store"], "restored", False)["found"])
            if restored:
                service.start("restart")
                service.wait()
        others = ", ".join(f"{cmd} (pid {pid})" for pid, cmd in holders)
        cause = f"port {params['port']} is held by {others}" if others else f"nothing listens on port {params['port']}"
        after = (
            f"The last good configuration is back in place and {name} was restarted on it"
            + (" and holds its port again." if service.holds() else ", but it does not hold its port either.")
            if restored
            else f"There is no earlier good configuration to go back to: {name} is not serving."
        )
        module.fail_json(
            msg=f"{params['process']} did not hold port {params['port']} after systemctl {verb} {name}: {cause}. "
            f"Journal: {journal}. {after} Fix the cause (another program on the port, a certificate the daemon "
            f"cannot read, a setting it refuses) and run again.",
            holders=[f"{pid} {cmd}" for pid, cmd in holders],
            **result,
        )
    if params["snapshot"]:
        saved = snapshot(params["snapshot"], params["store"], "saved", False)
        result["saved"] = saved["copied"] + saved["removed"]
        result["changed"] = result["changed"] or saved["changed"]
    result["holders"] = [f"{pid} {cmd}" for pid, cmd in service.holders()]
    module.exit_json(**result)


if __name__ == "__main__":
    main()
