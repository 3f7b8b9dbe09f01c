# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._vsftpd_conf import (
    effective_pasv_range,
    known_vsftpd_options,
    parse_bool,
    parse_numeric,
    parse_vsftpd_conf,
    vsftpd_conf_problems,
    vsftpd_server_model,
    vsftpd_unknown_options,
)


def test_debian_stock_config(fixture_text: t.Callable[[str], str]) -> None:
    text = fixture_text("vsftpd_debian_stock.conf")
    parsed = parse_vsftpd_conf(text)
    assert parsed["listen"] is False
    assert parsed["listen_ipv6"] is True
    assert parsed["anonymous_enable"] is False
    assert parsed["connect_from_port_20"] is True
    assert parsed["secure_chroot_dir"] == "/var/run/vsftpd/empty"
    assert parsed["write_enable"] is False  # commented out
    assert parsed["pasv_min_port"] == 5001 and parsed["pasv_max_port"] == 0  # compiled-in defaults
    assert vsftpd_unknown_options(text) == []
    assert vsftpd_conf_problems(text) == []
    model = vsftpd_server_model(parsed)
    assert model == {
        "daemon": "vsftpd",
        "listen_address": "",
        "control_port": 21,
        "listen_ipv6": True,
        "pasv_enable": True,
        "pasv_min_port": 5001,
        "pasv_max_port": 65535,
        "pasv_address": "",
        "active_enable": True,
        "tls_enable": False,
        "tls_required": False,
        "anonymous_enable": False,
        "anon_upload_enable": False,
        "port_promiscuous": False,
    }


def test_messy_config_values_and_problems(fixture_text: t.Callable[[str], str]) -> None:
    text = fixture_text("vsftpd_messy.conf")
    parsed = parse_vsftpd_conf(text)
    assert parsed["anonymous_enable"] is True  # leading spaces are skipped, TRUE accepted
    assert parsed["write_enable"] is True  # "1"
    assert parsed["pasv_max_port"] == 40999  # last wins
    assert parsed["local_umask"] == 0o22  # octal
    assert parsed["ssl_enable"] is True  # lower case
    assert parsed["pasv_address"] is None  # empty string setting = unset
    assert parsed["port_promiscuous"] is False  # bad boolean ignored
    assert parsed["ftpd_banner"] == "Welcome = authorised users only"  # split at the first '='
    assert vsftpd_unknown_options(text) == ["pasv_min_prot"]
    problems = {(item["line"], item["problem"]) for item in vsftpd_conf_problems(text)}
    assert (8, "duplicate") in problems
    assert (11, "indented_comment") in problems
    assert (14, "space_around_equals") in problems
    assert (16, "bad_boolean") in problems
    assert (17, "unknown_option") in problems
    model = vsftpd_server_model(parsed)
    assert model["control_port"] == 2121
    assert (model["pasv_min_port"], model["pasv_max_port"]) == (40000, 40999)
    assert model["tls_enable"] is True and model["tls_required"] is False  # force_local_data_ssl=NO
    assert model["anon_upload_enable"] is True
    assert model["listen_ipv6"] is False


def test_known_options_cover_the_three_kinds() -> None:
    known = known_vsftpd_options()
    assert known["pasv_enable"] == "bool"
    assert known["pasv_min_port"] == "numeric"
    assert known["pasv_address"] == "string"
    assert len(known) > 130


def test_bool_and_numeric_spellings() -> None:
    assert parse_bool("yes") is True and parse_bool("FALSE") is False and parse_bool("0") is False
    assert parse_bool("maybe") is None
    assert parse_numeric("022") == 18 and parse_numeric("21abc") == 21 and parse_numeric("x") == 0


def test_effective_passive_range_clamps_like_vsftpd() -> None:
    assert effective_pasv_range(0, 0) == (1024, 65535)
    assert effective_pasv_range(30000, 30999) == (30000, 30999)
    assert effective_pasv_range(30000, 100) == (30000, 65535)  # max below min is ignored
    assert effective_pasv_range(80, 2000) == (1024, 2000)  # privileged floor


def test_tls_required_needs_anonymous_forced_too() -> None:
    base = "ssl_enable=YES\nanonymous_enable=NO\n"
    assert vsftpd_server_model(parse_vsftpd_conf(base))["tls_required"] is True
    anon = "ssl_enable=YES\nanonymous_enable=YES\n"
    assert vsftpd_server_model(parse_vsftpd_conf(anon))["tls_required"] is False
    forced = anon + "allow_anon_ssl=YES\nforce_anon_logins_ssl=YES\nforce_anon_data_ssl=YES\n"
    assert vsftpd_server_model(parse_vsftpd_conf(forced))["tls_required"] is True


def test_passive_disabled_and_bounce() -> None:
    model = vsftpd_server_model(parse_vsftpd_conf("pasv_enable=NO\nport_promiscuous=YES\n"))
    assert model["pasv_min_port"] is None and model["pasv_enable"] is False
    assert model["port_promiscuous"] is True
    assert vsftpd_server_model(parse_vsftpd_conf("port_enable=NO\nport_promiscuous=YES\n"))["port_promiscuous"] is False
