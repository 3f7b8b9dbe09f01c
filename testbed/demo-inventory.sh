#!/usr/bin/env bash
# Print the demo's inventory for one container: `make demo` and the controller harness
# (tests/controllers/run.py) provision it with hardened.ftp.site exactly as written here.
#
# usage: testbed/demo-inventory.sh CONTAINER ADDRESS > inventory.yml
set -euo pipefail
[ "$#" -eq 2 ] || { echo "usage: $0 CONTAINER ADDRESS" >&2; exit 2; }
name="$1" addr="$2"
cat <<INV
ftp_servers:
  hosts:
    $name:
      ansible_connection: containers.podman.podman
      ansible_python_interpreter: /usr/bin/python3
      hardened_ftp_daemon: vsftpd
      vsftpd_anon_upload_enable: true
      vsftpd_tls_subject_alt_names: ["IP:$addr"]
INV
