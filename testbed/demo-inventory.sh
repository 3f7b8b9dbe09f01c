#!/usr/bin/env bash
# Print the demo's inventory for one container: `make demo` and the controller harness
# (tests/controllers/run.py) provision it with hardened.ftp.site exactly as written here.
# DAEMON is vsftpd (the demo's) or pureftpd; the variables are the same, with the role's prefix.
#
# usage: testbed/demo-inventory.sh CONTAINER ADDRESS [DAEMON] > inventory.yml
# With DEMO_SSH_USER, DEMO_SSH_KEY and DEMO_SSH_KNOWN_HOSTS set, Ansible reaches the host over SSH at
# ADDRESS as that user with sudo (become), as from an execution environment (tests/ee/run.sh).
set -euo pipefail
if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then
  echo "usage: $0 CONTAINER ADDRESS [vsftpd|pureftpd]" >&2
  exit 2
fi
name="$1" addr="$2" daemon="${3:-vsftpd}"
case "$daemon" in vsftpd|pureftpd) ;; *) echo "$0: DAEMON must be vsftpd or pureftpd, not '$daemon'" >&2; exit 2 ;; esac
if [ -n "${DEMO_SSH_USER:-}" ]; then
  connection="ansible_connection: ssh
      ansible_host: $addr
      ansible_user: $DEMO_SSH_USER
      ansible_become: true
      ansible_ssh_private_key_file: ${DEMO_SSH_KEY:?DEMO_SSH_KEY: the private key of $DEMO_SSH_USER}
      ansible_ssh_common_args: -o UserKnownHostsFile=${DEMO_SSH_KNOWN_HOSTS:?DEMO_SSH_KNOWN_HOSTS: a known_hosts file} -o StrictHostKeyChecking=accept-new
      ftp_test_ssh_user: $DEMO_SSH_USER"
else
  connection="ansible_connection: containers.podman.podman"
fi
cat <<INV
ftp_servers:
  hosts:
    $name:
      $connection
      ansible_python_interpreter: /usr/bin/python3
      hardened_ftp_daemon: $daemon
      ${daemon}_anon_upload_enable: true
      ${daemon}_tls_subject_alt_names: ["IP:$addr"]
INV
