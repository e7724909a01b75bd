#!/usr/bin/env bash
# `evident test` over 1,000 automatic (assessment, action) pairs whose checks run `true`,
# against the floor of a shell loop spawning the same 1,000 processes. Goal: within 2x.
# `evident test` also writes 1,000 state files and 1,000 output files (atomically).
#
#   PAIRS_ASSESSMENTS=10 PAIRS_ACTIONS=100   the shape (pairs = the product)
#   JOBS=...                                 --jobs of `evident test` (default: the CPUs)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
A=${PAIRS_ASSESSMENTS:-10}
N=${PAIRS_ACTIONS:-100}
TRUE=$(command -v true)
[[ $TRUE == /* ]] || TRUE=/bin/true

build
DIR=$ROOT/bench/out/automation-${A}x${N}
rm -rf "$DIR"
mkdir -p "$DIR/actions" "$DIR/templates"
: > "$DIR/evident.toml"
{
    printf 'id = "t"\nname = "T"\nregulation = "T"\nversion = 1\n\n[[controls]]\nid = "c1"\ntitle = "C1"\nactions = ['
    for i in $(seq 1 "$N"); do printf '"a%d", ' "$i"; done
    printf ']\n'
} > "$DIR/templates/t.toml"
for i in $(seq 1 "$N"); do
    printf 'id = "a%d"\ntitle = "A%d"\nversion = 1\ncategory = "control-access"\naction_type = "technical"\ncontrol_type = "preventative"\nmandatory = true\ntesting = "automatic"\n\n[automation]\nrun = ["true"]\n' "$i" "$i" > "$DIR/actions/a$i.toml"
done
for j in $(seq 1 "$A"); do
    mkdir -p "$DIR/assessments/s$j"
    printf 'id = "s%d"\nname = "S%d"\ntemplate = "t"\ntemplate_version = 1\n' "$j" "$j" > "$DIR/assessments/s$j/assessment.toml"
done
PAIRS=$((A * N))

loop() { for _ in $(seq 1 "$PAIRS"); do "$TRUE"; done; }
ev_test() { "$EVIDENT" --repo "$DIR" -q test ${JOBS:+--jobs "$JOBS"} --format json > /dev/null; }
# A first run writes every file; later runs rewrite them (dates, notes, outputs).
ev_test

best() {
    local best=
    for _ in $(seq 1 "$RUNS"); do
        local t0 t1
        t0=$(date +%s%N)
        "$@"
        t1=$(date +%s%N)
        local ms=$(((t1 - t0) / 1000000))
        [[ -z $best || $ms -lt $best ]] && best=$ms
    done
    echo "$best"
}
floor=$(best loop)
ours=$(best ev_test)
echo "pairs: $PAIRS   shell loop spawning $TRUE: ${floor} ms   evident test: ${ours} ms   ratio: $(python3 -c "print(f'{$ours / max($floor, 1):.2f}x')")"
