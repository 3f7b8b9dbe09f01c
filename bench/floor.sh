#!/usr/bin/env bash
# The shell floor of bench/run.py: the work of `hardened.ftp.site` done by hand, as a plain script
# run once over SSH on a fresh container. Same packages, same apt rule, same certificate, the same
# kind of configuration and rules files, the daemon running and checked, the rules saved for boot.
# No validation of inputs, no idempotence, no rollback: the least a script can do for this result.
#
# usage (from bench/run.py): ssh root@HOST FLOOR_DAEMON=vsftpd FLOOR_BACKEND=iptables bash -s < floor.sh
set -euo pipefail
DAEMON="${FLOOR_DAEMON:?vsftpd or pureftpd}"
BACKEND="${FLOOR_BACKEND:?iptables or nftables}"
HOST="$(hostname)"
export DEBIAN_FRONTEND=noninteractive

# --- packages: exactly the roles' set (daemon, python3-cryptography for the certificate, python3-apt
# for ansible.builtin.apt, firewall),
# with the apt module's rule: refresh the lists only when older than a day (cache_valid_time: 86400).
stamp=/var/lib/apt/periodic/update-success-stamp
[ -e "$stamp" ] || stamp=/var/lib/apt/lists
if [ $(( $(date +%s) - $(stat -c %Y "$stamp") )) -gt 86400 ]; then apt-get -qq update; fi
case "$DAEMON" in vsftpd) pkg=vsftpd ;; pureftpd) pkg=pure-ftpd ;; esac
case "$BACKEND" in iptables) fw="iptables iptables-persistent" ;; nftables) fw=nftables ;; esac
# Not started on the package's default configuration (the roles' policy_rc_d: 101).
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d
# Recommends too, as ansible.builtin.apt installs them.
# shellcheck disable=SC2086
apt-get -qq -o Dpkg::Use-Pty=0 install "$pkg" python3-cryptography python3-apt $fw >/dev/null
rm -f /usr/sbin/policy-rc.d

# --- anonymous area and the TLS certificate (RSA 3072, self-signed, 825 days)
install -d -m 0755 -o root -g root /srv/ftp
# A bare host has them only where ssl-cert came in (vsftpd's recommends), as the roles find too.
[ -d /etc/ssl/certs ] || install -d -m 0755 /etc/ssl/certs
[ -d /etc/ssl/private ] || install -d -m 0700 /etc/ssl/private
key="/etc/ssl/private/hardened-ftp-$DAEMON.key"
cert="/etc/ssl/certs/hardened-ftp-$DAEMON.pem"
# With python3-cryptography, as the roles do (community.crypto): a bare host has no openssl binary.
python3 - "$key" "$cert" "$HOST" <<'PY'
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
key_path, cert_path, host = sys.argv[1:]
key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (
    x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
    .serial_number(x509.random_serial_number()).not_valid_before(now)
    .not_valid_after(now + datetime.timedelta(days=825))
    .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
    .add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True)
    .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    .sign(key, hashes.SHA256())
)
with open(key_path, "wb") as out:
    out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
with open(cert_path, "wb") as out:
    out.write(cert.public_bytes(serialization.Encoding.PEM))
PY
chmod 0600 "$key"

# --- the daemon's configuration, then run it and check it holds port 21
if [ "$DAEMON" = vsftpd ]; then
  : > /etc/vsftpd.user_list && chmod 0600 /etc/vsftpd.user_list
  install -d -m 0700 /etc/vsftpd/user_conf
  cat > /etc/vsftpd.conf <<CONF
listen=YES
listen_ipv6=NO
listen_port=21
background=NO
anonymous_enable=YES
anon_root=/srv/ftp
anon_upload_enable=NO
anon_mkdir_write_enable=NO
anon_other_write_enable=NO
anon_world_readable_only=YES
no_anon_password=YES
hide_ids=YES
local_enable=NO
write_enable=NO
chroot_local_user=YES
userlist_enable=YES
userlist_deny=NO
userlist_file=/etc/vsftpd.user_list
user_config_dir=/etc/vsftpd/user_conf
ssl_enable=YES
rsa_cert_file=$cert
rsa_private_key_file=$key
allow_anon_ssl=YES
force_local_logins_ssl=YES
force_local_data_ssl=YES
ssl_tlsv1=NO
ssl_sslv2=NO
ssl_sslv3=NO
require_ssl_reuse=NO
ssl_ciphers=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256
pasv_enable=YES
pasv_min_port=30000
pasv_max_port=30099
port_enable=YES
connect_from_port_20=YES
pasv_promiscuous=NO
port_promiscuous=NO
max_clients=50
max_per_ip=5
idle_session_timeout=300
data_connection_timeout=120
accept_timeout=60
connect_timeout=60
xferlog_enable=YES
xferlog_std_format=NO
log_ftp_protocol=NO
dual_log_enable=YES
secure_chroot_dir=/var/run/vsftpd/empty
seccomp_sandbox=NO
ftpd_banner=Authorised access only.
pam_service_name=vsftpd
max_login_fails=3
delay_failed_login=3
xferlog_file=/var/log/vsftpd.log
CONF
  chmod 0600 /etc/vsftpd.conf
  unit=vsftpd
else
  conf=/etc/pure-ftpd/conf
  while read -r name value; do printf '%s\n' "$value" > "$conf/$name"; done <<SETTINGS
Bind ,21
IPV4Only yes
IPV6Only no
NoAnonymous no
AnonymousOnly yes
AntiWarez yes
AnonymousCantUpload yes
AnonymousCanCreateDirs no
AllowAnonymousFXP no
AllowUserFXP no
ChrootEveryone yes
MinUID 1000
PAMAuthentication yes
UnixAuthentication no
TLS 3
TLSCipherSuite HIGH:!aNULL:!MD5:!SSLv3
NATmode no
PassivePortRange 30000 30099
MaxClientsNumber 50
MaxClientsPerIP 5
MaxIdleTime 5
Umask 177 077
AltLog xferlog:/var/log/pure-ftpd/transfer.log
VerboseLog no
SyslogFacility ftp
DontResolve yes
ProhibitDotFilesRead yes
ProhibitDotFilesWrite yes
AllowDotFiles no
BrokenClientsCompatibility no
LimitRecursion 10000 8
SETTINGS
  # The anonymous sessions' system user, whose home is the anonymous area (the role's anonymous.yml).
  getent passwd ftp >/dev/null || useradd --system --user-group --home-dir /srv/ftp --no-create-home \
    --shell /usr/sbin/nologin ftp
  rm -f /etc/pure-ftpd/auth/*
  ln -sfn ../conf/PAMAuthentication /etc/pure-ftpd/auth/70pam
  : > /etc/pure-ftpd/hardened-ftp-users.allow && chmod 0600 /etc/pure-ftpd/hardened-ftp-users.allow
  printf 'auth\trequired\tpam_listfile.so item=user sense=allow file=/etc/pure-ftpd/hardened-ftp-users.allow onerr=fail\n' \
    >> /etc/pam.d/pure-ftpd
  cat "$key" "$cert" > /etc/ssl/private/pure-ftpd.pem && chmod 0600 /etc/ssl/private/pure-ftpd.pem
  unit=pure-ftpd
fi
systemctl enable --quiet "$unit" 2>/dev/null
systemctl restart "$unit"
# bash's /dev/tcp, not ss: a bare host has no iproute2, and the roles do not install it either.
listens() { (exec 3<>/dev/tcp/127.0.0.1/21) 2>/dev/null; }
for _ in $(seq 1 10); do listens && break; sleep 1; done
listens || { echo "floor: $unit does not listen on 21" >&2; exit 1; }

# --- the firewall: the role's chains or table, default deny, SSH kept open, saved for boot
ssh_from="${SSH_CONNECTION:-}"; ssh_from="${ssh_from%% *}"
if [ "$BACKEND" = iptables ]; then
  install -d -m 0700 /etc/hardened-ftp
  for fam in ipv4 ipv6; do
    cmd=iptables; icmp=icmp; [ "$fam" = ipv6 ] && { cmd=ip6tables; icmp=ipv6-icmp; }
    ssh_rule="-A HARDENED-FTP-INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT"
    cat > "/etc/hardened-ftp/rules.$fam" <<RULES
*raw
:HARDENED-FTP-PRE - [0:0]
-F HARDENED-FTP-PRE
-A HARDENED-FTP-PRE -p tcp -m tcp --dport 21 -j CT --helper ftp
COMMIT
*filter
:HARDENED-FTP-INPUT - [0:0]
-F HARDENED-FTP-INPUT
-A HARDENED-FTP-INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT
-A HARDENED-FTP-INPUT -m conntrack --ctstate RELATED -m helper --helper ftp -j ACCEPT
-A HARDENED-FTP-INPUT -m conntrack --ctstate INVALID -j DROP
-A HARDENED-FTP-INPUT -i lo -j ACCEPT
-A HARDENED-FTP-INPUT -p $icmp -j ACCEPT
$ssh_rule
-A HARDENED-FTP-INPUT -p tcp -m tcp --dport 21 -m conntrack --ctstate NEW -j ACCEPT
-A HARDENED-FTP-INPUT -p tcp -m tcp --dport 30000:30099 -m conntrack --ctstate NEW -j ACCEPT
COMMIT
RULES
    chmod 0600 "/etc/hardened-ftp/rules.$fam"
    "$cmd-restore" --wait --noflush "/etc/hardened-ftp/rules.$fam"
    "$cmd" -w -t raw -I PREROUTING 1 -j HARDENED-FTP-PRE -m comment --comment hardened-ftp
    "$cmd" -w -I INPUT 1 -j HARDENED-FTP-INPUT -m comment --comment hardened-ftp
    "$cmd" -w -P INPUT DROP
  done
  netfilter-persistent save >/dev/null 2>&1
  systemctl enable --quiet netfilter-persistent
else
  install -d -m 0755 /etc/nftables.d
  cat > /etc/nftables.d/hardened-ftp.nft <<NFT
table inet hardened_ftp
delete table inet hardened_ftp
table inet hardened_ftp {
	ct helper ftp-standard {
		type "ftp" protocol tcp
		l3proto inet
	}
	chain prerouting {
		type filter hook prerouting priority filter; policy accept;
		tcp dport 21 ct state new ct helper set "ftp-standard"
	}
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established accept
		ct state related ct helper "ftp" accept
		ct state invalid drop
		iif "lo" accept
		meta l4proto { icmp, ipv6-icmp } accept
		tcp dport { 22 } ct state new accept
		tcp dport 21 ct state new accept
		tcp dport 30000-30099 ct state new accept
	}
}
NFT
  chmod 0600 /etc/nftables.d/hardened-ftp.nft
  nft -c -f /etc/nftables.d/hardened-ftp.nft
  nft -f /etc/nftables.d/hardened-ftp.nft
  grep -q 'include "/etc/nftables.d/\*.nft"' /etc/nftables.conf \
    || echo 'include "/etc/nftables.d/*.nft"' >> /etc/nftables.conf
  systemctl enable --quiet nftables
fi
echo "floor: $DAEMON + $BACKEND done (SSH from ${ssh_from:-?})"
