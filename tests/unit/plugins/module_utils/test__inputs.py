# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a value may hold: every check of _inputs, with the hostile values a review found."""

from __future__ import annotations

import posixpath
import unicodedata

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils import _inputs as inp
from ansible_collections.hardened.ftp.plugins.module_utils._inputs import InputError
from hypothesis import example, given
from hypothesis import strategies as st

HOSTILE_CHARACTERS = [
    "\n",
    "\r",
    "\r\n",
    "\x00",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\u202e",
    "\u200b",
]


def error_of(function, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as caught:
        function(*args, **kwargs)
    return str(caught.value)


@pytest.mark.parametrize("char", HOSTILE_CHARACTERS, ids=[repr(c) for c in HOSTILE_CHARACTERS])
def test_no_control_character_passes_text(char: str) -> None:
    message = error_of(inp.text, f"/var/log/vsftpd.log{char}anon_world_readable_only=NO", "vsftpd_log_file")
    assert message.startswith("vsftpd_log_file: holds the control character U+")
    assert "one line of text" in message
    # The value is shown escaped, never with the raw character in it.
    assert char not in message


@given(st.text())
@example("/var/log/vsftpd.log\nanon_other_write_enable=YES")
@example("a\rb")
def test_text_accepts_exactly_the_strings_without_refused_characters(value: str) -> None:
    refused = any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in value)
    if refused or len(value) > 1024:
        with pytest.raises(InputError):
            inp.text(value, "v")
    else:
        accepted = inp.text(value, "v")
        assert accepted == value
        assert len(accepted.splitlines() or [""]) == 1


def test_text_refuses_what_is_not_a_string_and_empty_when_asked() -> None:
    assert "must be a string" in error_of(inp.text, ["a"], "v")
    assert "must not be empty" in error_of(inp.text, "  ", "v", allow_empty=False)
    assert inp.text(21, "v") == "21"


def test_secret_values_are_never_shown() -> None:
    message = error_of(inp.text, "hunter2\nx", "vsftpd_virtual_users[0].password_hash", secret=True)
    assert "hunter2" not in message and "(value hidden)" in message


@pytest.mark.parametrize(
    ("value", "wanted"),
    [
        ("/srv/ftp/../../etc", "not in normal form"),
        ("/srv/ftp/", "not in normal form"),
        ("/srv//ftp", "not in normal form"),
        ("/srv/./ftp", "not in normal form"),
        ("srv/ftp", "is not an absolute path"),
        ("/srv/ftp dir", "holds ' '"),
        ("/srv/ftp;rm", "holds ';'"),
        ("/srv/ftp\nx", "control character"),
        ("/", "must not be /"),
        ("", "must be an absolute path"),
    ],
)
def test_absolute_path_refuses(value: str, wanted: str) -> None:
    assert wanted in error_of(inp.absolute_path, value, "vsftpd_anon_root")


@given(st.text(alphabet="/.ab-_~", max_size=20))
def test_an_accepted_absolute_path_is_its_own_normal_form(value: str) -> None:
    try:
        path = inp.absolute_path(value, "v", allow_root=True)
    except InputError:
        return
    assert path == posixpath.normpath(path) and path.startswith("/") and ".." not in path.split("/")


@pytest.mark.parametrize("tree", ["/etc", "/etc/ssl", "/usr/share/ftp", "/var/lib/ftp", "/proc", "/root", "/tmp/x"])
def test_data_directories_stay_out_of_the_system_trees(tree: str) -> None:
    assert "system director" in error_of(inp.data_directory, tree, "vsftpd_anon_root") or "inside" in error_of(
        inp.data_directory, tree, "vsftpd_anon_root"
    )


def test_data_directories_elsewhere_pass() -> None:
    assert inp.data_directory("/srv/ftp", "v") == "/srv/ftp"
    assert inp.data_directory("/home/ftp", "v") == "/home/ftp"


def test_log_files_stay_under_var_log() -> None:
    assert inp.log_file("/var/log/vsftpd.log", "vsftpd_log_file") == "/var/log/vsftpd.log"
    assert "is not inside /var/log" in error_of(inp.log_file, "/etc/shadow", "vsftpd_log_file")
    assert "is not inside /var/log" in error_of(inp.log_file, "/var/log", "vsftpd_log_file")


@pytest.mark.parametrize(
    ("value", "wanted"),
    [
        ("../etc", "climbs out"),
        ("a/../../b", "climbs out"),
        ("/incoming", "is absolute"),
        ("a//b", "normal form"),
        ("", "relative path"),
    ],
)
def test_relative_path_stays_inside(value: str, wanted: str) -> None:
    assert wanted in error_of(inp.relative_path, value, "vsftpd_anon_upload_dir")


def test_relative_path_passes() -> None:
    assert inp.relative_path("incoming/uploads", "v") == "incoming/uploads"


@pytest.mark.parametrize(
    "name", ["../../shadow", "alice\nbob", "Alice", "-rf", "a b", "a/b", "a..b", "x" * 33, "", "1abc"]
)
def test_user_names_have_one_shape(name: str) -> None:
    assert "is not a valid user name" in error_of(inp.user_name, name, "vsftpd_local_users_allowed") or (
        "control character" in error_of(inp.user_name, name, "vsftpd_local_users_allowed")
    )


def test_root_and_duplicates_are_refused() -> None:
    assert "root may never log in" in error_of(inp.user_names, ["alice", "root"], "vsftpd_local_users_allowed")
    assert "names alice more than once" in error_of(inp.user_names, ["alice", "alice"], "vsftpd_local_users_allowed")
    assert inp.user_names(["alice", "bob.smith", "_svc"], "v") == ["alice", "bob.smith", "_svc"]


@pytest.mark.parametrize(
    ("value", "wanted"),
    [
        ("10.0.0.0/0.255.255.255", "not a contiguous netmask"),
        ("10.0.0.0/255.0.0.0", "write it as 10.0.0.0/8"),
        ("10.0.0.1/8", "write the network 10.0.0.0/8, or the single address 10.0.0.1/32"),
        ("fe80::1%eth0", "IPv6 scope id"),
        ("fe80::/64%eth0", "IPv6 scope id"),
        ("010.0.0.1", "is not an address or CIDR network"),
        ("192.0.2.0/33", "is not an address or CIDR network"),
        ("192.0.2.0/24\n0.0.0.0/0", "control character"),
        ("any", "is not an address or CIDR network"),
    ],
)
def test_networks_have_one_spelling(value: str, wanted: str) -> None:
    assert wanted in error_of(inp.ip_network, value, "ftp_firewall_allowed_sources")


def test_networks_pass_in_cidr_form() -> None:
    assert inp.ip_networks(["192.0.2.0/24", "2001:DB8::/32", "192.0.2.7", "192.0.2.0/24"], "v") == [
        "192.0.2.0/24",
        "2001:db8::/32",
        "192.0.2.7",
    ]
    assert inp.network_family("2001:db8::/32") == "ipv6" and inp.network_family("192.0.2.0/24") == "ipv4"


def test_addresses_match_the_family() -> None:
    assert inp.ip_address("192.0.2.1", "v", "ipv4") == "192.0.2.1"
    assert "IPv6 address where an IPv4 one is needed" in error_of(inp.ip_address, "2001:db8::1", "v", "ipv4")
    assert "scope id" in error_of(inp.ip_address, "fe80::1%eth0", "vsftpd_listen_address", "ipv6")


@pytest.mark.parametrize("value", ["ftp.example.org", "ftp-1.example.org.", "localhost", "192.0.2.10"])
def test_host_names_pass(value: str) -> None:
    assert inp.host_name(value, "v") == value


@pytest.mark.parametrize(
    "value", ["ftp_1.example.org", "-ftp.example.org", "ftp..example.org", "1234", "a b", "x" * 64]
)
def test_bad_host_names_fail(value: str) -> None:
    assert "neither an IPv4 address nor a host name" in error_of(inp.host_name, value, "vsftpd_pasv_address")


def test_ports_counts_and_flags() -> None:
    assert inp.port("21", "v") == 21
    assert "outside 1024-65535" in error_of(inp.port, 22, "vsftpd_pasv_min_port", low=1024)
    assert "is not a port number" in error_of(inp.port, True, "v")
    assert "is not a port number" in error_of(inp.port, "twenty-one", "v")
    assert inp.count("5", "v") == 5
    assert "out of range" in error_of(inp.count, -1, "v")
    assert inp.flag("YES", "v") is True and inp.flag("off", "v") is False
    assert "is not true or false" in error_of(inp.flag, "maybe", "v")


def test_cipher_lists_and_umasks() -> None:
    assert inp.cipher_list("ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=2", "v") == "ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=2"
    assert "is not an OpenSSL cipher list" in error_of(inp.cipher_list, "HIGH MEDIUM", "vsftpd_tls_ciphers")
    assert inp.umask("0077", "v") == "077" and inp.umask("022", "v") == "022"
    assert "is not an octal umask" in error_of(inp.umask, "088", "vsftpd_local_umask")


def test_errors_collects_every_problem() -> None:
    errors = inp.Errors()
    assert errors.check(inp.port, 0, "a") is None
    assert errors.check(inp.port, 21, "b") == 21
    errors.add("c", "is wrong", "fix it")
    assert bool(errors) and errors.messages() == [
        "a: 0 is outside 1-65535; give a number 1-65535",
        "c: is wrong; fix it",
    ]
