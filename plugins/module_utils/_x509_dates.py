# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The validity dates of a PEM certificate, read with the Python standard library (private module).

Hosts need no ``openssl`` command and no cryptography library for this: the dates sit at a fixed
place of the DER structure (Certificate > TBSCertificate > Validity), which this reads and nothing more.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import re
import time

_PEM = re.compile(r"-----BEGIN CERTIFICATE-----\s*(.+?)\s*-----END CERTIFICATE-----", re.S)
_SEQUENCE, _INTEGER, _EXPLICIT_0, _UTC_TIME, _GENERALIZED_TIME = 0x30, 0x02, 0xA0, 0x17, 0x18


class CertificateError(ValueError):
    """Text that holds no certificate this reader understands."""


def _element(data: bytes, offset: int) -> tuple[int, int, int]:
    """``(tag, start of content, end of content)`` of the DER element at ``offset``."""
    if offset + 2 > len(data):
        raise CertificateError("truncated DER")
    tag, length = data[offset], data[offset + 1]
    start = offset + 2
    if length & 0x80:
        count = length & 0x7F
        if not 0 < count <= 4 or start + count > len(data):
            raise CertificateError("bad DER length")
        length = int.from_bytes(data[slice(start, start + count)], "big")
        start += count
    if start + length > len(data):
        raise CertificateError("truncated DER")
    return tag, start, start + length


def _time(tag: int, raw: bytes) -> int:
    text = raw.decode("ascii", "replace")
    if tag == _UTC_TIME and re.fullmatch(r"\d{12}Z", text):
        year = int(text[:2])
        text = ("19" if year >= 50 else "20") + text
    elif not (tag == _GENERALIZED_TIME and re.fullmatch(r"\d{14}Z", text)):
        raise CertificateError(f"unsupported time {text!r}")
    return calendar.timegm(time.strptime(text[:14], "%Y%m%d%H%M%S"))


def validity(pem: str) -> tuple[int, int]:
    """``(not_before, not_after)`` in seconds since the epoch, of the first certificate in ``pem``."""
    found = _PEM.search(pem or "")
    if not found:
        raise CertificateError("no PEM certificate")
    try:
        der = base64.b64decode("".join(found.group(1).split()), validate=True)
    except (binascii.Error, ValueError):
        raise CertificateError("bad base64") from None
    tag, start, _end = _element(der, 0)
    if tag != _SEQUENCE:
        raise CertificateError("not a certificate")
    tag, offset, _end = _element(der, start)  # TBSCertificate
    if tag != _SEQUENCE:
        raise CertificateError("not a certificate")
    fields = []
    while len(fields) < 5:
        tag, content, end = _element(der, offset)
        if not fields and tag == _EXPLICIT_0:  # the version is optional
            offset = end
            continue
        fields.append((tag, content, end))
        offset = end
    tag, start, end = fields[3]  # serialNumber, signature, issuer, validity
    if tag != _SEQUENCE or fields[0][0] != _INTEGER:
        raise CertificateError("not a certificate")
    before_tag, before_start, before_end = _element(der, start)
    after_tag, after_start, after_end = _element(der, before_end)
    return _time(before_tag, der[before_start:before_end]), _time(after_tag, der[after_start:after_end])


def not_after_of_file(path: str) -> int | None:
    """The first certificate's end of validity in ``path``, or None when it cannot be read."""
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            return validity(handle.read(1 << 20))[1]
    except (OSError, CertificateError):
        return None
