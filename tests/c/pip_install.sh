#!/usr/bin/env bash
# Installs the Python package from the source tree into a fresh virtual environment with
# no package index (nothing may be downloaded), then uses it against the built library;
# then the one-step install from the checkout, which builds and bundles the library itself.
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

# One step, as the README says: `pip install bindings/python` straight from the checkout,
# into a fresh virtual environment, then used with no environment variable at all (no
# JOBWIRE_LIBRARY, no LD_LIBRARY_PATH): the backend builds libjobwire_c and bundles it.
listing() { (cd "$pkg" && find . -path ./tests/__pycache__ -prune -o -print | LC_ALL=C sort); }
before=$(listing)
"$py" -m venv --without-pip "$work/venv1"
"$py" -m pip --python "$work/venv1/bin/python" --disable-pip-version-check install --no-index -q "$pkg"
after=$(listing)
if [[ "$before" != "$after" ]]; then
  echo "pip install left files in the source tree:"; diff <(echo "$before") <(echo "$after"); exit 1
fi
env -i PATH=/usr/bin:/bin HOME="$work" "$work/venv1/bin/python" - <<'PY'
import hashlib, hmac, os, sys
import jobwire
from jobwire import _native
assert "JOBWIRE_LIBRARY" not in os.environ and "LD_LIBRARY_PATH" not in os.environ
here = os.path.dirname(jobwire.__file__)
assert here.startswith(sys.prefix), here
loaded = _native.lib()._name
assert os.path.dirname(os.path.realpath(loaded)) == os.path.realpath(here), loaded
secret, ts, body = "whsec_pip_one_step", "1781166600", b'{"id":"evt_1"}'
sig = jobwire.sign(secret, ts, body)
assert sig == hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest(), sig
jobwire.authenticate(secret, body, {"x-ai-stats-timestamp": ts, "x-ai-stats-signature": sig}, now=int(ts))
try:
    jobwire.authenticate(secret, body + b" ", {"x-ai-stats-timestamp": ts, "x-ai-stats-signature": sig}, now=int(ts))
    raise SystemExit("a changed body verified")
except jobwire.VerificationError as e:
    assert e.code == "signature_mismatch", e.code
print("one-step install: jobwire", jobwire.__version__, "with its own", os.path.basename(loaded))
PY
