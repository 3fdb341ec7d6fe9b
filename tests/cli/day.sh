#!/usr/bin/env bash
# A day at a simulated branch under the bank's rules (docs/operations.md): locker 14 is held
# jointly by alice and bob (mode all), locker 15 by alice under dual control with officer carol.
# In the morning both open (bob's second pass opens 14; carol approves 15 after a viewer's
# approval is refused), an approval nobody gives times out, and a joint pass whose partner never
# comes runs out. Every holder is told of every opening. In the evening (a holiday) 14 stays
# closed and 15 opens in the window carol opened. The run's daily purge removes old evidence but
# keeps the incident on hold; the register printed at the end verifies against the audit chain.
#   day.sh LOCKERCTL WORKDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

{
  sim_flow_config 0 | sed 's|^  owner: alice$|  owner: alice\n  locker: "14,15"\n  joint_window_s: 60\n  approval_timeout_s: 8|'
} > config.yaml
lc() { "$lockerctl" -c config.yaml "$@"; }
# Two owner models that tell alice's scenes (owner) from bob's (not_owner): bob's is trained with
# the classes the other way round. Each holder's scene holds the frames their own model scores
# clearly higher than the other's.
small_model config.yaml models/owner.h5
sed 's|^  data_dir: data$|  data_dir: data-bob|; s|^  image_size: 32$|  image_size: 32\n  positive_class: not_owner\n  negative_class: owner|' \
  config.yaml > bob.yaml
"$lockerctl" -c config.yaml -q train owner -d scenes --run-dir run-alice --epochs 60 --out models/owners/alice.h5 > /dev/null
"$lockerctl" -c bob.yaml -q dataset prepare -d scenes --task owner > /dev/null
"$lockerctl" -c bob.yaml -q train owner -d scenes --run-dir run-bob --epochs 60 --out models/owners/bob.h5 > /dev/null
pick() {  # pick FROM TO MODEL OTHER: the images of FROM that MODEL scores 0.1 above OTHER, into TO
  mkdir -p "$2"
  join <("$lockerctl" -q predict "$3" "$1" | awk '{print $1, $2}' | sort) \
       <("$lockerctl" -q predict "$4" "$1" | awk '{print $1, $2}' | sort) |
    awk '$2 > $3 + 0.1 {print $1}' | xargs -r cp -t "$2"
  [ -n "$(ls "$2")" ] || fail "no image of $1 tells the two holders apart"
}
pick scenes/owner scenes/alice models/owners/alice.h5 models/owners/bob.h5
pick scenes/not_owner scenes/bob models/owners/bob.h5 models/owners/alice.h5

lc -q owner add alice --phone +15550001 > /dev/null
lc -q owner add bob --phone +15550002 > /dev/null
echo 2468 | lc -q owner set-password alice > /dev/null
echo 1357 | lc -q owner set-password bob > /dev/null
refuses 3 "^error: locker 16: joint mode 'all' needs two or more holders, it has 1" "$lockerctl" -c config.yaml locker add 16 --holder alice --mode all
lc -q locker add 14 --holder alice --holder bob --mode all > /dev/null
lc -q locker add 15 --holder alice --dual-control > /dev/null
lc locker list | grep -q '^14 .*jointly (all)' || fail "locker list: $(lc locker list)"
lc locker list | grep -q '^15 .*either or survivor (any), dual control' || fail "locker list: $(lc locker list)"

# Dual control with no officer: one line at start.
refuses 2 "access.dual_control: dual control needs a bank officer to approve, and no operator has role officer" \
  "$lockerctl" -c config.yaml run --script /dev/null
echo victor-password | lc -q operator add victor --role viewer > /dev/null
echo carol-password-1 | lc -q operator add carol --role officer > /dev/null
refuses 2 "access.hours: two entries overlap at mon 10:00" \
  sh -c "sed 's|^  locker: \"14,15\"|  locker: \"14,15\"\n  hours: mon-fri 09:00-17:00, mon 10:00-11:00|' config.yaml > overlap.yaml && $lockerctl -c overlap.yaml run --script /dev/null"

# The script lines of one holder's pass of layers 1-3 at LOCKER (the code comes to PHONE).
pass() {  # pass SCENE LOCKER PASSWORD PHONE
  printf 'show scenes/%s\npress\nwait locker\ntype %s\nwait password\ntype %s\nwait otp\notp %s\n' "$1" "$2" "$3" "$4"
}
{
  pass alice 14 2468 +15550001; echo "wait idle"           # alice: 14 waits for bob
  pass bob 14 1357 +15550002                                # bob: every holder passed
  printf 'wait open\ndoor open\nsleep 1100\ndoor close\nwait idle\n'
  pass alice 15 2468 +15550001
  printf 'wait approval\napprove victor victor-password\napprove carol carol-password-1\nwait open\ndoor open\nsleep 300\ndoor close\nwait idle\n'
  pass alice 15 2468 +15550001; printf 'wait approval\nwait idle 30\n'   # nobody approves
} > morning.script
lc run --script morning.script > morning.out 2> morning.err || fail "morning run: $(tail -5 morning.err)"
grep -q '^attempts 4, granted 2, denied 1' morning.out || fail "morning: $(cat morning.out)"
grep -q "approve not taken: operator 'victor' is a viewer, not an officer" morning.err || fail "victor's approval: $(grep -i approv morning.err)"
lc audit list > morning-audit.txt
for row in 'joint *pass *locker 14: alice passed' 'joint *complete *locker 14: every holder passed (alice, bob)' \
           'access *granted *locker 14; by alice, bob;' 'approval *not taken *an approval by .victor. not taken' \
           'approval *approved *officer carol' 'access *granted *locker 15; by alice; officer carol;' \
           'approval *timeout *no officer approved within 8 s'; do
  grep -q "$row" morning-audit.txt || fail "no '$row' in the audit log"
done
for phone in +15550001 +15550002; do
  grep -q 'your locker 14 was opened by alice and bob at' "var/phone/$phone.txt" || fail "$phone: no opening alert for 14"
done
grep -q 'your locker 15 was opened by alice at' var/phone/+15550001.txt || fail "no opening alert for 15"
grep -q 'your locker 15 was opened' var/phone/+15550002.txt && fail "bob holds no share of 15 and heard of it"
grep -q 'your locker 15 was not opened at .*: no officer approved within 8 s' var/phone/+15550001.txt || fail "no timeout alert"

# A joint pass whose partner never comes: denied when the window runs out, both told.
sed 's|^  joint_window_s: 60|  joint_window_s: 2|' config.yaml > short.yaml
{ pass alice 14 2468 +15550001; printf 'wait idle\nsleep 3000\n'; } > alone.script
"$lockerctl" -c short.yaml run --script alone.script > alone.out 2> alone.err || fail "alone run: $(tail -5 alone.err)"
lc audit list | grep -q 'joint *expired *locker 14: only alice passed within 2 s' || fail "no expiry: $(lc audit list | tail -5)"
grep -q 'locker 14 was not opened: it needs every joint holder, and only alice came' var/phone/+15550002.txt || fail "bob not told"

# Evening: a holiday. Old evidence (one incident on hold) waits for the run's daily purge.
for id in A20200101T090000Z-1 I20200102T090000Z-2; do mkdir -p "var/incidents/$id" && echo jpeg > "var/incidents/$id/frame.jpg"; done
lc -q evidence hold I20200102T090000Z-2 --reason "police case 2020/77" --by carol > /dev/null
refuses 3 "^error: I20200102T090000Z-2: already on hold" "$lockerctl" -c config.yaml evidence hold I20200102T090000Z-2 --reason again
sed "s|^  locker: \"14,15\"|  locker: \"14,15\"\n  holidays: $(date +%F)|" config.yaml > evening.yaml
ev() { "$lockerctl" -c evening.yaml "$@"; }
refuses 3 "^error: open-window 15: operator 'victor' is a viewer, not an officer" \
  sh -c "echo victor-password | $lockerctl -c evening.yaml access open-window 15 --officer victor --reason late"
echo carol-password-1 | ev -q access open-window 15 --officer carol --minutes 30 --reason "client flying out tonight" > /dev/null
ev access windows | grep -q '^15 .*officer carol .*client flying out tonight' || fail "windows: $(ev access windows)"
{
  printf 'show scenes/alice\npress\nwait locker\ntype 14\nwait idle\n'   # closed
  pass alice 15 2468 +15550001
  printf 'wait approval\napprove carol carol-password-1\nwait open\nwait idle\n'
} > evening.script
ev run --script evening.script > evening.out 2> evening.err || fail "evening run: $(tail -5 evening.err)"
grep -q '^attempts 2, granted 1, denied 1' evening.out || fail "evening: $(cat evening.out)"
ev audit list > evening-audit.txt
grep -q 'hours *closed *a holiday; no attempt starts' evening-audit.txt || fail "14 was not closed"
grep -q 'hours *window *a holiday, but officer carol opened locker 15 until [0-9:]*: client flying out tonight' evening-audit.txt ||
  fail "no window row"
grep -q 'A20200101T090000Z-1 *evidence *purged' evening-audit.txt || fail "the run purged nothing: $(grep evidence evening-audit.txt)"
grep -q 'evidence *kept *past retention but on hold: I20200102T090000Z-2' evening-audit.txt || fail "no kept row"
[ ! -e var/incidents/A20200101T090000Z-1 ] || fail "old evidence was not purged"
[ -e var/incidents/I20200102T090000Z-2/frame.jpg ] || fail "held evidence was purged"
lc evidence purge --dry-run | grep -q '^kept (on hold) I20200102T090000Z-2' || fail "dry run: $(lc evidence purge --dry-run)"
lc -q evidence release I20200102T090000Z-2 > /dev/null
lc evidence purge | grep -q '^removed I20200102T090000Z-2' || fail "purge after release"
[ ! -e var/incidents/I20200102T090000Z-2 ] || fail "released evidence was not purged"

# The register of the day, and its footer checked against the chain.
lc register --format csv > register.csv
[ "$(grep -c '^14,alice + bob,,' register.csv)" = 1 ] || fail "register: $(cat register.csv)"
[ "$(grep -c '^15,alice,carol,' register.csv)" = 2 ] || fail "register: $(cat register.csv)"
granted=$(lc audit list | grep -c ' access *granted ')
[ "$(grep -c '^1[45],' register.csv)" = "$granted" ] || fail "the register has not one row per opening in the audit log ($granted)"
lc register --holder bob --format json | grep -q '"locker": "14"' || fail "register --holder bob"
[ "$(lc register --locker 15 --format csv | grep -c '^15,')" = 2 ] || fail "register --locker 15"
lc register --format html > register.html
grep -q '<td>alice + bob</td>' register.html || fail "register html"
at=$(sed -n 's|^# audit chain intact: .* (check later: lockerctl audit verify --at \([0-9]*:[0-9a-f]*\))$|\1|p' register.csv)
[ -n "$at" ] || fail "no chain hash in the register's footer: $(tail -1 register.csv)"
lc audit verify --at "$at" | grep -q 'hash matches the printout' || fail "audit verify --at $at"
code=0
lc audit verify --at "${at%%:*}:0000" > mismatch.out || code=$?
[ "$code" = 1 ] && grep -q "hash differs" mismatch.out || fail "a wrong hash was not caught ($code): $(cat mismatch.out)"
lc audit verify > /dev/null || fail "the chain does not verify after the purges"
echo "ok: day"
