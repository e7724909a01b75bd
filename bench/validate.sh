#!/usr/bin/env bash
# Wall time and peak memory of `evident validate` and `evident score` on synthetic repositories
# (20 assessments x 500 actions = 10,000 state files, and 100 x 1,000 = 100,000), against the
# floor of reading the same TOML files with `cat`. See bench/README.md.
#
#   SIZES="20x500 100x1000"   ASSESSMENTSxACTIONS of each repository (or set ASSESSMENTS and
#                             ACTIONS for one size)
#   COMMITS=1000              commits of history in the generated repositories (0: none)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
COMMITS=${COMMITS:-1000}
SIZES=${SIZES:-20x500 100x1000}
GIVEN_REPO=${REPO:-}
# An existing repository is measured once, whatever its size.
[[ -n $GIVEN_REPO ]] && SIZES=given

build
for size in $SIZES; do
    REPO=$GIVEN_REPO
    if [[ $size != given ]]; then
        [[ $size =~ ^([0-9]+)x([0-9]+)$ ]] || { echo "$SCRIPT: a size is ASSESSMENTSxACTIONS, not \`$size\`" >&2; exit 2; }
        ASSESSMENTS=${BASH_REMATCH[1]} ACTIONS=${BASH_REMATCH[2]}
    fi
    prepare_repo "$COMMITS"
    RESULTS=()

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
    read -r files errors warnings < <(python3 -c 'import json, sys
d = json.loads(sys.stdin.read())
print(d["files"], d["errors"], d["warnings"])' <<< "$summary")
    if ((errors > 0)); then
        echo "$SCRIPT: $REPO has $errors errors; the benchmark needs a clean repository:" >&2
        "$EVIDENT" --repo "$REPO" validate 2>&1 | tail -n 30 >&2
        exit 1
    fi
    toml_files=$(find "$REPO" -path "$REPO/.git" -prune -o -name '*.toml' -print | wc -l)
    toml_bytes=$(find "$REPO" -path "$REPO/.git" -prune -o -name '*.toml' -print0 | xargs -0 cat | wc -c)

    echo "== timing $REPO ($RUNS runs each, after a warm-up run)" >&2
    time_runs "cat *.toml (the floor)" - toml_cat
    time_runs "cat, $NPROC in parallel" - toml_cat_parallel
    time_runs "evident validate --format json" "$(peak_rss_kib "$EVIDENT" --repo "$REPO" validate --format json)" ev_validate
    time_runs "evident score --format json" "$(peak_rss_kib "$EVIDENT" --repo "$REPO" score --format json)" ev_score
    print_table "repository: $REPO" \
        "  $toml_files TOML files ($((toml_bytes / 1024)) KiB), $files files checked by evident, $errors errors, $warnings warnings"
    echo
done
