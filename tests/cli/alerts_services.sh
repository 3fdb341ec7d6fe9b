#!/usr/bin/env bash
# `lockerctl run` with real alerts: three wrong passwords upload the photo to S3 and alert the
# owner by Twilio SMS, a signed webhook and e-mail with the photo attached, each with a working
# pre-signed link; the one-time code of the next attempt goes by SMS only. The services are local
# stand-ins that check each protocol as the real one does (tests/support/stand_ins.hpp), and a real
# SMTP server (Debian's aiosmtpd) that demands STARTTLS and a login. Then the mail server's
# certificate and login are refused the way an operator would see it, a Drive upload is shared
# with the owner, and an alert given up sounds the board's alarm.
#   alerts_services.sh LOCKERCTL WORKDIR STAND_INS SMTP_STAND_IN
set -euo pipefail
. "$(dirname "$0")/lib.sh"
stand_ins=$3
smtp_stand_in=$4
/usr/bin/python3 -c 'import aiosmtpd' 2> /dev/null || fail "python3-aiosmtpd is missing: run scripts/install-deps.sh"
json() { /usr/bin/python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print($2)" "$1"; }

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout mail.key -out mail.crt 2> /dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other -keyout other.key -out other.crt 2> /dev/null
mkdir services
"$stand_ins" services &
stand_ins_pid=$!
/usr/bin/python3 "$smtp_stand_in" services mail.crt mail.key lockerctl mail-pass &
smtp_pid=$!
trap 'kill $stand_ins_pid $smtp_pid 2> /dev/null || true' EXIT
for _ in $(seq 1 100); do [ -f services/ports ] && [ -f services/smtp-port ] && break; sleep 0.1; done
[ -f services/ports ] && [ -f services/smtp-port ] || fail "the stand-ins did not start"
. services/ports
SMTP=$(cat services/smtp-port)

printf 's3-test-secret/key+value\n' > s3.secret
printf 'twilio-test-token\n' > twilio.token
chmod 600 s3.secret twilio.token
{
  sim_flow_config 0
  cat <<YAML
alerts:
  channels: sms, webhook, email
evidence:
  store: s3
s3:
  endpoint: http://127.0.0.1:$S3
  region: eu-central-1
  bucket: evidence
  access_key_id: AKIDLOCKERCTLTEST
  secret_access_key: file:$PWD/s3.secret
  link_ttl_s: 600
sms:
  provider: twilio
  api_base: http://127.0.0.1:$TWILIO
  account_sid: AC0123456789abcdef0123456789abcdef
  auth_token: file:$PWD/twilio.token
  from: "+15550100"
webhook:
  url: http://127.0.0.1:$WEBHOOK/hooks/lockerctl
  secret: webhook-test-secret
email:
  smtp_url: smtp://127.0.0.1:$SMTP
  from: lockerctl@bank.example
  username: lockerctl
  password: mail-pass
  ca_file: $PWD/mail.crt
YAML
} > config.yaml
lc() { "$lockerctl" -c config.yaml "$@"; }
small_model config.yaml models/owner.h5
lc -q owner add alice --phone +15550001 --email alice@example.com > /dev/null
echo 2468 | lc -q owner set-password alice > /dev/null

received() {  # what the stand-ins have been sent so far, into services/received.json
  rm -f services/received.json
  kill -USR1 $stand_ins_pid
  for _ in $(seq 1 100); do [ -f services/received.json ] && return 0; sleep 0.05; done
  fail "the stand-ins did not say what they received"
}
fetch() {  # fetch URL FILE: prints the HTTP status of a GET; the body goes to FILE
  /usr/bin/python3 - "$1" "$2" << 'PY'
import sys, urllib.error, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
        open(sys.argv[2], "wb").write(r.read())
        print(r.status)
except urllib.error.HTTPError as e:
    print(e.code)
PY
}
r=services/received.json

# A denial: three wrong passwords.
wrong_passwords_script > wrong.script
lc run --script wrong.script > wrong.out 2> wrong.err || fail "run: $(cat wrong.err)"
grep -q 'attempts 1, granted 0, denied 1' wrong.out || fail "the attempt was not denied: $(cat wrong.out) $(cat wrong.err)"
grep -qE 'mail-pass|twilio-test-token|s3-test-secret|webhook-test-secret' wrong.err && fail "a secret appeared in the log"
[ "$(lc alerts list --state sent | wc -l)" = 4 ] || fail "not all four jobs were sent by the end of the run: $(lc alerts list)"
photo=$(ls var/incidents/*/frame.jpg)
photo_sha=$(sha256sum "$photo" | cut -c1-64)
lc audit export --json --out audit.json
[ "$(json audit.json '" ".join(e["image"] + " " + e["detail"] for e in d if e["layer"] == "evidence")')" = \
  "s3://evidence/incidents/$(basename "$(dirname "$photo")")/frame.jpg s3 store, sha256 $photo_sha" ] ||
  fail "the audit log does not say where the photo went: $(lc audit list)"
received
[ "$(json $r 'list(d["s3"].values())')" = "['$photo_sha']" ] || fail "S3 holds: $(json $r 'd["s3"]')"

# The Twilio SMS: to the owner from sms.from, the police advice, and a pre-signed link that
# serves exactly the photo and stops working when its query is altered.
[ "$(json $r 'len(d["sms"])')" = 1 ] || fail "expected one SMS: $(json $r 'd["sms"]')"
[ "$(json $r 'd["sms"][0]["to"] + " " + d["sms"][0]["from"]')" = "+15550001 +15550100" ] || fail "SMS: $(json $r 'd["sms"]')"
body=$(json $r 'd["sms"][0]["body"]')
grep -q 'report it to the police' <<< "$body" || fail "SMS body: $body"
link=${body##* Photo: }
case "$link" in "http://127.0.0.1:$S3/evidence/incidents/"*X-Amz-Expires=600*X-Amz-Signature=*) ;; *) fail "not a pre-signed S3 link: $link" ;; esac
[ "$(fetch "$link" sms.jpg)" = 200 ] || fail "the SMS link does not serve the photo: $link"
[ "$(sha256sum sms.jpg | cut -c1-64)" = "$photo_sha" ] || fail "the SMS link serves other bytes"
[ "$(fetch "${link/X-Amz-Expires=600/X-Amz-Expires=6000}" altered.jpg)" = 403 ] || fail "an altered link was served"

# The webhook: signed (the receiver rejected nothing), the same alert and a working link.
[ "$(json $r 'len(d["webhook"]["deliveries"]), d["webhook"]["rejected"], d["webhook"]["duplicates"]')" = "1 0 0" ] ||
  fail "webhook: $(json $r 'd["webhook"]')"
grep -q 'report it to the police' <<< "$(json $r 'd["webhook"]["deliveries"][0]["text"]')" || fail "webhook text: $(json $r 'd["webhook"]')"
[ "$(json $r 'd["webhook"]["deliveries"][0]["owner"]')" = alice ] || fail "webhook owner: $(json $r 'd["webhook"]')"
[ "$(fetch "$(json $r 'd["webhook"]["deliveries"][0]["photo_url"]')" hook.jpg)" = 200 ] || fail "the webhook link does not serve the photo"
[ "$(sha256sum hook.jpg | cut -c1-64)" = "$photo_sha" ] || fail "the webhook link serves other bytes"

# The e-mail: over STARTTLS after a login, to the owner, the link in the text, the photo attached.
m=services/mail-1.json
[ -f $m ] || fail "no e-mail arrived"
[ "$(json $m '" ".join([str(d["tls"]), d["login"], d["mail_from"]] + d["rcpt_to"])')" = "True lockerctl lockerctl@bank.example alice@example.com" ] ||
  fail "e-mail envelope: $(cat $m)"
grep -q 'report it to the police' <<< "$(json $m 'd["text"]')" || fail "e-mail text: $(cat $m)"
grep -qF "http://127.0.0.1:$S3/evidence/incidents/" <<< "$(json $m 'd["text"]')" || fail "no link in the e-mail: $(cat $m)"
[ "$(json $m '" ".join(a["content_type"] + " " + a["sha256"] for a in d["attachments"])')" = "image/jpeg $photo_sha" ] ||
  fail "e-mail attachment: $(cat $m)"

# A granted attempt: the one-time code goes by Twilio SMS (read off the stand-in, as the owner
# reads the phone), never by webhook or e-mail.
sed 's|^  source: sim|  source: scenes/owner|; s|^  input_timeout_s: 10|  input_timeout_s: 10\n  input: console|' config.yaml > console.yaml
mkfifo keys
"$lockerctl" -c console.yaml run < keys > console.out 2> console.err &
run_pid=$!
trap 'kill $stand_ins_pid $smtp_pid $run_pid 2> /dev/null || true' EXIT
exec 4> keys
await() { for _ in $(seq 1 200); do grep -q "$1" console.err && return 0; sleep 0.05; done; fail "no '$1': $(cat console.err)"; }
echo >&4
await 'password: enter it now'
echo 2468 >&4
code=
for _ in $(seq 1 100); do
  received
  code=$(grep -o '[0-9]\{6\}' <<< "$(json $r '" ".join(m["body"] for m in d["sms"] if "one-time code" in m["body"])')" || true)
  [ -n "$code" ] && break
  sleep 0.1
done
[ -n "$code" ] || fail "no code arrived by SMS: $(json $r 'd["sms"]')"
echo "$code" >&4
await 'access: granted'
# The opening itself is an alert on every channel (alerts.on_access), from the outbox while the
# run goes on: here, the webhook (the e-mail is checked below).
opened=
for _ in $(seq 1 100); do
  received
  opened=$(json $r '" ".join(m["text"] for m in d["webhook"]["deliveries"] if "your locker was opened by alice at " in m["text"])')
  [ -n "$opened" ] && break
  sleep 0.1
done
[ -n "$opened" ] || fail "no webhook delivery about the opening: $(json $r 'd["webhook"]')"
kill -TERM $run_pid
wait $run_pid || fail "run stopped by SIGTERM exited $?"
exec 4>&-
received
grep -q "$code" <<< "$(json $r 'd["webhook"]["deliveries"]')" && fail "the code went to the webhook"
for m in services/mail-*.json; do
  grep -q "$code" "$m" && fail "the code went by e-mail: $(cat "$m")"
done
grep -l 'your locker was opened by alice at ' services/mail-*.json > /dev/null ||
  fail "no e-mail about the opening: $(cat services/mail-*.json)"
mails=$(ls services/mail-*.json | wc -l)

# The mail server's certificate from another CA, a wrong login, and a CA file that is not there.
sed "s|^  ca_file: .*|  ca_file: $PWD/other.crt|" config.yaml > other-ca.yaml
code=0
"$lockerctl" -q -c other-ca.yaml alerts test --owner alice --channel email > other-ca.out || code=$?
[ "$code" = 1 ] || fail "alerts test with a server from another CA: exit $code"
grep -q "^email (e-mail (smtp://127.0.0.1:$SMTP)): NOT delivered: mail server 127.0.0.1:$SMTP: SSL certificate problem" other-ca.out ||
  fail "another CA: $(cat other-ca.out)"
sed 's|^  password: mail-pass|  password: wrong-pass|' config.yaml > wrong-login.yaml
code=0
"$lockerctl" -q -c wrong-login.yaml alerts test --owner alice --channel email > wrong-login.out || code=$?
[ "$code" = 1 ] || fail "alerts test with a wrong login: exit $code"
grep -q "NOT delivered: mail server 127.0.0.1:$SMTP: Login denied" wrong-login.out || fail "wrong login: $(cat wrong-login.out)"
grep -q 'wrong-pass' wrong-login.out && fail "the password was printed"
sed 's|^  ca_file: .*|  ca_file: /no/such/ca.pem|' config.yaml > no-ca.yaml
refuses 2 "email.ca_file: /no/such/ca.pem: cannot read" "$lockerctl" -c no-ca.yaml alerts test --owner alice
[ "$(ls services/mail-*.json | wc -l)" = "$mails" ] || fail "a refused e-mail arrived: $(ls services/mail-*.json)"

# Google Drive: the photo in the folder, shared with the owner's address only, linked in the SMS.
sed 's|^  store: s3|  store: gdrive|' config.yaml > drive.yaml
printf 'gdrive:\n  service_account_file: services/drive-key.json\n  folder_id: folder-0123\n  api_base: http://127.0.0.1:%s\n' "$DRIVE" >> drive.yaml
"$lockerctl" -q -c drive.yaml alerts test --owner alice --channel sms --photo "$photo" > drive.out || fail "Drive: $(cat drive.out)"

# An alert given up sounds the board's local alarm: the webhook cannot be reached, one try only.
sed 's|^  url: http://127.0.0.1:[0-9]*/hooks/lockerctl|  url: http://127.0.0.1:1/hooks/lockerctl|; s|^  channels: sms, webhook, email|  channels: webhook\n  max_attempts: 1|' \
  config.yaml > dead.yaml
"$lockerctl" -c dead.yaml run --script wrong.script > dead.out 2> dead.err || fail "run: $(cat dead.err)"
grep -q "job [0-9]* (webhook alert to alice) dead after 1 tries" dead.err || fail "no dead letter: $(cat dead.err)"
grep -q "board: buzzer beeps 3 time(s)" dead.err && grep -q "board: LED flashes red for 10.0 s" dead.err ||
  fail "no local alarm: $(cat dead.err)"
kill -TERM $stand_ins_pid
wait $stand_ins_pid || fail "the stand-ins exited $?"
[ "$(json $r '" ".join(f["parent"] + " " + f["sha256"] + " " + ",".join(f["readers"]) for f in d["drive"].values())')" = \
  "folder-0123 $photo_sha alice@example.com" ] || fail "Drive holds: $(json $r 'd["drive"]')"
grep -q 'Photo: https://drive.google.com/file/d/file-1/view' <<< "$(json $r 'd["sms"][-1]["body"]')" || fail "Drive link: $(json $r 'd["sms"][-1]')"
echo "ok: alerts_services"
