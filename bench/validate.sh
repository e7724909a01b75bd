#!/usr/bin/env bash
# Wall time and peak memory of `evident validate` and `evident score` on a synthetic repository
# (20 assessments x 500 actions = 10,000 state files by default), against the floor of reading
# the same TOML files with `cat`. See bench/README.md.
#
# Needs only cargo, git, python3 and coreutils. Settings (environment variables):
#   RUNS=5           timed runs of each command (after one warm-up run)
#   ASSESSMENTS=20   ACTIONS=500   TEMPLATES=5   SEED=42    shape of the generated repository
#   COMMITS=1000     commits of history in the generated repository (0: not a git repository)
#   REPO=DIR         benchmark an existing repository instead of generating one
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-5}
ASSESSMENTS=${ASSESSMENTS:-20}
ACTIONS=${ACTIONS:-500}
TEMPLATES=${TEMPLATES:-5}
SEED=${SEED:-42}
COMMITS=${COMMITS:-1000}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
EVIDENT=$TARGET/release/evident
GEN=$TARGET/release/examples/gen

for tool in cargo git python3; do
    command -v "$tool" > /dev/null || { echo "validate.sh: $tool is required" >&2; exit 2; }
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "validate.sh: RUNS must be a positive integer" >&2; exit 2; }

echo "== building (cargo build --release, example gen)" >&2
(cd "$ROOT" && cargo build --release --quiet && cargo build --release --quiet --example gen)

# ------------------------------------------------------------------------------------------
# The repository: generated once, reused while the generator and its arguments are unchanged.
if [[ -z ${REPO:-} ]]; then
    REPO=$ROOT/bench/out/repo-${ASSESSMENTS}x${ACTIONS}
    gen_args=(--assessments "$ASSESSMENTS" --actions "$ACTIONS" --templates "$TEMPLATES" --seed "$SEED")
    [[ $COMMITS != 0 ]] && gen_args+=(--commits "$COMMITS")
    stamp="${gen_args[*]} gen.rs=$(sha256sum "$ROOT/examples/gen.rs" | cut -c1-16)"
    if [[ -f $REPO/evident.toml && -f $REPO.stamp && $(cat "$REPO.stamp") == "$stamp" ]]; then
        echo "== reusing $REPO" >&2
    else
        echo "== generating $REPO (${gen_args[*]})" >&2
        mkdir -p "$(dirname "$REPO")"
        rm -f "$REPO.stamp"
        "$GEN" --out "$REPO" --force "${gen_args[@]}"
        echo "$stamp" > "$REPO.stamp"
    fi
fi
[[ -f $REPO/evident.toml ]] || { echo "validate.sh: no evident.toml in $REPO" >&2; exit 2; }

# ------------------------------------------------------------------------------------------
# Timing helpers
if [[ $(date +%N) =~ ^[0-9]+$ ]]; then
    now_ns() { date +%s%N; }
else
    now_ns() { python3 -c 'import time; print(time.time_ns())'; }
fi

# Peak RSS (KiB) of one run of a command: GNU time if it works here, else python3's wait4.
if [[ -x /usr/bin/time ]] && /usr/bin/time -f %M -o /dev/null true 2> /dev/null; then
    RSS_TOOL="/usr/bin/time -f %M"
    peak_rss_kib() {
        local out
        out=$(mktemp)
        /usr/bin/time -f %M -o "$out" "$@" > /dev/null 2>&1 || true
        tail -n 1 "$out"
        rm -f "$out"
    }
else
    RSS_TOOL="python3 os.wait4"
    peak_rss_kib() {
        python3 - "$@" << 'EOF' 2> /dev/null || echo "n/a"
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, _, usage = os.wait4(p.pid, 0)
# ru_maxrss is in KiB on Linux and in bytes on macOS.
print(usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss)
EOF
    }
fi

toml_cat() {
    find "$REPO" -path "$REPO/.git" -prune -o -name '*.toml' -print0 | xargs -0 cat > /dev/null
}
NPROC=$(nproc 2> /dev/null || echo 2)
toml_cat_parallel() {
    find "$REPO" -path "$REPO/.git" -prune -o -name '*.toml' -print0 |
        xargs -0 -P "$NPROC" -n 1000 cat > /dev/null
}
ev_validate() { "$EVIDENT" --repo "$REPO" validate --format json; }
ev_score() { "$EVIDENT" --repo "$REPO" score --format json; }

# time_runs NAME FUNCTION: one warm-up run, then RUNS timed runs; appends "NAME|t1 t2 ..." (µs).
RESULTS=()
time_runs() {
    local name=$1 fn=$2 times=() t0 t1 rc
    "$fn" > /dev/null 2>&1 || true
    for ((i = 0; i < RUNS; i++)); do
        rc=0
        t0=$(now_ns)
        "$fn" > /dev/null 2>&1 || rc=$?
        t1=$(now_ns)
        if ((rc > 1)); then
            echo "validate.sh: $name failed with exit code $rc" >&2
            exit 1
        fi
        times+=($(((t1 - t0) / 1000)))
    done
    RESULTS+=("$name|${times[*]}")
}

# ------------------------------------------------------------------------------------------
# The repository must be clean, or the numbers mean little (score refuses early on errors).
summary=$("$EVIDENT" --repo "$REPO" validate --format json || true)
read -r files errors warnings < <(python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
print(d["files"], d["errors"], d["warnings"])' <<< "$summary")
if ((errors > 0)); then
    echo "validate.sh: $REPO has $errors errors; the benchmark needs a clean repository:" >&2
    "$EVIDENT" --repo "$REPO" validate 2>&1 | tail -n 30 >&2
    exit 1
fi
toml_files=$(find "$REPO" -path "$REPO/.git" -prune -o -name '*.toml' -print | wc -l)
toml_bytes=$(find "$REPO" -path "$REPO/.git" -prune -o -name '*.toml' -print0 | xargs -0 cat | wc -c)
commits=0
if [[ -e $REPO/.git ]]; then
    commits=$(git -C "$REPO" rev-list --count HEAD 2> /dev/null || echo 0)
fi

echo "== timing ($RUNS runs each, after a warm-up run)" >&2
time_runs "cat *.toml (floor)" toml_cat
time_runs "cat, $NPROC in parallel" toml_cat_parallel
time_runs "evident validate --format json" ev_validate
time_runs "evident score --format json" ev_score
rss_validate=$(peak_rss_kib "$EVIDENT" --repo "$REPO" validate --format json)
rss_score=$(peak_rss_kib "$EVIDENT" --repo "$REPO" score --format json)

tool_rev=$(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || echo "?")
[[ -n $(git -C "$ROOT" status --porcelain -- src Cargo.toml Cargo.lock 2> /dev/null) ]] && tool_rev+="+dirty"

python3 - "$RUNS" "-" "-" "$rss_validate" "$rss_score" "${RESULTS[@]}" << EOF
import statistics, sys
runs = int(sys.argv[1])
rss = sys.argv[2:6]
rows = []
for r, arg in zip(rss, sys.argv[6:]):
    name, times = arg.split("|")
    ms = [int(t) / 1000 for t in times.split()]
    rows.append((name, min(ms), statistics.median(ms), r))
floor = rows[0][2]
print("repository: $REPO")
print("  $toml_files TOML files ($((toml_bytes / 1024)) KiB), $files files checked by evident, "
      "$errors errors, $warnings warnings, $commits commits")
print("evident: $EVIDENT ($tool_rev); $NPROC CPUs; "
      f"{runs} runs each; peak RSS via $RSS_TOOL")
print()
print(f"{'command':<32}{'min ms':>9}{'median ms':>11}{'x floor':>9}{'peak RSS':>11}")
for name, lo, med, r in rows:
    ratio = f"{med / floor:.1f}" if floor > 0 else "-"
    mem = f"{int(r) / 1024:.1f} MiB" if r.isdigit() else r
    print(f"{name:<32}{lo:>9.1f}{med:>11.1f}{ratio:>9}{mem:>11}")
print()
print("x floor = median / median of the first row (one cat process at a time: the floor)")
EOF
