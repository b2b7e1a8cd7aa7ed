#!/usr/bin/env bash
# Runs manifests/install.sh and uninstall.sh (the copies configured by CMake) into a temporary
# HOME and a temporary system root, for Linux and macOS layouts, and checks every file.
# Usage: test_installers.sh MANIFEST_BUILD_DIR
set -euo pipefail
mdir=$(cd "${1:?usage: test_installers.sh MANIFEST_BUILD_DIR}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$mdir/ids.env"
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
expect_file() { [ -f "$1" ] && ok || bad "missing $1"; }
expect_gone() { [ ! -e "$1" ] && ok || bad "still there: $1"; }

host="$work/bin/pkibridge-host"
mkdir -p "$work/bin"
printf '#!/bin/sh\nexit 0\n' >"$host"
chmod +x "$host"

# check_manifest FILE BROWSER HOSTPATH: valid JSON with our name, host path and extension.
check_manifest() {
  python3 - "$@" <<'PY' && ok || bad "bad manifest $1"
import json, os, sys
path, browser, host = sys.argv[1:4]
m = json.load(open(path))
assert m["name"] == os.environ["NAME"], m
assert m["path"] == host, m["path"]
assert m["type"] == "stdio"
if browser == "firefox":
    assert m["allowed_extensions"] == [os.environ["FFID"]], m
    assert "allowed_origins" not in m
else:
    assert m["allowed_origins"] == ["chrome-extension://%s/" % os.environ["CRID"]], m
PY
}
export NAME=$PKIBRIDGE_HOST_NAME FFID=$PKIBRIDGE_FIREFOX_EXTENSION_ID CRID=$PKIBRIDGE_CHROME_EXTENSION_ID
f=$PKIBRIDGE_HOST_NAME.json

# --- Linux, per user
home="$work/home"
mkdir -p "$home"
HOME=$home "$mdir/install.sh" --user --os linux --host "$host" --quiet
declare -A user_linux=(
  [chrome]="$home/.config/google-chrome/NativeMessagingHosts"
  [chromium]="$home/.config/chromium/NativeMessagingHosts"
  [edge]="$home/.config/microsoft-edge/NativeMessagingHosts"
  [firefox]="$home/.mozilla/native-messaging-hosts"
)
for b in "${!user_linux[@]}"; do
  expect_file "${user_linux[$b]}/$f"
  check_manifest "${user_linux[$b]}/$f" "$b" "$host"
done
# a file of someone else's with our name is left alone (and reported)
echo '{"name": "other.host"}' >"$home/stranger.json"
cp "$home/stranger.json" "${user_linux[edge]}/$f"
if HOME=$home "$mdir/uninstall.sh" --user --os linux --quiet 2>/dev/null; then bad "uninstall must report a foreign file"; else ok; fi
expect_file "${user_linux[edge]}/$f"
for b in chrome chromium firefox; do expect_gone "${user_linux[$b]}/$f"; done
expect_gone "$home/.mozilla/native-messaging-hosts" # emptied folder removed
rm -f "${user_linux[edge]}/$f"

# --- Linux, system-wide into a root
root="$work/root"
"$mdir/install.sh" --system --os linux --root "$root" --host "$host" --quiet
declare -A sys_linux=(
  [chrome]="$root/etc/opt/chrome/native-messaging-hosts"
  [chromium]="$root/etc/chromium/native-messaging-hosts"
  [edge]="$root/etc/opt/edge/native-messaging-hosts"
  [firefox]="$root/usr/lib/mozilla/native-messaging-hosts"
)
for b in "${!sys_linux[@]}"; do
  expect_file "${sys_linux[$b]}/$f"
  check_manifest "${sys_linux[$b]}/$f" "$b" "$host"
  [ "$(stat -c %a "${sys_linux[$b]}/$f")" = 644 ] && ok || bad "mode of ${sys_linux[$b]}/$f"
done
"$mdir/uninstall.sh" --system --os linux --root "$root" --quiet
for b in "${!sys_linux[@]}"; do expect_gone "${sys_linux[$b]}/$f"; done

# --- macOS layouts
mhome="$work/mhome"
mkdir -p "$mhome"
HOME=$mhome "$mdir/install.sh" --user --os macos --host "$host" --quiet
for d in "Google/Chrome" "Chromium" "Microsoft Edge" "Mozilla"; do
  expect_file "$mhome/Library/Application Support/$d/NativeMessagingHosts/$f"
done
check_manifest "$mhome/Library/Application Support/Mozilla/NativeMessagingHosts/$f" firefox "$host"
mroot="$work/mroot"
"$mdir/install.sh" --system --os macos --root "$mroot" --host "$host" --quiet
for d in "Google/Chrome" "Application Support/Chromium" "Microsoft/Edge" "Application Support/Mozilla"; do
  expect_file "$mroot/Library/$d/NativeMessagingHosts/$f"
done
HOME=$mhome "$mdir/uninstall.sh" --user --os macos --quiet
expect_gone "$mhome/Library/Application Support/Google/Chrome/NativeMessagingHosts/$f"

# --- one browser only; the configured default host path; a path that needs JSON escaping
home2="$work/home2"
mkdir -p "$home2"
HOME=$home2 "$mdir/install.sh" --user --os linux --browsers firefox --quiet
expect_file "$home2/.mozilla/native-messaging-hosts/$f"
expect_gone "$home2/.config"
configured=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["path"])' "$mdir/linux/chrome/$f")
check_manifest "$home2/.mozilla/native-messaging-hosts/$f" firefox "$configured"
odd="$work/odd \"dir\"/pkibridge-host"
mkdir -p "$(dirname "$odd")" && cp "$host" "$odd"
HOME=$home2 "$mdir/install.sh" --user --os linux --browsers chrome --host "$odd" --quiet
check_manifest "$home2/.config/google-chrome/NativeMessagingHosts/$f" chrome "$odd"

# --- refused input
for args in "--host relative/pkibridge-host" "--browsers opera" "--user --root /tmp" "--bogus"; do
  # shellcheck disable=SC2086
  if HOME=$home2 "$mdir/install.sh" --os linux $args --quiet 2>/dev/null; then bad "accepted: $args"; else ok; fi
done

# --- the generated Windows registry files and manifests
for scope in user machine; do
  hive=$([ $scope = user ] && echo HKEY_CURRENT_USER || echo HKEY_LOCAL_MACHINE)
  reg="$mdir/windows/install-$scope.reg"
  expect_file "$reg"
  head -c 40 "$reg" | grep -q '^Windows Registry Editor Version 5.00' && ok || bad "$reg header"
  for key in 'Google\\Chrome' 'Chromium' 'Microsoft\\Edge' 'Mozilla'; do
    grep -qF "[$hive\\Software\\${key//\\\\/\\}\\NativeMessagingHosts\\$PKIBRIDGE_HOST_NAME]" "$reg" && ok || bad "$reg lacks $key"
    grep -qF "[-$hive\\Software\\${key//\\\\/\\}\\NativeMessagingHosts\\$PKIBRIDGE_HOST_NAME]" "$mdir/windows/uninstall-$scope.reg" && ok || bad "uninstall-$scope.reg lacks $key"
  done
  grep -qF "$PKIBRIDGE_HOST_NAME.firefox.json\"" "$reg" && ok || bad "$reg does not name the Firefox manifest"
done
check_manifest "$mdir/windows/$PKIBRIDGE_HOST_NAME.chrome.json" chrome "pkibridge-host.exe"
check_manifest "$mdir/windows/$PKIBRIDGE_HOST_NAME.firefox.json" firefox "pkibridge-host.exe"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
