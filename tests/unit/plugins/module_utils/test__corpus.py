# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The corpus of real rulesets (fixtures/corpus/*/): every parser reads every file without
raising, and each case gives the verdicts and findings its expected.yml states.

See fixtures/corpus/README.md for how the files were made and what expected.yml holds.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
import yaml
from ansible_collections.hardened.ftp.plugins.module_utils._collect import firewall_model
from ansible_collections.hardened.ftp.plugins.module_utils._findings import sorted_findings
from ansible_collections.hardened.ftp.plugins.module_utils._firewall_model import (
    build_model,
    model_ranges,
    reachability,
)
from ansible_collections.hardened.ftp.plugins.module_utils._intervals import iv_intersect, iv_normalize, iv_subtract
from ansible_collections.hardened.ftp.plugins.module_utils._iptables import parse_iptables_save
from ansible_collections.hardened.ftp.plugins.module_utils._nftables import parse_nft_json
from ansible_collections.hardened.ftp.plugins.module_utils._server_model import normalize_server_model
from ansible_collections.hardened.ftp.plugins.module_utils._ufw import (
    parse_show_added,
    parse_ufw_status,
    ufw_ruleset_from_added,
    ufw_ruleset_from_files,
    ufw_ruleset_from_status,
)

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
CASES = sorted(path.parent.name for path in CORPUS.glob("*/expected.yml"))
FILES = sorted(str(path.relative_to(CORPUS)) for path in CORPUS.glob("*/*") if path.name != "expected.yml")
UFW_FILES = ("before.rules", "user.rules", "after.rules", "before6.rules", "user6.rules", "after6.rules", "default")


def _expected(case: str) -> dict[str, t.Any]:
    return yaml.safe_load((CORPUS / case / "expected.yml").read_text())


def _ports(items: t.Sequence[t.Any]) -> tuple[tuple[int, int], ...]:
    ranges = []
    for item in items:
        low, _sep, high = str(item).partition("-")
        ranges.append((int(low), int(high or low)))
    return iv_normalize(ranges)


def _runner(case: str, outputs: t.Mapping[str, str]) -> tuple[t.Callable[..., t.Any], t.Callable[[str], t.Any]]:
    texts = {command: (CORPUS / case / name).read_text() for command, name in outputs.items()}

    def run(argv: list[str]) -> tuple[int, str, str]:
        name = argv[0].rsplit("/", 1)[-1]
        return (0, texts[name], "") if name in texts else (1, "", f"{name}: not installed")

    return run, (lambda name: f"/usr/sbin/{name}" if name in texts else None)


def _model(case: str, source: t.Mapping[str, t.Any], client_sources: t.Sequence[str] = ()) -> dict[str, t.Any]:
    """The firewall model of ``case`` read the way ``source`` says."""
    if "collect" in source:
        spec = source["collect"]
        run, find_bin = _runner(case, spec["outputs"])
        return firewall_model(spec.get("backend", "auto"), run, find_bin, client_sources, None, False)
    if "ufw_files" in source:
        files = {key: (CORPUS / case / name).read_text() for key, name in source["ufw_files"].items()}
        return build_model(ufw_ruleset_from_files(files), client_sources)
    if "ufw_status" in source:
        return build_model(ufw_ruleset_from_status((CORPUS / case / source["ufw_status"]).read_text()), client_sources)
    return build_model(ufw_ruleset_from_added((CORPUS / case / source["ufw_added"]).read_text()), client_sources)


# --- no parser raises on any of it ------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_every_parser_reads_every_file(name: str) -> None:
    path = CORPUS / name
    text = path.read_text()
    if path.suffix == ".save":
        ruleset = parse_iptables_save(text, "ipv6" if path.name.startswith("ip6") else "ipv4")
        assert ruleset.tables and all(table.chains for table in ruleset.tables)
    elif path.suffix == ".json":
        assert parse_nft_json(text).tables
    elif path.name.startswith("status"):
        parse_ufw_status(text)
    elif path.name == "show_added.txt":
        assert parse_show_added(text)
    else:
        assert path.name in UFW_FILES, f"{name}: a corpus file no parser reads"
    if path.suffix in (".save", ".json"):
        build_model(parse_iptables_save(text) if path.suffix == ".save" else parse_nft_json(text))


def test_the_corpus_covers_what_it_must() -> None:
    covered = {topic for case in CASES for topic in _expected(case)["covers"]}
    assert {
        "docker",
        "fail2ban",
        "fail2ban-ipset",
        "mss-clamping",
        "syn",
        "fragments",
        "physdev",
        "multiport",
        "conntrack",
        "state",
        "comments-and-log-prefixes",
        "recent",
        "limit",
        "addrtype",
        "reject-tcp-reset",
        "ufw-user-rules",
        "ufw-show-added",
        "ufw-status-verbose",
        "nft-named-sets",
        "nft-anonymous-sets",
        "nft-interval-sets",
        "nft-verdict-maps",
        "nft-jump-goto",
        "nft-base-chain-priorities",
        "nft-ct-helper",
        "nft-hardened-ftp-beside-iptables-nft",
    } <= covered


# --- the verdicts ----------------------------------------------------------------------------------


def _cases_with(key: str) -> list[tuple[str, str]]:
    found = []
    for case in CASES:
        expected = _expected(case)
        if expected.get(key):
            found.extend((case, name) for name in expected["sources"])
    return found


@pytest.mark.parametrize(("case", "source_name"), _cases_with("verdicts"))
def test_port_verdicts(case: str, source_name: str) -> None:
    expected = _expected(case)
    model = _model(case, expected["sources"][source_name], expected.get("evaluate_sources", []))
    for item in expected["verdicts"]:
        if source_name not in item.get("sources", expected["sources"]):
            continue
        reach = reachability(model, item["family"], item.get("source"), item.get("interface"))
        where = "{} {} from {} on {}".format(case, item["family"], item.get("source"), item.get("interface"))
        for port_range in _ports(item.get("open", [])):
            assert not iv_subtract((port_range,), reach.open), f"{where}: {port_range} not open ({source_name})"
        for port_range in _ports(item.get("uncertain", [])):
            assert not iv_subtract((port_range,), reach.uncertain), f"{where}: {port_range} not uncertain"
            for text in item.get("rules", []):
                assert any(text in rule for rule in reach.rules((port_range,))), f"{where}: no rule with {text!r}"
        for port_range in _ports(item.get("closed", [])):
            assert not iv_intersect((port_range,), iv_normalize(reach.open + reach.uncertain)), (
                f"{where}: {port_range} not closed ({source_name})"
            )


@pytest.mark.parametrize(("case", "source_name"), _cases_with("helpers"))
def test_helper_assignments(case: str, source_name: str) -> None:
    expected = _expected(case)
    model = _model(case, expected["sources"][source_name])
    for family, ports in expected["helpers"].items():
        assert model_ranges(model, "helper_ports", family) == _ports(ports), f"{case} {family} ({source_name})"


@pytest.mark.parametrize(("case", "source_name"), _cases_with("checks"))
def test_findings(case: str, source_name: str) -> None:
    expected = _expected(case)
    for check in expected["checks"]:
        if source_name not in check.get("sources", expected["sources"]):
            continue
        options = dict(check.get("options") or {})
        model = _model(case, expected["sources"][source_name], options.get("client_sources", []))
        server = normalize_server_model(check["server"], partial=True)
        findings = sorted_findings(server, model, options)
        found = sorted(finding["id"] for finding in findings)
        assert found == sorted(check["findings"]), "{}: {} ({}): {}".format(
            case, check["name"], source_name, [(f["id"], f["message"]) for f in findings]
        )
        text = " ".join(finding["message"] for finding in findings)
        for fragment in check.get("mention", []):
            assert fragment in text, f"{case}: {check['name']}: no finding mentions {fragment!r}"
