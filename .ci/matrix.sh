#!/usr/bin/env bash
# CI legs beside the main run: the non-integration suite on the other supported Pythons and on
# the oldest LiteLLM the pin allows. Each leg has its own virtualenv under one temp dir, with
# litetrace installed from a wheel built from this checkout; up to two legs run at once.
# Usage: .ci/matrix.sh [leg ...]   (legs: py3.10 py3.12 py3.13 litellm-oldest; default all)
# Prints one line per leg and each failing leg's log tail; exits 1 if any leg failed.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
export LITELLM_LOCAL_MODEL_COST_MAP=True PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1

work=$(mktemp -d "${TMPDIR:-/tmp}/litetrace-ci.XXXXXX")
# LITETRACE_CI_KEEP=1 keeps the legs' virtualenvs and logs (to rerun a failing test in one).
if [ "${LITETRACE_CI_KEEP:-}" = 1 ]; then echo "matrix: legs in $work"; else trap 'rm -rf "$work"' EXIT; fi

# The floor of pyproject's litellm requirement ("litellm>=1.108,..." -> 1.108): PEP 440 pads
# "==1.108" with zeros, so it pins the oldest release the range allows.
floor=$(grep -oE '"litellm>=[0-9.]+' pyproject.toml | head -n1 | cut -d= -f2)
[ -n "$floor" ] || { echo "matrix: no litellm floor in pyproject.toml" >&2; exit 1; }

python3 -m pip wheel -q --no-deps --no-build-isolation -w "$work/dist" "$repo" >"$work/wheel.log" 2>&1 \
  || python3 -m pip wheel -q --no-deps -w "$work/dist" "$repo" >"$work/wheel.log" 2>&1 \
  || { echo "matrix: building the wheel failed" >&2; tail -n 30 "$work/wheel.log" >&2; exit 1; }
rm -rf "$repo/build" "$repo"/litetrace.egg-info
wheel=$(ls "$work"/dist/litetrace-*.whl)

find_python() {  # find_python 3.12: an interpreter that runs (a pyenv shim may exist but refuse)
  local candidate
  for candidate in "python$1" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$1".*/bin/"python$1"; do
    if "$candidate" -c "" >/dev/null 2>&1; then echo "$candidate"; return 0; fi
  done
  return 1
}

leg() {  # leg NAME X.Y [EXTRA-REQUIREMENT]
  local name=$1 extra=${3:-} dir=$work/$1 python
  mkdir -p "$dir"
  {
    python=$(find_python "$2") || { echo "no working python$2 (pyenv: pyenv install $2)"; return 1; }
    "$python" -m venv "$dir/venv" &&
    "$dir/venv/bin/python" -m pip install -q "litetrace[test] @ file://$wheel" ${extra:+"$extra"} &&
    "$dir/venv/bin/python" -m pip show litellm | sed -n 2p &&
    # From the leg's own directory: `import litetrace` is the installed wheel, not the checkout.
    (cd "$dir" && "$dir/venv/bin/python" -m pytest -q -p no:cacheprovider -m "not integration" \
        --basetemp="$dir/tmp" "$repo/tests")
  } >"$dir/log" 2>&1
}

declare -A legs=(
  [py3.10]="3.10"
  [py3.12]="3.12"
  [py3.13]="3.13"
  [litellm-oldest]="3.11 litellm==$floor"
)
chosen=("$@")
[ ${#chosen[@]} -gt 0 ] || chosen=(py3.10 py3.12 py3.13 litellm-oldest)

# At most JOBS legs at once (default 2, one per core of the CI machine): more in parallel only
# slows each leg down, and a leg's timing-sensitive tests want a core of their own.
jobs_max=${LITETRACE_CI_JOBS:-2}
for name in "${chosen[@]}"; do
  [ -n "${legs[$name]:-}" ] || { echo "matrix: unknown leg $name" >&2; exit 2; }
done
for name in "${chosen[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do sleep 1; done
  (
    begun=$SECONDS
    # shellcheck disable=SC2086  # the leg's spec is "X.Y [requirement]"
    leg "$name" ${legs[$name]}
    echo "$? $((SECONDS - begun))" >"$work/$name.status"
  ) &
done
wait

failed=0
for name in "${chosen[@]}"; do
  read -r rc took <"$work/$name.status" || { rc=1; took=?; }
  if [ "$rc" = 0 ]; then status=passed; else status=FAILED; failed=1; fi
  summary=$(grep -E '[0-9]+ (passed|failed)' "$work/$name/log" | tail -n1)
  echo "matrix $name: $status in $took s (${legs[$name]}): ${summary:-no result}"
  if [ $status = FAILED ]; then
    # The failing tests by name; without any (an install that failed), the log's end.
    { grep -E '^(FAILED|ERROR) ' "$work/$name/log" || grep -v '^WARNING: Location' "$work/$name/log" | tail -n 30; } |
      sed "s#$repo/##; s/^/  $name| /"
  fi
done
exit $failed
