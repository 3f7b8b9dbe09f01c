#!/usr/bin/env bash
# `make demo`: provision a local container as a hardened FTP server through
# playbooks/site.yml, then prove it works with a real FTP download.
set -euo pipefail
# shellcheck source=testbed/lib.sh
. "$(dirname "$0")/lib.sh"
ROOT="$(cd "$TESTBED_DIR/.." && pwd)"
NAME="${DEMO_CONTAINER:-hardened-ftp-demo}"
SUITE="${DEMO_SUITE:-bookworm}"
STATE="$ROOT/.tmp/demo"
mkdir -p "$STATE"

say "demo: starting a fresh container '$NAME' from ${TESTBED_IMAGE_REPO}:$SUITE"
podman rm -f "$NAME" >/dev/null 2>&1 || true
podman run -d --name "$NAME" --hostname "$NAME" --systemd=always --cap-add NET_ADMIN \
  "${TESTBED_IMAGE_REPO}:$SUITE" >/dev/null
for _ in $(seq 1 30); do
  state="$(podman exec "$NAME" systemctl is-system-running 2>/dev/null || true)"
  case "$state" in running|degraded) break ;; esac
  sleep 1
done
ADDR="$(podman inspect -f '{{.NetworkSettings.IPAddress}}' "$NAME")"
say "demo: container is up at $ADDR (systemd: ${state:-unknown})"

bash "$TESTBED_DIR/demo-inventory.sh" "$NAME" "$ADDR" > "$STATE/inventory.yml"

say "demo: running ansible-playbook hardened.ftp.site against it"
ansible-playbook -i "$STATE/inventory.yml" hardened.ftp.site

say "demo: publishing a file in the anonymous download area"
podman exec "$NAME" sh -c 'echo "Hello from hardened.ftp on $(hostname)" > /srv/ftp/welcome.txt && chmod 0644 /srv/ftp/welcome.txt'

say "demo: downloading it with a real FTP client (anonymous, passive mode), then an upload into the drop-box"
python3 "$TESTBED_DIR/ftp-smoke.py" "$ADDR" welcome.txt incoming

cat <<EOF2

[testbed] The hardened FTP server is running in container '$NAME'.
[testbed]   anonymous download:   ftp://$ADDR/            (e.g. curl ftp://$ADDR/welcome.txt)
[testbed]   anonymous drop-box:   ftp://$ADDR/incoming/   (upload only: cannot be listed or fetched back)
[testbed]   FTPS (TLS 1.2+):      required for local users; self-signed certificate
[testbed]   passive ports:        30000-30099
[testbed]   firewall:             nftables table inet hardened_ftp, default deny, ftp helper on port 21
[testbed]                         (podman exec $NAME nft list table inet hardened_ftp)
[testbed]   shell:                podman exec -it $NAME bash     (CONTAINERS_CONF=$CONTAINERS_CONF)
[testbed]   remove:               make demo-clean
EOF2
