#!/usr/bin/env bash
# Installs the third-party validators tests/issuer runs (idempotent; CI runs it before pytest):
#   - the 1EdTech Open Badges 2.0 validator (PyPI `openbadges` 1.1.2) in its own venv, .venv-obv:
#     it pins 2018 dependencies that clash with ours and fail on Python 3.11, so three are lifted;
#   - the independent Data Integrity verifier (npm, tests/issuer/verifier/package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/../.."
OBV=${OBV_VENV:-.venv-obv}
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
if ! "$OBV/bin/python" -c "import openbadges.verifier" 2>/dev/null; then
  echo "==> installing the Open Badges 2.0 validator in $OBV"
  "$PY" -m venv "$OBV"
  # pip warns that the lifted pins conflict with the validator's 2018 metadata: expected, so kept in a log
  { "$OBV/bin/pip" install --disable-pip-version-check openbadges==1.1.2 &&
    "$OBV/bin/pip" install --disable-pip-version-check "pycryptodome>=3.20" "python-jose>=3.3" "pytz>=2024"; } \
    >"$OBV/pip.log" 2>&1 || { tail -n 30 "$OBV/pip.log" >&2; exit 1; }
  "$OBV/bin/python" -c "import openbadges.verifier"
fi
if [ ! -d tests/issuer/verifier/node_modules/@digitalbazaar/did-method-key ]; then
  echo "==> installing the Data Integrity verifier (npm ci)"
  npm ci --prefix tests/issuer/verifier --no-audit --no-fund --loglevel=error
fi
