#!/usr/bin/env bash
# The desktop app's system libraries for a real window under Xvfb (tests/gui/test_xvfb.py):
# Xvfb itself and the X11 libraries that Qt's xcb platform plugin loads (Debian packages).
# Without root or apt-get it says so and the Xvfb test skips.
set -u
say() { echo "setup-gui: $*"; }
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        return 1
    fi
}
PACKAGES="xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
libxcb-render-util0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-shape0 libxcb-xinerama0 libegl1"
missing=""
for p in $PACKAGES; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
command -v apt-get >/dev/null 2>&1 || { say "no apt-get: the Xvfb test will skip"; exit 0; }
# shellcheck disable=SC2086
if as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing; then
    say "installed$missing"
else
    say "cannot install$missing (needs root or sudo); the Xvfb test will skip"
fi
exit 0
