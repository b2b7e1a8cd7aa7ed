#!/usr/bin/env bash
# Installs the e2e tests' npm packages (playwright-core only; it downloads no browser) into
# DEST/node_modules with `npm ci`, so nothing is written into the source tree. Re-runs only
# when package-lock.json changed. Usage: setup-node.sh DEST
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:?usage: setup-node.sh DEST}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd) # absolute: the stamp is written after a cd
stamp="$dest/node_modules/.pkibridge-lock.sha256"
want=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$dest/node_modules/playwright-core" ]; then
  exit 0
fi
command -v node >/dev/null || { echo "setup-node: node is missing (run scripts/install-deps.sh)" >&2; exit 1; }
cp "$here/package.json" "$here/package-lock.json" "$dest/"
cd "$dest"
# PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: playwright-core never downloads, but be explicit.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
echo "$want" >"$stamp"
