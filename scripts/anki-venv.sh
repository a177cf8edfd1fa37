#!/usr/bin/env bash
# Makes a Python virtual environment holding exactly the packages of a requirements file, for the
# tests' real Anki clients and the official sync server (PyPI's `anki`). Called by the build
# (anki-client's pom); does nothing when the folder already holds that file's packages.
#   scripts/anki-venv.sh VENV_DIR REQUIREMENTS_FILE
set -euo pipefail

venv=$1
requirements=$2
stamp=$venv/requirements.txt

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && cmp -s "$stamp" "$requirements"; then
    exit 0
fi

python=${DECKHAND_PYTHON:-python3}
if ! command -v "$python" >/dev/null; then
    echo "anki-venv: no $python on PATH; the real-client tests need Python 3.9+ with venv and pip (or set DECKHAND_PYTHON)" >&2
    exit 1
fi

echo "anki-venv: installing $(grep -m1 '^anki==' "$requirements") into $venv" >&2
rm -rf "$venv"
"$python" -m venv "$venv"
# --no-deps: the file pins every dependency itself, so nothing unpinned comes in
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: -r "$requirements"
cp "$requirements" "$stamp"
