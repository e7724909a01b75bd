#!/usr/bin/env bash
# Wall time and peak memory of `evident validate` and `evident score` on a synthetic repository
# (20 assessments x 500 actions = 10,000 state files by default), against the floor of reading
# the same TOML files with `cat`. See bench/README.md.
#
#   COMMITS=1000     commits of history in the generated repository (0: not a git repository)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
COMMITS=${COMMITS:-1000}

build
prepare_repo "$COMMITS"

toml_cat() {
    find "$REPO" -path "$REPO/.git" -prune -o -name '*.toml' -print0 | xargs -0 cat > /dev/null
}
toml_cat_parallel() {
    find "$REPO" -path "$REPO/.git" -prune -o -name '*.toml' -print0 |
        xargs -0 -P "$NPROC" -n 1000 cat > /dev/null
}
ev_validate() { "$EVIDENT" --repo "$REPO" validate --format json; }
ev_score() { "$EVIDENT" --repo "$REPO" score --format json; }

# The repository must be clean, or the numbers mean little (score refuses early on errors).
summary=$("$EVIDENT" --repo "$REPO" validate --format json || true)
read -r files errors warnings < <(python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
print(d["files"], d["errors"], d["warnings"])' <<< "$summary")
if ((errors > 0)); then
    echo "$SCRIPT: $REPO has $errors errors; the benchmark needs a clean repository:" >&2
    "$EVIDENT" --repo "$REPO" validate 2>&1 | tail -n 30 >&2
    exit 1
fi
toml_files=$(find "$REPO" -path "$REPO/.git" -prune -o -name '*.toml' -print | wc -l)
toml_bytes=$(find "$REPO" -path "$REPO/.git" -prune -o -name '*.toml' -print0 | xargs -0 cat | wc -c)

echo "== timing ($RUNS runs each, after a warm-up run)" >&2
time_runs "cat *.toml (the floor)" - toml_cat
time_runs "cat, $NPROC in parallel" - toml_cat_parallel
time_runs "evident validate --format json" "$(peak_rss_kib "$EVIDENT" --repo "$REPO" validate --format json)" ev_validate
time_runs "evident score --format json" "$(peak_rss_kib "$EVIDENT" --repo "$REPO" score --format json)" ev_score
print_table "repository: $REPO" \
    "  $toml_files TOML files ($((toml_bytes / 1024)) KiB), $files files checked by evident, $errors errors, $warnings warnings"
