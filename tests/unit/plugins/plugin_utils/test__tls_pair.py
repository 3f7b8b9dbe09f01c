# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The certificate pair you give, checked on the controller."""

from __future__ import annotations

import datetime

from ansible_collections.hardened.ftp.plugins.plugin_utils._tls_pair import pair_problems

NOW = datetime.datetime.now(datetime.timezone.utc)


def test_a_good_pair_passes(cert_pair) -> None:  # type: ignore[no-untyped-def]
    assert pair_problems(*cert_pair()) == ([], [])
    assert pair_problems(*cert_pair(key_type="rsa")) == ([], [])


def test_each_problem_names_the_file_it_is_about(cert_pair) -> None:  # type: ignore[no-untyped-def]
    cert, key = cert_pair()
    other_cert = cert_pair()[0]
    assert pair_problems(other_cert, key)[0] == [
        ("key", "does not belong to the certificate", "give the private key the certificate was issued for")
    ]
    assert pair_problems(key, key)[0][0][:2] == ("cert", "is not a PEM certificate")
    assert pair_problems(cert, cert)[0][0][:2] == ("key", "is not a PEM private key")
    assert pair_problems(None, key)[0][0][0] == "cert"
    old = cert_pair(not_after=NOW - datetime.timedelta(days=1), not_before=NOW - datetime.timedelta(days=30))
    assert pair_problems(*old)[0][0][1].startswith("expired on ")
    soon = cert_pair(not_after=NOW + datetime.timedelta(days=5))
    problems, warnings = pair_problems(*soon)
    assert problems == [] and "renew it soon" in warnings[0]


def test_weak_and_encrypted_keys(cert_pair) -> None:  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import serialization

    cert, key = cert_pair(key_type="rsa1024")
    assert ("key", "is an RSA key of 1024 bits", "use at least 2048 bits") in pair_problems(cert, key)[0]
    loaded = serialization.load_pem_private_key(key.encode(), password=None)
    locked = loaded.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"secret")
    ).decode()
    problems = pair_problems(cert, locked)[0]
    assert problems[0][1] == "is encrypted with a pass phrase, which the daemon cannot ask for"
    assert "secret" not in str(problems)
