#!/usr/bin/env bash
# Builds the Debian package with cpack from a configured, built tree and checks its contents
# with dpkg-deb: the host, the manifests in every browser's system folder (naming /usr/bin),
# the default configuration as a conffile, the installers and the extension.
# Usage: test_package_deb.sh BUILD_DIR HAS_HOST(0|1)
set -euo pipefail
build=$(cd "${1:?usage: test_package_deb.sh BUILD_DIR HAS_HOST}" && pwd)
has_host=${2:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }

(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1) || {
  cat "$work/cpack.log"
  echo "0 passed, 1 failed"
  exit 1
}
deb=$(ls "$work"/out/*.deb)
echo "built $(basename "$deb")"
dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$work/list"

expect() { grep -qxF "$1" "$work/list" && ok || bad "not in the package: $1"; }
name=org.pkibridge.host.json
for f in /etc/pkibridge/host.json \
  /etc/chromium/native-messaging-hosts/$name /etc/opt/chrome/native-messaging-hosts/$name \
  /etc/opt/edge/native-messaging-hosts/$name /usr/lib/mozilla/native-messaging-hosts/$name \
  /usr/share/pkibridge/native-messaging-hosts/chrome/$name /usr/share/pkibridge/native-messaging-hosts/firefox/$name \
  /usr/share/pkibridge/manifests/install.sh /usr/share/pkibridge/manifests/uninstall.sh \
  /usr/share/pkibridge/manifests/ids.env /usr/share/pkibridge/manifests/windows/install-user.reg \
  /usr/share/pkibridge/extension/manifest.json /usr/share/pkibridge/extension/page-api/pkibridge.js; do
  expect "$f"
done
if [ "$has_host" = 1 ]; then expect /usr/bin/pkibridge-host; fi
grep -q '^/usr/bin/pkibridge-server$\|^/usr/bin/pkcs-tool$' "$work/list" && bad "the server/tool are not part of this package" || ok
grep -q '/tools/' "$work/list" && bad "extension/tools is not shipped" || ok

dpkg-deb -x "$deb" "$work/root"
dpkg-deb -e "$deb" "$work/control"
python3 - "$work/root" <<'PY' && ok || bad "manifests or config"
import json, sys
root = sys.argv[1]
for d in ("etc/chromium", "etc/opt/chrome", "etc/opt/edge"):
    m = json.load(open(f"{root}/{d}/native-messaging-hosts/org.pkibridge.host.json"))
    assert m["path"] == "/usr/bin/pkibridge-host", m
    assert m["allowed_origins"][0].startswith("chrome-extension://"), m
m = json.load(open(f"{root}/usr/lib/mozilla/native-messaging-hosts/org.pkibridge.host.json"))
assert m["path"] == "/usr/bin/pkibridge-host" and m["allowed_extensions"], m
cfg = json.load(open(f"{root}/etc/pkibridge/host.json"))
assert cfg["allowedOrigins"] == [], cfg
PY
grep -qx /etc/pkibridge/host.json "$work/control/conffiles" && ok || bad "host.json is not a conffile"
grep -q "configured_host='/usr/bin/pkibridge-host'" "$work/root/usr/share/pkibridge/manifests/install.sh" && ok || bad "install.sh not configured for /usr"
info=$(dpkg-deb -I "$deb")
echo "$info" | grep -q '^ Package: pkibridge$' && ok || bad "package name"
if [ "$has_host" = 1 ]; then
  echo "$info" | grep -q '^ Depends:.*libpcsclite' && ok || bad "Depends lacks libpcsclite (shlibdeps)"
  "$work/root/usr/bin/pkibridge-host" --version >/dev/null && ok || bad "the packaged host does not run"
  PKIBRIDGE_HOST_CONFIG="$work/root/etc/pkibridge/host.json" "$work/root/usr/bin/pkibridge-host" --check-config 2>/dev/null && ok || bad "the default configuration is not accepted by the host"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
