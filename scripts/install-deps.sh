#!/usr/bin/env bash
# Installs the Debian 12 packages lockerctl builds and runs with. Idempotent and silent when
# everything is present; uses sudo when not run as root.
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config
  libtorch-dev          # LibTorch C++ frontend (models, training, evaluation, export)
  libopencv-dev         # image decoding, resizing, camera capture, DNN inference
  libhdf5-dev           # dataset caches and model files (C and C++ APIs)
  libyaml-cpp-dev       # configuration files
  libcli11-dev          # command line
  libkainjow-mustache-dev  # the console's HTML templates (escaping by default)
  nlohmann-json3-dev    # JSON output (--json)
  libfmt-dev            # formatting
  libsodium-dev         # SHA-256 content hashes, Argon2id passwords, audit-chain HMAC
  libsqlite3-dev        # audit log, owners, lockouts, alert outbox
  libssl-dev            # HMAC-SHA-1/256/512 for HOTP/TOTP codes; AWS SigV4, RS256 JWTs
  libcurl4-openssl-dev  # alerts and evidence: Twilio, S3, Google Drive, webhooks, SMTP
  libcpp-httplib-dev    # tests: local stand-ins of Twilio, S3, Google Drive and a webhook receiver
  libmosquitto-dev      # branch monitoring over MQTT (lockerctl run publishes, lockerctl monitor subscribes)
  mosquitto mosquitto-clients  # tests: a real MQTT broker, and mosquitto_sub / mosquitto_pub
  libqrencode-dev       # terminal QR code for authenticator-app enrolment
  opencv-data           # Haar face cascades (layer 2 finds the face)
  libonnx-dev libprotobuf-dev protobuf-compiler  # ONNX export (ONNX classes and checker)
  libgtest-dev libgmock-dev  # tests
  sqlite3               # tests: tamper with an audit log behind lockerctl's back
  python3-aiosmtpd      # tests: a real SMTP server with STARTTLS and login for e-mail alerts
  openssl               # tests: self-signed certificates for that mail server
  curl                  # tests: the operator console over HTTPS
  chromium chromium-driver python3-selenium  # tests: the console in headless Chromium
  gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-good gstreamer1.0-plugins-bad  # tests: a real RTSP camera (GStreamer's RTSP server, Motion JPEG)
)

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}" >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
