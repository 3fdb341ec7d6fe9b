#!/usr/bin/env bash
# `lockerctl alerts` as an operator uses it: a test alert through the simulated phone, the outbox
# listed, a dead job retried, sent jobs purged; and the configuration errors a real channel or
# store gives at start (exit 2, one line naming the key).
#   alerts.sh LOCKERCTL WORKDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$lockerctl" -q owner add alice --phone +15550001 --email alice@example.com > /dev/null
"$lockerctl" owner list | grep -q "alice@example.com" || fail "owner list does not show the e-mail address"
refuses 3 "e-mail address 'not-an-address': not an address" "$lockerctl" owner set-email alice not-an-address

# A test alert with a photo: the upload (local store) and the SMS (simulated phone), one line each.
printf '\xff\xd8\xff\xe0 test photo' > photo.jpg
"$lockerctl" -q alerts test --owner alice --photo photo.jpg > test.out || fail "alerts test: $(cat test.out)"
grep -q "^evidence (local): delivered .*\"sha256\":\"$(sha256sum photo.jpg | cut -c1-64)\"" test.out || fail "upload line: $(cat test.out)"
grep -q "^sms (simulated phone (var/phone)): delivered" test.out || fail "sms line: $(cat test.out)"
grep -qF "test alert for alice. No action is needed."$'\t'"file://$PWD/photo.jpg" var/phone/+15550001.txt ||
  fail "the simulated phone got: $(cat var/phone/+15550001.txt)"
[ "$("$lockerctl" alerts list --state sent | wc -l)" = 2 ] || fail "alerts list --state sent: $("$lockerctl" alerts list)"
"$lockerctl" alerts list --json | grep -q '"state": "sent"' || fail "alerts list --json"

# A channel that cannot deliver: the test says why, the job is dead, retry makes it due again.
cat > webhook.yaml <<YAML
alerts:
  channels: sms, webhook
webhook:
  url: http://127.0.0.1:1/hook
  secret: file:$PWD/hook.secret
YAML
printf 'hook-secret\n' > hook.secret
chmod 640 hook.secret
refuses 2 "webhook.secret: $PWD/hook.secret: holds a secret but its group or others may read it (chmod 600" \
  "$lockerctl" -c webhook.yaml alerts test --owner alice
chmod 600 hook.secret
code=0
"$lockerctl" -q -c webhook.yaml alerts test --owner alice --channel webhook > hook.out || code=$?
[ "$code" = 1 ] || fail "alerts test to an unreachable webhook: exit $code"
grep -q "^webhook (webhook (http://127.0.0.1:1/hook)): NOT delivered: webhook at http://127.0.0.1:1: Couldn't connect" hook.out ||
  fail "webhook line: $(cat hook.out)"
grep -q "hook-secret" hook.out && fail "the secret was printed"
"$lockerctl" -c webhook.yaml config show > show.out
grep -qF 'secret: "********"' show.out || fail "config show does not mask the secret"
dead=$("$lockerctl" alerts list --state dead | awk '{print $1}')
[ -n "$dead" ] || fail "no dead job: $("$lockerctl" alerts list)"
"$lockerctl" alerts retry "$dead" | grep -q "will be sent again" || fail "alerts retry"
"$lockerctl" alerts list --state pending | grep -q "webhook" || fail "the retried job is not pending"
# A test sends its own jobs only: the due webhook job keeps its place, untried (its retry policy is run's).
"$lockerctl" -q -c webhook.yaml alerts test --owner alice --channel sms > /dev/null || fail "alerts test --channel sms"
"$lockerctl" alerts list --state pending | grep -qE "webhook +pending +tries 0 " ||
  fail "alerts test touched a job it did not raise: $("$lockerctl" alerts list)"
refuses 3 "alert job 999: no such job" "$lockerctl" alerts retry 999
"$lockerctl" audit list | grep -qE "alert +retry +job [0-9]+ made due again" || fail "the retry is not in the audit log"

# Settings a channel or store needs: exit 2 at start, naming the key.
printf 'sms:\n  provider: twilio\n' > twilio.yaml
refuses 2 "sms.account_sid: needed with sms.provider: twilio" "$lockerctl" -c twilio.yaml alerts test --owner alice
printf 'evidence:\n  store: gdrive\ngdrive:\n  service_account_file: missing.json\n  folder_id: f\n' > drive.yaml
refuses 2 "gdrive.service_account_file: missing.json: cannot read" "$lockerctl" -c drive.yaml alerts test --owner alice
refuses 64 "older-than 'soon': not an age" "$lockerctl" alerts purge --sent --older-than soon
"$lockerctl" alerts purge --sent --older-than 0s | grep -q "3 sent job(s) removed" || fail "purge"
echo "ok: alerts"
