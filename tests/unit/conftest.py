# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared pieces of the unit tests: the fixture files and the hypothesis settings."""

from __future__ import annotations

import datetime
import json
import typing as t
from pathlib import Path

import pytest
from hypothesis import settings

FIXTURES = Path(__file__).parent / "plugins" / "module_utils" / "fixtures"

# The test machines are shared and often loaded: a slow example is not a failure.
settings.register_profile("shared-machine", deadline=None)
settings.load_profile("shared-machine")


@pytest.fixture
def fixture_text() -> t.Callable[[str], str]:
    """Read a file of tests/unit/plugins/module_utils/fixtures by name."""
    return lambda name: (FIXTURES / name).read_text()


@pytest.fixture
def nft_ruleset(fixture_text: t.Callable[[str], str]) -> dict[str, t.Any]:
    """The parsed ``nft -j list ruleset`` fixture (a fresh copy per test)."""
    return json.loads(fixture_text("nft_ruleset.json"))


def make_pair(
    not_after: datetime.datetime | None = None,
    not_before: datetime.datetime | None = None,
    key_type: str = "ec",
) -> tuple[str, str]:
    """``(certificate PEM, private key PEM)`` of a fresh self-signed certificate (cryptography)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import NameOID

    key = (
        ec.generate_private_key(ec.SECP256R1())
        if key_type == "ec"
        else rsa.generate_private_key(65537, 1024 if key_type == "rsa1024" else 2048)
    )
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ftp.example.org")])
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - datetime.timedelta(days=1))
        .not_valid_after(not_after or now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return certificate.public_bytes(serialization.Encoding.PEM).decode(), key_pem


@pytest.fixture
def self_signed() -> t.Callable[..., str]:
    """A function returning the PEM of a fresh self-signed certificate (``not_after=``, ``not_before=``)."""
    return lambda **kw: make_pair(**kw)[0]


@pytest.fixture
def cert_pair() -> t.Callable[..., tuple[str, str]]:
    """A function returning ``(certificate PEM, key PEM)`` (see :func:`make_pair`)."""
    return make_pair
