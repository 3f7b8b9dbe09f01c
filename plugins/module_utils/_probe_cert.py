# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The names and dates of a server's certificate, as the probe receives it (private module).

A probe that does not trust the server's CA still gets the certificate's DER bytes from the
handshake; this reads what the check needs from them with the standard library only: the
subject's common name, the subject alternative names (DNS and IP) and the validity. It then
matches the address clients use against those names as RFC 6125 says: the DNS names of the
SAN extension when there are any (the common name only without them), a wildcard only as the
whole left-most label, IP addresses only against IP entries.
"""

from __future__ import annotations

import ipaddress
import ssl
import typing as t

from ansible_collections.hardened.ftp.plugins.module_utils._x509_dates import CertificateError, _element, validity

_SEQUENCE, _SET, _OID, _OCTET_STRING, _BOOLEAN = 0x30, 0x31, 0x06, 0x04, 0x01
_EXPLICIT_0, _EXPLICIT_3 = 0xA0, 0xA3
_SAN_DNS, _SAN_IP = 0x82, 0x87
_OID_COMMON_NAME = bytes((0x55, 0x04, 0x03))
_OID_SUBJECT_ALT_NAME = bytes((0x55, 0x1D, 0x11))
# Text types a common name may use: UTF8String, PrintableString, T61String, IA5String, BMPString.
_STRING_TAGS = {0x0C: "utf-8", 0x13: "ascii", 0x14: "latin-1", 0x16: "ascii", 0x1E: "utf-16-be"}

__all__ = ["CertificateError", "CertificateNames", "matches", "read_certificate"]


class CertificateNames(t.NamedTuple):
    common_names: list[str]
    dns_names: list[str]
    ip_addresses: list[str]
    not_before: int
    not_after: int


def _children(der: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """The DER elements between ``start`` and ``end``: ``(tag, content start, content end)`` each."""
    found = []
    offset = start
    while offset < end:
        tag, content, stop = _element(der, offset)
        if stop > end:
            raise CertificateError("truncated DER")
        found.append((tag, content, stop))
        offset = stop
    return found


def _text(tag: int, raw: bytes) -> str:
    return raw.decode(_STRING_TAGS.get(tag, "latin-1"), "replace")


def _subject_common_names(der: bytes, start: int, end: int) -> list[str]:
    names = []
    for tag, rdn_start, rdn_end in _children(der, start, end):
        if tag != _SET:
            raise CertificateError("bad subject")
        for attr_tag, attr_start, attr_end in _children(der, rdn_start, rdn_end):
            parts = _children(der, attr_start, attr_end) if attr_tag == _SEQUENCE else []
            if len(parts) == 2 and parts[0][0] == _OID and der[slice(parts[0][1], parts[0][2])] == _OID_COMMON_NAME:
                value_tag, value_start, value_end = parts[1]
                names.append(_text(value_tag, der[value_start:value_end]))
    return names


def _alt_names(der: bytes, start: int, end: int) -> tuple[list[str], list[str]]:
    dns: list[str] = []
    ips: list[str] = []
    (tag, seq_start, seq_end), *_rest = _children(der, start, end) or [(0, 0, 0)]
    if tag != _SEQUENCE:
        raise CertificateError("bad subject alternative names")
    for name_tag, name_start, name_end in _children(der, seq_start, seq_end):
        raw = der[name_start:name_end]
        if name_tag == _SAN_DNS:
            dns.append(raw.decode("ascii", "replace"))
        elif name_tag == _SAN_IP and len(raw) in (4, 16):
            ips.append(str(ipaddress.ip_address(raw)))
    return dns, ips


def read_certificate(der: bytes) -> CertificateNames:
    """The names and validity of a DER certificate; :class:`CertificateError` when it cannot be read."""
    if not isinstance(der, (bytes, bytearray)) or not der:
        raise CertificateError("no certificate")
    der = bytes(der)
    not_before, not_after = validity(ssl.DER_cert_to_PEM_cert(der))
    tag, start, _end = _element(der, 0)
    if tag != _SEQUENCE:
        raise CertificateError("not a certificate")
    tag, tbs_start, tbs_end = _element(der, start)
    if tag != _SEQUENCE:
        raise CertificateError("not a certificate")
    fields = _children(der, tbs_start, tbs_end)
    if fields and fields[0][0] == _EXPLICIT_0:
        fields = fields[1:]
    # serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, then [1] [2] [3]
    if len(fields) < 6:
        raise CertificateError("not a certificate")
    _tag, subject_start, subject_end = fields[4]
    common_names = _subject_common_names(der, subject_start, subject_end)
    dns: list[str] = []
    ips: list[str] = []
    for tag, ext_start, ext_end in fields[6:]:
        if tag != _EXPLICIT_3:
            continue
        (seq_tag, seq_start, seq_end), *_rest = _children(der, ext_start, ext_end) or [(0, 0, 0)]
        if seq_tag != _SEQUENCE:
            raise CertificateError("bad extensions")
        for _ext_tag, one_start, one_end in _children(der, seq_start, seq_end):
            parts = _children(der, one_start, one_end)
            if not parts or parts[0][0] != _OID or der[slice(parts[0][1], parts[0][2])] != _OID_SUBJECT_ALT_NAME:
                continue
            value = [part for part in parts[1:] if part[0] == _OCTET_STRING]
            if value:
                dns, ips = _alt_names(der, value[0][1], value[0][2])
    return CertificateNames(common_names, dns, ips, not_before, not_after)


def _dns_match(pattern: str, name: str) -> bool:
    pattern = pattern.lower().rstrip(".")
    name = name.lower().rstrip(".")
    if pattern == name:
        return True
    head, _dot, rest = pattern.partition(".")
    if head != "*" or not rest or "*" in rest or rest.count(".") < 1:
        return False
    name_head, _dot, name_rest = name.partition(".")
    return bool(name_head) and name_rest == rest


def matches(address: str, names: CertificateNames) -> bool:
    """Whether a client connecting to ``address`` (a DNS name or an IP address) accepts this certificate's names."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        ip = None
    if ip is not None:
        return any(ipaddress.ip_address(entry) == ip for entry in names.ip_addresses)
    candidates = names.dns_names if names.dns_names else names.common_names
    return any(_dns_match(candidate, address) for candidate in candidates)
