#!/usr/bin/env bash
# Install the Branch Lobby Console bundle this script sits in, for the current user (default) or for everyone.
#
#   ./install.sh            copy to ~/.local/opt/branch-lobby-console; menu entry, icon and the commands
#                           branch-lobby-console / branch-lobby-console-cli in ~/.local/bin
#   sudo ./install.sh --system
#                           copy to /opt/branch-lobby-console; menu entry and icon under /usr/share; commands in
#                           /usr/local/bin
#
# The user's data (database, settings, logs, secrets) lives in ~/.local/share/branch-lobby-console and is never
# touched by installing or upgrading. Run it again to upgrade: the program folder is replaced as a whole.
set -euo pipefail

name=branch-lobby-console
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
system=0
case "${1:-}" in
  --system) system=1 ;;
  "") ;;
  *) echo "usage: $0 [--system]" >&2; exit 2 ;;
esac
[ -x "$here/$name" ] || { echo "error: $here/$name is missing: run this script from the built bundle folder" >&2; exit 1; }

if [ "$system" = 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "error: --system needs root (sudo $0 --system)" >&2; exit 1; }
  prefix=/opt/$name; bin=/usr/local/bin; share=/usr/share
else
  prefix="${HOME}/.local/opt/$name"; bin="${HOME}/.local/bin"; share="${XDG_DATA_HOME:-$HOME/.local/share}"
fi

if [ "$here" != "$prefix" ]; then
  tmp="$prefix.new.$$"
  rm -rf "$tmp"
  mkdir -p "$(dirname "$prefix")"
  cp -a "$here" "$tmp"
  rm -rf "$prefix"
  mv "$tmp" "$prefix"
fi
mkdir -p "$bin" "$share/applications" "$share/icons/hicolor/scalable/apps"
ln -sfn "$prefix/$name" "$bin/$name"
ln -sfn "$prefix/$name" "$bin/$name-cli"  # one executable does both on Linux
install -m 0644 "$prefix/$name.svg" "$share/icons/hicolor/scalable/apps/$name.svg"
sed "s|@EXEC@|$prefix/$name|" "$prefix/$name.desktop" > "$share/applications/$name.desktop"
chmod 0644 "$share/applications/$name.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$share/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q "$share/icons/hicolor" 2>/dev/null || true
echo "installed $("$prefix/$name" --version) in $prefix"
echo "menu entry: $share/applications/$name.desktop; commands: $bin/$name, $bin/$name-cli"
