# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ProFTPd's own rules, and the property that no input adds a directive to proftpd.conf.

The template roles/proftpd/templates/proftpd.conf.j2 is rendered as Ansible renders it, over plans made
from generated (often hostile) inputs, and read back with the collection's own proftpd.conf reader:
either the planner refused the input, or the file holds exactly the directives and contexts the plan
intended, and the server model read from it is the fact the role publishes.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import jinja2
import pytest
import strategies
from ansible.plugins.filter.core import comment
from ansible_collections.hardened.ftp.plugins.module_utils._proftpd_conf import (
    KNOWN,
    config_from_text,
    parse_text,
    proftpd_server_model,
    proftpd_settings,
    without_comments,
)
from ansible_collections.hardened.ftp.plugins.module_utils._proftpd_plan import (
    MANAGED_DIRECTIVES,
    WEAKENING,
    ProftpdPlanner,
)
from ansible_collections.hardened.ftp.plugins.module_utils._server_plan import FACT_KEYS
from hypothesis import event, example, given, settings
from hypothesis import strategies as st
from plan_helpers import alice, defaults, host, messages, planner

ROOT = Path(__file__).resolve().parents[4]
ENV = jinja2.Environment(trim_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
ENV.filters["comment"] = comment
TEMPLATE = ENV.from_string((ROOT / "roles" / "proftpd" / "templates" / "proftpd.conf.j2").read_text())
HASH = "$6$hardenedftp$" + "a" * 86
CAROL = {"exists": True, "uid": 1002, "gid": 1002, "groups": [1002], "home": "/home/carol", "shell": "/bin/bash"}


def render(plan: dict[str, t.Any]) -> str:
    """proftpd.conf as the role's template task writes it."""
    return TEMPLATE.render(server_core_plan=plan, ansible_managed="Ansible managed")


def assert_round_trip(plan: dict[str, t.Any]) -> str:
    """The rendered file holds exactly the plan's items, and the reader's model of it is the fact."""
    text = render(plan)
    items, problems = parse_text(text)
    assert problems == []
    assert [node.plain() for node in items] == without_comments(plan["config"])
    assert proftpd_server_model(config_from_text(text)) == plan["fact"]
    return text


def everything_on(**overrides: t.Any) -> ProftpdPlanner:
    made = planner(
        "proftpd",
        host(users={"alice": alice(), "carol": CAROL}, resolved={"ftp.example.org": ["192.0.2.1"]}),
        **{
            "anon_upload_enable": True,
            "local_enable": True,
            "local_users_allowed": ["alice", "carol"],
            "listen_address": "192.0.2.1",
            "pasv_address": "ftp.example.org",
            "active_enable": True,
            "extra_options": {"TimeoutNoTransfer": 600, "showsymlinks": False, "HideFiles": ["^\\..*$"]},
            **overrides,
        },
    )
    return t.cast(ProftpdPlanner, made)


def test_the_template_writes_exactly_the_plan_and_the_reader_reads_the_fact() -> None:
    made = everything_on()
    assert not made.errors, messages(made)
    plan = made.plan()
    assert_round_trip(plan)
    assert list(plan["fact"]) == list(FACT_KEYS)


def test_the_defaults_make_a_server_the_audit_passes() -> None:
    made = planner("proftpd", host())
    assert not made.errors, messages(made)
    plan = made.plan()
    config = config_from_text(render(plan))
    assert proftpd_server_model(config) == plan["fact"]
    found = proftpd_settings(config)
    assert found["login_limit"] == {"allow_users": [], "deny_all": True}
    (area,) = found["anonymous"]
    assert area["login"] and not area["write"] and area["directories"] == []


def test_the_drop_box_is_write_only_in_the_configuration() -> None:
    plan = everything_on().plan()
    (area,) = proftpd_settings(config_from_text(render(plan)))["anonymous"]
    assert area["write"] is False
    assert area["directories"] == [
        {"path": "/srv/ftp/incoming", "store": True, "read": False, "list": False, "delete": False, "overwrite": False}
    ]


def test_the_managed_directives_are_every_directive_the_plan_writes() -> None:
    written: set[str] = set()

    def walk(items: list[dict[str, t.Any]]) -> None:
        for item in items:
            if "section" in item:
                walk(item["items"])
            elif "directive" in item:
                written.add(item["directive"])

    for made in (
        everything_on(extra_options={}),
        planner("proftpd", host(), tls_enable=False, pasv_enable=False, banner=""),
        planner(
            "proftpd",
            host(),
            virtual_users=[{"name": "vera", "password_hash": HASH, "max_rate": 2048}],
            tls_required=False,
        ),
    ):
        assert not made.errors, messages(made)
        walk(made.plan()["config"])
    limit_only = {"AllowAll", "AllowUser", "DenyAll", "UserAlias"}
    assert written - limit_only <= set(MANAGED_DIRECTIVES), sorted(written - limit_only - set(MANAGED_DIRECTIVES))
    # Every managed and every refused name is a real directive, so refusing it means something.
    assert {name.lower() for name in (*MANAGED_DIRECTIVES, *WEAKENING)} <= set(KNOWN)


def test_active_mode_keeps_root_s_powers_and_its_absence_drops_them() -> None:
    def root_revoke(made: ProftpdPlanner) -> list[str]:
        return next(item["args"] for item in made.plan()["config"] if item.get("directive") == "RootRevoke")

    assert root_revoke(everything_on(active_enable=True)) == ["off"]
    passive_only = planner("proftpd", host())
    assert root_revoke(t.cast(ProftpdPlanner, passive_only)) == ["on"]
    assert passive_only.plan()["fact"]["active_enable"] is False


@pytest.mark.parametrize(
    ("overrides", "needles"),
    [
        ({"pasv_max_port": 30000}, ["proftpd_pasv_max_port", "never offers the last port"]),
        ({"pasv_max_port": 30009, "max_clients": 10}, ["proftpd_max_clients", "outside the range", "to 9"]),
        ({"banner": "Hello %{env:HOME}"}, ["proftpd_banner", "variable"]),
        ({"banner": 'say "hi"'}, ["proftpd_banner", "cannot quote"]),
        ({"anon_root": "/srv/ftp%u"}, ["proftpd_anon_root", "variable"]),
        ({"extra_options": {"MaxClient": 5}}, ["proftpd_extra_options.MaxClient", "not a directive"]),
        ({"extra_options": {"maxinstances": 5}}, ["proftpd_extra_options.maxinstances", "writes itself"]),
        ({"extra_options": {"AllowForeignAddress": True}}, ["proftpd_extra_options.AllowForeignAddress"]),
        ({"extra_options": {"UserAlias": "anonymous root"}}, ["UserAlias", "refuses it"]),
        ({"extra_options": {"Include": "/etc/shadow"}}, ["Include", "refuses it"]),
        ({"extra_options": {"HideFiles": 'a"b'}}, ["proftpd_extra_options.HideFiles", "cannot quote"]),
        ({"extra_options": {"HideFiles": "x\nRootLogin on"}}, ["proftpd_extra_options.HideFiles", "control character"]),
        ({"extra_options": {"DisplayLogin": []}}, ["proftpd_extra_options.DisplayLogin", "no value"]),
        ({"xferlog_file": "/var/log/proftpd/proftpd.log"}, ["proftpd_log_file", "same file"]),
        ({"max_clients": 0}, ["proftpd_max_clients"]),
        ({"local_root": "/srv/$USERs"}, ["proftpd_local_root", "inside a name"]),
    ],
)
def test_inputs_proftpd_cannot_use_fail_naming_the_variable(overrides: dict[str, t.Any], needles: list[str]) -> None:
    made = planner("proftpd", **overrides)
    text = messages(made)
    for needle in needles:
        assert needle in text, text


def hashes(*names: str, **extra: t.Any) -> list[dict[str, t.Any]]:
    return [{"name": name, "password_hash": HASH, **extra} for name in names]


@pytest.mark.parametrize(
    ("overrides", "needles"),
    [
        (
            {"local_enable": True, "local_users_allowed": ["alice"], "virtual_users": hashes("vera")},
            ["proftpd_virtual_users", "PAM", "proftpd_local_enable to false"],
        ),
        ({"virtual_users": hashes("vera", quota_mb=10)}, ["proftpd_virtual_users[0].quota_mb", "mod_quotatab"]),
        ({"virtual_users": hashes("vera", "vera")}, ["proftpd_virtual_users[1].name", "already the name"]),
        ({"virtual_users": [{"name": "vera", "password_hash": "Secret-vera"}]}, ["password_hash", "not shown"]),
        ({"virtual_users": hashes("vera", home="/srv/ftp-virtual/vera%u")}, ["proftpd_virtual_users[0].home", "%"]),
    ],
)
def test_virtual_users_proftpd_cannot_serve_fail_naming_the_variable(
    overrides: dict[str, t.Any], needles: list[str]
) -> None:
    made = planner("proftpd", **overrides)
    text = messages(made)
    for needle in needles:
        assert needle in text, text
    assert "Secret-vera" not in text


def test_virtual_users_run_each_in_their_home() -> None:
    made = planner(
        "proftpd",
        host(),
        anonymous_enable=False,
        virtual_users=[
            {"name": "vera", "password_hash": HASH, "write": True, "max_rate": 1048576},
            {"name": "rita", "password_hash": "$y$j9T$abcdefghijklmnop$" + "b" * 43},
        ],
    )
    assert not made.errors, messages(made)
    plan = made.plan()
    lines = plan["conf_lines"]
    assert "AuthPAM off" in lines and "AuthUserFile /etc/proftpd/hardened-ftp.passwd" in lines
    assert "DefaultRoot ~" in lines and "RequireValidShell off" in lines
    assert "TransferRate RETR,STOR,APPE,STOU 1024 user vera" in lines
    # Read-only: the account ftpvirtual-ro and a <Limit WRITE> in the home.
    assert "<Directory /srv/ftp-virtual/rita>" in lines and "<Directory /srv/ftp-virtual/vera>" not in lines
    assert plan["virtual_users"]["format"] == "authuserfile"
    assert [user["account"] for user in plan["virtual_users"]["users"]] == ["ftpvirtual", "ftpvirtual-ro"]
    # The plan is printed by Ansible: no hash in it.
    assert HASH not in repr(plan)
    assert_round_trip(plan)


def test_local_users_without_a_home_get_an_area_but_not_a_home_chroot() -> None:
    users = {"alice": alice(), "carol": CAROL}
    areas = planner("proftpd", host(users=users), local_enable=True, local_users_allowed=["alice", "carol"])
    assert not areas.errors, messages(areas)
    paths = [item["path"] for item in areas.plan()["directories"]]
    assert "/srv/ftp-local/carol/files" in paths
    homes = planner(
        "proftpd", host(users=users), local_enable=True, local_users_allowed=["alice", "carol"], local_root=""
    )
    text = messages(homes)
    assert "carol's home /home/carol is not a directory" in text and "mkhomedir_helper carol" in text
    assert "alice" not in text.replace("carol", "")


def test_the_banner_and_extra_options_are_quoted_as_proftpd_reads_them() -> None:
    plan = everything_on(banner="Authorised use only # logged").plan()
    text = render(plan)
    assert 'ServerIdent on "Authorised use only # logged"' in text
    assert "ShowSymlinks off" in text and "TimeoutNoTransfer 600" in text and "HideFiles ^\\..*$" in text


HOSTILE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "x\nRootLogin on",
            'x" \nAllowForeignAddress on',
            "x\r</Anonymous>",
            "x\u2028<Limit LOGIN>",
            "%{env:HOME}",
            "\\",
            "</Limit>",
            "<Anonymous /etc>",
            "../../etc/shadow",
        ]
    ),
)


def mostly(*valid: str) -> st.SearchStrategy[str]:
    return strategies.mostly(HOSTILE, *valid)


@settings(max_examples=200, deadline=None)
@given(
    banner=mostly("Authorised use only.", "Welcome # to ftp", "a=b <c>"),
    log=mostly("/var/log/proftpd/proftpd.log", "/var/log/ftp/p.log"),
    anon_root=mostly("/srv/ftp", "/home/ftp"),
    extra=mostly("STOR RETR", "on"),
    user=mostly("alice", "bob.smith"),
    upload=mostly("incoming", "in/box"),
)
@example(banner="ok\nRootLogin on", log="/var/log/p.log", anon_root="/srv/ftp", extra="a", user="bob", upload="in")
@example(banner="ok", log="/var/log/p.log", anon_root="/srv/ftp", extra="a\n</Anonymous>", user="bob", upload="in")
@example(banner="ok", log="/var/log/p.log", anon_root="/srv/ftp", extra='"', user="bob", upload="in")
def test_no_input_adds_a_directive(banner: str, log: str, anon_root: str, extra: str, user: str, upload: str) -> None:
    raw = defaults("proftpd")
    raw.update(
        proftpd_banner=banner,
        proftpd_log_file=log,
        proftpd_anon_root=anon_root,
        proftpd_anon_upload_enable=True,
        proftpd_anon_upload_dir=upload,
        proftpd_extra_options={"HideFiles": extra, "AccessGrantMsg": [extra]},
        proftpd_local_enable=True,
        proftpd_local_users_allowed=[user],
    )
    made = ProftpdPlanner(raw)
    if made.check():
        assert all(item.variable.startswith("proftpd_") for item in made.errors.items)
        return
    made.check_host(host(users={user: alice()}))
    if made.errors:
        return
    event("rendered")
    assert_round_trip(made.plan())
