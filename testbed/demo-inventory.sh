#!/usr/bin/env bash
# Print the demo's inventory for one container: `make demo` and the controller harness
# (tests/controllers/run.py) provision it with hardened.ftp.site exactly as written here.
# DAEMON is vsftpd (the demo's) or pureftpd; the variables are the same, with the role's prefix.
#
# usage: testbed/demo-inventory.sh CONTAINER ADDRESS [DAEMON] > inventory.yml
set -euo pipefail
if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then
  echo "usage: $0 CONTAINER ADDRESS [vsftpd|pureftpd]" >&2
  exit 2
fi
name="$1" addr="$2" daemon="${3:-vsftpd}"
case "$daemon" in vsftpd|pureftpd) ;; *) echo "$0: DAEMON must be vsftpd or pureftpd, not '$daemon'" >&2; exit 2 ;; esac
cat <<INV
ftp_servers:
  hosts:
    $name:
      ansible_connection: containers.podman.podman
      ansible_python_interpreter: /usr/bin/python3
      hardened_ftp_daemon: $daemon
      ${daemon}_anon_upload_enable: true
      ${daemon}_tls_subject_alt_names: ["IP:$addr"]
INV
