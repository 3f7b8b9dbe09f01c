# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""last_good_run: record, then check; every kind of difference means no fast path. Bad arguments are in
test_bad_input.py, with every module's."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.hardened.ftp.plugins.module_utils import _host_state
from ansible_collections.hardened.ftp.plugins.modules import last_good_run


def run(args: dict, capsys: pytest.CaptureFixture, check_mode: bool = False) -> dict:
    with patch_module_args({**args, "_ansible_check_mode": check_mode}), pytest.raises(SystemExit):
        last_good_run.main()
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def host(tmp_path: Path) -> dict:
    """A configuration tree, a drop-box and where the record goes."""
    etc = tmp_path / "etc"
    (etc / "conf").mkdir(parents=True)
    (etc / "conf" / "Bind").write_text(",21\n")
    (etc / "vsftpd.conf").write_text("listen=YES\n")
    (tmp_path / "srv" / "incoming").mkdir(parents=True)
    store = tmp_path / "var" / "last-good-run.json"
    recorded = {
        "state": "recorded",
        "fingerprint": "f1",
        "store": str(store),
        "paths": [str(etc / "conf"), str(etc / "vsftpd.conf")],
        "stat_only": [str(tmp_path / "srv" / "incoming")],
        "facts": {"hardened_ftp_server": {"daemon": "vsftpd", "control_port": 21}},
    }
    return {"etc": etc, "srv": tmp_path / "srv", "store": store, "recorded": recorded}


def checked(host: dict, **extra: object) -> dict:
    return {"fingerprint": "f1", "store": str(host["store"]), **extra}


def test_record_then_check_finds_nothing_changed(host: dict, capsys: pytest.CaptureFixture) -> None:
    first = run(host["recorded"], capsys)
    assert first["changed"] is True
    assert oct(host["store"].stat().st_mode & 0o777) == "0o600"
    assert oct(host["store"].parent.stat().st_mode & 0o777) == "0o700"
    result = run(checked(host), capsys)
    assert result["unchanged"] is True and result["reasons"] == []
    assert result["facts"] == {"hardened_ftp_server": {"daemon": "vsftpd", "control_port": 21}}
    assert result["changed"] is False


def test_uploads_do_not_count_but_the_drop_box_mode_does(host: dict, capsys: pytest.CaptureFixture) -> None:
    run(host["recorded"], capsys)
    (host["srv"] / "incoming" / "upload.bin").write_bytes(b"x" * 10)
    assert run(checked(host), capsys)["unchanged"] is True
    os.chmod(host["srv"] / "incoming", 0o777)
    result = run(checked(host), capsys)
    assert result["unchanged"] is False
    assert result["reasons"][0].startswith(f"{host['srv'] / 'incoming'}: was directory ")


@pytest.mark.parametrize("change", ["edit", "mode", "new-file", "remove"])
def test_a_managed_file_changed_is_named(host: dict, change: str, capsys: pytest.CaptureFixture) -> None:
    run(host["recorded"], capsys)
    target = host["etc"] / "conf" / "Bind"
    if change == "edit":
        target.write_text(",2121\n")
    elif change == "mode":
        os.chmod(target, 0o666)
    elif change == "new-file":
        target = host["etc"] / "conf" / "AnonymousOnly"
        target.write_text("yes\n")
    else:
        target.unlink()
    result = run(checked(host), capsys)
    assert result["unchanged"] is False
    assert [reason.split(":")[0] for reason in result["reasons"]] == [str(target)]


def test_other_fingerprint_old_record_and_expired_certificate(
    host: dict, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(host["recorded"], capsys)
    other = run(checked(host, fingerprint="f2"), capsys)
    assert other["unchanged"] is False and "variables, the collection or ansible-core" in other["reasons"][0]
    record = json.loads(host["store"].read_text())
    record["recorded_at"] -= 3600
    host["store"].write_text(json.dumps(record))
    assert run(checked(host, max_age=7200), capsys)["unchanged"] is True
    assert "more than max_age 60 s" in run(checked(host, max_age=60), capsys)["reasons"][0]
    assert run(checked(host, max_age=0), capsys)["unchanged"] is True
    monkeypatch.setattr(_host_state, "not_after", lambda certificates: int(time.time()) - 1)
    run({**host["recorded"], "certificates": ["/etc/ssl/certs/ftp.pem"]}, capsys)
    expired = run(checked(host), capsys)
    assert expired["unchanged"] is False and "certificate" in expired["reasons"][0]


def test_no_record_or_a_broken_one(host: dict, capsys: pytest.CaptureFixture) -> None:
    result = run(checked(host), capsys)
    assert result["unchanged"] is False and result["reasons"] == [f"no record of a good run in {host['store']}"]
    host["store"].parent.mkdir(parents=True)
    host["store"].write_text("{not json")
    assert run(checked(host), capsys)["unchanged"] is False


def test_recording_the_same_state_refreshes_the_time_only(host: dict, capsys: pytest.CaptureFixture) -> None:
    run(host["recorded"], capsys)
    record = json.loads(host["store"].read_text())
    record["recorded_at"] -= 100
    host["store"].write_text(json.dumps(record))
    again = run(host["recorded"], capsys)
    assert again["changed"] is False
    assert json.loads(host["store"].read_text())["recorded_at"] >= record["recorded_at"] + 100
    (host["etc"] / "vsftpd.conf").write_text("listen=NO\n")
    assert run(host["recorded"], capsys)["changed"] is True


def test_check_mode_records_nothing(host: dict, capsys: pytest.CaptureFixture) -> None:
    result = run(host["recorded"], capsys, check_mode=True)
    assert result["changed"] is True and not host["store"].exists()


def test_services_ports_and_firewall_are_read_in_one_pass_each(
    host: dict, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    outputs = {
        "systemctl": "Id=vsftpd.service\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n",
        "nft": "table inet hardened_ftp {\n}\n",
    }

    def run_command(self, argv, environ_update=None):  # type: ignore[no-untyped-def]
        calls.append(argv)
        return 0, outputs[os.path.basename(argv[0])], ""

    monkeypatch.setattr(last_good_run.AnsibleModule, "run_command", run_command)
    monkeypatch.setattr(
        last_good_run.AnsibleModule, "get_bin_path", lambda self, name, opt_dirs=None: f"/usr/sbin/{name}"
    )
    monkeypatch.setattr(_host_state, "listening_ports", lambda: {21})
    run({**host["recorded"], "services": ["vsftpd"], "ports": [21], "firewall": "nftables"}, capsys)
    assert [os.path.basename(argv[0]) for argv in calls] == ["systemctl", "nft"]
    assert run(checked(host), capsys)["unchanged"] is True
    outputs["nft"] = "table inet hardened_ftp {\n\tchain input {\n\t}\n}\n"
    monkeypatch.setattr(_host_state, "listening_ports", set)
    reasons = run(checked(host), capsys)["reasons"]
    assert reasons == ["port 21: was True, now False", "the live firewall rules changed"]
