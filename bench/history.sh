#!/usr/bin/env bash
# History commands against git itself, on a generated repository with a long history
# (20 assessments x 500 actions, 10,000 commits by default). Each evident command is
# shown with its ratio to the git command that reads the same commits. See bench/README.md.
#
#   COMMITS=10000    commits in the generated repository
#   RANGE=1000       commits in the `check --base` range
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
COMMITS=${COMMITS:-10000}
RANGE=${RANGE:-1000}

build
prepare_repo "$COMMITS"
commits=$(git -C "$REPO" rev-list --count HEAD)
((commits > RANGE)) || { echo "$SCRIPT: the repository has only $commits commits" >&2; exit 2; }
BASE=$(git -C "$REPO" rev-parse "HEAD~$RANGE")

git_range() { git -C "$REPO" log --raw --no-renames "$BASE..HEAD"; }
ev_check() { "$EVIDENT" --repo "$REPO" check --base "$BASE"; }
git_all() { git -C "$REPO" log --raw --no-renames; }
ev_audit() { "$EVIDENT" --repo "$REPO" audit; }
ev_audit_libgit2() { EVIDENT_GIT_CLI=0 "$EVIDENT" --repo "$REPO" audit; }
# The history pass with its cache removed first (what a fresh clone pays), and
# the cached re-run that reads only the commits the cache does not cover.
no_cache() { rm -rf "$REPO/.git/evident"; }
ev_history_first() { no_cache; "$EVIDENT" --repo "$REPO" history --scores; }
ev_history_cached() { "$EVIDENT" --repo "$REPO" history --scores; }
SITE=$(mktemp -d)
trap 'rm -rf "$SITE"' EXIT
ev_report() { "$EVIDENT" --repo "$REPO" report --format html --out "$SITE/site"; }
ev_report_first() { no_cache; ev_report; }
ev_report_md() { "$EVIDENT" --repo "$REPO" report --format md --out "$SITE/md"; }

echo "== timing ($RUNS runs each, after a warm-up run)" >&2
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
