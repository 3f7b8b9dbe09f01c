# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The proftpd.conf reader on real files: Debian's stock configuration (fixtures/proftpd_debian_stock, the
files proftpd-core 1.3.8 installs in /etc/proftpd), a configuration grown over the years
(fixtures/proftpd_messy), hostile text, and what the writer writes."""

from __future__ import annotations

import contextlib
import os
import typing as t
from pathlib import Path

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._proftpd_conf import (
    KNOWN,
    Node,
    ProftpdConfigError,
    allowed,
    config_from_text,
    load_config,
    parse_text,
    proftpd_server_model,
    proftpd_settings,
    render_lines,
    split_words,
    tls_required,
    unknown_directives,
    without_comments,
)
from ansible_collections.hardened.ftp.plugins.module_utils._server_model import normalize_server_model
from hypothesis import example, given, settings
from hypothesis import strategies as st

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_config(name: str) -> t.Any:
    """The fixture directory as if it were /etc/proftpd."""
    base = FIXTURES / name

    def local(path: str) -> str:
        assert path.startswith("/etc/proftpd/"), path
        return str(base / path[len("/etc/proftpd/") :])

    def read(path: str) -> str:
        return Path(local(path)).read_text()

    def listing(pattern: str) -> list[str]:
        target = local(pattern.rstrip("/"))
        if os.path.isdir(target):
            return [f"{pattern.rstrip('/')}/{name}" for name in sorted(os.listdir(target))]
        if "*" in pattern:
            folder, _sep, glob = pattern.rpartition("/")
            names = sorted(path.name for path in Path(local(folder)).glob(glob))
            return [f"{folder}/{name}" for name in names]
        return [pattern]

    return load_config("/etc/proftpd/proftpd.conf", read=read, listing=listing)


def test_debian_stock_configuration() -> None:
    config = fixture_config("proftpd_debian_stock")
    # modules.conf is included; tls.conf, virtuals.conf and the others are commented out; conf.d/ is empty.
    assert config.files == ["/etc/proftpd/proftpd.conf", "/etc/proftpd/modules.conf"]
    assert config.problems == []
    assert {"mod_quotatab", "mod_exec", "mod_ctrls_admin"} <= config.modules
    assert "mod_tls" not in config.modules
    model = proftpd_server_model(config)
    assert normalize_server_model(model) == model
    # The model's defaults but IPv6 (UseIPv6 on): no PassivePorts (the kernel picks any port), no TLS,
    # and the <Anonymous ~ftp> example is commented out.
    assert model == normalize_server_model({"daemon": "proftpd", "listen_ipv6": True}, partial=True)
    found = proftpd_settings(config)
    assert found["directives"]["ServerName"] == "Debian"
    assert found["directives"]["DenyFilter"] == "\\*.*/"
    # IdentLookups sits in <IfModule mod_ident.c>, which modules.conf does not load.
    assert "IdentLookups" not in found["directives"]
    assert found["login_limit"] is None and found["anonymous"] == []
    # Modules outside the reader's table are loaded: a name it does not know may be theirs.
    assert unknown_directives(config) == []


def test_debian_stock_tls_example_parses_once_included() -> None:
    text = (FIXTURES / "proftpd_debian_stock" / "tls.conf").read_text()
    items, problems = parse_text(text, "tls.conf")
    assert problems == []
    assert [(item.name, item.args) for item in items] == [("IfModule", ["mod_tls.c"])]


def test_a_configuration_grown_over_the_years() -> None:
    config = fixture_config("proftpd_messy")
    assert config.files == [
        "/etc/proftpd/proftpd.conf",
        "/etc/proftpd/modules.conf",
        # conf.d/: the hidden file and the backup are left out, the loop is cut.
        "/etc/proftpd/conf.d/20-anonymous.conf",
        *["/etc/proftpd/conf.d/30-loop.conf"] * 8,
        "/etc/proftpd/extra/a.conf",
    ]
    problems = " | ".join(config.problems)
    assert "nested more than 8 deep" in problems
    assert "/etc/proftpd/missing.conf: cannot be read" in problems
    assert "<Directory> is never closed" in problems
    assert proftpd_server_model(config) == normalize_server_model(
        {
            "daemon": "proftpd",
            # DefaultAddress goes on on the next line; SocketBindTight binds the first address only.
            "listen_address": "192.0.2.10",
            # The last Port wins, whatever its case.
            "control_port": 2122,
            # The first <IfDefine HARDENED> comes before the Define: only the second counts.
            "pasv_min_port": 40000,
            "pasv_max_port": 40999,
            "pasv_address": "ftp.example.org",
            "active_enable": False,
            "tls_enable": True,
            "tls_required": True,
            # <Limit LOGIN> of the main server names alice, bob and carol, and the anonymous section has
            # none of its own: it admits nobody (as ProFTPd does). The <VirtualHost> that allows bounce
            # is another server.
        },
        partial=True,
    )
    found = proftpd_settings(config)
    assert found["directives"]["ServerIdent"] == 'on FTP archive \\"west\\" # not a comment'
    assert found["login_limit"] == {"allow_users": ["alice", "bob", "carol"], "deny_all": True}
    assert found["virtual_hosts"] == 1
    (area,) = found["anonymous"]
    assert area["root"] == "~ftp" and area["login"] is False
    # <Directory *> denies WRITE in the whole area; incoming takes STOR only.
    assert area["write"] is False
    assert area["directories"] == [
        {"path": "incoming", "store": True, "read": False, "list": False, "delete": False, "overwrite": False}
    ]


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('ServerIdent on "a b"', ["ServerIdent", "on", "a b"]),
        ('X "a \\"b\\" c"', ["X", 'a \\"b\\" c']),
        ("X   a\tb", ["X", "a", "b"]),
        ('X ""', ["X", ""]),
        ('<Anonymous "/srv/ftp">', ["<Anonymous", "/srv/ftp", ">"]),
    ],
)
def test_words_are_split_as_proftpd_splits_them(line: str, words: list[str]) -> None:
    assert split_words(line) == (words, "")


def test_an_unterminated_quote_is_a_problem() -> None:
    assert split_words('ServerIdent on "open') == (["ServerIdent", "on", "open"], "unterminated quote")


def test_the_most_specific_limit_decides() -> None:
    items, _problems = parse_text(
        "<Limit ALL>\nDenyAll\n</Limit>\n<Limit WRITE>\nAllowAll\n</Limit>\n<Limit STOR>\nDenyAll\n</Limit>\n"
    )
    assert allowed([items], "STOR") is False  # the command itself
    assert allowed([items], "DELE") is True  # its group
    assert allowed([items], "RETR") is False  # ALL
    assert allowed([items], "LOGIN") is True  # ALL is not LOGIN
    inner, _problems = parse_text("<Limit STOR>\nAllowAll\n</Limit>\n")
    assert allowed([items, inner], "STOR") is True  # the innermost level that limits it


@pytest.mark.parametrize(
    ("value", "required"),
    [("on", True), ("off", False), ("ctrl", True), ("auth+data", True), ("data", False), ("!ctrl", False)],
)
def test_tls_required_means_before_the_password(value: str, required: bool) -> None:
    assert tls_required(value) is required


def test_values_the_model_cannot_use_name_the_directive() -> None:
    for text, needle in (
        ("Port twenty", "Port"),
        ("PassivePorts 30000", "PassivePorts"),
        ("PassivePorts 9 10", "1024"),
    ):
        with pytest.raises(ProftpdConfigError, match=needle):
            proftpd_server_model(config_from_text(text))


def test_a_text_alone_reports_its_includes() -> None:
    config = config_from_text("Include /etc/proftpd/conf.d/\nInclude relative.conf\n")
    assert len(config.problems) == 2 and "not an absolute path" in config.problems[1]


def test_directive_names_are_one_table() -> None:
    assert KNOWN["tlsrequired"] == ("TLSRequired", "mod_tls")
    assert KNOWN["deferwelcome"][1] == "mod_core"


# --------------------------------------------------------------------------- hostile text and the writer

CONF_LINES = st.lists(
    st.one_of(
        st.text(max_size=30),
        st.sampled_from(
            [
                "<Anonymous /srv/ftp>",
                "</Anonymous>",
                "<Limit LOGIN>",
                "</Limit>",
                "<IfModule !mod_tls.c>",
                "</IfModule>",
                "<IfDefine X>",
                "Define X",
                "Port 21",
                "Port 99999",
                "PassivePorts 30000 29999",
                'ServerIdent on "x',
                "TLSEngine on",
                "LoadModule mod_tls.c",
                "Include /etc/proftpd/x.conf",
                "DenyAll",
                "AllowUser a,b",
                "\\",
            ]
        ),
    ),
    max_size=14,
).map("\n".join)


@settings(max_examples=300)
@given(CONF_LINES)
@example("<Limit>\n</Limit>")
@example("<>\n</>\n<\n>")
@example("X \\\n\\\n")
def test_no_text_crashes_the_reader(text: str) -> None:
    config = config_from_text(text)
    proftpd_settings(config)
    unknown_directives(config)
    with contextlib.suppress(ProftpdConfigError):
        normalize_server_model(proftpd_server_model(config))


WORD = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters='"\\'), max_size=12
)
NAME = st.from_regex(r"\A[A-Za-z][A-Za-z0-9]{0,11}\Z")


@st.composite
def trees(draw: st.DrawFn, depth: int = 2) -> list[dict[str, t.Any]]:
    items = []
    for _index in range(draw(st.integers(0, 4))):
        if depth and draw(st.booleans()):
            items.append(
                {"section": draw(NAME), "args": draw(st.lists(WORD, max_size=2)), "items": draw(trees(depth - 1))}
            )
        else:
            items.append({"directive": draw(NAME), "args": draw(st.lists(WORD, max_size=3))})
    return items


@settings(max_examples=300)
@given(trees())
@example([{"directive": "ServerIdent", "args": ["on", "# not a comment", ""]}])
@example([{"directive": "X", "args": ["<Limit", "a>", "\u00a0"]}])
def test_what_the_writer_writes_reads_back_the_same(items: list[dict[str, t.Any]]) -> None:
    parsed, problems = parse_text("\n".join(render_lines(items)))
    assert problems == []
    assert [node.plain() for node in parsed] == without_comments(items)


def test_a_word_that_cannot_be_quoted_is_refused() -> None:
    for word in ('a"b', "a\\", "a b\\c", "a\nb"):
        with pytest.raises(ValueError, match="cannot quote"):
            render_lines([{"directive": "X", "args": [word]}])
    # A backslash inside a bare word is read as it is (Debian's stock DenyFilter \*.*/).
    assert render_lines([{"directive": "DenyFilter", "args": ["\\*.*/"]}]) == ["DenyFilter \\*.*/"]


def test_node_plain() -> None:
    assert Node("Limit", ["LOGIN"], [Node("DenyAll", [])]).plain() == {
        "section": "Limit",
        "args": ["LOGIN"],
        "items": [{"directive": "DenyAll", "args": []}],
    }
