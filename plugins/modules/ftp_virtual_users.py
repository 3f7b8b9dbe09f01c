#!/usr/bin/python
# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: ftp_virtual_users
short_description: Write the password file of an FTP server's virtual users, never showing a hash
version_added: 1.0.0
author: hardened.ftp contributors (@hardened)
description:
  - Writes the file an FTP daemon checks its virtual users' passwords against, owned by root with mode C(0600),
    in one rename, only when its content, owner or mode differs.
  - "O(format=pwdfile): C(name:hash) lines, the format C(pam_pwdfile) reads (vsftpd)."
  - "O(format=puredb): Pure-FTPd's passwd format, as C(pure-pw) writes it (chrooted home, rate limits, size quota),
    then the PureDB file O(database) built from it with C(pure-pw mkdb), when the passwd file changed or the
    database is missing."
  - "O(format=authuserfile): ProFTPd's C(AuthUserFile), passwd(5) lines with the uid of the user's account, the gid
    of its group and the home (the user's chroot)."
  - Every name, hash and home is checked again with the rules the roles use; a hash is never part of the result,
    of the diff or of a message. The diff shows each user's line with the hash replaced by a note saying whether
    it changed.
  - "With no users and no file, nothing is written: a host that never had virtual users gets no file."
  - Supports check mode and diff mode.
options:
  path:
    description: The password file.
    type: path
    required: true
  format:
    description: The file's format.
    type: str
    choices: [pwdfile, puredb, authuserfile]
    required: true
  users:
    description: The virtual users, without their hashes (see O(password_hashes)).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Login name.
        type: str
        required: true
      home:
        description: Absolute path of the home (and chroot). Used by O(format=puredb) and O(format=authuserfile).
        type: str
      account:
        description:
          - The host account the user's sessions run as (its uid). Used by O(format=puredb) and O(format=authuserfile).
        type: str
      group:
        description: The host group of the sessions (its gid). Used by O(format=puredb) and O(format=authuserfile).
        type: str
      max_rate:
        description: Upload and download rate limit in bytes per second, 0 for none. Used by O(format=puredb).
        type: int
        default: 0
      quota_mb:
        description: Size quota in megabytes. Used by O(format=puredb).
        type: int
      write:
        description:
          - Not written to the file (a user's rights are the daemon's settings and the home's mode); accepted so
            a role can pass the users of its plan as they are.
        type: bool
        default: false
  password_hashes:
    description:
      - "C({name: crypt(3) hash}) for every user of O(users). Never logged: the module masks every value."
    type: dict
    required: true
  database:
    description: The PureDB file to build from O(path) (O(format=puredb) only).
    type: path
  pure_pw:
    description: The C(pure-pw) program that builds O(database).
    type: path
    default: /usr/bin/pure-pw
seealso:
  - module: hardened.ftp.pureftpd_settings
notes:
  - The roles C(hardened.ftp.vsftpd), C(hardened.ftp.pureftpd) and C(hardened.ftp.proftpd) call it with the users of
    C(vsftpd_virtual_users) / C(pureftpd_virtual_users) / C(proftpd_virtual_users).
"""

EXAMPLES = r"""
- name: Write vsftpd's virtual users' password file (pam_pwdfile)
  hardened.ftp.ftp_virtual_users:
    path: /etc/vsftpd/hardened-ftp-virtual.passwd
    format: pwdfile
    users:
      - name: upload-acme
    password_hashes:
      upload-acme: "{{ vault_upload_acme_hash }}"

- name: Write Pure-FTPd's passwd file and its PureDB
  hardened.ftp.ftp_virtual_users:
    path: /etc/pure-ftpd/pureftpd.passwd
    database: /etc/pure-ftpd/pureftpd.pdb
    format: puredb
    users:
      - name: upload-acme
        home: /srv/ftp-virtual/upload-acme
        account: ftpvirtual
        group: ftpvirtual
        quota_mb: 500
    password_hashes:
      upload-acme: "{{ vault_upload_acme_hash }}"
"""

RETURN = r"""
users:
  description: The users now in the file, in order.
  returned: always
  type: list
  elements: str
  sample: [upload-acme]
added:
  description: Users that were not in the file before.
  returned: always
  type: list
  elements: str
  sample: [upload-acme]
removed:
  description: Users no longer in the file (they can no longer log in; their homes are not touched).
  returned: always
  type: list
  elements: str
  sample: []
updated:
  description: Users whose password, home, rate or quota changed.
  returned: always
  type: list
  elements: str
  sample: []
database_built:
  description: Whether O(database) was (or, in check mode, would be) built again.
  returned: always
  type: bool
  sample: false
"""

import grp
import os
import pwd
import stat
import typing as t

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardened.ftp.plugins.module_utils import _virtual_users as vu
from ansible_collections.hardened.ftp.plugins.module_utils._files import replace_atomically
from ansible_collections.hardened.ftp.plugins.module_utils._inputs import InputError
from ansible_collections.hardened.ftp.plugins.module_utils._inputs import absolute_path as checked_path

ARGUMENT_SPEC = {
    "path": {"type": "path", "required": True},
    "format": {"type": "str", "choices": ["pwdfile", "puredb", "authuserfile"], "required": True},
    "users": {
        "type": "list",
        "elements": "dict",
        "default": [],
        "options": {
            "name": {"type": "str", "required": True},
            "home": {"type": "str"},
            "account": {"type": "str"},
            "group": {"type": "str"},
            "max_rate": {"type": "int", "default": 0},
            "quota_mb": {"type": "int"},
            "write": {"type": "bool", "default": False},
        },
    },
    "password_hashes": {"type": "dict", "required": True, "no_log": True},
    "database": {"type": "path"},
    "pure_pw": {"type": "path", "default": "/usr/bin/pure-pw"},
}
MODE = 0o600
HIDDEN = "(hash hidden)"


class Problem(Exception):
    """A user the file cannot hold, named, without its hash."""


def _ids(user: t.Mapping[str, t.Any], check_mode: bool) -> tuple[int, int] | None:
    """The uid and gid of the user's account and group; None in check mode when they do not exist yet."""
    try:
        return pwd.getpwnam(user["account"]).pw_uid, grp.getgrnam(user["group"]).gr_gid
    except (KeyError, TypeError):
        if check_mode:
            return None
        raise Problem(
            f"users: {user['name']}'s account {user['account']} or group {user['group']} does not exist"
        ) from None


def lines(params: t.Mapping[str, t.Any], check_mode: bool) -> list[tuple[str, str, str]]:
    """``(name, line, redacted line)`` for every user, in order; checked with the roles' rules."""
    found = []
    hashes = params["password_hashes"] or {}
    seen: set[str] = set()
    for index, user in enumerate(params["users"]):
        try:
            name = vu.user_name(user["name"], f"users[{index}].name")
            hashed = vu.password_hash(hashes.get(name), f"password_hashes.{name}")
        except InputError as exc:
            raise Problem(str(exc)) from None
        if name in seen:
            raise Problem(f"users[{index}].name: {name} is listed twice")
        seen.add(name)
        if params["format"] == "pwdfile":
            found.append((name, vu.pwdfile_line(name, hashed), vu.pwdfile_line(name, HIDDEN)))
            continue
        try:
            home = checked_path(user.get("home"), f"users[{index}].home")
        except InputError as exc:
            raise Problem(str(exc)) from None
        ids = _ids(user, check_mode) or (0, 0)
        if params["format"] == "authuserfile":
            line = vu.authuserfile_line(name, hashed, ids[0], ids[1], home)
            found.append((name, line, vu.authuserfile_line(name, HIDDEN, ids[0], ids[1], home)))
            continue
        rest = (ids[0], ids[1], home, int(user.get("max_rate") or 0), user.get("quota_mb"))
        found.append((name, vu.puredb_line(name, hashed, *rest), vu.puredb_line(name, HIDDEN, *rest)))
    return found


def read(path: str) -> tuple[str | None, os.stat_result | None]:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None, None
    if not stat.S_ISREG(st.st_mode):
        raise Problem(f"path: {path} exists and is not a regular file")
    with open(path, encoding="utf-8", errors="surrogateescape") as handle:
        return handle.read(), st


def users_of(text: str | None) -> dict[str, str]:
    """``{name: the rest of its line}`` of the current file."""
    found = {}
    for line in (text or "").splitlines():
        name, sep, _rest = line.partition(":")
        if sep and name:
            found[name] = line
    return found


def redacted(text: str | None, new: t.Mapping[str, str]) -> str:
    """The current file as the diff shows it: each hash hidden, and noted when the new file changes it."""
    out = []
    for name, line in users_of(text).items():
        fields = line.split(":")
        if len(fields) > 1:
            new_fields = new.get(name, "").split(":")
            same = len(new_fields) > 1 and new_fields[1] == fields[1]
            fields[1] = HIDDEN if same or name not in new else "(hash hidden, replaced)"
        out.append(":".join(fields))
    return "".join(line + "\n" for line in out)


def build_database(module: AnsibleModule, params: t.Mapping[str, t.Any]) -> None:
    rc, out, err = module.run_command([params["pure_pw"], "mkdb", params["database"], "-f", params["path"]])
    if rc != 0:
        module.fail_json(
            msg=f"{params['pure_pw']} mkdb {params['database']} failed ({rc}): {err.strip() or out.strip()}"
        )
    os.chown(params["database"], 0, 0)
    os.chmod(params["database"], MODE)


def database_current(params: t.Mapping[str, t.Any], passwd_st: os.stat_result | None) -> bool:
    try:
        st = os.lstat(params["database"])
    except FileNotFoundError:
        return False
    if passwd_st is not None and st.st_mtime < passwd_st.st_mtime:
        return False
    return stat.S_ISREG(st.st_mode) and (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (MODE, 0, 0)


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    if params["format"] == "puredb" and not params["database"]:
        module.fail_json(msg="database: the PureDB file to build is needed with format=puredb")
    path = params["path"]
    try:
        wanted = lines(params, module.check_mode)
        before, st = read(path)
    except Problem as exc:
        module.fail_json(msg=str(exc))
    result: dict[str, t.Any] = {"users": [name for name, _line, _shown in wanted], "database_built": False}
    content = "".join(line + "\n" for _name, line, _shown in wanted)
    old = users_of(before)
    new = {name: line for name, line, _shown in wanted}
    result["added"] = [name for name in new if name not in old]
    result["removed"] = [name for name in old if name not in new]
    result["updated"] = [name for name in new if name in old and old[name] != new[name]]
    if before is None and not wanted:
        module.exit_json(changed=False, **result)
    same_meta = st is not None and (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (MODE, 0, 0)
    changed = before != content or not same_meta
    if changed and not module.check_mode:

        def fill(tmp: str) -> None:
            os.chown(tmp, 0, 0)
            os.chmod(tmp, MODE)
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(content)

        replace_atomically(path, fill, prefix=".hardened-ftp-virtual-")
    if params["format"] == "puredb" and (before != content or not database_current(params, st)):
        result["database_built"] = True
        changed = True
        if not module.check_mode:
            build_database(module, params)
    if module._diff and before != content:
        result["diff"] = {
            "before_header": path,
            "after_header": path,
            "before": redacted(before, new),
            "after": "".join(shown + "\n" for _name, _line, shown in wanted),
        }
    module.exit_json(changed=changed, **result)


if __name__ == "__main__":
    main()
