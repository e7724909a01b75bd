//! The timeline as the cache stores it: every distinct state snapshot and
//! every id once, events and score points referring to them by index.
//!
//! In memory the events share their snapshots (a state is the after of one
//! event and the before of the next) and the score points share their lists
//! and ids; written field by field, a long history would store each snapshot
//! twice and each list and id once per commit, and reading it back would
//! allocate them all again. [`pack`] writes the sharing down and [`unpack`]
//! restores it, after checking every index: a damaged or hostile file is
//! refused, never trusted.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::timeline::{
    CommitInfo, Points, Problem, ScoreList, ScorePoint, StateSnapshot, StatusEvent, Timeline,
};

/// The packed timeline, as written (borrowing the timeline). Field for field
/// the same encoding as [`Unpacked`]; `L` is [`PackedList`], or [`List`] in tests.
#[derive(Serialize)]
struct Packed<'a, L> {
    commits: &'a [CommitInfo],
    /// Assessment, action, category and other ids.
    names: Vec<&'a str>,
    snapshots: Vec<&'a StateSnapshot>,
    events: Vec<Event>,
    /// The distinct id lists of score lists: indices into `names`.
    shapes: Vec<Vec<u32>>,
    /// The distinct score lists.
    lists: Vec<L>,
    points: Vec<Point>,
    problems: &'a [Problem],
    shallow: bool,
}

/// The packed timeline, as read (borrowing the file's bytes for its names).
#[derive(Deserialize)]
struct Unpacked<'a> {
    commits: Vec<CommitInfo>,
    #[serde(borrow)]
    names: Vec<&'a str>,
    snapshots: Vec<StateSnapshot>,
    events: Vec<Event>,
    shapes: Vec<Vec<u32>>,
    lists: Vec<List>,
    points: Vec<Point>,
    problems: Vec<Problem>,
    shallow: bool,
}

#[derive(Serialize, Deserialize)]
struct Event {
    commit: u32,
    /// Indices into the names.
    assessment: u32,
    action: u32,
    /// 0: none, else 1 + an index into the snapshots.
    before: u32,
    after: u32,
}

#[derive(Serialize, Deserialize)]
struct Point {
    commit: u32,
    overall: Points,
    /// Indices into the lists.
    assessments: u32,
    categories: u32,
    managed: u32,
}

/// Numbers each distinct name, snapshot and id list, in order of first sight.
#[derive(Default)]
struct Packer<'a> {
    names: Vec<&'a str>,
    name_numbers: HashMap<&'a str, u32>,
    snapshots: Vec<&'a StateSnapshot>,
    /// By address: the sharing is what is written down.
    snapshot_numbers: HashMap<*const StateSnapshot, u32>,
    shapes: Vec<Vec<u32>>,
    shape_numbers: HashMap<Vec<u32>, u32>,
    lists: Vec<PackedList<'a>>,
    /// By address, like the snapshots.
    list_numbers: HashMap<*const (Arc<str>, Points), u32>,
}

fn index(i: usize) -> Result<u32, String> {
    u32::try_from(i).map_err(|_| "too many items to cache".to_owned())
}

impl<'a> Packer<'a> {
    fn name(&mut self, s: &'a str) -> Result<u32, String> {
        if let Some(&n) = self.name_numbers.get(s) {
            return Ok(n);
        }
        let n = index(self.names.len())?;
        self.names.push(s);
        self.name_numbers.insert(s, n);
        Ok(n)
    }

    /// 0 for none, else 1 + the snapshot's number.
    fn snapshot(&mut self, s: &'a Option<Arc<StateSnapshot>>) -> Result<u32, String> {
        let Some(s) = s else { return Ok(0) };
        let n = match self.snapshot_numbers.get(&Arc::as_ptr(s)) {
            Some(&n) => n,
            None => {
                let n = index(self.snapshots.len())?;
                self.snapshots.push(s);
                self.snapshot_numbers.insert(Arc::as_ptr(s), n);
                n
            }
        };
        Ok(n + 1)
    }

    /// The number of a score list.
    fn list(&mut self, list: &'a ScoreList) -> Result<u32, String> {
        if let Some(&n) = self.list_numbers.get(&list.as_ptr()) {
            return Ok(n);
        }
        let n = index(self.lists.len())?;
        let shape = self.shape(list)?;
        self.lists.push(PackedList { shape, values: ValuesOf(list) });
        self.list_numbers.insert(list.as_ptr(), n);
        Ok(n)
    }

    /// The number of the ids of a score list.
    fn shape(&mut self, ids: &'a [(Arc<str>, Points)]) -> Result<u32, String> {
        let list = ids.iter().map(|(id, _)| self.name(id)).collect::<Result<Vec<u32>, String>>()?;
        if let Some(&n) = self.shape_numbers.get(&list) {
            return Ok(n);
        }
        let n = index(self.shapes.len())?;
        self.shape_numbers.insert(list.clone(), n);
        self.shapes.push(list);
        Ok(n)
    }
}

/// Writes `timeline` in the packed form.
pub(crate) fn pack(timeline: &Timeline, out: impl std::io::Write) -> Result<(), String> {
    let mut p = Packer::default();
    let mut events = Vec::with_capacity(timeline.events.len());
    for e in &timeline.events {
        events.push(Event {
            commit: index(e.commit)?,
            assessment: p.name(&e.assessment)?,
            action: p.name(&e.action)?,
            before: p.snapshot(&e.before)?,
            after: p.snapshot(&e.after)?,
        });
    }
    let mut points = Vec::with_capacity(timeline.points.len());
    for s in &timeline.points {
        points.push(Point {
            commit: index(s.commit)?,
            overall: s.overall,
            assessments: p.list(&s.assessments)?,
            categories: p.list(&s.categories)?,
            managed: p.list(&s.managed)?,
        });
    }
    let packed = Packed {
        commits: &timeline.commits,
        names: p.names,
        snapshots: p.snapshots,
        events,
        shapes: p.shapes,
        lists: p.lists,
        points,
        problems: &timeline.problems,
        shallow: timeline.shallow,
    };
    postcard::to_io(&packed, out).map(|_| ()).map_err(|e| e.to_string())
}

/// A score list, as read: its shape, and one value per id of it.
#[derive(Serialize, Deserialize)]
struct List {
    shape: u32,
    values: Vec<Points>,
}

/// A score list, as written: the same encoding as [`List`].
#[derive(Serialize)]
struct PackedList<'a> {
    shape: u32,
    values: ValuesOf<'a>,
}

/// The values of a score list without its ids.
struct ValuesOf<'a>(&'a [(Arc<str>, Points)]);

impl Serialize for ValuesOf<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|(_, v)| v))
    }
}

/// Reads a packed timeline: all of `bytes`, every index checked.
pub(crate) fn unpack(bytes: &[u8]) -> Result<Timeline, String> {
    let (u, rest): (Unpacked<'_>, &[u8]) = postcard::take_from_bytes(bytes).map_err(|e| e.to_string())?;
    if !rest.is_empty() {
        return Err(format!("{} bytes after the end", rest.len()));
    }
    let Unpacked { commits, names, snapshots, events, shapes, lists, points, problems, shallow } = u;
    // Events and points are in commit order, each at a commit of the list.
    let at = |c: u32, last: &mut usize| {
        let c = c as usize;
        if c < commits.len() && c >= *last {
            *last = c;
            Ok(c)
        } else {
            Err(format!("commit {c} out of range or out of order"))
        }
    };
    let name = |i: u32| names.get(i as usize).copied().ok_or_else(|| format!("name {i} out of range"));
    // An event's assessment and action are ids, short by definition: each
    // event copies them, and a long name referred to by many small events
    // would make a small file allocate without bound.
    let id = |i: u32| {
        let id = name(i)?;
        if crate::model::is_valid_id(id) { Ok(id) } else { Err(format!("name {i} is not an id")) }
    };
    // The engine never gives more points than the most there are.
    let points_ok = |p: &Points| {
        if p.earned <= p.max { Ok(()) } else { Err(format!("{} of {} points", p.earned, p.max)) }
    };
    let snapshots: Vec<Arc<StateSnapshot>> = snapshots.into_iter().map(Arc::new).collect();
    let snapshot = |i: u32| match i {
        0 => Ok(None),
        _ => snapshots
            .get(i as usize - 1)
            .cloned()
            .map(Some)
            .ok_or_else(|| format!("snapshot {i} out of range")),
    };
    let mut last = 0;
    let events = events
        .into_iter()
        .map(|e| {
            Ok(StatusEvent {
                commit: at(e.commit, &mut last)?,
                assessment: id(e.assessment)?.to_owned(),
                action: id(e.action)?.to_owned(),
                before: snapshot(e.before)?,
                after: snapshot(e.after)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    // Each name becomes one `Arc`, shared by every point that shows it.
    let mut ids: Vec<Option<Arc<str>>> = vec![None; names.len()];
    let shapes = shapes
        .iter()
        .map(|list| {
            list.iter()
                .map(|&i| {
                    let id = ids.get_mut(i as usize).ok_or_else(|| format!("name {i} out of range"))?;
                    Ok(Arc::clone(id.get_or_insert_with(|| Arc::from(names[i as usize]))))
                })
                .collect::<Result<Vec<Arc<str>>, String>>()
        })
        .collect::<Result<Vec<_>, String>>()?;
    let lists = lists
        .into_iter()
        .enumerate()
        .map(|(i, List { shape, values })| {
            let ids =
                shapes.get(shape as usize).ok_or_else(|| format!("score shape {shape} out of range"))?;
            if ids.len() != values.len() {
                return Err(format!("score list {i} has {} values for {} ids", values.len(), ids.len()));
            }
            values.iter().try_for_each(points_ok)?;
            Ok(ids.iter().cloned().zip(values).collect::<ScoreList>())
        })
        .collect::<Result<Vec<_>, String>>()?;
    let list = |i: u32| lists.get(i as usize).cloned().ok_or_else(|| format!("score list {i} out of range"));
    // One point per commit, in order: the scores after each.
    if points.len() != commits.len() {
        return Err(format!("{} score points for {} commits", points.len(), commits.len()));
    }
    let points = points
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            if p.commit as usize != i {
                return Err(format!("score point {i} at commit {}", p.commit));
            }
            points_ok(&p.overall)?;
            Ok(ScorePoint {
                commit: i,
                overall: p.overall,
                assessments: list(p.assessments)?,
                categories: list(p.categories)?,
                managed: list(p.managed)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if let Some(p) = problems.iter().find(|p| p.commit >= commits.len()) {
        return Err(format!("problem at commit {} out of range", p.commit));
    }
    Ok(Timeline { commits, events, points, problems, shallow })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(id: &str) -> CommitInfo {
        CommitInfo {
            id: id.into(),
            author_name: "Ana".into(),
            author_email: "ana@example.com".into(),
            time: 1_777_712_400,
            offset_minutes: 0,
            summary: "s".into(),
        }
    }

    const OPEN: StateSnapshot = StateSnapshot {
        owner: None,
        implementation: crate::model::ImplementationStatus::Implemented,
        implementation_date: None,
        implementation_notes: None,
        test: crate::model::TestStatus::Passed,
        test_date: None,
        test_notes: None,
        evidence: Vec::new(),
    };

    /// Two commits, one event (a state file added), two points with one
    /// assessment, one category and one managed split each.
    fn good<'a>(commits: &'a [CommitInfo], snapshot: &'a StateSnapshot) -> Packed<'a, List> {
        let p = Points { earned: 1, max: 3 };
        let point = |commit| Point { commit, overall: p, assessments: 0, categories: 1, managed: 2 };
        Packed {
            commits,
            names: vec!["s", "a", "control-access", "customer"],
            snapshots: vec![snapshot],
            events: vec![Event { commit: 1, assessment: 0, action: 1, before: 0, after: 1 }],
            shapes: vec![vec![0], vec![2], vec![3]],
            lists: (0..3).map(|shape| List { shape, values: vec![p] }).collect(),
            points: vec![point(0), point(1)],
            problems: &[],
            shallow: false,
        }
    }

    fn read(packed: &Packed<'_, List>) -> Result<Timeline, String> {
        unpack(&postcard::to_stdvec(packed).unwrap())
    }

    #[test]
    fn a_hand_packed_timeline_reads_back() {
        let commits = [commit("1"), commit("2")];
        let open = OPEN;
        let t = read(&good(&commits, &open)).unwrap();
        assert_eq!(t.commits, commits);
        let [e] = &t.events[..] else { panic!("one event") };
        assert_eq!((e.commit, &*e.assessment, &*e.action), (1, "s", "a"));
        assert_eq!((e.before.as_deref(), e.after.as_deref()), (None, Some(&OPEN)));
        assert_eq!(*t.points[1].categories, [("control-access".into(), Points { earned: 1, max: 3 })]);
        assert_eq!(&*t.points[1].managed[0].0, "customer");
        assert!(Arc::ptr_eq(&t.points[0].categories, &t.points[1].categories), "one list, shared");
        // And what `pack` writes is what was packed by hand.
        let mut bytes = Vec::new();
        pack(&t, &mut bytes).unwrap();
        assert_eq!(bytes, postcard::to_stdvec(&good(&commits, &open)).unwrap());
    }

    /// Every index that points nowhere is refused with what it is.
    #[test]
    fn indices_out_of_range_are_refused() {
        let commits = [commit("1"), commit("2")];
        let open = OPEN;
        let refused = |change: &dyn Fn(&mut Packed<'_, List>), why: &str| {
            let mut packed = good(&commits, &open);
            change(&mut packed);
            assert_eq!(read(&packed).err().as_deref(), Some(why));
        };
        refused(&|p| p.events[0].after = 2, "snapshot 2 out of range");
        refused(&|p| p.events[0].before = u32::MAX, "snapshot 4294967295 out of range");
        refused(&|p| p.events[0].action = 4, "name 4 out of range");
        refused(&|p| p.shapes[1] = vec![9], "name 9 out of range");
        refused(&|p| p.events[0].commit = 2, "commit 2 out of range or out of order");
        refused(&|p| p.points[0].commit = 5, "score point 0 at commit 5");
        refused(&|p| p.points.reverse(), "score point 0 at commit 1");
        refused(&|p| p.points[1].managed = 3, "score list 3 out of range");
        refused(&|p| p.lists[1].shape = 3, "score shape 3 out of range");
        refused(&|p| p.lists[0].values.push(Points::default()), "score list 0 has 2 values for 1 ids");
        refused(&|p| p.lists[2].values.clear(), "score list 2 has 0 values for 1 ids");
        let problems = [Problem { commit: 2, path: "p".into(), message: "m".into() }];
        let packed = Packed { problems: &problems, ..good(&commits, &open) };
        assert_eq!(read(&packed).err().as_deref(), Some("problem at commit 2 out of range"));
        // Names and numbers the engine never writes.
        refused(&|p| p.names[0] = "Not An Id", "name 0 is not an id");
        refused(&|p| p.points.pop().map(drop).unwrap_or(()), "1 score points for 2 commits");
        refused(&|p| p.points[1].commit = 0, "score point 1 at commit 0");
        refused(&|p| p.points[0].overall.earned = 4, "4 of 3 points");
        refused(
            &|p| p.lists[1].values[0] = Points { earned: u64::MAX, max: 1 },
            "18446744073709551615 of 1 points",
        );
        let mut bytes = postcard::to_stdvec(&good(&commits, &open)).unwrap();
        bytes.push(0);
        assert_eq!(unpack(&bytes).err().as_deref(), Some("1 bytes after the end"));
    }

    /// A file of a few megabytes whose many events all name one long
    /// "assessment" would copy it into each: refused before any copy.
    #[test]
    fn a_long_name_shared_by_many_events_is_refused() {
        let commits = [commit("1"), commit("2")];
        let open = OPEN;
        let long = "a".repeat(1 << 20);
        let event = || Event { commit: 1, assessment: 0, action: 1, before: 0, after: 1 };
        let packed = Packed {
            names: vec![&long, "a"],
            events: (0..100_000).map(|_| event()).collect(),
            ..good(&commits, &open)
        };
        let bytes = postcard::to_stdvec(&packed).unwrap();
        assert!(bytes.len() < 2 << 20, "{}", bytes.len());
        assert_eq!(unpack(&bytes).err().as_deref(), Some("name 0 is not an id"));
    }
}
