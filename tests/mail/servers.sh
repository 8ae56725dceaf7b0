#!/usr/bin/env bash
# Dovecot (IMAP, LMTP, SASL) and Postfix (SMTP, submission) on loopback for helpdesk's tests and benchmarks.
# Configs, queues, mail, certificates and logs live under $MT_DIR; /etc is not touched; processes are stopped by PID.
# Usage: servers.sh install|start|stop|status.  Ports come from the environment (defaults below).
# Learned from ../shared/reference/mailservers.sh: private Postfix instance, LMTP catch-all delivery, a test CA
# (rustls refuses a self-signed leaf), no auth failure delay, daemon stdio redirected so pipes see EOF.
set -euo pipefail
MT_DIR=${MT_DIR:-/tmp/helpdesk-mail}
IMAP_PORT=${IMAP_PORT:-11143}
SMTP_PORT=${SMTP_PORT:-12525}
SUBMISSION_PORT=${SUBMISSION_PORT:-12587}
LMTP_PORT=${LMTP_PORT:-12424}
SASL_PORT=${SASL_PORT:-12426}
MT_USERS=${MT_USERS:-"support@example.test:supportpw customer@example.org:customerpw alice@example.test:alicepw bench@example.test:benchpw"}
HOST=127.0.0.1

log() { printf "[servers %s] %s\n" "$(date +%T.%3N)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]; }
wait_port() {
  for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null && return 0; sleep 0.05; done
  die "$2 did not open port $1 (see $MT_DIR/log)"
}
stop_pid() {
  alive "$1" || return 0
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 100); do alive "$1" || return 0; sleep 0.05; done
  kill -KILL "$1" 2>/dev/null || true
}

install() {
  [ "$(id -u)" = 0 ] || die "install needs root"
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dovecot-imapd dovecot-lmtpd openssl postfix >/dev/null
}

tls() {
  local d=$MT_DIR/tls
  [ -s "$d/server.crt" ] && return 0
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=helpdesk test CA" -keyout "$d/ca.key" -out "$d/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
  printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" > "$d/ext.cnf"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 3650 \
    -out "$d/server.crt" -extfile "$d/ext.cnf" 2>/dev/null
  chmod 600 "$d"/*.key
}

dovecot_start() {
  mkdir -p "$MT_DIR/dovecot" "$MT_DIR/run" "$MT_DIR/state" "$MT_DIR/mail" "$MT_DIR/log"
  : > "$MT_DIR/dovecot/users"
  for u in $MT_USERS; do printf '%s:{PLAIN}%s\n' "${u%%:*}" "${u#*:}" >> "$MT_DIR/dovecot/users"; done
  chown mail:mail "$MT_DIR/mail"
  # With OAUTH2_INTROSPECT_URL, Dovecot also accepts XOAUTH2/OAUTHBEARER tokens, checked at that endpoint (RFC 7662).
  mechs="plain login"; oauth_passdb=""
  if [ -n "${OAUTH2_INTROSPECT_URL:-}" ]; then
    printf 'introspection_mode = post\nintrospection_url = %s\nusername_attribute = username\nactive_attribute = active\nactive_value = true\n' \
      "$OAUTH2_INTROSPECT_URL" > "$MT_DIR/dovecot/oauth2.conf.ext"
    mechs="plain login xoauth2 oauthbearer"
    oauth_passdb="passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $MT_DIR/dovecot/oauth2.conf.ext
}"
  fi
  cat > "$MT_DIR/dovecot/dovecot.conf" <<EOF
base_dir = $MT_DIR/run/dovecot
state_dir = $MT_DIR/state
log_path = $MT_DIR/log/dovecot.log
protocols = imap lmtp
listen = $HOST
ssl = yes
ssl_cert = <$MT_DIR/tls/server.crt
ssl_key = <$MT_DIR/tls/server.key
disable_plaintext_auth = no
auth_mechanisms = $mechs
auth_failure_delay = 0
mail_location = maildir:~/Maildir
mail_uid = mail
mail_gid = mail
first_valid_uid = 1
first_valid_gid = 1
recipient_delimiter = +
$oauth_passdb
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $MT_DIR/dovecot/users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$MT_DIR/mail/%d/%n allow_all_users=yes
}
service imap-login {
  inet_listener imap {
    address = $HOST
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = $HOST
    port = $LMTP_PORT
  }
}
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  inet_listener sasl {
    address = $HOST
    port = $SASL_PORT
  }
}
EOF
  alive "$(cat "$MT_DIR/run/dovecot/master.pid" 2>/dev/null || true)" && return 0
  dovecot -c "$MT_DIR/dovecot/dovecot.conf" </dev/null >>"$MT_DIR/log/dovecot.stderr" 2>&1 || die "dovecot: $(tail -n 3 "$MT_DIR/log/dovecot.stderr")"
  wait_port "$IMAP_PORT" dovecot-imap
  wait_port "$LMTP_PORT" dovecot-lmtp
}

postfix_start() {
  local P=$MT_DIR/postfix
  mkdir -p "$P/conf" "$P/spool" "$P/data"
  chown postfix:postfix "$P/data"
  cat > "$P/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $P/spool
data_directory = $P/data
maillog_file_prefixes = $MT_DIR/log
maillog_file = $MT_DIR/log/postfix.log
myhostname = mail.example.test
mydomain = example.test
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
default_transport = lmtp:inet:$HOST:$LMTP_PORT
relay_transport = lmtp:inet:$HOST:$LMTP_PORT
recipient_delimiter = +
inet_interfaces = $HOST
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
smtp_dns_support_level = disabled
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 5s
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:$HOST:$SASL_PORT
smtpd_tls_auth_only = no
smtpd_tls_security_level = may
smtpd_tls_cert_file = $MT_DIR/tls/server.crt
smtpd_tls_key_file = $MT_DIR/tls/server.key
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated reject_unauth_destination
EOF
  cat > "$P/conf/master.cf" <<EOF
$HOST:$SMTP_PORT inet n - n - - smtpd
$HOST:$SUBMISSION_PORT inet n - n - - smtpd
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
  touch -d '-1 minute' "$P/conf/main.cf" "$P/conf/master.cf"
  alive "$( (tr -d ' ' < "$P/spool/pid/master.pid") 2>/dev/null || true)" && return 0
  postfix -c "$P/conf" check >/dev/null 2>&1 || die "postfix check failed (see $MT_DIR/log/postfix.log)"
  postfix -c "$P/conf" start </dev/null >/dev/null 2>&1 || die "postfix start failed (see $MT_DIR/log/postfix.log)"
  wait_port "$SMTP_PORT" postfix
  wait_port "$SUBMISSION_PORT" postfix-submission
}

postfix_stop() {
  local P=$MT_DIR/postfix pid
  pid=$( (tr -d ' ' < "$P/spool/pid/master.pid") 2>/dev/null || true)
  alive "$pid" || return 0
  postfix -c "$P/conf" stop >/dev/null 2>&1 || true
  stop_pid "$pid"
}

case "${1:-}" in
  install) install ;;
  start) mkdir -p "$MT_DIR/log"; tls; dovecot_start; postfix_start; log "ready: IMAP $IMAP_PORT, SMTP $SMTP_PORT, submission $SUBMISSION_PORT, CA $MT_DIR/tls/ca.crt" ;;
  start-dovecot) mkdir -p "$MT_DIR/log"; tls; dovecot_start ;;
  start-postfix) postfix_start ;;
  stop-postfix) postfix_stop ;;
  stop) postfix_stop; stop_pid "$(cat "$MT_DIR/run/dovecot/master.pid" 2>/dev/null || true)" ;;
  status) alive "$(cat "$MT_DIR/run/dovecot/master.pid" 2>/dev/null || true)" && echo "dovecot running" || echo "dovecot stopped" ;;
  *) echo "usage: $0 install|start|stop|start-postfix|stop-postfix|status" >&2; exit 2 ;;
esac
