//! Scores kept up to date by deltas: a state change touches one pair, its
//! assessment's sums and its action's counters, not every score.
//!
//! The rules are those of `crate::score` (and checked against it in tests):
//! an action counts toward the overall maximum when it is in scope in at
//! least one assessment that lists it, and earns when it earns in every
//! assessment where it is in scope.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::engine::Scorer;
use super::timeline::{Points, ScoreList, ScorePoint};
use crate::model::{ActionId, AssessmentId, Workspace};
use crate::score::{Score, contribution, earns, in_scope, points};

/// One action in one assessment.
#[derive(Clone, Copy, Debug)]
struct Pair {
    assessment: usize,
    action: usize,
    in_scope: bool,
    earns: bool,
}

/// One action across assessments.
#[derive(Clone, Debug)]
struct ActionTotals {
    category: &'static str,
    managed: crate::model::ManagedBy,
    points: u64,
    /// Pairs where the action is in scope.
    in_scope: u32,
    /// Pairs where it is in scope but does not earn.
    not_earning: u32,
}

impl ActionTotals {
    /// What the action adds to the overall score.
    fn contribution(&self) -> Score {
        contribution(self.points, self.in_scope > 0, self.not_earning == 0)
    }
}

#[derive(Default)]
pub(crate) struct IncrementalScorer {
    /// Ids are shared with every score point (see [`ScorePoint`]).
    assessments: Vec<(Arc<str>, Score)>,
    pairs: Vec<Pair>,
    /// (assessment, action) -> index into `pairs`.
    index: HashMap<(AssessmentId, ActionId), usize>,
    actions: Vec<ActionTotals>,
    overall: Score,
    categories: BTreeMap<&'static str, (Arc<str>, Score)>,
    /// Customer-managed and provider-managed points.
    managed: BTreeMap<crate::model::ManagedBy, (Arc<str>, Score)>,
    /// The assessments, categories and managed lists of the scores now, made
    /// when they change and shared by the points until the next change.
    lists: [ScoreList; 3],
}

fn add(total: &mut Score, s: Score) {
    total.plus(s);
}

fn sub(total: &mut Score, s: Score) {
    total.minus(s);
}

impl Scorer for IncrementalScorer {
    fn reset(&mut self, ws: &Workspace) {
        *self = IncrementalScorer::default();
        let table = ws.config.points_table();
        let mut action_index: HashMap<&ActionId, usize> = HashMap::new();
        for (id, entry) in &ws.assessments {
            let Some(_) = ws.template_of(&entry.assessment) else { continue };
            let a = self.assessments.len();
            let mut total = Score::default();
            for (action_id, action) in ws.actions_of(&entry.assessment) {
                let x = *action_index.entry(action_id).or_insert_with(|| {
                    self.actions.push(ActionTotals {
                        category: action.category.as_str(),
                        managed: action.managed_by,
                        points: points(&table, action),
                        in_scope: 0,
                        not_earning: 0,
                    });
                    self.actions.len() - 1
                });
                let state = ws.state(id, action_id);
                let (s, e) = (in_scope(&state), earns(&state));
                let totals = &mut self.actions[x];
                totals.in_scope += u32::from(s);
                totals.not_earning += u32::from(s && !e);
                add(&mut total, contribution(totals.points, s, e));
                self.index.insert((id.clone(), action_id.clone()), self.pairs.len());
                self.pairs.push(Pair { assessment: a, action: x, in_scope: s, earns: e });
            }
            self.assessments.push((id.as_str().into(), total));
        }
        for m in crate::model::ManagedBy::ALL {
            self.managed.insert(*m, (m.as_str().into(), Score::default()));
        }
        for totals in &self.actions {
            let c = totals.contribution();
            if let Some((_, managed)) = self.managed.get_mut(&totals.managed) {
                add(managed, c);
            }
            add(&mut self.overall, c);
            let category = self
                .categories
                .entry(totals.category)
                .or_insert_with(|| (totals.category.into(), Score::default()));
            add(&mut category.1, c);
        }
        self.make_lists();
    }

    fn states_changed(&mut self, ws: &Workspace, changed: &[(AssessmentId, ActionId)]) {
        let mut moved = false;
        for key in changed {
            let Some(&p) = self.index.get(key) else { continue };
            let state = ws.state(&key.0, &key.1);
            let (s, e) = (in_scope(&state), earns(&state));
            let pair = self.pairs[p];
            if (pair.in_scope, pair.earns) == (s, e) {
                continue;
            }
            let totals = &mut self.actions[pair.action];
            let before = totals.contribution();
            totals.in_scope = totals.in_scope + u32::from(s) - u32::from(pair.in_scope);
            totals.not_earning =
                totals.not_earning + u32::from(s && !e) - u32::from(pair.in_scope && !pair.earns);
            let after = totals.contribution();
            let category = totals.category;
            let points = totals.points;
            sub(&mut self.overall, before);
            add(&mut self.overall, after);
            // Both were filled in by `reset` for every action.
            if let Some((_, cat)) = self.categories.get_mut(category) {
                sub(cat, before);
                add(cat, after);
            }
            if let Some((_, managed)) = self.managed.get_mut(&self.actions[pair.action].managed) {
                sub(managed, before);
                add(managed, after);
            }
            let assessment = &mut self.assessments[pair.assessment].1;
            sub(assessment, contribution(points, pair.in_scope, pair.earns));
            add(assessment, contribution(points, s, e));
            self.pairs[p] = Pair { in_scope: s, earns: e, ..pair };
            moved = true;
        }
        if moved {
            self.make_lists();
        }
    }

    fn point(&self, commit: usize) -> ScorePoint {
        ScorePoint {
            commit,
            overall: self.overall.into(),
            assessments: Arc::clone(&self.lists[0]),
            categories: Arc::clone(&self.lists[1]),
            managed: Arc::clone(&self.lists[2]),
        }
    }
}

impl IncrementalScorer {
    fn make_lists(&mut self) {
        let list = |scores: &mut dyn Iterator<Item = &(Arc<str>, Score)>| -> ScoreList {
            scores.map(|(id, s)| (Arc::clone(id), Points::from(*s))).collect()
        };
        self.lists = [
            list(&mut self.assessments.iter()),
            list(&mut self.categories.values()),
            list(&mut self.managed.values()),
        ];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::GitRepo;
    use crate::history::engine::{FullScorer, Options, build};
    use crate::history::testing::{git, write};

    /// A small deterministic random generator (xorshift).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    const IMPL: [&str; 5] = ["not-implemented", "implemented", "alternative", "planned", "out-of-scope"];
    const TEST: [&str; 5] = ["none", "passed", "failed-low", "out-of-scope", "in-progress"];

    fn action(id: usize, rng: &mut Rng) -> String {
        let ct = ["preventative", "detective", "corrective"][rng.next(3) as usize];
        let cat = ["control-access", "protect-information", "manage-devices"][rng.next(3) as usize];
        format!(
            "id = \"a{id}\"\ntitle = \"A{id}\"\nversion = 1\ncategory = \"{cat}\"\naction_type = \"technical\"\ncontrol_type = \"{ct}\"\nmandatory = {}\ntesting = \"manual\"\n",
            rng.next(2) == 0
        )
    }

    fn template(id: &str, rng: &mut Rng) -> String {
        let mut s = format!("id = \"{id}\"\nname = \"{id}\"\nregulation = \"{id}\"\nversion = 1\n");
        for c in 0..3 {
            let list: Vec<String> = (0..4).map(|_| format!("\"a{}\"", rng.next(10))).collect();
            s.push_str(&format!(
                "\n[[controls]]\nid = \"c{c}\"\ntitle = \"c\"\nactions = [{}]\n",
                list.join(", ")
            ));
        }
        s
    }

    /// Scores after every commit of a random history, from both scorers.
    #[test]
    fn incremental_scores_equal_full_scores() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mut rng = Rng(0x9e3779b97f4a7c15);
        git(root, &["init", "-q", "-b", "main"]);
        write(root, "evident.toml", "");
        for i in 0..10 {
            write(root, &format!("actions/a{i}.toml"), &action(i, &mut rng));
        }
        for t in ["t1", "t2"] {
            write(root, &format!("templates/{t}.toml"), &template(t, &mut rng));
        }
        let assessments =
            [("s1", "t1", Some("g")), ("s2", "t2", Some("g")), ("s3", "t1", None), ("s4", "t2", None)];
        for (id, t, g) in assessments {
            let group = g.map(|g| format!("group = \"{g}\"\n")).unwrap_or_default();
            write(
                root,
                &format!("assessments/{id}/assessment.toml"),
                &format!("id = \"{id}\"\nname = \"{id}\"\ntemplate = \"{t}\"\ntemplate_version = 1\n{group}"),
            );
        }
        git(root, &["add", "-A"]);
        git(root, &["commit", "-qm", "start"]);
        for step in 0..120 {
            match rng.next(20) {
                // Definitions change now and then: points, controls, the scoring table.
                0 => write(
                    root,
                    &format!("actions/a{}.toml", rng.next(10)),
                    &action(rng.next(10) as usize, &mut rng),
                ),
                1 => write(
                    root,
                    &format!("templates/t{}.toml", 1 + rng.next(2)),
                    &template(&format!("t{}", 1 + rng.next(2)), &mut rng),
                ),
                2 => write(
                    root,
                    "evident.toml",
                    &format!("[scoring]\nmandatory = {{ preventative = {} }}\n", 1 + rng.next(30)),
                ),
                3 => {
                    let a = assessments[rng.next(4) as usize].0;
                    let _ =
                        std::fs::remove_file(root.join(format!("assessments/{a}/a{}.toml", rng.next(10))));
                }
                _ => {
                    for _ in 0..1 + rng.next(3) {
                        let a = assessments[rng.next(4) as usize].0;
                        let imp = IMPL[rng.next(5) as usize];
                        let test = TEST[rng.next(5) as usize];
                        write(
                            root,
                            &format!("assessments/{a}/a{}.toml", rng.next(10)),
                            &format!("[implementation]\nstatus = \"{imp}\"\n\n[test]\nstatus = \"{test}\"\n"),
                        );
                    }
                }
            }
            git(root, &["add", "-A"]);
            git(root, &["commit", "-qm", &format!("step {step}"), "--allow-empty"]);
        }
        let repo = GitRepo::open(root).unwrap();
        let head = repo.head().unwrap().unwrap();
        let full = build(&repo, head, Options::default(), &mut FullScorer::default(), &|_| {}).unwrap();
        let fast =
            build(&repo, head, Options::default(), &mut IncrementalScorer::default(), &|_| {}).unwrap();
        assert_eq!(full.points.len(), 121);
        for (f, i) in full.points.iter().zip(&fast.points) {
            assert_eq!(f, i, "commit {} ({})", f.commit, full.commits[f.commit].summary);
        }
        let moved = full.points.windows(2).filter(|w| w[0].overall != w[1].overall).count();
        assert!(moved > 20, "the history moves the score ({moved} times)");
        // A commit that moves no score shares the lists of the point before.
        let shared =
            fast.points.windows(2).filter(|w| Arc::ptr_eq(&w[0].categories, &w[1].categories)).count();
        assert!(shared > 20, "{shared} points share their lists");
        views_agree_with_the_pair_rule(root, &full, fast.points.last().unwrap());
    }

    /// The incremental scorer, the report and the list all show, for each
    /// pair, what `score::contribution` says it is worth.
    fn views_agree_with_the_pair_rule(
        root: &std::path::Path,
        timeline: &crate::history::timeline::Timeline,
        last: &ScorePoint,
    ) {
        use crate::filter::{ActionFilter, action_rows};
        let repo = crate::repo::Repo::discover(Some(root)).unwrap();
        let (ws, _) = crate::load::worktree(&repo);
        let pairs = crate::score::pairs(&ws);
        let by_rule = |p: &crate::score::Pair<'_>| contribution(p.points, p.in_scope, p.earns);
        // The incremental scorer: each assessment is the sum of its pairs.
        for (id, points) in last.assessments.iter() {
            let mut sum = Score::default();
            pairs.iter().filter(|p| p.assessment.as_str() == &**id).for_each(|p| sum.plus(by_rule(p)));
            assert_eq!(*points, Points::from(sum), "assessment {id}");
        }
        let scores = crate::score::compute(&ws);
        assert_eq!(last.overall, Points::from(scores.overall));
        // The list (JSON): each pair's earned and max.
        let rows = action_rows(&pairs, &ActionFilter::default());
        let list = crate::render::list::json(&rows);
        for (row, json) in rows.iter().zip(list.as_array().unwrap()) {
            for (p, j) in row.pairs.iter().zip(json["assessments"].as_array().unwrap()) {
                let s = by_rule(p);
                assert_eq!((j["earned"].as_u64(), j["max"].as_u64()), (Some(s.earned), Some(s.max)));
            }
        }
        // The report: each action's state in each assessment.
        let evidence = std::collections::BTreeSet::new();
        let report = crate::report::view::build(&crate::report::view::Input {
            workspace: &ws,
            scores: &scores,
            timeline,
            evidence_available: &evidence,
        });
        let mut checked = 0;
        for view in &report.actions {
            for state in &view.states {
                let p = pairs
                    .iter()
                    .find(|p| p.id.as_str() == view.id && p.assessment.as_str() == state.assessment);
                let s = by_rule(p.unwrap());
                assert_eq!((state.score.earned, state.score.max), (s.earned, s.max));
                checked += 1;
            }
        }
        assert_eq!(checked, pairs.len());
    }
}
