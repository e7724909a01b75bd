//! What every command receives: the [`Context`] built once by `cli.rs` from
//! the global arguments, with the terminal ([`Ui`]) and the ways to reach the
//! repository (find it, lock it, load it, read its history).
//!
//! A command is `pub fn run(ctx: &Context, args: Args) -> Result<Outcome>`;
//! it never sees the global arguments themselves.

use std::path::PathBuf;

use crate::diag::{Code, Diagnostic, Report};
use crate::error::Result;
use crate::history::timeline::Timeline;
use crate::model::Workspace;
use crate::repo::Repo;
use crate::repo::journal::WriteLock;
use crate::ui::Ui;

/// The global options of a run, resolved once.
pub(crate) struct Context {
    ui: Ui,
    /// `--repo` (or `EVIDENT_REPO`): where to look for the repository.
    repo_dir: Option<PathBuf>,
}

/// A loaded and validated working tree.
pub(crate) struct Loaded {
    pub repo: Repo,
    pub workspace: Workspace,
    pub report: Report,
}

impl Context {
    pub(crate) fn new(ui: Ui, repo_dir: Option<PathBuf>) -> Self {
        Context { ui, repo_dir }
    }

    /// Where results and messages go.
    pub(crate) fn ui(&self) -> &Ui {
        &self.ui
    }

    /// Finds the repository (`--repo`, or the nearest parent with `evident.toml`).
    pub(crate) fn repo(&self) -> Result<Repo> {
        Repo::discover(self.repo_dir.as_deref())
    }

    /// For commands that write the repository: takes its write lock, held
    /// until dropped. Called before the repository is loaded, so that what the
    /// command reads cannot change before it writes.
    pub(crate) fn lock(&self) -> Result<WriteLock> {
        WriteLock::acquire(&self.repo()?.root)
    }

    /// Locks the repository and loads it for an edit. `None` when the
    /// configuration, templates or assessments have errors: they are printed
    /// (the command fails), as the edit could not tell which files to change;
    /// on stdout as JSON when the command's output is (`json`).
    pub(crate) fn load_for_edit(&self, json: bool) -> Result<Option<(WriteLock, Loaded)>> {
        let lock = self.lock()?;
        let loaded = self.load()?;
        if let Some(report) = crate::edit::unusable_inputs(&loaded.report) {
            crate::commands::output::refuse_inputs(self.ui(), &report, json);
            return Ok(None);
        }
        Ok(Some((lock, loaded)))
    }

    /// For commands that rewrite many files (imports, `sync`): the write lock,
    /// then the repository, which must have no errors at all; `None` (after
    /// printing them, as JSON on stdout when `json`) when it has.
    pub(crate) fn load_clean_for_write(&self, json: bool) -> Result<Option<(WriteLock, Loaded)>> {
        let lock = self.lock()?;
        let loaded = self.load()?;
        if !crate::commands::output::require_clean(self.ui(), &loaded.report, json) {
            return Ok(None);
        }
        Ok(Some((lock, loaded)))
    }

    /// Finds the repository, reads every file and runs the checks of `validate`.
    pub(crate) fn load(&self) -> Result<Loaded> {
        let mut loaded = self.load_unfinished()?;
        loaded.report.finish(&loaded.workspace.config.rules);
        Ok(loaded)
    }

    /// Like [`Context::load`], for commands that score: assessments with
    /// pending updates are scored on the definitions they accepted, read from
    /// git history.
    pub(crate) fn load_for_scoring(&self) -> Result<Loaded> {
        let mut loaded = self.load()?;
        if !loaded.report.has_errors() {
            for warning in crate::updates::apply_deferred(&mut loaded.workspace, &loaded.repo.root) {
                self.ui.diagnostic(&warning);
            }
        }
        Ok(loaded)
    }

    /// Like [`Context::load`], but leaves the report open for more checks: the
    /// caller calls `report.finish` (which applies `[rules]` levels).
    pub(crate) fn load_unfinished(&self) -> Result<Loaded> {
        load_worktree(self.repo()?)
    }

    /// The timeline of the repository's history, with a progress bar on long
    /// walks. The main-line timeline is cached under `.git/evident/`; a run
    /// reads only the commits the cache does not have.
    /// The timeline for `history` and `export history`: an empty one, with a note, when the
    /// repository is in git but not committed yet (as `report` then shows no history).
    pub(crate) fn history_timeline(&self, repo: &Repo, all_parents: bool) -> Result<Timeline> {
        if repo.git().is_some() && repo.head_commit().is_none() {
            self.ui.note("the compliance repository is not committed yet, so there is no history to show");
            return Ok(Timeline::default());
        }
        self.timeline(repo, all_parents)
    }

    pub(crate) fn timeline(&self, repo: &Repo, all_parents: bool) -> Result<Timeline> {
        use crate::history::cache::{TimelineCache, reusable, truncate};
        use crate::history::engine::{Options, build_read, main_line};
        let ui = &self.ui;
        let git = crate::history::GitRepo::open(&repo.root)?;
        let head = git.committed_head()?;
        let cache = TimelineCache::of(&git);
        let cached = if all_parents {
            None
        } else {
            match cache.load() {
                Ok(cached) => cached,
                Err(why) => {
                    ui.diagnostic(&Diagnostic::new(
                        Code::HistoryCacheUnusable,
                        format!("ignoring the history cache ({why}); reading the whole history"),
                    ));
                    None
                }
            }
        };
        // Without a cache, the main line and its changes come from one pass.
        let (mainline, ahead, done) = match cached {
            Some(mut cached) => {
                let mainline = crate::history::events::commits(&git, None, head, true)?;
                let k = reusable(&cached, &mainline);
                truncate(&mut cached, k);
                (mainline, None, cached)
            }
            None => {
                let (mainline, ahead) = main_line(&git, head)?;
                (mainline, ahead, Timeline::default())
            }
        };
        let reused = done.commits.len();
        let bar = ui.progress((mainline.len() - reused) as u64, "History");
        let mut scorer = crate::history::scorer::IncrementalScorer::default();
        let timeline =
            build_read(&git, &mainline, done, ahead, Options { all_parents }, &mut scorer, &|n| bar.inc(n))?;
        bar.finish_and_clear();
        if !all_parents
            && (reused != mainline.len() || reused != timeline.commits.len())
            && let Err(why) = cache.store(&timeline)
        {
            ui.diagnostic(&Diagnostic::new(
                Code::HistoryCacheUnusable,
                format!("could not cache the history under .git/evident/ ({why})"),
            ));
        }
        Ok(timeline)
    }
}

/// Reads the working tree of `repo` under the journal's read guard and runs
/// the checks of `validate`, leaving the report open.
pub(crate) fn load_worktree(repo: Repo) -> Result<Loaded> {
    let (workspace, mut report) =
        crate::repo::journal::read_whole(&repo.root, || crate::load::worktree(&repo))?;
    crate::checks::validate(&workspace, &mut report, &repo.root);
    Ok(Loaded { repo, workspace, report })
}
