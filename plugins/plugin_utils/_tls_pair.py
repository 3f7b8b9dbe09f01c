# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check a certificate and its private key on the controller, with the cryptography library (private).

ansible-core itself depends on ``cryptography``, so these checks need nothing on the managed host:
the server roles check a certificate you give before anything there changes, even on a host where
no TLS tooling is installed yet.
"""

from __future__ import annotations

import datetime
import typing as t

MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
RENEW_WARNING_DAYS = 30


def _not_after(certificate: t.Any) -> datetime.datetime:
    value = getattr(certificate, "not_valid_after_utc", None)
    if value is None:  # cryptography < 42
        value = certificate.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    return t.cast(datetime.datetime, value)


def _not_before(certificate: t.Any) -> datetime.datetime:
    value = getattr(certificate, "not_valid_before_utc", None)
    if value is None:
        value = certificate.not_valid_before.replace(tzinfo=datetime.timezone.utc)
    return t.cast(datetime.datetime, value)


def pair_problems(
    cert_pem: str | None, key_pem: str | None, now: datetime.datetime | None = None
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """``(problems, warnings)`` for a PEM certificate (chain) and its PEM private key.

    Each problem is ``(which, problem, fix)`` with ``which`` ``cert`` or ``key``. Nothing of the
    key's content ever appears in a message.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    now = now or datetime.datetime.now(datetime.timezone.utc)
    problems: list[tuple[str, str, str]] = []
    warnings: list[str] = []
    if cert_pem is None:
        problems.append(
            ("cert", "cannot be read (missing, not a file, or larger than 1 MiB)", "give a readable PEM file")
        )
    if key_pem is None:
        problems.append(
            ("key", "cannot be read (missing, not a file, or larger than 1 MiB)", "give a readable PEM file")
        )
    if problems:
        return problems, warnings
    try:
        certificate = x509.load_pem_x509_certificate(t.cast(str, cert_pem).encode("ascii", "replace"))
    except ValueError:
        return [
            ("cert", "is not a PEM certificate", "give the certificate (chain) in PEM form, server certificate first")
        ], []
    try:
        key = serialization.load_pem_private_key(t.cast(str, key_pem).encode("ascii", "replace"), password=None)
    except TypeError:
        return [
            (
                "key",
                "is encrypted with a pass phrase, which the daemon cannot ask for",
                "give the key unencrypted (mode 0600, owner root)",
            )
        ], []
    except (ValueError, AttributeError, NotImplementedError):
        return [("key", "is not a PEM private key", "give the private key in PEM form")], []
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if certificate.public_key().public_bytes(der, spki) != key.public_key().public_bytes(der, spki):
        problems.append(
            ("key", "does not belong to the certificate", "give the private key the certificate was issued for")
        )
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < MIN_RSA_BITS:
        problems.append(("key", f"is an RSA key of {key.key_size} bits", f"use at least {MIN_RSA_BITS} bits"))
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size < MIN_EC_BITS:
        problems.append(
            ("key", f"is an EC key of {key.curve.key_size} bits", f"use a curve of at least {MIN_EC_BITS} bits")
        )
    ends = _not_after(certificate)
    if ends <= now:
        problems.append(("cert", f"expired on {ends:%Y-%m-%d}", "renew it, or leave both paths empty to generate one"))
    elif _not_before(certificate) > now:
        problems.append(
            (
                "cert",
                f"is not valid before {_not_before(certificate):%Y-%m-%d}",
                "check the host's clock or the certificate",
            )
        )
    elif ends - now < datetime.timedelta(days=RENEW_WARNING_DAYS):
        warnings.append(f"expires on {ends:%Y-%m-%d}, in {(ends - now).days} days: renew it soon")
    return problems, warnings
