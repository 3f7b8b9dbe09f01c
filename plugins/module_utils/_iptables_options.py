# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What each iptables option takes and means, as data (private module).

The iptables-save parser reads a rule word by word; this table tells it how many values each
option of each match module and target extension takes (see iptables-extensions(8)), so an
option the model does not evaluate, or a module it has never heard of, never makes it lose
its place.  Each option also says what it means for the model:

``HARMLESS``
    accepted, it cannot change whether the packets the model evaluates match (a comment, a
    log prefix, the name of a ``recent`` list, ICMP types of a rule that needs ICMP).
``UNSUPPORTED``
    the rule's match depends on something the model does not evaluate (a packet rate, a
    mark, a time of day): the rule may or may not match, with the module's reason.
a field name
    the parser turns the value into that part of the :class:`~._netfilter_model.Match`.

An option missing from the table is read up to the next word that starts with ``-`` or is
``!``, and makes the rule's match uncertain.
"""

from __future__ import annotations

import typing as t

HARMLESS = "harmless"
UNSUPPORTED = "unsupported"

OptionTable = t.Dict[str, t.Tuple[int, str]]

# Options of every rule (iptables(8)); the module and target switches are handled apart.
RULE_OPTIONS = {
    "-p": (1, "protocols"),
    "--protocol": (1, "protocols"),
    "-s": (1, "saddr"),
    "--source": (1, "saddr"),
    "--src": (1, "saddr"),
    "-d": (1, "daddr"),
    "--destination": (1, "daddr"),
    "--dst": (1, "daddr"),
    "-i": (1, "iif"),
    "--in-interface": (1, "iif"),
    "-o": (1, "oif"),
    "--out-interface": (1, "oif"),
    "-f": (0, "fragment"),
    "--fragment": (0, "fragment"),
    "-c": (2, HARMLESS),
    "--set-counters": (2, HARMLESS),
}  # type: OptionTable

_PORTS = {
    "--sport": (1, "sports"),
    "--source-port": (1, "sports"),
    "--dport": (1, "dports"),
    "--destination-port": (1, "dports"),
}  # type: OptionTable


def _unsupported(*options: str, flags: t.Sequence[str] = ()) -> OptionTable:
    table = {option: (1, UNSUPPORTED) for option in options}  # type: OptionTable
    table.update({flag: (0, UNSUPPORTED) for flag in flags})
    return table


def _harmless(*options: str, flags: t.Sequence[str] = ()) -> OptionTable:
    table = {option: (1, HARMLESS) for option in options}  # type: OptionTable
    table.update({flag: (0, HARMLESS) for flag in flags})
    return table


# Match modules (iptables-extensions(8), MATCH EXTENSIONS).
MATCH_OPTIONS = {
    "tcp": dict(_PORTS, **{"--tcp-flags": (2, "tcp_flags"), "--syn": (0, "syn"), "--tcp-option": (1, UNSUPPORTED)}),
    "udp": dict(_PORTS),
    "udplite": dict(_PORTS),
    "sctp": dict(_PORTS, **{"--chunk-types": (2, UNSUPPORTED)}),
    "dccp": dict(_PORTS, **_unsupported("--dccp-types", "--dccp-option")),
    "icmp": _harmless("--icmp-type"),
    "icmp6": _harmless("--icmpv6-type"),
    "multiport": {
        "--sports": (1, "sports"),
        "--source-ports": (1, "sports"),
        "--dports": (1, "dports"),
        "--destination-ports": (1, "dports"),
        "--ports": (1, UNSUPPORTED),
    },
    "state": {"--state": (1, "ct_states")},
    "conntrack": dict(
        {"--ctstate": (1, "ct_states"), "--ctstatus": (1, "ct_status")},
        **_unsupported(
            "--ctproto",
            "--ctorigsrc",
            "--ctorigdst",
            "--ctreplsrc",
            "--ctrepldst",
            "--ctorigsrcport",
            "--ctorigdstport",
            "--ctreplsrcport",
            "--ctrepldstport",
            "--ctexpire",
            "--ctdir",
        ),
    ),
    "helper": {"--helper": (1, "helpers")},
    "addrtype": dict(
        {"--src-type": (1, "src_types"), "--dst-type": (1, "dst_types")},
        **_harmless(flags=("--limit-iface-in", "--limit-iface-out")),
    ),
    "pkttype": {"--pkt-type": (1, "pkt_types")},
    "comment": _harmless("--comment"),
    "physdev": dict(
        {"--physdev-is-bridged": (0, "bridged")},
        **_unsupported("--physdev-in", "--physdev-out", flags=("--physdev-is-in", "--physdev-is-out")),
    ),
    "rpfilter": dict({"--invert": (0, "rpf_invert")}, **_harmless(flags=("--loose", "--validmark", "--accept-local"))),
    "iprange": {"--src-range": (1, "src_range"), "--dst-range": (1, "dst_range")},
    "set": dict(
        {"--match-set": (2, "match_set")},
        **_harmless(flags=("--return-nomatch", "--update-counters", "--update-subcounters")),
        **_harmless(flags=("--no-update-counters", "--no-update-subcounters")),
        **_unsupported("--packets-eq", "--packets-lt", "--packets-gt", "--bytes-eq", "--bytes-lt", "--bytes-gt"),
    ),
    "recent": dict(
        {
            "--set": (0, "recent_set"),
            "--rcheck": (0, "recent_check"),
            "--update": (0, "recent_check"),
            "--remove": (0, "recent_check"),
            "--rdest": (0, "recent_rdest"),
            "--name": (1, "recent_name"),
        },
        **_harmless("--seconds", "--hitcount", "--mask", flags=("--rsource", "--reap", "--rttl")),
    ),
    "limit": _unsupported("--limit", "--limit-burst"),
    "hashlimit": _unsupported(
        "--hashlimit",
        "--hashlimit-upto",
        "--hashlimit-above",
        "--hashlimit-burst",
        "--hashlimit-mode",
        "--hashlimit-srcmask",
        "--hashlimit-dstmask",
        "--hashlimit-name",
        "--hashlimit-htable-size",
        "--hashlimit-htable-max",
        "--hashlimit-htable-expire",
        "--hashlimit-htable-gcinterval",
        "--hashlimit-rate-interval",
        flags=("--hashlimit-rate-match",),
    ),
    "connlimit": _unsupported(
        "--connlimit-upto", "--connlimit-above", "--connlimit-mask", flags=("--connlimit-saddr", "--connlimit-daddr")
    ),
    "connbytes": _unsupported("--connbytes", "--connbytes-dir", "--connbytes-mode"),
    "quota": _unsupported("--quota"),
    "statistic": _unsupported("--mode", "--probability", "--every", "--packet"),
    "time": _unsupported(
        "--datestart",
        "--datestop",
        "--timestart",
        "--timestop",
        "--monthdays",
        "--weekdays",
        flags=("--contiguous", "--kerneltz", "--utc", "--localtz"),
    ),
    "mark": _unsupported("--mark"),
    "connmark": _unsupported("--mark"),
    "connlabel": _unsupported("--label", flags=("--set",)),
    "owner": _unsupported("--uid-owner", "--gid-owner", flags=("--socket-exists", "--suppl-groups")),
    "string": _unsupported("--algo", "--from", "--to", "--string", "--hex-string", flags=("--icase",)),
    "length": _unsupported("--length"),
    "ttl": _unsupported("--ttl-eq", "--ttl-gt", "--ttl-lt"),
    "hl": _unsupported("--hl-eq", "--hl-gt", "--hl-lt"),
    "tos": _unsupported("--tos"),
    "dscp": _unsupported("--dscp", "--dscp-class"),
    "ecn": _unsupported("--ecn-ip-ect", flags=("--ecn-tcp-cwr", "--ecn-tcp-ece")),
    "tcpmss": _unsupported("--mss"),
    "mac": _unsupported("--mac-source"),
    "u32": _unsupported("--u32"),
    "bpf": _unsupported("--bytecode", "--object-pinned"),
    "cgroup": _unsupported("--path", "--cgroup"),
    "socket": _unsupported(flags=("--transparent", "--nowildcard", "--restore-skmark")),
    "policy": _unsupported(
        "--dir",
        "--pol",
        "--reqid",
        "--spi",
        "--proto",
        "--mode",
        "--tunnel-src",
        "--tunnel-dst",
        flags=("--strict", "--next"),
    ),
    "devgroup": _unsupported("--src-group", "--dst-group"),
    "cpu": _unsupported("--cpu"),
    "realm": _unsupported("--realm"),
    "nfacct": _unsupported("--nfacct-name"),
    "cluster": _unsupported(
        "--cluster-total-nodes", "--cluster-local-node", "--cluster-local-nodemask", "--cluster-hash-seed"
    ),
    "ipvs": _unsupported("--vproto", "--vaddr", "--vport", "--vdir", "--vmethod", "--vportctl", flags=("--ipvs",)),
    "esp": _harmless("--espspi"),
    "ah": _harmless("--ahspi", "--ahlen", flags=("--ahres",)),
    "frag": _harmless("--fragid", "--fraglen", flags=("--fragres", "--fragfirst", "--fragmore", "--fraglast")),
    "ipv6header": {"--header": (1, "headers"), "--soft": (0, HARMLESS)},
    "hbh": _harmless("--hbh-len", "--hbh-opts"),
    "dst": _harmless("--dst-len", "--dst-opts"),
    "rt": _harmless(
        "--rt-type", "--rt-segsleft", "--rt-len", "--rt-0-addrs", flags=("--rt-0-res", "--rt-0-not-strict")
    ),
    "mh": _harmless("--mh-type"),
    "l2tp": _unsupported("--tid", "--sid", "--type", "--pversion"),
    "osf": _unsupported("--genre", "--ttl", "--log"),
    "rateest": _unsupported(
        "--rateest",
        "--rateest1",
        "--rateest2",
        "--rateest-bps",
        "--rateest-pps",
        "--rateest-bps1",
        "--rateest-pps1",
        "--rateest-bps2",
        "--rateest-pps2",
        "--rateest-lt",
        "--rateest-gt",
        "--rateest-eq",
        flags=("--rateest-delta",),
    ),
}  # type: t.Dict[str, OptionTable]

# Modules that match an IPv6 extension header or an IPsec header: the packets the model
# evaluates (a client's ordinary TCP) carry none, so a rule needing one does not match them.
HEADER_MODULES = frozenset(("esp", "ah", "frag", "hbh", "dst", "rt", "mh"))

# Why a rule with the module may or may not match (for findings); every module whose options
# are all UNSUPPORTED is such a condition as soon as it is loaded.
MODULE_REASONS = {
    "limit": "-m limit: depends on the packet rate",
    "hashlimit": "-m hashlimit: depends on the packet rate",
    "connlimit": "-m connlimit: depends on how many connections are open",
    "connbytes": "-m connbytes: depends on the traffic so far",
    "quota": "-m quota: depends on the traffic so far",
    "statistic": "-m statistic: matches some packets only",
    "time": "-m time: depends on the time of day",
    "mark": "-m mark: the packet mark is not modelled",
    "connmark": "-m connmark: the connection mark is not modelled",
    "owner": "-m owner: the local socket owner is not modelled",
    "string": "-m string: depends on the packet payload",
    "u32": "-m u32: depends on raw packet bytes",
    "bpf": "-m bpf: a BPF program decides",
    "policy": "-m policy: IPsec policy is not modelled",
    "socket": "-m socket: depends on local sockets",
    "conntrack": "-m conntrack: only --ctstate is modelled",
}

# Protocols whose match module ``-p`` loads implicitly (``-p tcp --dport 21`` without ``-m tcp``).
IMPLICIT_MODULES = {"tcp": "tcp", "udp": "udp", "udplite": "udplite", "sctp": "sctp", "dccp": "dccp", "icmp": "icmp"}
IMPLICIT_MODULES.update({"icmpv6": "icmp6", "ipv6-icmp": "icmp6", "58": "icmp6", "6": "tcp", "17": "udp", "1": "icmp"})

# What a target does for the model: ``None`` non-terminal (the walk goes on), ``accept``
# (SNAT/MASQUERADE end a nat chain, the packet goes on unchanged for filtering), ``opaque``
# (the packet's fate is decided elsewhere), ``unknown`` (a target without a table entry).
TARGET_ACTIONS = {
    "ACCEPT": "accept",
    "DROP": "drop",
    "REJECT": "reject",
    "RETURN": "return",
    "SNAT": "accept",
    "MASQUERADE": "accept",
    "DNAT": "opaque",
    "REDIRECT": "opaque",
    "NETMAP": "opaque",
    "NFQUEUE": "opaque",
    "QUEUE": "opaque",
    "TPROXY": "opaque",
    "SYNPROXY": "opaque",
    "NOTRACK": "unknown",
}  # type: t.Dict[str, t.Optional[str]]
for _name in (
    "LOG",
    "NFLOG",
    "ULOG",
    "TRACE",
    "MARK",
    "CONNMARK",
    "TCPMSS",
    "CT",
    "AUDIT",
    "CHECKSUM",
    "CLASSIFY",
    "DSCP",
    "TOS",
    "TTL",
    "HL",
    "SET",
    "SECMARK",
    "CONNSECMARK",
    "IDLETIMER",
    "LED",
    "TEE",
    "RATEEST",
    "HMARK",
    "TCPOPTSTRIP",
):
    TARGET_ACTIONS[_name] = None

# Target options (iptables-extensions(8), TARGET EXTENSIONS).  ``CT --notrack`` and ``CT
# --helper`` are read by the parser: the first untracks the connection, so what follows
# sees another connection state; the second attaches a conntrack helper.
TARGET_OPTIONS = {
    "REJECT": _harmless("--reject-with"),
    "LOG": _harmless(
        "--log-level",
        "--log-prefix",
        flags=("--log-tcp-sequence", "--log-tcp-options", "--log-ip-options", "--log-uid", "--log-macdecode"),
    ),
    "NFLOG": _harmless("--nflog-group", "--nflog-prefix", "--nflog-range", "--nflog-size", "--nflog-threshold"),
    "ULOG": _harmless("--ulog-nlgroup", "--ulog-prefix", "--ulog-cprange", "--ulog-qthreshold"),
    "TCPMSS": _harmless("--set-mss", flags=("--clamp-mss-to-pmtu",)),
    "CT": dict(
        {"--helper": (1, "ct_helper"), "--notrack": (0, "ct_notrack")},
        **_harmless("--ctevents", "--expevents", "--zone", "--zone-orig", "--zone-reply", "--timeout"),
    ),
    "MARK": _harmless("--set-xmark", "--set-mark", "--and-mark", "--or-mark", "--xor-mark"),
    "CONNMARK": _harmless(
        "--set-xmark",
        "--set-mark",
        "--and-mark",
        "--or-mark",
        "--xor-mark",
        "--nfmask",
        "--ctmask",
        "--mask",
        flags=("--save-mark", "--restore-mark"),
    ),
    "DNAT": _harmless("--to-destination", flags=("--random", "--persistent", "--random-fully")),
    "SNAT": _harmless("--to-source", flags=("--random", "--persistent", "--random-fully")),
    "MASQUERADE": _harmless("--to-ports", flags=("--random", "--random-fully")),
    "REDIRECT": _harmless("--to-ports", flags=("--random",)),
    "NETMAP": _harmless("--to"),
    "SET": dict(
        {"--add-set": (2, HARMLESS), "--del-set": (2, HARMLESS), "--map-set": (2, HARMLESS)},
        **_harmless("--timeout", flags=("--exist", "--map-mark", "--map-prio", "--map-queue")),
    ),
    "NFQUEUE": _harmless(
        "--queue-num", "--queue-balance", flags=("--queue-bypass", "--fail-open", "--queue-cpu-fanout")
    ),
    "TPROXY": _harmless("--on-port", "--on-ip", "--tproxy-mark"),
    "DSCP": _harmless("--set-dscp", "--set-dscp-class"),
    "TOS": _harmless("--set-tos", "--and-tos", "--or-tos", "--xor-tos"),
    "TTL": _harmless("--ttl-set", "--ttl-dec", "--ttl-inc"),
    "HL": _harmless("--hl-set", "--hl-dec", "--hl-inc"),
    "CLASSIFY": _harmless("--set-class"),
    "CHECKSUM": _harmless(flags=("--checksum-fill",)),
    "SECMARK": _harmless("--selctx"),
    "CONNSECMARK": _harmless(flags=("--save", "--restore")),
    "AUDIT": _harmless("--type"),
    "SYNPROXY": _harmless("--mss", "--wscale", flags=("--sack-perm", "--timestamp", "--ecn")),
    "TEE": _harmless("--gateway"),
    "IDLETIMER": _harmless("--timeout", "--label", "--alarm"),
    "LED": _harmless("--led-trigger-id", "--led-delay", flags=("--led-always-blink",)),
    "HMARK": _harmless(
        "--hmark-tuple",
        "--hmark-mod",
        "--hmark-offset",
        "--hmark-src-prefix",
        "--hmark-dst-prefix",
        "--hmark-sport-mask",
        "--hmark-dport-mask",
        "--hmark-spi-mask",
        "--hmark-proto-mask",
        "--hmark-rnd",
    ),
    "TCPOPTSTRIP": _harmless("--strip-options"),
    "RATEEST": _harmless("--rateest-name", "--rateest-interval", "--rateest-ewmalog"),
}  # type: t.Dict[str, OptionTable]

CONDITION_MODULES = frozenset(
    name
    for name, table in MATCH_OPTIONS.items()
    if table and all(meaning == UNSUPPORTED for _arity, meaning in table.values())
)


def module_reason(module: str, option: str = "") -> str:
    """Why a rule using ``module`` (and ``option``) may or may not match."""
    if not option and module in MODULE_REASONS:
        return MODULE_REASONS[module]
    if module not in MATCH_OPTIONS:
        return f"-m {module}: not modelled"
    return f"-m {module} {option}: not modelled".replace("  ", " ")
