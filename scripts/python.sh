#!/usr/bin/env bash
# Prints the path of a Python 3.11 or newer for the Python reference programs
# (examples/python, standard library only). If `python3` is missing or older, it
# installs Debian's python3 when it can (as root, with apt-get), else it says what
# to install and exits 1. Usage: PYTHON=$(scripts/python.sh)
set -euo pipefail
ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }
for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
    [ -n "$candidate" ] && command -v "$candidate" >/dev/null && ok "$candidate" &&
        { "$candidate" -c 'import sys; print(sys.executable)'; exit 0; }
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "python.sh: no Python 3.11+: installing Debian's python3" >&2
    { apt-cache show python3 >/dev/null 2>&1 || apt-get update -qq; } >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >&2
    ok /usr/bin/python3 && { echo /usr/bin/python3; exit 0; }
fi
echo "python.sh: the Python programs need Python 3.11 or newer as python3 (set PYTHON to use another)" >&2
exit 1
