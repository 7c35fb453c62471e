#!/usr/bin/env bash
# One entry point for people and CI.
#   scripts/dev.sh          set up (.venv, dependencies, index) and start the app
#   scripts/dev.sh test     set up, then run the evaluation floors and the test suite
#   scripts/dev.sh setup    set up only
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False TOKENIZERS_PARALLELISM=false
PY=.venv/bin/python

setup() {
  if [ ! -x "$PY" ]; then
    echo "==> creating .venv"
    python3 -m venv .venv
  fi
  local stamp=".venv/.installed-$(cat pyproject.toml requirements.lock | sha1sum | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    echo "==> installing dependencies (pinned by requirements.lock)"
    "$PY" -m pip install -q --upgrade pip
    "$PY" -m pip install -q -c requirements.lock -e '.[dev]'
    touch "$stamp"
  fi
  thesaurus
}

thesaurus() {
  # Optional: the Norwegian thesaurus (Debian mythes-no, GPL-2, read at run time) gives synonyms
  # for everyday words the plans never use. Without it everything works, with a few less answers.
  if [ ! -e /usr/share/mythes/th_nb_NO_v2.dat ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "==> installing the Norwegian thesaurus (mythes-no)"
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mythes-no >/dev/null) || echo "note: could not install mythes-no; answers work without it"
    else
      echo "note: optional thesaurus missing; install it with: sudo apt-get install mythes-no"
    fi
  fi
}

browser() {
  # The browser test drives Debian's Chromium; install it where we can (CI runs as root).
  if { ! command -v chromium >/dev/null 2>&1 || [ ! -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; } && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing chromium for the browser test"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null) || echo "warning: could not install chromium; the browser test will be skipped"
  fi
}

case "${1:-run}" in
  setup)
    setup
    ;;
  run)
    setup
    "$PY" -m ingest
    exec "$PY" app.py
    ;;
  test)
    setup
    browser
    echo "==> building the index (incremental)"
    "$PY" -m ingest --quiet
    echo "==> evaluation floors (every set in evals/sets.toml: dev, test, the holdouts, out-of-domain)"
    "$PY" -m evals all --out evals/out
    echo "==> dependency audit"
    "$PY" scripts/audit.py
    echo "==> tests"
    exec "$PY" -m pytest -q -p no:cacheprovider
    ;;
  *)
    echo "usage: scripts/dev.sh [run|test|setup]" >&2
    exit 2
    ;;
esac
