#!/usr/bin/env bash
# Signed verdicts: `evident audit` on a history where every commit is SSH-signed and
# `[trust]` requires signatures, against `git log --show-signature` over the same commits
# (git verifying every signature with the same allowed signers file). See bench/README.md.
#
#   COMMITS=10000    commits of history (20 assessments x 500 actions by default)
#
# Needs ssh-keygen (OpenSSH) besides what lib.sh needs. The signed copy of the generated
# repository is made once (one ssh-keygen per commit, as `git commit -S` runs) and reused.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
COMMITS=${COMMITS:-10000}
command -v ssh-keygen > /dev/null || { echo "$SCRIPT: ssh-keygen is required (openssh-client)" >&2; exit 2; }

build
prepare_repo "$COMMITS"
PLAIN=$REPO
SIGNED=$PLAIN-signed
if [[ ! -f $SIGNED.stamp || $(cat "$SIGNED.stamp") != "$(cat "$PLAIN.stamp" 2> /dev/null)" ]]; then
    echo "== signing every commit of a copy of $PLAIN into $SIGNED" >&2
    rm -rf "$SIGNED" "$SIGNED.key" "$SIGNED.key.pub"
    git clone -q --no-hardlinks "$PLAIN" "$SIGNED"
    ssh-keygen -q -t ed25519 -N '' -C bench -f "$SIGNED.key"
    python3 "$ROOT/bench/sign_history.py" "$SIGNED" "$SIGNED.key" > /dev/null
    git -C "$SIGNED" gc -q --prune=now
    cp "$PLAIN.stamp" "$SIGNED.stamp"
fi
commits=$(git -C "$SIGNED" rev-list --count HEAD)
ALLOWED=$SIGNED/.evident/allowed_signers
"$EVIDENT" --repo "$SIGNED" audit > /dev/null 2>&1 || {
    echo "$SCRIPT: evident audit finds errors in $SIGNED:" >&2
    "$EVIDENT" --repo "$SIGNED" audit >&2 || true
    exit 1
}

git_show_signature() {
    git -C "$SIGNED" -c gpg.ssh.allowedSignersFile="$ALLOWED" log --show-signature --format=%H
}
git_log_g() { git -C "$SIGNED" -c gpg.ssh.allowedSignersFile="$ALLOWED" log --format='%H %G?'; }
ev_audit_signed() { "$EVIDENT" --repo "$SIGNED" audit; }
ev_audit_plain() { "$EVIDENT" --repo "$PLAIN" audit; }
verified=$(git -C "$SIGNED" log --format=%H | wc -l)

ref="git log --show-signature (all $commits commits)"
RESULTS=()
echo "== timing ($RUNS runs each, after a warm-up run)" >&2
time_runs "$ref" - git_show_signature
time_runs "git log --format=%G? vs $ref" - git_log_g
time_runs "evident audit, signed, [trust] vs $ref" "$(peak_rss_kib "$EVIDENT" --repo "$SIGNED" audit)" \
    ev_audit_signed
time_runs "evident audit, unsigned, no [trust] vs $ref" "$(peak_rss_kib "$EVIDENT" --repo "$PLAIN" audit)" \
    ev_audit_plain
print_table "repository: $SIGNED" \
    "  $ASSESSMENTS assessments x $ACTIONS actions, $commits commits, each SSH-signed ($verified signatures)" \
    "  evident verifies the commits that need a signature (verdicts, admin changes); git log all"
