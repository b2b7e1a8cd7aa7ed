#!/usr/bin/env bash
# Removes the pkibridge native messaging host manifests: the same options as install.sh
# (--user|--system, --browsers, --root, --os). See install.sh --help.
exec "$(cd "$(dirname "$0")" && pwd)/install.sh" --uninstall "$@"
