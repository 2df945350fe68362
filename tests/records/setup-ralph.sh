#!/usr/bin/env bash
# Installs Ralph (PyPI `ralph-malph`), the learning record store tests/records delivers xAPI statements to,
# in its own venv outside the repository (idempotent; tests/run calls it), with `requests`, which its LRS
# imports but does not declare. Its dependencies (FastAPI, pydantic, ...) stay out of the project's venv.
#   RALPH_VENV   where (default ~/.cache/caregiving/ralph-venv)
set -euo pipefail
VENV=${RALPH_VENV:-$HOME/.cache/caregiving/ralph-venv}
VERSION=5.1.0
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
if "$VENV/bin/python" -c "import ralph.cli, requests, uvicorn; from ralph.models.xapi.base.statements import BaseXapiStatement" 2>/dev/null \
   && [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("ralph-malph"))')" = "$VERSION" ]; then
  exit 0
fi
echo "==> installing Ralph $VERSION in $VENV"
mkdir -p "$(dirname "$VENV")"
"$PY" -m venv "$VENV"
"$VENV/bin/pip" install --disable-pip-version-check -q "ralph-malph[backend-fs,cli,lrs]==$VERSION" "requests>=2.31" >"$VENV.log" 2>&1 \
  || { tail -n 30 "$VENV.log" >&2; exit 1; }
"$VENV/bin/python" -c "import ralph.cli, requests, uvicorn; from ralph.models.xapi.base.statements import BaseXapiStatement"
