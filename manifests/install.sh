#!/usr/bin/env bash
# Installs (or with --uninstall removes) the pkibridge native messaging host manifest for
# Chrome, Chromium, Edge and Firefox on Linux and macOS, per user or system-wide.
#
#   install.sh [--user|--system] [--browsers chrome,chromium,edge,firefox] [--host PATH]
#              [--root DIR] [--os linux|macos] [--uninstall] [--quiet]
#
#   --user      per-user folders under $HOME (default when not run as root)
#   --system    system-wide folders (default when run as root)
#   --browsers  comma-separated subset (default: all four)
#   --host      the installed pkibridge-host (default: the path this copy was configured with)
#   --root      prefix for every system-wide folder (packaging and tests); not for --user
#   --os        folder layout to use (default: this machine's)
#   --uninstall remove our manifest files instead (a file is removed only if it names our host)
#
# Folders are listed in docs/installation.md. Windows uses registry entries instead
# (the .reg files generated into the build folder's manifests/windows/).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=ids.env
. "$here/ids.env"

# The configured copy (build folder, installed share/pkibridge/manifests) has the real path.
configured_host='@PKIBRIDGE_HOST_PATH@'
case "$configured_host" in @*) configured_host=/usr/bin/pkibridge-host ;; esac

scope=''
browsers='chrome,chromium,edge,firefox'
host=$configured_host
root=''
os=''
action=install
quiet=0

die() { echo "install.sh: $*" >&2; exit 2; }
say() { [ "$quiet" = 1 ] || echo "$*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --user) scope=user ;;
    --system) scope=system ;;
    --browsers) [ $# -ge 2 ] || die "--browsers needs a list"; browsers=$2; shift ;;
    --host) [ $# -ge 2 ] || die "--host needs a path"; host=$2; shift ;;
    --root) [ $# -ge 2 ] || die "--root needs a folder"; root=${2%/}; shift ;;
    --os) [ $# -ge 2 ] || die "--os needs linux or macos"; os=$2; shift ;;
    --uninstall) action=uninstall ;;
    --quiet|-q) quiet=1 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option: $1 (see --help)" ;;
  esac
  shift
done

if [ -z "$scope" ]; then
  if [ "$(id -u)" -eq 0 ]; then scope=system; else scope=user; fi
fi
if [ -z "$os" ]; then
  case "$(uname -s)" in Darwin) os=macos ;; Linux) os=linux ;; *) die "unsupported system $(uname -s); use --os" ;; esac
fi
[ "$os" = linux ] || [ "$os" = macos ] || die "--os must be linux or macos"
[ "$scope" = user ] && [ -n "$root" ] && die "--root is for --system only"
[ "$scope" = user ] && [ -z "${HOME:-}" ] && die "HOME is not set"

# The folder each browser reads host manifests from.
folder() {
  local browser=$1
  if [ "$os" = linux ] && [ "$scope" = user ]; then
    case "$browser" in
      chrome) echo "$HOME/.config/google-chrome/NativeMessagingHosts" ;;
      chromium) echo "$HOME/.config/chromium/NativeMessagingHosts" ;;
      edge) echo "$HOME/.config/microsoft-edge/NativeMessagingHosts" ;;
      firefox) echo "$HOME/.mozilla/native-messaging-hosts" ;;
    esac
  elif [ "$os" = linux ]; then
    case "$browser" in
      chrome) echo "$root/etc/opt/chrome/native-messaging-hosts" ;;
      chromium) echo "$root/etc/chromium/native-messaging-hosts" ;;
      edge) echo "$root/etc/opt/edge/native-messaging-hosts" ;;
      firefox) echo "$root/usr/lib/mozilla/native-messaging-hosts" ;;
    esac
  elif [ "$scope" = user ]; then
    case "$browser" in
      chrome) echo "$HOME/Library/Application Support/Google/Chrome/NativeMessagingHosts" ;;
      chromium) echo "$HOME/Library/Application Support/Chromium/NativeMessagingHosts" ;;
      edge) echo "$HOME/Library/Application Support/Microsoft Edge/NativeMessagingHosts" ;;
      firefox) echo "$HOME/Library/Application Support/Mozilla/NativeMessagingHosts" ;;
    esac
  else
    case "$browser" in
      chrome) echo "$root/Library/Google/Chrome/NativeMessagingHosts" ;;
      chromium) echo "$root/Library/Application Support/Chromium/NativeMessagingHosts" ;;
      edge) echo "$root/Library/Microsoft/Edge/NativeMessagingHosts" ;;
      firefox) echo "$root/Library/Application Support/Mozilla/NativeMessagingHosts" ;;
    esac
  fi
}

json_string() { # JSON string literal of $1
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

manifest() {
  local browser=$1
  printf '{\n  "name": "%s",\n  "description": "pkibridge smart-card signing host",\n' "$PKIBRIDGE_HOST_NAME"
  printf '  "path": %s,\n  "type": "stdio",\n' "$(json_string "$host")"
  if [ "$browser" = firefox ]; then
    printf '  "allowed_extensions": ["%s"]\n}\n' "$PKIBRIDGE_FIREFOX_EXTENSION_ID"
  else
    printf '  "allowed_origins": ["chrome-extension://%s/"]\n}\n' "$PKIBRIDGE_CHROME_EXTENSION_ID"
  fi
}

if [ "$action" = install ]; then
  case "$host" in /*) ;; *) die "--host must be an absolute path (browsers require it): $host" ;; esac
  [ -x "$host" ] || echo "install.sh: warning: $host is not an executable file (yet)" >&2
fi

status=0
IFS=, read -r -a list <<<"$browsers"
for browser in "${list[@]}"; do
  case "$browser" in chrome|chromium|edge|firefox) ;; *) die "unknown browser: $browser" ;; esac
  dir=$(folder "$browser")
  file="$dir/$PKIBRIDGE_HOST_NAME.json"
  if [ "$action" = install ]; then
    mkdir -p "$dir"
    tmp=$(mktemp "$dir/.$PKIBRIDGE_HOST_NAME.XXXXXX")
    manifest "$browser" >"$tmp"
    chmod 644 "$tmp"
    mv -f "$tmp" "$file"
    say "installed $file"
  elif [ -f "$file" ]; then
    if grep -q "\"name\": *\"$PKIBRIDGE_HOST_NAME\"" "$file"; then
      rm -f "$file"
      rmdir "$dir" 2>/dev/null || true # only if we left it empty
      say "removed $file"
    else
      echo "install.sh: $file does not name $PKIBRIDGE_HOST_NAME; left alone" >&2
      status=1
    fi
  fi
done
exit $status
