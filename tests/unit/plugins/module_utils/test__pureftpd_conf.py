# Copyright (c) hardened.ftp contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest
from ansible_collections.hardened.ftp.plugins.module_utils._pureftpd_conf import (
    PureFtpdConfigError,
    conf_to_args,
    parse_args,
    parse_pureftpd_conf_file,
    pureftpd_server_model,
    unknown_settings,
)

DEBIAN_CONF = {
    "AltLog": "clf:/var/log/pure-ftpd/transfer.log\n",
    "MinUID": "1000\n",
    "NoAnonymous": "yes\n",
    "PAMAuthentication": "yes\n",
    "PureDB": "/etc/pure-ftpd/pureftpd.pdb\n",
    "UnixAuthentication": "no\n",
    "PassivePortRange": "30000 30999\n",
    "ForcePassiveIP": "203.0.113.10\n",
    "Bind": "0.0.0.0,2121\n",
    "TLS": "2\n",
    "ChrootEveryone": "yes\n",
    "AntiWarez": "yes\n",
    "MaxClientsNumber": "50\n",
    "MaxClientsPerIP": "8\n",
}


def test_debian_conf_dir_to_args() -> None:
    args = conf_to_args(DEBIAN_CONF)
    assert "-E" in args and "-A" in args and "-s" in args
    assert args[args.index("-p") + 1] == "30000:30999"
    assert args[args.index("-S") + 1] == "0.0.0.0,2121"
    assert args[args.index("-Y") + 1] == "2"
    assert "pam" in args and "puredb:/etc/pure-ftpd/pureftpd.pdb" in args and "unix" not in args


def test_debian_conf_dir_model() -> None:
    model = pureftpd_server_model(DEBIAN_CONF)
    assert model["daemon"] == "pureftpd"
    assert model["listen_address"] == "0.0.0.0" and model["control_port"] == 2121
    assert (model["pasv_min_port"], model["pasv_max_port"]) == (30000, 30999)
    assert model["pasv_address"] == "203.0.113.10"
    assert model["tls_enable"] is True and model["tls_required"] is True
    assert model["anonymous_enable"] is False and model["anon_upload_enable"] is False
    assert model["port_promiscuous"] is False and model["active_enable"] is True


def test_defaults_passive_unbounded_anonymous_on() -> None:
    model = pureftpd_server_model({})
    assert model["pasv_min_port"] is None and model["pasv_max_port"] is None
    assert model["control_port"] == 21 and model["listen_ipv6"] is True
    assert model["anonymous_enable"] is True and model["anon_upload_enable"] is True
    assert pureftpd_server_model({}, ftp_account_exists=False)["anonymous_enable"] is False


def test_running_argv_wins_over_files() -> None:
    argv = ["/usr/sbin/pure-ftpd", "-l", "pam", "-p40000:40099", "-AEi", "--tls=3", "-N", "-4", "-w", "-S", ",21"]
    model = pureftpd_server_model(DEBIAN_CONF, argv)
    assert model["pasv_enable"] is False and model["pasv_min_port"] is None  # NATmode: active only
    assert model["tls_required"] is True and model["listen_ipv6"] is False
    assert model["port_promiscuous"] is True and model["control_port"] == 21
    assert parse_args(argv)["-p"] == ["40000:40099"]


def test_bad_values_raise_naming_the_setting() -> None:
    with pytest.raises(PureFtpdConfigError, match="PassivePortRange"):
        conf_to_args({"PassivePortRange": "30000"})
    with pytest.raises(PureFtpdConfigError, match="NoAnonymous"):
        conf_to_args({"NoAnonymous": "perhaps"})
    with pytest.raises(PureFtpdConfigError, match="TLS"):
        pureftpd_server_model({"TLS": "7"})


def test_conf_file_and_unknown_settings() -> None:
    settings = parse_pureftpd_conf_file(
        "# comment\nNoAnonymous yes\nPassivePortRange 30000 30999  # inline\nNoAnonymus yes\n"
    )
    assert settings["PassivePortRange"] == "30000 30999"
    assert unknown_settings(settings) == ["NoAnonymus"]
    assert pureftpd_server_model(settings)["pasv_max_port"] == 30999
