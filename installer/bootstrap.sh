#!/usr/bin/env bash
# Set up the Branch Lobby Console from a source checkout on Debian 12 (or a similar Linux), then start it or test it.
#
#   bash installer/bootstrap.sh start [console options...]   install, then start the console (demo branch when
#                                                            nothing is configured)
#   bash installer/bootstrap.sh test [pytest options...]     install with the test extras, then run the whole suite
#
# What it installs:
#   - Debian packages the Qt runtime and the test suite need (only those missing; via sudo when not root):
#     Qt's xcb/EGL/font libraries, a CJK font so Chinese text renders, python3-venv; for 'test' also binutils
#     (PyInstaller, which the bundle test runs, reads binaries with objdump), postgresql (started on loopback
#     with a test role: the storage tests run on SQLite and on PostgreSQL) and GStreamer's RTSP server with its
#     Python bindings and H.264 encoder (the RTSP camera tests stream footage from it on loopback).
#   - A virtual environment in .venv/ with the project and its Python dependencies from PyPI
#     (re-installed only when pyproject.toml changes).
# Environment: PYTHON=python3.11 picks the interpreter; BRANCH_CONSOLE_SKIP_APT=1 skips the Debian packages
# (for machines where IT installs them).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mode="${1:-start}"
shift || true

say() { printf '[bootstrap] %s\n' "$*" >&2; }

# Runtime libraries of PySide6 (xcb platform and offscreen), fonts for Latin and CJK text, venv support.
apt_packages=(
  python3-venv
  libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
  libxcb-render-util0 libxcb-image0 libxcb-xkb1
  fonts-dejavu-core fonts-wqy-microhei
)
# Only for 'test': PyInstaller (the bundle test builds the standalone console) reads binaries with objdump; a real
# PostgreSQL server for the storage tests on PostgreSQL (Debian's, listening on loopback only); GStreamer's RTSP
# server with the system Python's bindings, JPEG decoding and the x264 encoder for the RTSP camera tests
# (tests/camera/rtsp_server.py serves H.264 made from the footage on loopback only).
test_apt_packages=(binutils postgresql
  python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-rtsp-server-1.0
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly)

install_apt_packages() {
  [ "${BRANCH_CONSOLE_SKIP_APT:-0}" = "1" ] && return 0
  command -v dpkg-query >/dev/null 2>&1 || { say "not a Debian system: install Qt's runtime libraries and a CJK font yourself"; return 0; }
  local missing=()
  for p in "${apt_packages[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" != "0" ]; then
    command -v sudo >/dev/null 2>&1 || { say "need root or sudo to install: ${missing[*]}"; exit 1; }
    sudo=(sudo)
  fi
  say "installing Debian packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pick_python() {
  local candidates=("${PYTHON:-}" python3.11 python3.12 python3.13 python3)
  for c in "${candidates[@]}"; do
    [ -n "$c" ] || continue
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$c"; return 0
    fi
  done
  say "Python 3.11 or newer is required (set PYTHON=/path/to/python3.11)"
  exit 1
}

install_python_packages() {
  local extras="$1" py stamp want
  py="$(pick_python)"
  if [ ! -x .venv/bin/python ]; then
    say "creating the virtual environment in .venv with $py"
    "$py" -m venv .venv
  fi
  stamp=.venv/.install-stamp
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)-$extras"
  have="$(cat "$stamp" 2>/dev/null || true)"
  # an install with the test extras also serves 'start'
  if [ "$have" != "$want" ] && [ "$have" != "${want%-}-[test]" ]; then
    say "installing Python packages (first run takes a few minutes)"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".$extras" 2>&1 | grep -v -e '^WARNING: Location' >&2 || true
    .venv/bin/python -c 'import PySide6, sqlalchemy, cv2, pyqtgraph, onnxruntime' \
      || { say "the Python packages did not install (see the messages above)"; exit 1; }
    echo "$want" > "$stamp"
  fi
}

# The test PostgreSQL: Debian's cluster started (it does not start by itself where there is no init system, as in
# CI containers) and the role console_test that creates one database per test (tests/pg.py). Loopback only: the
# Debian default listen_addresses is 'localhost'. BRANCH_CONSOLE_TEST_PG pointing elsewhere skips all of this.
start_test_postgresql() {
  [ -n "${BRANCH_CONSOLE_TEST_PG:-}" ] && return 0
  command -v pg_lsclusters >/dev/null 2>&1 || { say "PostgreSQL is not installed: its tests will be skipped"; return 0; }
  local as_postgres=() sudo=()
  if [ "$(id -u)" = "0" ]; then
    as_postgres=(runuser -u postgres --)
  else
    sudo=(sudo); as_postgres=(sudo -u postgres)
  fi
  if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
    local version
    version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
    "${sudo[@]}" pg_createcluster "$version" main >/dev/null
  fi
  local version cluster status
  read -r version cluster _ status _ < <(pg_lsclusters -h | head -1)
  if [ "$status" != "online" ]; then
    say "starting PostgreSQL $version ($cluster) on loopback for the tests"
    "${sudo[@]}" pg_ctlcluster "$version" "$cluster" start
  fi
  "${as_postgres[@]}" psql -q -v ON_ERROR_STOP=1 -c "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'console_test') THEN
      CREATE ROLE console_test LOGIN PASSWORD 'console_test' CREATEDB;
    END IF; END \$\$;" >/dev/null
}

case "$mode" in
  start)
    install_apt_packages
    install_python_packages ""
    exec .venv/bin/python main.py "$@"
    ;;
  test)
    install_apt_packages "${test_apt_packages[@]}"
    install_python_packages "[test]"
    start_test_postgresql
    export QT_QPA_PLATFORM=offscreen
    .venv/bin/lint-imports --config pyproject.toml
    # two workers, each taking whole test files (their module fixtures stay shared): the suite waits on
    # subprocesses, servers and timeouts as much as it computes, so two workers finish in about 60% of the time on a
    # two-core machine; '-n 0' in the options runs it in one process
    exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"
    ;;
  *)
    say "unknown mode '$mode': use 'start' or 'test'"
    exit 2
    ;;
esac
