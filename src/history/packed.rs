//! The timeline as the cache stores it: every distinct state snapshot and
//! every id once, events and score points referring to them by index.
//!
//! In memory the events share their snapshots (a state is the after of one
//! event and the before of the next) and the score points share their ids;
//! written field by field, a long history would store each snapshot twice and
//! each id once per commit, and reading it back would allocate them all
//! again. [`pack`] writes the sharing down and [`unpack`] restores it, after
//! checking every index: a damaged or hostile file is refused, never trusted.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::timeline::{CommitInfo, Points, Problem, ScorePoint, StateSnapshot, StatusEvent, Timeline};

/// The packed timeline, as written (borrowing the timeline). Field for field
/// the same encoding as [`Unpacked`]; `V` is [`Values`], or a list in tests.
#[derive(Serialize)]
struct Packed<'a, V> {
    commits: &'a [CommitInfo],
    /// Assessment, action, category and other ids.
    names: Vec<&'a str>,
    snapshots: Vec<&'a StateSnapshot>,
    events: Vec<Event>,
    /// The distinct id lists of score points: indices into `names`.
    shapes: Vec<Vec<u32>>,
    points: Vec<Point>,
    /// The points of every score point, in order: for each, its
    /// assessments, categories and managed splits, one per id of its shapes.
    values: V,
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
    points: Vec<Point>,
    values: Vec<Points>,
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
    /// Indices into the shapes.
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
    /// The id lists of the point before and their shapes: most points have
    /// the very same ids (the same `Arc`s) as the one before.
    last: [Option<(&'a [(Arc<str>, Points)], u32)>; 3],
    list: Vec<u32>,
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

    /// The shape of the `which`-th id list of a point.
    fn shape(&mut self, which: usize, ids: &'a [(Arc<str>, Points)]) -> Result<u32, String> {
        if let Some((before, n)) = self.last[which]
            && before.len() == ids.len()
            && before.iter().zip(ids).all(|(a, b)| Arc::ptr_eq(&a.0, &b.0))
        {
            self.last[which] = Some((ids, n));
            return Ok(n);
        }
        let mut list = std::mem::take(&mut self.list);
        list.clear();
        for (id, _) in ids {
            list.push(self.name(id)?);
        }
        let n = match self.shape_numbers.get(&list) {
            Some(&n) => n,
            None => {
                let n = index(self.shapes.len())?;
                self.shapes.push(list.clone());
                self.shape_numbers.insert(list.clone(), n);
                n
            }
        };
        self.list = list;
        self.last[which] = Some((ids, n));
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
            assessments: p.shape(0, &s.assessments)?,
            categories: p.shape(1, &s.categories)?,
            managed: p.shape(2, &s.managed)?,
        });
    }
    let packed = Packed {
        commits: &timeline.commits,
        names: p.names,
        snapshots: p.snapshots,
        events,
        shapes: p.shapes,
        points,
        values: Values(&timeline.points),
        problems: &timeline.problems,
        shallow: timeline.shallow,
    };
    postcard::to_io(&packed, out).map(|_| ()).map_err(|e| e.to_string())
}

/// The values of every score point, written straight from the timeline
/// rather than gathered first (a long history has hundreds of thousands).
struct Values<'a>(&'a [ScorePoint]);

impl Serialize for Values<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let lists = || self.0.iter().flat_map(|p| [&p.assessments, &p.categories, &p.managed]);
        let mut seq = serializer.serialize_seq(Some(lists().map(Vec::len).sum()))?;
        for (_, v) in lists().flatten() {
            seq.serialize_element(v)?;
        }
        seq.end()
    }
}

/// Reads a packed timeline: all of `bytes`, every index checked.
pub(crate) fn unpack(bytes: &[u8]) -> Result<Timeline, String> {
    let (u, rest): (Unpacked<'_>, &[u8]) = postcard::take_from_bytes(bytes).map_err(|e| e.to_string())?;
    if !rest.is_empty() {
        return Err(format!("{} bytes after the end", rest.len()));
    }
    let Unpacked { commits, names, snapshots, events, shapes, points, values, problems, shallow } = u;
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
                assessment: name(e.assessment)?.to_owned(),
                action: name(e.action)?.to_owned(),
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
    let mut values = values.into_iter();
    let mut take = |shape: u32| {
        let ids = shapes.get(shape as usize).ok_or_else(|| format!("score shape {shape} out of range"))?;
        ids.iter()
            .map(|id| Ok((Arc::clone(id), values.next().ok_or("fewer score values than points")?)))
            .collect::<Result<Vec<_>, String>>()
    };
    let mut last = 0;
    let points = points
        .into_iter()
        .map(|p| {
            Ok(ScorePoint {
                commit: at(p.commit, &mut last)?,
                overall: p.overall,
                assessments: take(p.assessments)?,
                categories: take(p.categories)?,
                managed: take(p.managed)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if values.next().is_some() {
        return Err("more score values than points".into());
    }
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
    fn good<'a>(commits: &'a [CommitInfo], snapshot: &'a StateSnapshot) -> Packed<'a, Vec<Points>> {
        let p = Points { earned: 1, max: 3 };
        let point = |commit| Point { commit, overall: p, assessments: 0, categories: 1, managed: 2 };
        Packed {
            commits,
            names: vec!["s", "a", "control-access", "customer"],
            snapshots: vec![snapshot],
            events: vec![Event { commit: 1, assessment: 0, action: 1, before: 0, after: 1 }],
            shapes: vec![vec![0], vec![2], vec![3]],
            points: vec![point(0), point(1)],
            values: vec![p; 6],
            problems: &[],
            shallow: false,
        }
    }

    fn read(packed: &Packed<'_, Vec<Points>>) -> Result<Timeline, String> {
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
        assert_eq!(t.points[1].categories, [("control-access".into(), Points { earned: 1, max: 3 })]);
        assert_eq!(&*t.points[1].managed[0].0, "customer");
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
        let refused = |change: &dyn Fn(&mut Packed<'_, Vec<Points>>), why: &str| {
            let mut packed = good(&commits, &open);
            change(&mut packed);
            assert_eq!(read(&packed).err().as_deref(), Some(why));
        };
        refused(&|p| p.events[0].after = 2, "snapshot 2 out of range");
        refused(&|p| p.events[0].before = u32::MAX, "snapshot 4294967295 out of range");
        refused(&|p| p.events[0].action = 4, "name 4 out of range");
        refused(&|p| p.shapes[1] = vec![9], "name 9 out of range");
        refused(&|p| p.events[0].commit = 2, "commit 2 out of range or out of order");
        refused(&|p| p.points[0].commit = 5, "commit 5 out of range or out of order");
        refused(&|p| p.points.reverse(), "commit 0 out of range or out of order");
        refused(&|p| p.points[1].managed = 3, "score shape 3 out of range");
        refused(&|p| p.values.push(Points::default()), "more score values than points");
        refused(&|p| p.values.truncate(5), "fewer score values than points");
        let problems = [Problem { commit: 2, path: "p".into(), message: "m".into() }];
        let packed = Packed { problems: &problems, ..good(&commits, &open) };
        assert_eq!(read(&packed).err().as_deref(), Some("problem at commit 2 out of range"));
        let mut bytes = postcard::to_stdvec(&good(&commits, &open)).unwrap();
        bytes.push(0);
        assert_eq!(unpack(&bytes).err().as_deref(), Some("1 bytes after the end"));
    }
}
