#!/usr/bin/env bash
# History commands against git itself, on two generated repositories: a wide one (20
# assessments x 500 actions, 10,000 commits by default) and a long one (3 assessments x 8
# actions, 20,000 commits of one or two state files each). Each evident command is shown with
# its ratio to the git command that reads the same commits. See bench/README.md.
#
#   SHAPES="wide long"   which repositories to measure
#   COMMITS=10000        commits in the wide repository
#   RANGE=1000           commits in the `check --base` range (wide)
#   LONG_COMMITS=20000   commits in the long repository
#   MEMORY_KIB=4000000   the address-space limit (ulimit -v) every command must run within
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SHAPES=${SHAPES:-wide long}
COMMITS=${COMMITS:-10000}
RANGE=${RANGE:-1000}
LONG_COMMITS=${LONG_COMMITS:-20000}
MEMORY_KIB=${MEMORY_KIB:-4000000}

build
SITE=$(mktemp -d)
trap 'rm -rf "$SITE"' EXIT
# The history pass with its cache removed first (what a fresh clone pays), and
# the cached re-run that reads only the commits the cache does not cover.
no_cache() { rm -rf "$REPO/.git/evident"; }
git_all() { git -C "$REPO" log --raw --no-renames; }

# within_memory_limit COMMAND...: runs an evident command under `ulimit -v $MEMORY_KIB`;
# fails the benchmark when it does not succeed there.
within_memory_limit() {
    local rc=0
    (ulimit -v "$MEMORY_KIB" && "$EVIDENT" --repo "$REPO" "$@" > /dev/null 2> "$SITE/ulimit.err") || rc=$?
    if ((rc > 1)); then
        echo "$SCRIPT: \`evident $*\` failed under ulimit -v $MEMORY_KIB (exit $rc):" >&2
        cat "$SITE/ulimit.err" >&2
        exit 1
    fi
}

# The long history: few files, many commits, one status event per changed file. The
# rows are what `evident history` prints, every one of them.
long() {
    local ASSESSMENTS=3 ACTIONS=8 TEMPLATES=3
    prepare_repo "$LONG_COMMITS" 2
    local commits events
    commits=$(git -C "$REPO" rev-list --count HEAD)
    ev_history_first() { no_cache; "$EVIDENT" --repo "$REPO" history; }
    ev_history_cached() { "$EVIDENT" --repo "$REPO" history; }
    ev_scores_first() { no_cache; "$EVIDENT" --repo "$REPO" history --scores; }
    ev_scores_cached() { "$EVIDENT" --repo "$REPO" history --scores; }
    # What git alone spends on the data `history` must read: the log, then every
    # distinct changed state blob (awk keeps new ids of files under assessments/).
    git_states() {
        git -C "$REPO" log --first-parent --reverse --raw --no-renames --no-abbrev --format= |
            awk '$6 ~ /^assessments\/.*\.toml$/ && $4 !~ /^0+$/ && !seen[$4]++ { print $4 }' |
            git -C "$REPO" cat-file --batch
    }
    local git_ref="git log --raw --no-renames (all $commits commits)"
    RESULTS=()
    echo "== timing the long history ($RUNS runs each, after a warm-up run)" >&2
    time_runs "$git_ref" - git_all
    time_runs "floor: git log, then git cat-file of each changed state blob vs $git_ref" - git_states
    time_runs "evident history, no cache vs $git_ref" \
        "$(no_cache; peak_rss_kib "$EVIDENT" --repo "$REPO" history)" ev_history_first
    ev_history_cached > /dev/null 2>&1
    time_runs "evident history, cached vs $git_ref" \
        "$(peak_rss_kib "$EVIDENT" --repo "$REPO" history)" ev_history_cached
    time_runs "evident history --scores, no cache vs $git_ref" \
        "$(no_cache; peak_rss_kib "$EVIDENT" --repo "$REPO" history --scores)" ev_scores_first
    ev_scores_cached > /dev/null 2>&1
    time_runs "evident history --scores, cached vs $git_ref" \
        "$(peak_rss_kib "$EVIDENT" --repo "$REPO" history --scores)" ev_scores_cached
    echo "== every command within ulimit -v $MEMORY_KIB" >&2
    no_cache
    for args in "history" "history" "history --scores" "audit" "validate" "score" \
        "report --format html --out $SITE/long-site"; do
        # shellcheck disable=SC2086 # the arguments are words
        within_memory_limit $args
    done
    events=$("$EVIDENT" --repo "$REPO" history | tail -n +2 | wc -l)
    print_table "repository: $REPO" \
        "  $ASSESSMENTS assessments x $ACTIONS actions, $commits commits, $events status events (table rows)" \
        "  every command also ran within ulimit -v $MEMORY_KIB (KiB of address space)"
    echo
}

wide() {
    prepare_repo "$COMMITS"
    commits=$(git -C "$REPO" rev-list --count HEAD)
    ((commits > RANGE)) || { echo "$SCRIPT: the repository has only $commits commits" >&2; exit 2; }
    BASE=$(git -C "$REPO" rev-parse "HEAD~$RANGE")

    git_range() { git -C "$REPO" log --raw --no-renames "$BASE..HEAD"; }
    ev_check() { "$EVIDENT" --repo "$REPO" check --base "$BASE"; }
    ev_audit() { "$EVIDENT" --repo "$REPO" audit; }
    ev_audit_libgit2() { EVIDENT_GIT_CLI=0 "$EVIDENT" --repo "$REPO" audit; }
    ev_history_first() { no_cache; "$EVIDENT" --repo "$REPO" history --scores; }
    ev_history_cached() { "$EVIDENT" --repo "$REPO" history --scores; }
    ev_report() { "$EVIDENT" --repo "$REPO" report --format html --out "$SITE/site"; }
    ev_report_first() { no_cache; ev_report; }
    ev_report_md() { "$EVIDENT" --repo "$REPO" report --format md --out "$SITE/md"; }

    RESULTS=()
    echo "== timing the wide repository ($RUNS runs each, after a warm-up run)" >&2
    rss() { peak_rss_kib "$@"; }
    time_runs "git log --raw --no-renames (last $RANGE commits)" - git_range
    time_runs "evident check --base HEAD~$RANGE vs git log --raw --no-renames (last $RANGE commits)" \
        "$(rss "$EVIDENT" --repo "$REPO" check --base "$BASE")" ev_check
    time_runs "git log --raw --no-renames (all $commits commits) vs git log --raw --no-renames (all $commits commits)" - git_all
    time_runs "evident audit (all) vs git log --raw --no-renames (all $commits commits)" \
        "$(rss "$EVIDENT" --repo "$REPO" audit)" ev_audit
    time_runs "evident audit, libgit2 only vs git log --raw --no-renames (all $commits commits)" \
        "$(EVIDENT_GIT_CLI=0 peak_rss_kib "$EVIDENT" --repo "$REPO" audit)" ev_audit_libgit2
    time_runs "evident history --scores, no cache vs git log --raw --no-renames (all $commits commits)" \
        "$(no_cache; rss "$EVIDENT" --repo "$REPO" history --scores)" ev_history_first
    ev_history_cached > /dev/null 2>&1
    time_runs "evident history --scores, cached vs evident history --scores, no cache" \
        "$(rss "$EVIDENT" --repo "$REPO" history --scores)" ev_history_cached
    time_runs "evident report --format html, cached history vs evident history --scores, no cache" \
        "$(rss "$EVIDENT" --repo "$REPO" report --format html --out "$SITE/rss-site")" ev_report
    time_runs "evident report --format md, cached history vs evident history --scores, no cache" \
        "$(rss "$EVIDENT" --repo "$REPO" report --format md --out "$SITE/rss-md")" ev_report_md
    no_cache
    time_runs "evident report --format html, no cache vs git log --raw --no-renames (all $commits commits)" \
        "$(no_cache; rss "$EVIDENT" --repo "$REPO" report --format html --out "$SITE/rss-site2")" ev_report_first

    state_files=$(find "$REPO/assessments" -name '*.toml' ! -name assessment.toml | wc -l)
    print_table "repository: $REPO" "  $state_files state files, $commits commits; check range: HEAD~$RANGE..HEAD"
    echo
}

for shape in $SHAPES; do
    case $shape in
        wide | long) "$shape" ;;
        *) echo "$SCRIPT: unknown shape \`$shape\` (wide, long)" >&2; exit 2 ;;
    esac
done
