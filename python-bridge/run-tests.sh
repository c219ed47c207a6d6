#!/usr/bin/env bash
# Builds and tests the Python bridge: a venv in python-bridge/.venv (reused while pyproject.toml/setup.py are
# unchanged), `pip install ./python-bridge[test]` (stubs generated from ../proto during the build), then pytest
# against real node daemons (the Java jar) and real Ray Serve. Exits non-zero on any failure.
#
#   RAYFILE_JAR   the runnable jar (default: ../rayfile-cli/target/rayfile.jar; Maven sets it)
#   PYTHON        the interpreter to build the venv from (default: python3; needs >= 3.10)
#   extra arguments go to pytest, e.g. ./run-tests.sh -k hostile
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"
export RAYFILE_JAR="${RAYFILE_JAR:-$repo/rayfile-cli/target/rayfile.jar}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
started=$(date +%s)

say() { echo "python-bridge: $*" >&2; }

if [ ! -f "$RAYFILE_JAR" ]; then
  say "no runnable jar at $RAYFILE_JAR: build it first (mvn -B -DskipTests install -pl rayfile-cli -am) or set RAYFILE_JAR"
  exit 1
fi
command -v "$python" >/dev/null || { say "$python not found: install Python >= 3.10 (apt-get install python3 python3-venv)"; exit 1; }
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
  || { say "$("$python" --version 2>&1) is too old: Python >= 3.10 is needed (set PYTHON=python3.11)"; exit 1; }

# The venv is reused while what decides its dependencies is unchanged; pip's own cache (~/.cache/pip) makes a
# rebuild cheap too.
stamp="$( (cat "$here/pyproject.toml" "$here/setup.py"; "$python" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)"

make_venv() {
  rm -rf "$venv"
  if "$python" -m venv "$venv" 2>/dev/null && [ -x "$venv/bin/pip" ]; then return 0; fi
  rm -rf "$venv"
  # Debian/Ubuntu ship venv separately (python3.X-venv). Install it when we may, else fall back to virtualenv.
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    ver="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    say "python venv module missing: installing python$ver-venv"
    (apt-get update -q && apt-get install -y -q "python$ver-venv" || apt-get install -y -q python3-venv) >&2 \
      && "$python" -m venv "$venv" && [ -x "$venv/bin/pip" ] && return 0
    rm -rf "$venv"
  fi
  say "falling back to virtualenv (pip install --user virtualenv)"
  "$python" -m pip install -q --user virtualenv >&2 || "$python" -m pip install -q --user --break-system-packages virtualenv >&2
  "$python" -m virtualenv -q "$venv"
}

if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.rayfile-stamp" 2>/dev/null)" != "$stamp" ]; then
  say "creating $venv"
  make_venv
  "$venv/bin/python" -m pip install -q "$here[test]"
  echo "$stamp" > "$venv/.rayfile-stamp"
else
  # Dependencies are in place; rebuild only the package so its stubs follow proto/ and its sources.
  "$venv/bin/python" -m pip install -q --no-deps --force-reinstall "$here"
fi
rm -rf "$here/build"
installed=$(date +%s)
say "venv ready in $((installed - started))s"

cd "$here"
# pytest-timeout bounds each test (pyproject.toml); `timeout` bounds the whole run so CI never hangs.
set +e
timeout --kill-after=30 1200 "$venv/bin/python" -m pytest -p no:cacheprovider "$@"
status=$?
set -e
say "pytest exit $status after $(( $(date +%s) - installed ))s (total $(( $(date +%s) - started ))s)"
# Exit 5 = no test collected: a broken run, not a green one.
exit "$status"
