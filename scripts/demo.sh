#!/usr/bin/env bash
# README command 1: install everything, build, and run the main job.
# Part 1 makes a test GPKI hierarchy, issues a MOICA-like card pair, signs a document as CMS,
# and verifies it with pkcs-tool and, independently, with `openssl cms`.
# Part 2 (when the host and the server are built) logs in to the portal with a virtual card.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
BUILD_DIR=$build_dir bash "$root/scripts/build.sh"
tool="$build_dir/bin/pkcs-tool"

work=$(mktemp -d -t pkibridge-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Test GPKI hierarchy: root 'Test GRCA' and the four issuing CAs"
"$tool" ca init "$work/ca" --key ec-p256
step "A natural-person (MOICA) card pair for 王小明, ID A123456789"
"$tool" ca issue "$work/ca" --type person --name 王小明 --id A123456789 --key rsa-2048 --out "$work/card"
"$tool" inspect "$work/card/sign.pem" | python3 -c '
import json, sys
c = json.load(sys.stdin)
print("subject :", c["subject"]); print("issuer  :", c["issuer"])
print("CA kind :", c["caKind"], "| key usage:", ", ".join(c["keyUsage"]))
print("GPKI    :", json.dumps(c.get("gpki", {}), ensure_ascii=False))'

step "Sign a document (CMS attached, SHA-256, CAdES-BES attributes, random nonce)"
printf '申請書：王小明 同意以自然人憑證簽署本文件。\n' > "$work/document.txt"
"$tool" sign --cert "$work/card/sign.pem" --key "$work/card/sign.key" --chain "$work/card/chain.pem" \
  --nonce "$(openssl rand -hex 16)" --in "$work/document.txt" --out "$work/document.p7s"
echo "signature: $(wc -c <"$work/document.p7s") bytes of DER CMS"

step "Current CRLs for the whole hierarchy"
"$tool" ca crl "$work/ca" --out "$work/crl.pem"

step "Verify with pkcs-tool (path to the root, CRL for every certificate in the path)"
"$tool" verify --trust "$work/ca/root.pem" --untrusted "$work/ca/intermediates.pem" \
  --crl "$work/crl.pem" "$work/document.p7s"

step "Verify independently with openssl cms"
openssl cms -verify -binary -inform DER -in "$work/document.p7s" -CAfile "$work/ca/root.pem" \
  -certfile "$work/ca/intermediates.pem" -purpose any -out /dev/null

step "Revoke the signing certificate and verify again (must be rejected)"
"$tool" ca revoke "$work/ca" "$work/card/sign.pem" --reason keyCompromise
"$tool" ca crl "$work/ca" --out "$work/crl.pem"
if "$tool" verify --trust "$work/ca/root.pem" --untrusted "$work/ca/intermediates.pem" \
  --crl "$work/crl.pem" "$work/document.p7s"; then
  echo "unexpected: a revoked signer was accepted" >&2
  exit 1
fi

if [ -x "$build_dir/bin/pkibridge-host" ] && [ -x "$build_dir/bin/pkibridge-server" ] &&
  [ -f "$root/scripts/demo_login.py" ]; then
  step "Portal login with a virtual card: server + native host + pcscd + virtual PIV card"
  python3 "$root/scripts/demo_login.py" --build "$build_dir"
fi
printf '\n\033[1mDemo finished.\033[0m\n'
