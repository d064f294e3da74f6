#!/usr/bin/env bash
# Installs the Python package from the source tree into a fresh virtual environment with
# no package index (nothing may be downloaded), then uses it against the built library.
#   pip_install.sh PYTHON PACKAGE_DIR WORK_DIR LIBRARY
set -euo pipefail
py=$1 pkg=$2 work=$3 lib=$(realpath "$4")
rm -rf "$work"
"$py" -m venv --without-pip "$work/venv"
# A copy of the package directory, so that the build leaves nothing in the source tree.
cp -r "$pkg" "$work/src"
rm -rf "$work/src/build" "$work/src"/*.egg-info
pip=("$py" -m pip --python "$work/venv/bin/python" --disable-pip-version-check)
# Both documented commands: the default (isolated build: the backend needs nothing, so
# nothing is fetched) and --no-build-isolation.
"${pip[@]}" install --no-index -q "$work/src"
"${pip[@]}" install --no-index --no-build-isolation --force-reinstall -q "$work/src"
cd "$work"  # not the source directory: the installed package must be the one imported
JOBWIRE_LIBRARY="$lib" "$work/venv/bin/python" - <<'PY'
import jobwire, os, sys
assert os.path.dirname(jobwire.__file__).startswith(sys.prefix), jobwire.__file__
assert jobwire.progress_bucket(47) == 50
print("installed jobwire", jobwire.__version__, "library", jobwire.library_version())
PY
