# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A certificate's validity read without openssl, checked against the cryptography library."""

from __future__ import annotations

import datetime

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._x509_dates import CertificateError, validity
from hypothesis import given
from hypothesis import strategies as st

UTC = datetime.timezone.utc


@pytest.mark.parametrize(
    "not_after",
    [datetime.datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC), datetime.datetime(2051, 1, 1, tzinfo=UTC)],
    ids=["UTCTime", "GeneralizedTime"],
)
def test_validity_matches_cryptography(cert_pair, not_after: datetime.datetime) -> None:  # type: ignore[no-untyped-def]
    before = datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    cert, _key = cert_pair(not_after=not_after, not_before=before)
    assert validity(cert) == (int(before.timestamp()), int(not_after.timestamp()))
    assert validity("junk before\n" + cert + cert)[1] == int(not_after.timestamp())


@given(st.text(max_size=200))
def test_anything_else_is_a_certificate_error(text: str) -> None:
    with pytest.raises(CertificateError):
        validity("-----BEGIN CERTIFICATE-----\n" + text + "\n-----END CERTIFICATE-----")


def test_a_key_is_not_a_certificate(cert_pair) -> None:  # type: ignore[no-untyped-def]
    _cert, key = cert_pair()
    with pytest.raises(CertificateError):
        validity(key)
