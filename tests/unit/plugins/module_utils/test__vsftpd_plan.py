# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""vsftpd's own rules, and the property that no input adds a directive to vsftpd.conf.

The template roles/vsftpd/templates/vsftpd.conf.j2 is rendered as Ansible renders it, over plans made
from generated (often hostile) inputs, and read back with the collection's own vsftpd.conf parser:
either the planner refused the input, or the file holds exactly the directives the plan intended.
"""

from __future__ import annotations

import posixpath
import typing as t
from pathlib import Path

import jinja2
import pytest
import strategies
from ansible.plugins.filter.core import comment
from ansible_collections.hardened.ftp.plugins.module_utils._virtual_users import pwdfile_line
from ansible_collections.hardened.ftp.plugins.module_utils._vsftpd_conf import (
    BOOL_OPTIONS,
    NUMERIC_OPTIONS,
    STRING_OPTIONS,
    _directives,
    parse_vsftpd_conf,
    vsftpd_conf_problems,
    vsftpd_server_model,
)
from ansible_collections.hardened.ftp.plugins.module_utils._vsftpd_plan import (
    MANAGED_OPTIONS,
    VsftpdPlanner,
    glibc_version,
    seccomp,
    writable_by,
)
from hypothesis import event, example, given, settings
from hypothesis import strategies as st
from plan_helpers import alice, defaults, host, messages, planner, with_virtual_users

ROOT = Path(__file__).resolve().parents[4]
TEMPLATE = (ROOT / "roles" / "vsftpd" / "templates" / "vsftpd.conf.j2").read_text()
ENV = jinja2.Environment(trim_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
ENV.filters["comment"] = comment


def render(plan: dict[str, t.Any]) -> str:
    """vsftpd.conf as the role's template task writes it."""
    return ENV.from_string(TEMPLATE).render(server_core_plan=plan, ansible_managed="Ansible managed")


def intended(plan: dict[str, t.Any]) -> list[tuple[str, str]]:
    return [(name, value) for section in plan["settings"] for name, value in section["options"]]


def written(text: str) -> list[tuple[str, str]]:
    return [(name, value) for _number, _raw, name, value in _directives(text)]


def everything_on() -> VsftpdPlanner:
    made = planner(
        "vsftpd",
        host(users={"alice": alice()}, resolved={"ftp.example.org": ["192.0.2.1"]}),
        anon_upload_enable=True,
        local_enable=True,
        local_users_allowed=["alice"],
        local_write_enable=True,
        listen_address="192.0.2.1",
        pasv_address="ftp.example.org",
        extra_options={"trans_chunk_size": 8192},
    )
    return made


def test_the_template_writes_exactly_the_plan() -> None:
    made = everything_on()
    assert not made.errors, messages(made)
    plan = made.plan()
    text = render(plan)
    assert written(text) == intended(plan)
    assert vsftpd_conf_problems(text) == []


def test_the_managed_options_are_every_option_the_settings_write() -> None:
    made = everything_on()
    keys = {name for name, _value in intended(made.plan())} - {"trans_chunk_size"}
    made_ipv6 = planner("vsftpd", host(), listen_ipv6=True, listen_address="2001:db8::1")
    keys |= {name for name, _value in intended(made_ipv6.plan())}
    assert keys <= set(MANAGED_OPTIONS)
    # Every managed option is a real vsftpd option, so refusing it as an extra option is meaningful.
    assert set(MANAGED_OPTIONS) <= set(BOOL_OPTIONS) | set(NUMERIC_OPTIONS) | set(STRING_OPTIONS)


HOSTILE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["x\nanon_other_write_enable=YES", "x\rlisten_port=2121", "x\u2028y", "../../etc/shadow", "#x"]),
)


def mostly(*valid: str) -> st.SearchStrategy[str]:
    return strategies.mostly(HOSTILE, *valid)


@settings(max_examples=200)
@given(
    banner=mostly("Authorised use only.", "Welcome # to ftp", "a=b=c"),
    log=mostly("/var/log/vsftpd.log", "/var/log/ftp/v.log"),
    anon_root=mostly("/srv/ftp", "/home/ftp"),
    ciphers=mostly("", ":ECDHE-RSA-AES128-GCM-SHA256"),
    extra=mostly("STOR,RETR", "PASV"),
    user=mostly("alice", "bob.smith"),
)
@example(
    banner="Welcome\nanon_world_readable_only=NO",
    log="/var/log/v.log",
    anon_root="/srv/ftp",
    ciphers="",
    extra="a",
    user="bob",
)
@example(
    banner="ok", log="/var/log/vsftpd.log\nchown_uploads=NO", anon_root="/srv/ftp", ciphers="", extra="a", user="bob"
)
@example(banner="ok", log="/var/log/v.log", anon_root="/srv/ftp", ciphers="", extra="STOR\rlisten_port=2", user="bob")
def test_no_input_adds_a_directive(banner: str, log: str, anon_root: str, ciphers: str, extra: str, user: str) -> None:
    raw = defaults("vsftpd")
    raw.update(
        vsftpd_banner=banner,
        vsftpd_log_file=log,
        vsftpd_anon_root=anon_root,
        vsftpd_tls_ciphers=ciphers if ciphers.startswith("ECDHE") else raw["vsftpd_tls_ciphers"] + ciphers,
        vsftpd_extra_options={"cmds_denied": extra, "banned_email_file": log.replace("/var/log", "/etc")},
        vsftpd_local_enable=True,
        vsftpd_local_users_allowed=[user],
    )
    made = VsftpdPlanner(raw)
    if made.check():
        assert all(item.variable.startswith("vsftpd_") for item in made.errors.items)
        return
    event("rendered")
    made.check_host(host(users={user: alice()}))
    if made.errors:
        return
    plan = made.plan()
    text = render(plan)
    assert written(text) == intended(plan)
    names = [name for name, _value in written(text)]
    assert len(names) == len(set(names)), "an option is written twice"
    # Nothing but options vsftpd knows, each once: nothing was injected.
    assert vsftpd_conf_problems(text) == []


def test_extra_options_are_typed_by_vsftpds_table() -> None:
    made = planner(
        "vsftpd",
        host(),
        extra_options={
            "trans_chunk_size": "two",
            "hide_file": "{*.mp3}",
            "deny_email_enable": "maybe",
            "chmod_enable": False,
            "chroot_list_enable": True,
            "banner_file": "etc/banner",
        },
    )
    text = messages(made)
    assert "vsftpd_extra_options.trans_chunk_size: 'two' is not a whole number" in text
    assert (
        "vsftpd_extra_options.chroot_list_enable: lets listed users out of the chroot, so the role refuses it" in text
    )
    assert "vsftpd_extra_options.banner_file: 'etc/banner' is not an absolute path" in text
    assert "vsftpd_extra_options.deny_email_enable: 'maybe' is not true or false" in text
    good = planner("vsftpd", host(), extra_options={"hide_file": "{*.mp3}", "chmod_enable": False})
    assert good.inputs["extra_options"] == {"hide_file": "{*.mp3}", "chmod_enable": "NO"}


def test_seccomp_follows_the_c_library() -> None:
    assert glibc_version("glibc 2.31") == (2, 31) and glibc_version("") is None
    assert seccomp("auto", (2, 31)) and not seccomp("auto", (2, 36)) and not seccomp("auto", None)
    # Debian 11: the filter kills drop-box uploads at chown_uploads, so auto leaves it off there.
    assert not seccomp("auto", (2, 31), dropbox=True)
    assert seccomp("enabled", (2, 36)) and not seccomp("disabled", (2, 31))


def test_the_sandbox_is_refused_where_it_breaks_the_server() -> None:
    text = messages(planner("vsftpd", host(glibc="glibc 2.36"), seccomp_sandbox="enabled"))
    assert "vsftpd_seccomp_sandbox: is enabled, but on this host (glibc 2.36) vsftpd 3.0's filter" in text
    text = messages(planner("vsftpd", host(glibc="glibc 2.31"), seccomp_sandbox="enabled", anon_upload_enable=True))
    assert "does not allow the chown of chown_uploads" in text
    assert not planner("vsftpd", host(glibc="glibc 2.31"), seccomp_sandbox="enabled").errors


def test_local_users_get_a_root_owned_area_with_their_own_place() -> None:
    made = planner("vsftpd", host(users={"alice": alice()}), local_enable=True, local_users_allowed=["alice"])
    assert not made.errors, messages(made)
    dirs = {item["path"]: item for item in made.plan()["directories"]}
    assert dirs["/srv/ftp-local"] == {"path": "/srv/ftp-local", "owner": "root", "group": "root", "mode": "0755"}
    assert dirs["/srv/ftp-local/alice"]["owner"] == "root"
    assert dirs["/srv/ftp-local/alice/files"] == {
        "path": "/srv/ftp-local/alice/files",
        "owner": "alice",
        "group": 1000,
        "mode": "0700",
    }
    options = dict(intended(made.plan()))
    assert options["local_root"] == "/srv/ftp-local/$USER" and options["user_sub_token"] == "$USER"


def test_a_user_without_a_home_fails_before_any_change() -> None:
    nohome = alice(home="/home/carol", home_stat={"exists": False})
    made = planner("vsftpd", host(users={"carol": nohome}), local_enable=True, local_users_allowed=["carol"])
    assert "carol's home /home/carol is not a directory, and vsftpd changes into a user's home at login" in messages(
        made
    )
    assert "mkhomedir_helper carol" in messages(made)


def test_home_chroots_fail_before_any_change_when_vsftpd_would_refuse_them() -> None:
    users = {"alice": alice(), "carol": alice(home="/home/carol", home_stat={"exists": False})}
    made = planner(
        "vsftpd", host(users=users), local_enable=True, local_users_allowed=["alice", "carol"], local_root=""
    )
    text = messages(made)
    assert "alice can write to their home /home/alice, and vsftpd refuses a chroot the user can write to" in text
    assert "carol's home /home/carol is not a directory" in text
    ok = alice(home_stat={"exists": True, "isdir": True, "uid": 0, "gid": 0, "mode": 0o755})
    assert not planner(
        "vsftpd", host(users={"alice": ok}), local_enable=True, local_users_allowed=["alice"], local_root=""
    ).errors
    assert not planner(
        "vsftpd",
        host(users=users),
        local_enable=True,
        local_users_allowed=["alice"],
        local_root="",
        allow_writeable_chroot=True,
    ).errors


@pytest.mark.parametrize(
    ("root", "wanted"),
    [
        ("/srv/ftp-local/$USERS", "has $USER inside a name"),
        ("/srv/$HOME", "holds '$' other than $USER"),
        ("/etc/$USER", "inside /etc"),
        ("/srv/ftp-local/$USER/../x", "not in normal form"),
    ],
)
def test_local_root_shapes(root: str, wanted: str) -> None:
    assert wanted in messages(planner("vsftpd", host(), local_root=root))


def test_writable_by() -> None:
    user = {"uid": 1000, "gid": 1000, "groups": [1000, 27]}
    assert writable_by({"uid": 1000, "gid": 1000, "mode": 0o755}, user)
    assert not writable_by({"uid": 0, "gid": 0, "mode": 0o755}, user)
    assert writable_by({"uid": 0, "gid": 27, "mode": 0o775}, user)
    assert writable_by({"uid": 0, "gid": 0, "mode": 0o777}, user)


def test_the_dropbox_owner_is_a_dedicated_user() -> None:
    assert "ftp may not own the uploads" in messages(planner("vsftpd", host(), anon_upload_owner="ftp"))
    assert "root may never log in" in messages(planner("vsftpd", host(), anon_upload_owner="root"))


def test_log_files_may_not_overwrite_each_other_or_system_files() -> None:
    assert "vsftpd_log_file: is the same file as vsftpd_xferlog_file" in messages(
        planner("vsftpd", host(), log_file="/var/log/xferlog")
    )
    assert "vsftpd_xferlog_file: /etc/passwd is not inside /var/log" in messages(
        planner("vsftpd", host(), xferlog_file="/etc/passwd")
    )


# ------------------------------------------------------------------ virtual users

SHA512 = "$6$hardenedftp$" + "a" * 86
ENV.filters["basename"] = posixpath.basename
PAM_TEMPLATE = (ROOT / "roles" / "vsftpd" / "templates" / "hardened-ftp-vsftpd.pam.j2").read_text()
NAMES_TEMPLATE = (ROOT / "roles" / "vsftpd" / "templates" / "vsftpd.virtual_users.j2").read_text()
# The options a virtual user's file in user_config_dir may set: rights, chroot and account, nothing else.
PER_USER = {
    "guest_enable",
    "guest_username",
    "local_root",
    "write_enable",
    "anon_upload_enable",
    "anon_mkdir_write_enable",
    "anon_other_write_enable",
    "anon_world_readable_only",
    "chown_uploads",
    "anon_umask",
    "anon_max_rate",
    "allow_writeable_chroot",
}


def user_conf_text(settings: dict[str, str]) -> str:
    """A file of user_config_dir as the role's copy task writes it."""
    return "# Managed by hardened.ftp\n" + "".join(f"{name}={value}\n" for name, value in sorted(settings.items()))


def virtual(**kw: t.Any) -> VsftpdPlanner:
    entries = [
        {"name": "upload-acme", "password_hash": SHA512, "write": True, "max_rate": 50000},
        {"name": "reader", "password_hash": SHA512},
    ]
    return planner("vsftpd", host(users={"alice": alice()}), virtual_users=entries, **kw)


def test_virtual_users_are_guests_of_their_own_and_local_users_stay_local() -> None:
    made = virtual(local_enable=True, local_users_allowed=["alice"], local_write_enable=True)
    assert not made.errors, messages(made)
    plan = made.plan()
    options = dict(intended(plan))
    assert options["pam_service_name"] == "hardened-ftp-vsftpd"
    # guest_enable is never global: vsftpd reads each user's file before it maps the login.
    assert "guest_enable" not in options and options["user_config_dir"] == "/etc/vsftpd/user_conf"
    assert plan["user_conf"]["alice"] == {"write_enable": "YES"}
    writer, reader = plan["user_conf"]["upload-acme"], plan["user_conf"]["reader"]
    assert writer["guest_enable"] == reader["guest_enable"] == "YES"
    assert writer["guest_username"] == "ftpvirtual" and reader["guest_username"] == "ftpvirtual-ro"
    assert writer["local_root"] == "/srv/ftp-virtual/upload-acme" and writer["anon_max_rate"] == "50000"
    assert writer["anon_other_write_enable"] == "YES" and reader["anon_other_write_enable"] == "NO"
    assert reader["write_enable"] == "NO" and "allow_writeable_chroot" not in reader
    assert plan["user_list"] == ["anonymous", "ftp", "alice", "upload-acme", "reader"]
    assert "libpam-pwdfile" in plan["packages"]
    assert set(writer) <= PER_USER and set(reader) <= PER_USER


def test_virtual_users_alone_turn_logins_on_chrooted() -> None:
    made = virtual()
    assert not made.errors, messages(made)
    options = dict(intended(made.plan()))
    assert options["local_enable"] == "YES" and options["chroot_local_user"] == "YES"
    assert options["allow_writeable_chroot"] == "NO" and "local_root" not in options
    assert made.plan()["user_list"] == ["anonymous", "ftp", "upload-acme", "reader"]
    # Without virtual users, Debian's PAM service as before.
    assert dict(intended(planner("vsftpd", host()).plan()))["pam_service_name"] == "vsftpd"


def test_quota_is_refused_by_vsftpd() -> None:
    made = planner("vsftpd", host(), virtual_users=[{"name": "vw", "password_hash": SHA512, "quota_mb": 10}])
    assert "vsftpd_virtual_users[0].quota_mb: is set, but this daemon cannot enforce a quota; vsftpd has no quotas" in (
        messages(made)
    )


@settings(max_examples=200)
@given(
    name=mostly("upload-acme", "r.smith"),
    home=mostly("", "/srv/ftp-virtual/acme", "/srv/ftp-virtual/a/b"),
    hashed=mostly(SHA512),
    rate=mostly("0", "100000"),
)
@example(name="vw\nguest_enable=NO", home="", hashed=SHA512, rate="0")
@example(name="vw", home="/srv/ftp-virtual/vw\nwrite_enable=YES", hashed=SHA512, rate="0")
@example(name="vw", home="", hashed=SHA512 + "\nvr:" + SHA512, rate="0")
@example(name="vw", home="", hashed=SHA512, rate="5\nanon_other_write_enable=YES")
def test_no_virtual_user_adds_a_directive_or_a_line(name: str, home: str, hashed: str, rate: str) -> None:
    entry = {"name": name, "password_hash": hashed, "max_rate": rate, "write": True}
    if home:
        entry["home"] = home
    made = with_virtual_users("vsftpd", [entry, {"name": "reader", "password_hash": SHA512}], host())
    about_hash = [str(item) for item in made.errors.items if item.variable.endswith(".password_hash")]
    assert len(hashed) < 12 or all(hashed not in message for message in about_hash)
    if made.errors:
        return
    event("rendered")
    plan = made.plan()
    text = render(plan)
    assert written(text) == intended(plan) and vsftpd_conf_problems(text) == []
    for user, settings_ in plan["user_conf"].items():
        lines = [(n, v) for _number, _raw, n, v in _directives(user_conf_text(settings_))]
        assert lines == sorted(settings_.items()) and set(settings_) <= PER_USER, user
    names = ENV.from_string(NAMES_TEMPLATE).render(server_core_plan=plan, ansible_managed="Ansible managed")
    assert [line for line in names.splitlines() if not line.startswith("#")] == [name, "reader"]
    pam = ENV.from_string(PAM_TEMPLATE).render(server_core_plan=plan, ansible_managed="Ansible managed")
    assert len([line for line in pam.splitlines() if line and not line.startswith("#")]) == 4
    # The password file: one line per user, each "name:hash".
    lines = [pwdfile_line(user["name"], made.virtual.hashes[user["name"]]) for user in plan["virtual_users"]["users"]]
    assert "\n".join(lines).count("\n") == len(lines) - 1 and all(line.count(":") == 1 for line in lines)
    assert hashed not in str(plan)


@pytest.mark.parametrize("anonymous", [True, False])
@pytest.mark.parametrize("tls", [(True, True), (True, False), (False, False)])
@pytest.mark.parametrize("active", [True, False])
def test_the_published_fact_is_what_vsftpd_reads_back(anonymous: bool, tls: tuple[bool, bool], active: bool) -> None:
    """The firewall and the consistency check trust the fact: it must say what the written file means."""
    made = planner(
        "vsftpd",
        host(users={"alice": alice()}),
        anonymous_enable=anonymous,
        local_enable=True,
        local_users_allowed=["alice"],
        tls_enable=tls[0],
        tls_required=tls[1],
        active_enable=active,
    )
    assert not made.errors, messages(made)
    plan = made.plan()
    read = vsftpd_server_model(parse_vsftpd_conf(render(plan)))
    assert read == plan["fact"]
