#!/usr/bin/env bash
# The console in headless Chromium (tests/cli/console_browser.py): an operator logs in, watches a
# simulated locker deny an attempt live, verifies and exports the audit log, changes an owner's
# phone; a forged POST is refused; the security headers arrive; a viewer can change nothing.
# Screenshots stay in the work folder.
#   console_browser.sh LOCKERCTL WORKDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
needs_browser

{
  sim_flow_config 0
  printf 'web:\n  listen: 127.0.0.1:0\n'
} > config.yaml
lc() { "$lockerctl" -c config.yaml "$@"; }
small_model config.yaml models/owner.h5
lc -q owner add alice --phone +15550001 > /dev/null
echo 2468 | lc -q owner set-password alice > /dev/null
lc -q locker add 7 --holder alice > /dev/null
echo "ops long password" | lc -q operator add ops --role admin > /dev/null
echo "vic long password" | lc -q operator add vic --role viewer > /dev/null
lc -q web cert --self-signed > /dev/null
wrong_passwords_script > wrong.script

start_console config.yaml
/usr/bin/python3 "$(dirname "$0")/console_browser.py" "$url" ops "ops long password" vic "vic long password" \
  "$lockerctl" -c config.yaml run --script wrong.script
kill -TERM $pid
wait $pid || fail "web stopped by SIGTERM exited $?"
