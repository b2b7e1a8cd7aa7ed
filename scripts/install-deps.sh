#!/usr/bin/env bash
# Installs every Debian package the project needs. Idempotent: prints nothing and
# touches nothing when all packages are already installed. Run as root (or with sudo).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ca-certificates clang-format
  clang-14 libclang-rt-14-dev
  # libraries
  libssl-dev openssl nlohmann-json3-dev libcpp-httplib-dev catch2 libcli11-dev
  libpcsclite-dev libsqlite3-dev sqlite3 libsodium-dev liboath-dev libqrencode-dev
  libcurl4-openssl-dev zlib1g-dev libp11-kit-dev
  # smart-card stack used by the tests and the demo
  pcscd pcsc-tools vsmartcard-vpcd opensc yubico-piv-tool softhsm2
  # test and benchmark tools
  python3 python3-aiosmtpd curl wrk procps psmisc
  # extension browser tests (headless Chromium driven by npm's playwright-core; CJK font for screenshots)
  chromium fonts-wqy-microhei
)
# Node.js for the extension tests: Debian's, only when no node is installed at all.
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# An empty or old package list makes installs fail: refresh it once per day at most.
lists=/var/lib/apt/lists
if [ -z "$(find "$lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -n 1)" ]; then
  "${sudo_cmd[@]}" apt-get update -qq
fi
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
