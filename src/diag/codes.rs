//! Every diagnostic code, its rule name, default severity and explanation.
//!
//! Codes are stable: scripts and `[rules]` in `evident.toml` refer to them.
//! `evident explain CODE` prints the explanation.

use super::Severity;

/// Declares the code table once; everything else is derived from it.
macro_rules! codes {
    ($( $variant:ident = $code:literal, $name:literal, $sev:ident, $configurable:literal, $summary:literal, $explanation:literal; )+) => {
        /// A diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant),+ }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The stable code, e.g. `E0303`.
            pub fn code(self) -> &'static str {
                match self { $(Code::$variant => $code),+ }
            }
            /// The rule name used in `[rules]`, e.g. `unknown-action`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name),+ }
            }
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev),+ }
            }
            /// Whether `[rules]` may change the level of this code.
            pub fn configurable(self) -> bool {
                match self { $(Code::$variant => $configurable),+ }
            }
            /// One line: what the code means.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary),+ }
            }
            /// A paragraph: why it matters and how to fix it.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$variant => $explanation),+ }
            }
        }
    };
}

codes! {
    UnreadableFile = "E0101", "unreadable-file", Error, false,
        "a file could not be read",
        "evident could not read the file (permissions, or it vanished while being read). Check that the file exists and is readable.";
    InvalidUtf8 = "E0102", "invalid-utf8", Error, false,
        "a file is not valid UTF-8",
        "TOML files must be UTF-8. The position shown is the first byte that is not valid UTF-8. Re-save the file as UTF-8 (most editors: \"Save with encoding\").";
    ByteOrderMark = "E0103", "byte-order-mark", Warning, true,
        "a file starts with a UTF-8 byte-order mark",
        "The file starts with the invisible byte-order mark U+FEFF. evident reads it, but other TOML tools may not, and the mark makes diffs noisy. Re-save the file as \"UTF-8\" rather than \"UTF-8 with BOM\".";
    TomlSyntax = "E0104", "toml-syntax", Error, false,
        "a file is not valid TOML",
        "The file could not be parsed as TOML (https://toml.io). The position shown is where the parser stopped; the mistake is often just before it (a missing quote, bracket or comma).";
    MisplacedFile = "E0105", "misplaced-file", Error, true,
        "a file is in a place evident does not read",
        "evident reads `evident.toml`, `templates/<id>.toml`, `actions/<id>.toml`, `assessments/<id>/assessment.toml` and `assessments/<id>/<action>.toml`. A TOML file elsewhere under those folders is probably misplaced and would be silently ignored, so it is reported. Move it, or give it the `.toml` extension it lacks.";
    MissingAssessmentFile = "E0106", "missing-assessment-file", Error, false,
        "an assessment directory has no assessment.toml",
        "Every directory under `assessments/` is an assessment and needs an `assessment.toml` naming its template. Create one with `evident new assessment`, or remove the directory.";
    SymlinkedFile = "E0107", "symlinked-file", Error, false,
        "a data file is a symbolic link",
        "Templates, actions, assessments and action states must be regular files: git stores a symbolic link as its target path, so the history of a linked file cannot be read, and a link may point outside the repository. Replace the link with the file itself.";
    EmptyRepository = "E0108", "empty-repository", Warning, true,
        "the repository has no templates, actions or assessments",
        "Nothing to check yet. Start with `evident new template`, `evident new action` and `evident new assessment`.";
    MergeConflict = "E0109", "merge-conflict", Error, false,
        "a file holds unresolved merge-conflict markers",
        "git left `<<<<<<<`, `=======` and `>>>>>>>` lines in the file when a merge, rebase or pull could not combine two changes. The file is not TOML until the conflict is resolved: keep one side (or combine them), delete the three marker lines, and commit. When the conflict is between the states of one action in a group of assessments, resolve one file and run `evident sync` to copy it to the others.";
    DataFolderNotAFolder = "E0110", "data-folder-not-a-folder", Error, false,
        "`templates`, `actions` or `assessments` is a file, not a folder",
        "evident reads templates from the folder `templates/`, actions from `actions/` and assessments from `assessments/<id>/`. When one of these names is a file, nothing in it is read, so the repository would look empty and score 0/0. Remove or rename the file and create the folder (`evident new` does it). When it is a symbolic link, it is not followed (it could lead out of the repository, and git does not store what it points to): replace the link with the folder itself.";
    WrongType = "E0201", "wrong-type", Error, false,
        "a value has the wrong type",
        "The value does not have the type the schema requires (string, integer, boolean, date, array or table). `evident schema <kind>` prints the schema.";
    UnknownKey = "E0202", "unknown-key", Error, false,
        "a key is not part of the file format",
        "The file format does not have this key. It is often a typo: the hint suggests the closest known key. `evident schema <kind>` lists the keys.";
    MissingKey = "E0203", "missing-key", Error, false,
        "a required key is missing",
        "The file format requires this key. `evident schema <kind>` describes each key.";
    InvalidValue = "E0204", "invalid-value", Error, false,
        "a value is not one of the allowed values",
        "The value must be one of a fixed list (a status, category, type...). The hint suggests the closest allowed value.";
    InvalidFormat = "E0205", "invalid-format", Error, false,
        "a value does not have the required form",
        "The value does not match the required form: ids use lower-case letters, digits, `.`, `_` and `-`; owners are e-mail addresses; hashes are 64 hex digits; versions start at 1.";
    InvalidDate = "E0206", "invalid-date", Error, false,
        "a date is not a TOML local date",
        "Dates are TOML local dates written without quotes: `date = 2026-03-02`. Quoted strings, times and time zones are not accepted.";
    IdMismatch = "E0301", "id-mismatch", Error, false,
        "an id does not match its file name",
        "The `id` of a template or action must equal its file name without `.toml`, and the `id` of an assessment must equal its directory name, so that references and history stay unambiguous. Rename the file or change the id.";
    DuplicateId = "E0302", "duplicate-id", Error, false,
        "an id is used twice",
        "Control ids must be unique within a template, and evidence names unique within an action state. Rename one of them.";
    UnknownAction = "E0303", "unknown-action", Error, false,
        "a template refers to an action that does not exist",
        "Every id in a control's `actions` must have a file `actions/<id>.toml`. Fix the typo, or create the action with `evident new action`.";
    UnknownTemplate = "E0304", "unknown-template", Error, false,
        "an assessment refers to a template that does not exist",
        "An assessment's `template` must name a file `templates/<id>.toml`.";
    TemplateVersionAhead = "E0305", "template-version-ahead", Error, false,
        "an assessment accepted a template version that does not exist",
        "`template_version` is the version of the template the assessment has accepted; it cannot be newer than the template's `version`.";
    PendingTemplateUpdate = "E0306", "pending-template-update", Warning, true,
        "the template changed since the assessment accepted it",
        "The template's `version` is newer than the assessment's `template_version`. Review the change and accept it by updating `template_version`.";
    ActionNotInTemplate = "E0307", "action-not-in-template", Error, false,
        "a state file is for an action the assessment's template does not list",
        "Each file `assessments/<a>/<action>.toml` records the state of an action of the assessment's template. This one is for an action the template does not list (or that does not exist); it would be ignored by scoring. Fix the file name, or remove the file.";
    UnknownPerson = "E0308", "unknown-person", Error, true,
        "an owner or role member is not listed in [people]",
        "When `evident.toml` has a `[people]` table, every owner and every member of `[roles]` must be listed there. Add the person, or fix the address.";
    AcceptedVersionAhead = "E0309", "accepted-version-ahead", Error, false,
        "an action state accepted a version that does not exist",
        "`accepted_version` cannot be newer than the `version` of the action definition.";
    UnknownRule = "E0310", "unknown-rule", Error, false,
        "[rules] names a rule that does not exist",
        "Keys of `[rules]` are rule names such as `unknown-person`. `evident explain --list` lists them.";
    UnusedAction = "E0311", "unused-action", Warning, true,
        "an action is not listed by any template",
        "The action is defined but no template lists it, so it is never scored. List it in a control, or remove it.";
    EmptyTemplate = "E0313", "empty-template", Warning, true,
        "a template lists no actions",
        "A template whose controls list no actions has nothing to score: its assessments are always at n/a. List the actions that satisfy each control.";
    InvalidAlert = "E0314", "invalid-alert", Error, false,
        "an [[alerts]] policy cannot work as written",
        "Each `[[alerts]]` policy in `evident.toml` needs a unique `id`. Status alerts (`on = \"implementation-status\"` or `\"test-status\"`) may list `to` statuses of that kind; score alerts (`score-increase`, `score-decrease`) may set a `threshold` in percentage points but not `to` or `actions`. Assessments and actions named in a filter must exist.";
    AcceptedVersionUnavailable = "E0316", "accepted-version-unavailable", Warning, false,
        "an accepted definition cannot be read from the git history",
        "An assessment with a pending update is scored on the template or action version it accepted, read from the git history. That version is not in the history (it was never committed, the clone is shallow, or the repository is not in git), so the assessment is scored on the current definition until it accepts it (`evident accept`).";
    PendingActionUpdate = "E0312", "pending-action-update", Warning, true,
        "an action definition changed since the assessment accepted it",
        "The action's `version` is newer than the `accepted_version` recorded in the assessment. `evident updates` shows what changed; `evident accept ACTION -a ASSESSMENT` accepts it (it sets `accepted_version`).";
    EvidenceOutsideRepo = "E0401", "evidence-outside-repo", Error, false,
        "an evidence path leaves the repository",
        "Evidence paths are relative to the repository root and must stay inside it: no absolute paths, no `..`, no symbolic links that point outside. Copy the file into `evidence/` (`evident evidence add` does it).";
    EvidenceMissing = "E0402", "evidence-missing", Error, false,
        "an evidence file does not exist",
        "The evidence `path` names a file that is not in the repository: it was renamed, moved or deleted, or never committed. Restore the file at that path, or fix the path (the hint suggests a file of a close name).";
    EvidenceHashMismatch = "E0403", "evidence-hash-mismatch", Error, false,
        "an evidence file does not match its recorded hash",
        "The file's SHA-256 differs from `sha256`: the file changed after it was recorded. If the change is intended, record the new hash (shown in the hint) with `evident evidence rehash ACTION [NAME]`, or `evident evidence rehash --all` for every changed file; otherwise restore the file. Under a test verdict the evidence is frozen (E0701): restore the file, or move the test status back in a commit of its own before rehashing, and test again.";
    EvidenceHashMissing = "E0404", "evidence-hash-missing", Error, false,
        "an evidence file has no recorded hash",
        "Evidence files carry their SHA-256 so that later changes are detected. Add the `sha256` shown in the hint, or record it with `evident evidence rehash` (the hint shows the command where it works).";
    EvidenceMalformed = "E0405", "evidence-malformed", Error, false,
        "an evidence item needs exactly one of path or url",
        "Each `[[evidence]]` item is either a file (`path` and `sha256`) or a link (`url`).";
    EvidenceNotFile = "E0406", "evidence-not-file", Error, false,
        "an evidence path is not a regular file",
        "The evidence `path` names a directory or another kind of file. Point it at a file.";
    PassedNeedsImplementation = "E0501", "passed-needs-implementation", Error, true,
        "a test passed but the action is not implemented",
        "A test can only pass what exists: `test.status = \"passed\"` needs `implementation.status` to be `implemented` or `alternative`. Record the implementation, or change the test status.";
    PassedNeedsEvidence = "E0502", "passed-needs-evidence", Error, true,
        "a test passed without evidence",
        "An assessor's pass must be backed by evidence: add at least one `[[evidence]]` item (a file with `evident evidence add`, or a link) before setting `test.status = \"passed\"`.";
    JustificationRequired = "E0503", "justification-required", Error, true,
        "an alternative or out-of-scope status has no notes",
        "`alternative` implementations and `out-of-scope` statuses change what counts toward the score, so they need a written justification in `notes` of the same table.";
    DateRequired = "E0504", "date-required", Error, true,
        "a status that needs a date has none",
        "Implementation statuses implemented, alternative and out-of-scope, and test results passed, failed-*, out-of-scope and partially-tested record when they were reached: add `date = YYYY-MM-DD` (no quotes) to the same table.";
    TestBeforeImplementation = "E0505", "test-before-implementation", Error, true,
        "a test date is before the implementation date",
        "A test verifies an implementation, so it cannot be dated before it. Fix one of the two dates.";
    FutureDate = "E0506", "future-date", Error, true,
        "a date is in the future",
        "Statuses record what has happened; a date after today is probably a typo. The one exception is the date of a `planned` implementation: it is the target date, normally in the future (once it has passed, the plan is overdue and `evident list` and the report say so). (Set `EVIDENT_TODAY=YYYY-MM-DD` to check as of another day.)";
    AutomaticOnlyStatus = "E0507", "automatic-only-status", Error, true,
        "a monitoring-only test status on a manually tested action",
        "`to-be-detected` and `could-not-be-detected` are set by automatic monitoring; they only make sense for actions with `testing = \"automatic\"`. Use another test status, or change the action's testing type.";
    GroupOutOfSync = "E0601", "group-out-of-sync", Error, true,
        "assessments of a group disagree on a shared action",
        "Assessments in one group keep the state of the actions they share identical (owner, implementation, test and evidence). `evident sync` copies the most recent change to the other assessments of the group.";
    EvidenceFrozen = "E0701", "evidence-frozen", Error, true,
        "evidence was removed or altered after a test verdict",
        "Once a test status is passed, failed-* or out-of-scope, the evidence it rests on may not be removed or changed. To replace evidence, first move the test status back (e.g. to `in-progress`) in its own commit. Each commit is judged on its own, so a later commit cannot undo a broken one (restoring the evidence removes its replacement again): drop or rewrite that commit on the branch before it merges (`git rebase -i`, `git reset`). `evident check` judges the uncommitted changes the same way, before they are committed.";
    AssessorRequired = "E0702", "assessor-required", Error, true,
        "a test verdict was set by someone who is not an assessor",
        "Only commit authors listed in `[roles] assessors` (in `evident.toml` before the commit) may set a test status to passed, failed-* or out-of-scope, change one verdict into another, or withdraw a finding (move a failed-* or out-of-scope test back to another status). Moving a passed test back (to replace its evidence) is open to anyone. Ask an assessor to make that change. Each commit is judged on its own, so a later commit cannot undo a broken one (an assessor's later commit adds a verdict, it does not make the first one theirs): drop or rewrite that commit on the branch before it merges (`git rebase -i`, `git reset`). `evident check` judges the uncommitted changes the same way, before they are committed. A program brought into evident with its existing verdicts: see the README, \"Starting from an existing program\".";
    RolesChanged = "E0704", "roles-changed", Error, true,
        "[roles] was changed by someone who is not an admin",
        "Who is an assessor or an admin decides who may set test verdicts, so only the admins listed in `[roles] admins` (before the change) may change `[roles]`. The rule applies once `[roles] admins` lists someone. Each commit is judged on its own, so a later commit cannot undo a broken one: drop or rewrite that commit on the branch before it merges (`git rebase -i`, `git reset`). `evident check` judges the uncommitted changes the same way, before they are committed.";
    AdminSettingsChanged = "E0705", "admin-settings-changed", Error, true,
        "settings only admins may change were changed by someone who is not an admin",
        "`[rules]`, `[check]`, `[scoring]`, `[freshness]` and `[automation]` in `evident.toml` decide which rules apply, how much a score may drop, what each action is worth, how long results stay current and what `evident test` runs, and `[trust]` and its allowed signers file decide whose signatures count, so only the admins listed in `[roles] admins` (before the change) may change them, or delete `evident.toml`. A change by anyone else is reported and not applied to the commits after it. The rule applies once `[roles] admins` lists someone. Each commit is judged on its own, so a later commit cannot undo a broken one: drop or rewrite that commit on the branch before it merges (`git rebase -i`, `git reset`). `evident check` judges the uncommitted changes the same way, before they are committed.";
    DefinitionChangedWithoutVersion = "E0706", "definition-changed-without-version", Error, true,
        "an action's definition changed without a version bump",
        "What an action is worth and how it is tested (`mandatory`, `control_type`, `action_type`, `testing` and any other scoring or testing key) changes the score of every assessment at once. Bump `version` in the same commit, so that each assessment accepts the new definition with `evident accept` and keeps being scored on the version it accepted until then. Each commit is judged on its own, so a later commit cannot undo a broken one (a bump in a later commit leaves this one unversioned): drop or rewrite that commit on the branch before it merges (`git rebase -i`, `git reset`). `evident check` judges the uncommitted changes the same way, before they are committed.";
    PastFileUnreadable = "E0707", "past-file-unreadable", Warning, false,
        "a file of a past commit could not be read",
        "A template, action, assessment or state file, as it was in a past commit, does not parse (the message says why). The history keeps its last good version for the commits until the file is readable again, so scores and status timelines skip that change. Nothing needs fixing in the working tree; the warning says where the history is approximate.";
    ShallowHistory = "E0708", "shallow-history", Warning, false,
        "the history is cut short by a shallow clone",
        "The repository is a shallow clone: commits before its first commit are not there, so history, trends and status timelines start at it. Fetch the rest with `git fetch --unshallow` (in GitHub Actions: `fetch-depth: 0` in actions/checkout).";
    BaseNotAncestor = "E0709", "base-not-ancestor", Warning, false,
        "the base of a comparison is not an ancestor of HEAD",
        "The revision given as the base is not an ancestor of HEAD (the main branch moved on since the branch left it). `evident check` checks the commits of HEAD the base lacks; `evident alerts` compares with their merge base. Rebase or merge to compare with the base itself.";
    SignatureMissing = "E0710", "signature-missing", Error, true,
        "a commit that needed a signature is not signed",
        "Under `[trust]`, a commit that records a test verdict (`require-signed = [\"verdicts\"]`), automatic results (`\"automation\"`) or a change of the settings only admins may change or of the allowed signers file (`\"admin\"`) must carry a good SSH signature from a key that the allowed signers file lists for the commit author, since anyone can commit under any e-mail address. The file and `[trust]` are read from the commit's parent. Sign with `git config gpg.format ssh`, `git config user.signingkey ~/.ssh/id_ed25519.pub` and `git commit -S` (or `git config commit.gpgSign true`), after an admin has added the key with `evident trust add`.";
    SignatureUnknownKey = "E0711", "signature-unknown-key", Error, true,
        "a commit is signed with a key the allowed signers file does not list",
        "The commit is signed, but the allowed signers file in force at its parent lists no such key: the key was never added, was removed (revoked) before the commit, or is added by the same change, which cannot vouch for itself. An admin adds a key with `evident trust add EMAIL KEY.pub` in a commit of its own; commits after that one may use it.";
    SignatureOtherSigner = "E0712", "signature-other-signer", Error, true,
        "a commit is signed with someone else's key",
        "The signature is good, but the allowed signers file lists the key for another person than the commit author. Either the author e-mail was set to someone else's address, or a key is shared. Commit under the key owner's own address, or sign with your own key.";
    SignatureBad = "E0713", "signature-bad", Error, true,
        "a commit's signature does not verify",
        "The commit carries a signature that does not match its contents (the commit was altered after it was signed), or ssh-keygen refused it (for example a key used outside its `valid-after`/`valid-before` dates). Re-create the commit and sign it again.";
    SignatureUnverified = "E0714", "signature-unverified", Error, true,
        "a commit's signature could not be verified",
        "evident verifies SSH signatures by running git (2.34 or later), which runs OpenSSH's `ssh-keygen`. The signature is an OpenPGP or X.509 one, which evident does not accept: sign with `gpg.format=ssh`. (When git or ssh-keygen cannot run at all, no signature is judged: the command stops with exit 2 and says which tool to install.)";
    AllowedSignersInvalid = "E0715", "allowed-signers-invalid", Error, true,
        "the allowed signers file has a line that is not a key",
        "Each line of the allowed signers file (`[trust] allowed-signers`) is `<email> <key type> <base64 key> [comment]`, optionally with options such as `namespaces=\"git\"` after the e-mail, as git's `gpg.ssh.allowedSignersFile` reads it. A line that is not, or a path that leaves the repository, would make verification fail. `evident trust add EMAIL KEY.pub` writes correct lines.";
    TrustWithoutAdmins = "E0716", "trust-without-admins", Warning, true,
        "`[trust]` is set but `[roles]` names no admins",
        "Signed verdicts protect nothing while nobody is an admin: with `[roles] admins` empty, any committer may change `[trust]`, `[roles]` and the allowed signers file, and so trust their own key (`check --base` refuses a key a change adds for itself, but the next change may use it). Name the admins in `[roles] admins`, in a commit of its own signed by one of them.";
    ScoreDrop = "E0703", "score-drop", Error, true,
        "a score dropped",
        "The overall score or an assessment's score is lower than at the base of the change, by more than `[check] max-score-drop` percentage points (0 by default: any drop). Each side is scored with its own `[scoring]` table. A drop that comes entirely from test verdicts that assessors recorded in the change (a failed re-test) passes and is reported, unless `[check] assessor-drops = \"fail\"`. Otherwise restore the status, or ask an admin to raise the threshold if the drop is accepted.";
    EvidenceIsData = "E0407", "evidence-is-data", Error, false,
        "an evidence path names one of the repository's data files",
        "Evidence is what proves an action: a document, an export, a screenshot, usually under `evidence/`. A template, an action or a state file cannot be its own evidence.";
    EvidenceType = "E0408", "evidence-type", Warning, true,
        "an evidence file is not of an accepted type",
        "Evidence files are documents (.doc .docx .xls .xlsx .ppt .pptx .txt .md .csv .json .pdf), images (.jpg .jpeg .png), video (.mkv) or archives (.zip .rar), as `evident evidence add` accepts. Other files are allowed with this warning; `[rules] evidence-type = \"off\"` silences it.";
    EvidenceInternal = "E0409", "evidence-internal", Error, false,
        "an evidence path is inside `.git/` or evident's internal folder",
        "Files under `.git/` (at any depth, in any case: `./.git/config`, `.GIT/config`, `sub/.git/HEAD`) or under `.evident/` are never evidence: git does not version them, and `.git/config` can hold credentials in remote URLs that a report would publish. Paths are normalised before the check, and a link that leads there is refused too. Copy the document under `evidence/` instead.";
    NotRegularFile = "E0410", "not-regular-file", Error, false,
        "a data file is a pipe, socket or device",
        "evident reads templates, actions, assessments, state files and `evident.toml` only from regular files: opening a FIFO (named pipe) would wait for a writer for ever, and a device could be endless. The path is reported and not opened. Replace it with a regular file, or remove it.";
    OscalNotJson = "E0830", "oscal-not-json", Error, false,
        "an OSCAL input file is not JSON",
        "`evident import oscal` reads the JSON edition of OSCAL 1.x. The file is XML, YAML or broken JSON. NIST publishes its catalogs and profiles in all three formats: download the JSON one, or convert with NIST's oscal-cli (`oscal-cli catalog convert --to json FILE.xml FILE.json`).";
    OscalWrongModel = "E0831", "oscal-wrong-model", Error, false,
        "an input file is not the OSCAL model expected",
        "An OSCAL JSON document has one top-level key naming its model: `catalog`, `profile`, `assessment-results`... `--catalog` needs a catalog (a resolved profile is a catalog too) and `--profile` a profile.";
    OscalVersion = "E0832", "oscal-version", Error, false,
        "an input file uses an OSCAL version evident does not read",
        "evident reads OSCAL 1.x (`metadata.oscal-version` 1.0.0 to 1.1.x and later 1.x). Pre-1.0 milestones and other major versions changed the model incompatibly. Get the 1.x edition of the content.";
    OscalInvalid = "E0833", "oscal-invalid", Error, false,
        "an OSCAL file does not have the shape of its model",
        "A field evident uses is missing or has the wrong type (the JSON path is shown). Check the file against NIST's OSCAL JSON schema for its version.";
    OscalUnknownControl = "E0834", "oscal-unknown-control", Error, false,
        "a profile selects a control the catalog does not have",
        "Every id in the profile's `include-controls` must be a control of the catalog given with `--catalog`. The profile was probably written for another catalog (or another release of it): pass the catalog the profile imports (its `imports[].href`).";
    OscalNotOwned = "E0835", "oscal-not-owned", Error, false,
        "an import would overwrite a file it did not write",
        "`evident import oscal` only rewrites the template and actions it wrote itself (they start with a `# Generated by evident import oscal --template ID` line). Choose another `--template` id, or give the imported actions other ids with `action_prefix` in the mapping file.";
    OscalMappingUnknown = "E0836", "oscal-mapping-unknown", Warning, false,
        "the import mapping names a family or control the catalog does not have",
        "Keys of `[families]` in an OSCAL mapping file are OSCAL group ids (`ac`, `au`...), keys of `[controls]` control ids (`ac-2.1`). A key the catalog does not have changes nothing; it is probably a typo.";
    CisoNotYaml = "E0840", "ciso-not-yaml", Error, false,
        "a CISO Assistant library is not YAML evident reads",
        "`evident import ciso-assistant` and `evident import mapping` read the YAML libraries of CISO Assistant (`backend/library/libraries/` of intuitem/ciso-assistant-community). The file is not UTF-8, not YAML, nests deeper than 128 levels or uses more than 64 aliases (`*name`): libraries use none, and alias expansion is how a small file becomes a huge one (a \"billion laughs\" bomb). Use the library as published.";
    CisoInvalid = "E0841", "ciso-invalid", Error, false,
        "a CISO Assistant library does not have the shape evident reads",
        "A library is a YAML mapping with `urn`, `name` and `objects`; `objects.framework` has a `urn` and `requirement_nodes` (each with a `urn`), and a mapping library has `objects.requirement_mapping_sets`. A field evident uses is missing or has the wrong type (its path is shown). A framework library goes to `import ciso-assistant`, a mapping library to `import mapping`.";
    CisoDuplicateUrn = "E0842", "ciso-duplicate-urn", Error, false,
        "two objects of a CISO Assistant library have the same urn",
        "Requirement nodes and reference controls are named by their urn: parents, mappings and other libraries refer to them by it, so each urn names one object. Remove or rename the duplicate.";
    CisoUnknownParent = "E0843", "ciso-unknown-parent", Error, false,
        "a requirement node's parent is not in the library",
        "`parent_urn` must be the urn of another requirement node of the same framework. The file is probably truncated, or the urn has a typo.";
    CisoParentCycle = "E0844", "ciso-parent-cycle", Error, false,
        "requirement nodes are their own ancestors",
        "Following `parent_urn` from a node must reach a top-level node (one without `parent_urn`). The nodes listed form a cycle; point one of them at a real parent.";
    CisoEmptyFramework = "E0845", "ciso-empty-framework", Error, false,
        "a CISO Assistant framework has no assessable requirement",
        "Controls are made from requirement nodes with `assessable: true`. A framework without any would make an empty template. Check that this is the framework library (not a risk matrix or a mapping library) and that it is complete.";
    CisoNotOwned = "E0846", "ciso-not-owned", Error, false,
        "a CISO Assistant import would overwrite a file it did not write",
        "`evident import ciso-assistant` and `evident import mapping` only rewrite templates and actions a CISO Assistant import wrote (they start with a `# Generated by evident import ciso-assistant` line). Choose another `--template` id, or give the actions other ids with `action_prefix` in the mapping file.";
    MappingUnknownFramework = "E0847", "mapping-unknown-framework", Error, false,
        "a requirement mapping set names a framework no template was imported from",
        "`evident import mapping` links the controls of two templates imported with `evident import ciso-assistant`, found by the framework urns recorded in them (`urn` in the template). Import both libraries first. A mapping set cannot map a template to itself.";
    MappingUnknownRequirement = "E0848", "mapping-unknown-requirement", Error, false,
        "a requirement mapping names a requirement that is not a control of its template",
        "Each `source_requirement_urn` and `target_requirement_urn` must be the `urn` of a control of the template imported from its framework. The mapping was probably made for another version of the library: re-import the library version the mapping was made for.";
    CisoMappingUnknown = "E0849", "ciso-mapping-unknown", Warning, false,
        "the scoring mapping names a family or control the library does not have",
        "Keys of `[families]` in a mapping file for `import ciso-assistant` are the families as the template shows them, keys of `[controls]` control ids (or the normalised `ref_id` of a reference control). A key the library does not have changes nothing; it is probably a typo.";
    ImportColumns = "E0801", "import-columns", Error, false,
        "a spreadsheet to import does not have the expected columns",
        "`evident import actions` reads the file `evident export actions` writes: its header row names every column of the export, each once, in any order. Columns were renamed, deleted or added. Export again and copy your edits over, or restore the header names the error lists.";
    ImportUnknownRow = "E0802", "import-unknown-row", Error, false,
        "a row of a spreadsheet names an assessment or action the repository does not have",
        "Each row of an action spreadsheet is keyed by its `Assessment` and `Action` columns, which must name an assessment of `assessments/` and an action its template lists. Rows cannot create assessments or actions: use `evident new` for that.";
    ImportDuplicateRow = "E0803", "import-duplicate-row", Error, false,
        "two rows of a spreadsheet are for the same assessment and action",
        "A bulk update has one row per assessment and action; with two, it is not clear which one is meant. Delete one of them.";
    ImportInvalidValue = "E0804", "import-invalid-value", Error, false,
        "a cell of a spreadsheet has a value evident does not accept",
        "Statuses are the names `evident set --help` lists (or their labels, in any case), owners are e-mail addresses (listed in `[people]` when `evident.toml` has that table), and cells hold values, not errors such as `#N/A`.";
    ImportInvalidDate = "E0805", "import-invalid-date", Error, false,
        "a date in a spreadsheet is not a date, or is ambiguous",
        "Dates are Excel date cells, Excel serial numbers, or text `YYYY-MM-DD`. `03/04/2026` is refused: it is 3 April or 4 March depending on the settings of whoever saved the file, and a wrong guess would silently record a wrong date. Write it as `2026-04-03`.";
    ImportFormula = "E0806", "import-formula", Error, false,
        "a cell of a workbook to import holds a formula",
        "A formula's value depends on the spreadsheet program and on other cells, and the workbook only stores its last computed value, which may be stale. Replace formulas by their values (copy, then Paste Values) before importing.";
    ImportMergedCells = "E0807", "import-merged-cells", Error, false,
        "a workbook to import has merged cells",
        "A merged cell keeps its value in its first cell only, so the other rows it covers would read as blank and lose their owner, status or notes. Unmerge the cells and fill every row.";
    ImportGroupConflict = "E0808", "import-group-conflict", Error, false,
        "two rows of one group set a shared action to different values",
        "Assessments of a group keep one state per shared action, so a bulk update changes it in every assessment of the group. Two rows of the group that change the same column to different values cannot both be applied: make them agree.";
    UncommittedChanges = "E0850", "uncommitted-changes", Warning, false,
        "no longer reported: uncommitted changes are judged by the history rules",
        "No longer reported: `evident check` (with or without `--base`) judges the uncommitted changes by the history rules too, as a commit on top of HEAD by `git config user.email`. Earlier versions warned with this code that the history rules covered commits only.";
    HistoryCacheUnusable = "E0851", "history-cache-unusable", Warning, false,
        "the history cache could not be read or written",
        "evident caches the timeline of the history under `.git/evident/` so that later runs read only new commits. The cache could not be read (it is then ignored and the whole history is read) or written (the next run reads the whole history again). Results are the same; only speed is affected. Check the permissions of `.git/evident/`, or delete it.";
    ColumnNotImported = "E0852", "column-not-imported", Warning, false,
        "a column of a spreadsheet that is not imported was edited",
        "`evident import actions` imports the owner, status, date and notes columns; the other columns of the export are for reading. Edits in them differ from the repository and are ignored. Change those values in the repository's files (titles in `actions/`, groups in `assessment.toml`...).";
    EvidenceNotCopied = "E0853", "evidence-not-copied", Warning, false,
        "an evidence file is not copied into a report",
        "`evident report --evidence` copies each evidence file into the report. This one could not be read from the repository (it is missing, outside the repository, or not a regular file), so the report links to nothing. `evident validate` says what is wrong with it.";
    FilesLeftOut = "E0854", "files-left-out", Warning, false,
        "files with errors are left out of a comparison",
        "Files that do not parse cannot be compared or scored, so `evident diff` and `evident alerts` leave them out of both sides. `evident validate` (on a checkout of that revision) says what is wrong with them.";
    NoAlertPolicies = "E0855", "no-alert-policies", Warning, false,
        "evident.toml has no [[alerts]] policies",
        "`evident alerts` reports the changes that `[[alerts]]` policies in `evident.toml` ask for; with none, it reports nothing. `evident alerts --help` shows how to write one.";
    FileExists = "E0856", "file-exists", Error, false,
        "a file to add exists with other content",
        "`evident library add` and `evident init --template` never overwrite a file: when a file of the built-in template exists with other content (an earlier version, or your own edits), nothing is written. Add the template under another id with `--template NEW-ID`, or remove the files first (their history stays in git).";
    NewGroup = "E0602", "new-group", Warning, false,
        "an assessment starts a group whose name is close to an existing one",
        "Assessments of a group keep the states of their shared actions identical. A new group name that is close to an existing one is probably a typo: the assessment would not share its states with the group meant. Fix the name in `assessment.toml`, or keep it if the group is new.";
    AutomationInvalid = "E0901", "automation-invalid", Error, false,
        "an [automation] table cannot work as written",
        "An action's `[automation]` names what `evident test` runs or reads: exactly one of `run` (a program and its arguments, the program not empty), `junit = { file = ... }` or `sarif = { file = ... }`, with files inside the repository (no absolute paths, no `..`). In `evident.toml`, `[automation] only` and `except` name actions that exist.";
    AutomaticTestByHand = "E0902", "automatic-test-by-hand", Error, true,
        "the test status or notes of an automatic action were set by hand",
        "An action with `testing = \"automatic\"` and an `[automation]` table is tested by `evident test`, which records its status, date, notes and output; a person cannot record them (`evident set` refuses). To test it by hand in one assessment, switch it to manual testing there: `testing = \"manual\"` in its state file.";
    AutomaticVerdictForged = "E0903", "automatic-verdict-forged", Error, true,
        "a commit changed an automatic test result, and its author is not the automation identity",
        "Only the commit authors listed in `[roles] automation` (in `evident.toml` before the commit: the identity CI commits `evident test` results as) may change the test status or test notes of an automatic action. A person who edits them by hand forges a monitoring result. Revert the change; to test the action by hand in an assessment, switch it to `testing = \"manual\"` in its state file first. The rule applies once `[roles] automation` lists someone.";
    AutomationChanged = "E0904", "automation-changed", Error, true,
        "what an automatic test runs was changed by someone who is not an admin",
        "The `[automation]` table of an action, and the files inside the repository that its `run` names (a script, a configuration it reads), decide what CI executes with its credentials: only the admins listed in `[roles] admins` (before the change) may change them, as for `[roles]`. The rule applies once `[roles] admins` lists someone.";
    AutomaticTestFailed = "E0910", "automatic-test-failed", Warning, false,
        "an automatic test failed",
        "The program exited 1, or the result file reported a failing case or a finding: `evident test` recorded the action's `on-fail` status (default `failed-medium`). The notes and the output evidence say what failed.";
    AutomaticTestUndetected = "E0911", "automatic-test-undetected", Error, false,
        "an automatic test could not run or give a result",
        "The program could not start, exited with a status other than 0 or 1, was killed at its timeout, or its result file is missing, malformed or has no matching case or rule. `evident test` recorded `could-not-be-detected` (\"will be checked again\") and exits 1. The notes and the output evidence say why.";
    ResultFileMalformed = "E0912", "result-file-malformed", Error, false,
        "a JUnit or SARIF result file cannot be read",
        "`[automation] junit` reads JUnit XML (`<testsuites>`/`<testsuite>` with `<testcase>` elements), `sarif` reads SARIF 2.1 JSON (`runs[].results[]` with `ruleId`). The file is not well-formed, or not of that shape, at the position shown. The action is recorded as `could-not-be-detected`, never as passed.";
    UnknownRelatedTemplate = "E0913", "unknown-related-template", Error, false,
        "a control's `related` entry names a template that does not exist (or its own)",
        "`related` entries on a control (written by `evident import mapping`) name a control of another template: `template` must be the id of a template in `templates/`, other than the control's own. The template was renamed or removed, or the entry was edited by hand. Import the framework again, correct the id, or remove the entry.";
    UnknownRelatedControl = "E0914", "unknown-related-control", Error, false,
        "a control's `related` entry names a control its template does not have",
        "`related` entries name a control of another template by its id. That template has no control of this id: it was re-imported with other ids, or the entry was edited by hand. Re-run `evident import mapping` with the current mapping file (it replaces entries the mapping no longer has), or correct the id.";
    UnknownRelationship = "E0915", "unknown-relationship", Error, false,
        "a control's `related` entry has a relationship evident does not know",
        "The relationship of a mapped control is one of `equal`, `superset`, `subset`, `intersect` or `not_related` (the CISO Assistant mapping vocabulary).";
    MappingSetEmpty = "E0916", "mapping-set-empty", Error, false,
        "a requirement mapping set has no mappings",
        "`evident import mapping` makes the entries between two templates those of the file: an entry the file no longer has is removed, with the actions it shared. A set without any `requirement_mappings` (a truncated or hand-emptied file) would remove every entry between the two templates, so it is refused. Use the mapping library as published; to drop a mapping, remove its `related` entries from the template by hand.";
    DuplicateRelated = "E0917", "duplicate-related", Error, false,
        "a control is related to the same control of another template twice",
        "Each `related` entry of a control names one control of another template with one relationship. Two entries for the same control contradict each other, and `evident import mapping` only updates the first. Keep one.";
    RelatedActionNotListed = "E0918", "related-action-not-listed", Error, false,
        "a control's `related` entry shares an action the control does not list",
        "The `actions` of a `related` entry are the actions the mapping shared with the control: they are also in the control's `actions`, which is what is scored. An action only in the entry is shown as shared but counts for nothing. Add it to the control's `actions`, or remove it from the entry.";
    InvalidChannel = "E0950", "invalid-channel", Error, false,
        "a [[channels]] entry cannot work as written",
        "Each `[[channels]]` entry in `evident.toml` has a unique `id` and exactly one of `webhook` (an `http://` or `https://` URL) and `smtp` (`smtp://host:port`, STARTTLS when offered, or `smtps://host:port`, TLS from the start). A mail channel also needs `from` and, unless only owner-change alerts use it, `to`: e-mail addresses. Any URL may be written `env:NAME` to read it from the environment variable `NAME` when sending (keep webhook URLs, which are secrets, out of git). SMTP credentials come from `EVIDENT_SMTP_USER` and `EVIDENT_SMTP_PASSWORD`, never from the URL.";
    UnknownChannel = "E0951", "unknown-channel", Error, false,
        "an [[alerts]] policy names a channel that does not exist",
        "`channels = [...]` in an `[[alerts]]` policy lists ids of `[[channels]]` entries in `evident.toml`; `evident alerts --send` delivers the alert to each. Fix the typo, or add the channel.";
    OwnerChangeWithoutMail = "E0952", "owner-change-without-mail", Warning, true,
        "an owner-change alert names no mail channel",
        "An `on = \"owner-change\"` alert mails each new owner through the `smtp` channels it names; webhooks get the alert as usual. This policy names channels, but none of them is a mail channel, so no owner hears about it by mail. Add an `smtp` channel to its `channels`.";
}

impl Code {
    /// Looks a code up by its code (`E0303`) or rule name (`unknown-action`).
    pub(crate) fn lookup(s: &str) -> Option<Code> {
        let s = s.trim();
        Code::ALL.iter().copied().find(|c| c.code().eq_ignore_ascii_case(s) || c.name() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique() {
        let codes: HashSet<_> = Code::ALL.iter().map(|c| c.code()).collect();
        let names: HashSet<_> = Code::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(codes.len(), Code::ALL.len());
        assert_eq!(names.len(), Code::ALL.len());
        assert_eq!(Code::lookup("e0303"), Some(Code::UnknownAction));
        assert_eq!(Code::lookup("unknown-action"), Some(Code::UnknownAction));
    }
}
