#!/usr/bin/env bash
# Remove the Branch Lobby Console installed by install.sh (same --system choice). The user's data (database,
# settings, logs, secrets in ~/.local/share/branch-lobby-console) is kept unless --purge-data is given.
#
#   ./uninstall.sh [--system] [--purge-data]
set -euo pipefail

name=branch-lobby-console
system=0
purge=0
for arg in "$@"; do
  case "$arg" in
    --system) system=1 ;;
    --purge-data) purge=1 ;;
    *) echo "usage: $0 [--system] [--purge-data]" >&2; exit 2 ;;
  esac
done
if [ "$system" = 1 ]; then
  prefix=/opt/$name; bin=/usr/local/bin; share=/usr/share
else
  prefix="${HOME}/.local/opt/$name"; bin="${HOME}/.local/bin"; share="${XDG_DATA_HOME:-$HOME/.local/share}"
fi
rm -f "$bin/$name" "$bin/$name-cli" "$share/applications/$name.desktop" \
      "$share/icons/hicolor/scalable/apps/$name.svg"
rm -rf "$prefix"
data="${BRANCH_CONSOLE_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/$name}"
if [ "$purge" = 1 ]; then
  rm -rf "$data"
  echo "removed the program and the data in $data"
else
  echo "removed the program; your data stays in $data (uninstall.sh --purge-data removes it)"
fi
