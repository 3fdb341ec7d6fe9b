#!/usr/bin/env bash
# The console from the command line: operators (add, list, a short password refused, remove), a
# self-signed certificate, `lockerctl web` refusing to start without one, then serving HTTPS: a
# login with curl (trusting that certificate), the audit page, and a clean stop on SIGTERM.
#   web.sh LOCKERCTL WORKDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

printf 'paths:\n  var_dir: var\nweb:\n  listen: 127.0.0.1:0\n' > config.yaml
lc() { "$lockerctl" -c config.yaml "$@"; }
echo "alice's long password" | lc -q operator add alice --role admin | grep -q "operator 'alice' added (admin" || fail "operator add"
refuses 3 "password: at least 10 characters for an operator" sh -c "echo short | $lockerctl -c config.yaml operator add bob"
echo "bob's long password" | lc -q operator add bob > /dev/null
lc operator list | grep -q '^bob  *viewer ' || fail "operator list: $(lc operator list)"
lc operator remove bob | grep -q "removed" || fail "operator remove"
lc operator list | grep -q '^bob' && fail "bob is still listed"
lc audit list | grep -q "operator *added *operator 'alice' (admin)" || fail "operator add is not audited"

refuses 2 "^error: web.cert: .*var/web/cert.pem.* (lockerctl web cert --self-signed makes one)" "$lockerctl" -c config.yaml web
lc web cert --self-signed --host 127.0.0.1 --host localhost | grep -q "for 127.0.0.1, localhost" || fail "web cert"
[ "$(stat -c %a var/web/key.pem)" = 600 ] || fail "the key is not owner-only: $(stat -c %a var/web/key.pem)"
printf 'paths:\n  var_dir: var\nweb:\n  listen: 0.0.0.0:0\n  insecure_local: true\n' > open.yaml
refuses 2 "web.insecure_local: plain HTTP only on 127.0.0.1, not on 0.0.0.0" "$lockerctl" -c open.yaml web

start_console config.yaml
c() { curl -s --cacert var/web/cert.pem -b jar -c jar "$@"; }
csrf=$(c "${url}login" | sed -n 's|.*name="csrf" value="\([0-9a-f]*\)".*|\1|p')
[ -n "$csrf" ] || fail "no login form"
[ "$(c -o /dev/null -w '%{http_code}' --data-urlencode name=alice --data-urlencode 'password=wrong one' --data-urlencode "csrf=$csrf" "${url}login")" = 401 ] ||
  fail "a wrong password was not refused"
csrf=$(c "${url}login" | sed -n 's|.*name="csrf" value="\([0-9a-f]*\)".*|\1|p')
[ "$(c -o /dev/null -w '%{http_code}' --data-urlencode name=alice --data-urlencode "password=alice's long password" \
  --data-urlencode "csrf=$csrf" "${url}login")" = 303 ] || fail "alice could not log in"
c "${url}audit?layer=operator" > audit.html
grep -q "operator &#39;alice&#39; (admin) from 127.0.0.1" audit.html || fail "the audit page: $(cat audit.html)"
grep -q "login refused" audit.html || fail "the refused login is not on the audit page"
kill -TERM $pid
wait $pid || fail "web stopped by SIGTERM exited $?"
grep -q "console stopped" web.err || fail "no clean stop: $(cat web.err)"
echo "ok: web"
