#!/usr/bin/env bash
# Real backends for tests/integration, all run on 127.0.0.1 by the tests:
#   Debian's prometheus and chromium (apt), and Arize Phoenix (pip).
# Usage: .ci/integration-deps.sh VENV   (idempotent: a second run only checks, in about a second)
#
# Phoenix is a server the tests start as a separate process, never import. Its requirements
# clash with LiteLLM's (phoenix 20.x pulls openai 3 in through pydantic-ai; litellm pins
# openai<3), so it gets its own virtualenv inside VENV, its `phoenix` command linked into VENV/bin.
set -euo pipefail

venv="${1:?usage: $0 VENV}"
venv="$(cd "$venv" && pwd)"
phoenix_venv="$venv/phoenix-server"
phoenix_spec="${LITETRACE_PHOENIX_SPEC:-arize-phoenix>=20,<21}"

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

missing=()
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "integration-deps: apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q >/dev/null
    # No recommends: prometheus would pull in (and start) node-exporter; chromium works without its extras.
    $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

phoenix_version() {
    "$phoenix_venv/bin/python" -c 'from importlib.metadata import version; print(version("arize-phoenix"))' 2>/dev/null
}

if ! { [ -x "$phoenix_venv/bin/phoenix" ] && phoenix_version >/dev/null; }; then
    echo "integration-deps: pip install $phoenix_spec into $phoenix_venv"
    "$venv/bin/python" -m venv --clear "$phoenix_venv"
    log="$(mktemp)"
    if ! PIP_DISABLE_PIP_VERSION_CHECK=1 "$phoenix_venv/bin/python" -m pip install -q "$phoenix_spec" >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
fi
ln -sf "$phoenix_venv/bin/phoenix" "$venv/bin/phoenix"

echo "integration-deps: $(prometheus --version 2>&1 | head -n1)"
echo "integration-deps: $(chromium --version 2>/dev/null | head -n1)"
echo "integration-deps: arize-phoenix $(phoenix_version)"
