# Sourced by the CLI shell tests after `set -euo pipefail`: the lockerctl binary from $1, a fresh
# work folder from $2 (emptied and entered), fail MESSAGE, and refuses CODE PATTERN COMMAND...
lockerctl=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
# refuses CODE PATTERN COMMAND...: COMMAND fails with exit CODE and one stderr line matching PATTERN.
refuses() {
  local want=$1 pattern=$2 code=0
  shift 2
  "$@" > refused.out 2> refused.err || code=$?
  [ "$code" = "$want" ] || fail "$*: expected exit $want, got $code: $(cat refused.err)"
  [ "$(wc -l < refused.err)" = 1 ] || fail "$*: more than one error line: $(cat refused.err)"
  grep -q "$pattern" refused.err || fail "$*: expected '$pattern': $(cat refused.err)"
}
# small_model CONFIG OUT: a small CNN trained on synthetic scenes into OUT, for tests that need a
# model file in the flow and set its threshold so that it passes (scenes/ and run/ are its work).
small_model() {
  "$lockerctl" -c "$1" -q dataset synth --task owner --per-class 8 --size 32 --out scenes > /dev/null
  "$lockerctl" -c "$1" -q dataset prepare -d scenes --task owner > /dev/null
  "$lockerctl" -c "$1" -q train owner -d scenes --run-dir run --out "$2" > /dev/null
}
# sim_flow_config LOCKOUT_S: the configuration of a run against the simulated camera and board,
# with small_model's models/owner.h5 as both models and thresholds that let both layers pass
# (tests of the flow around the models), and a lockout of LOCKOUT_S seconds.
sim_flow_config() {
  cat <<YAML
paths:
  data_dir: data
  models_dir: models
  var_dir: var
owner:
  image_size: 32
  method: cnn
train:
  epochs: 1
camera:
  source: sim
  frames: 2
face:
  detector: whole_frame
liveness:
  enabled: false
board:
  poll_ms: 20
access:
  owner: alice
  human_model: models/owner.h5
  owner_model: models/owner.h5
  human_threshold: 0.000001
  owner_threshold: 0.000001
  unlock_s: 0.5
  door_open_max_s: 5
  lockout_s: $1
  input_timeout_s: 10
YAML
}
# needs PATH...: skips the test (exit 77) naming the first PATH that is absent: data from
# ../shared/data, or a model that scripts/fetch-face-models.sh fetches.
needs() {
  for need in "$@"; do
    [ -e "$need" ] || { echo "SKIP: $need is absent (../shared/data; scripts/fetch-face-models.sh)"; exit 77; }
  done
}
# wrong_passwords_script: a run script in which the owner types three wrong passwords (a denial).
wrong_passwords_script() {
  printf 'show scenes/owner\npress\nwait password\ntype 1111\ntype 2222\ntype 3333\nwait idle\n'
}
# start_console CONFIG: `lockerctl web` in the background (killed on exit), its pid in $pid and
# its address in $url; output in web.out and web.err.
start_console() {
  "$lockerctl" -c "$1" web > web.out 2> web.err &
  pid=$!
  trap 'kill $pid 2> /dev/null || true' EXIT
  for _ in $(seq 1 100); do grep -q '^console at ' web.out 2> /dev/null && break; sleep 0.1; done
  url=$(sed -n 's|^console at \(https://127.0.0.1:[0-9]*/\)$|\1|p' web.out)
  [ -n "$url" ] || fail "no address printed: $(cat web.out web.err)"
}

# start_run_console ARGS...: `lockerctl -c config.yaml run ARGS` with the console (web.enabled) in
# the background (killed on exit), its pid in $pid and the console's address in $url; output in
# run.out and run.err.
start_run_console() {
  "$lockerctl" -c config.yaml run "$@" > run.out 2> run.err &
  pid=$!
  trap 'kill $pid 2> /dev/null || true' EXIT
  for _ in $(seq 1 300); do grep -q '^console at ' run.out 2> /dev/null && break; sleep 0.1; done
  url=$(sed -n 's|^console at \(https://127.0.0.1:[0-9]*/\) (kiosk at .*/kiosk)$|\1|p' run.out)
  [ -n "$url" ] || fail "run printed no console address: $(cat run.out run.err)"
}

# needs_browser: fails unless Debian's Chromium, its chromedriver and Selenium are there.
needs_browser() {
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && /usr/bin/python3 -c 'import selenium' 2> /dev/null ||
    fail "chromium, chromium-driver or python3-selenium is missing: run scripts/install-deps.sh"
}
# needs_broker: fails unless Debian's mosquitto and mosquitto_pub are there; then picks a free
# loopback port ($port, $broker_url) and writes mosquitto.conf for start_broker.
needs_broker() {
  [ -x /usr/sbin/mosquitto ] || fail "mosquitto is missing: run scripts/install-deps.sh"
  command -v mosquitto_pub > /dev/null || fail "mosquitto_pub is missing (mosquitto-clients): run scripts/install-deps.sh"
  port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  broker_url=mqtt://127.0.0.1:$port
  broker=
  printf 'user %s\nlistener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$(id -un)" "$port" > mosquitto.conf
}
# start_broker: mosquitto on $port in the background, its pid in $broker, once it takes connections.
start_broker() {
  /usr/sbin/mosquitto -c mosquitto.conf >> broker.log 2>&1 &
  broker=$!
  for _ in $(seq 100); do (: < /dev/tcp/127.0.0.1/$port) 2> /dev/null && return; sleep 0.05; done
  fail "mosquitto did not start: $(cat broker.log)"
}
# make_site NAME NUMBER: a station in folder NAME publishing as site NAME, locker NUMBER, to
# $broker_url, with its own small model and owner alice (password 2468).
make_site() {
  mkdir -p "$1"
  {
    sim_flow_config 0
    printf 'mqtt:\n  enabled: true\n  broker: %s\n  site: %s\n  locker: "%s"\n  heartbeat_s: 0.5\n  retry_s: 0.1\n  max_retry_s: 0.5\n' \
      "$broker_url" "$1" "$2"
  } > "$1/config.yaml"
  (cd "$1" && small_model config.yaml models/owner.h5 &&
    "$lockerctl" -q -c config.yaml owner add alice --phone +15550001 > /dev/null &&
    echo 2468 | "$lockerctl" -q -c config.yaml owner set-password alice > /dev/null)
}
# site DIR ARGS...: lockerctl with the station's configuration, in its folder.
site() { local dir=$1; shift; (cd "$dir" && "$lockerctl" -c config.yaml "$@"); }
