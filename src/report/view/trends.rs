//! Score trends from the timeline: the overall and per-assessment charts and the monthly table.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::history::timeline::{CommitInfo, Points, ScorePoint, Timeline};
use crate::report::chart::{self, Chart, Series};
use crate::score::Score;

/// The scores after one commit, at the commit's local author time.
pub(super) struct Sample<'t> {
    /// Local time, seconds since 1970-01-01.
    pub(super) time: i64,
    pub(super) commit: &'t CommitInfo,
    pub(super) point: &'t ScorePoint,
}

impl Sample<'_> {
    pub(super) fn date(&self) -> String {
        let date = chart::date_of_day(self.time.div_euclid(chart::DAY));
        format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
    }
}

/// The score points in time order (history order for equal times). The
/// chart keeps one point per unit of width, so long histories stay small.
pub(super) fn samples(t: &Timeline) -> Vec<Sample<'_>> {
    let mut out: Vec<Sample> = t
        .points
        .iter()
        .filter_map(|point| {
            let commit = t.commits.get(point.commit)?;
            let time = crate::history::git::local_seconds(commit.time, commit.offset_minutes);
            Some(Sample { time, commit, point })
        })
        .collect();
    out.sort_by_key(|s| s.time);
    out
}

pub(super) fn percent(p: Points) -> Option<f64> {
    (p.max > 0).then(|| Score::from(p).percent())
}

pub(super) fn assessment_points(point: &ScorePoint, id: &str) -> Option<Points> {
    point.assessments.iter().find(|(a, _)| **a == *id).map(|(_, p)| *p)
}

pub(super) fn overall_series(samples: &[Sample<'_>]) -> Series {
    Series {
        label: "Overall".into(),
        values: samples.iter().map(|s| (s.time, percent(s.point.overall))).collect(),
        emphasis: true,
    }
}

pub(super) fn assessment_series(samples: &[Sample<'_>], id: &str, label: String) -> Series {
    Series {
        label,
        values: samples.iter().map(|s| (s.time, assessment_points(s.point, id).and_then(percent))).collect(),
        emphasis: false,
    }
}

/// Customer-managed or provider-managed points over time.
pub(super) fn managed_series(samples: &[Sample<'_>], managed: crate::model::ManagedBy) -> Series {
    let of = |point: &ScorePoint| {
        point.managed.iter().find(|(id, _)| **id == *managed.as_str()).map(|(_, p)| *p).and_then(percent)
    };
    Series {
        label: managed.label().into(),
        values: samples.iter().map(|s| (s.time, of(s.point))).collect(),
        emphasis: false,
    }
}

/// "GDPR 2026 from 10.0% to 57.9%".
pub(super) fn describe(series: &Series) -> Option<String> {
    let mut values = series.values.iter().filter_map(|(_, v)| *v);
    let first = values.next()?;
    let last = values.next_back().unwrap_or(first);
    Some(format!("{} from {first:.1}% to {last:.1}%", series.label))
}

pub(super) fn trends(samples: &[Sample<'_>], look: &Lookup<'_>) -> Option<Trends> {
    let (first, last) = (samples.first()?, samples.last()?);
    let (first_date, last_date) = (first.date(), last.date());
    let span = format!("from {first_date} to {last_date}");
    let overall = overall_series(samples);
    let mut description = describe(&overall).unwrap_or_else(|| "Overall: n/a".into());
    let mut series = vec![overall];
    // The customer / provider split, once provider-managed actions have points
    // (until then the customer line would only repeat the overall one).
    let split: Vec<Series> =
        crate::model::ManagedBy::ALL.iter().map(|m| managed_series(samples, *m)).collect();
    if split.iter().all(|s| s.values.iter().any(|(_, v)| v.is_some())) {
        for s in split {
            description.push_str(&format!("; {}", describe(&s).unwrap_or_default()));
            series.push(s);
        }
    }
    let overall_chart = Chart {
        id: "trend-overall".into(),
        title: "Overall score over time".into(),
        description: format!("{description}, {span}."),
        series,
    };
    let ids: BTreeSet<&str> =
        samples.iter().flat_map(|s| s.point.assessments.iter().map(|(a, _)| &**a)).collect();
    let series: Vec<Series> = ids
        .iter()
        .map(|id| {
            let label = match look.ws.assessments.get(*id) {
                Some(e) => e.assessment.name.clone(),
                None => format!("{id} (removed)"),
            };
            assessment_series(samples, id, label)
        })
        .collect();
    let described: Vec<String> = series.iter().filter_map(describe).collect();
    let by_assessment = Chart {
        id: "trend-assessments".into(),
        title: "Score of each assessment over time".into(),
        description: format!("Scores {span}: {}.", described.join("; ")),
        series,
    };
    Some(Trends {
        overall: chart::render(&overall_chart),
        assessments: chart::render(&by_assessment),
        first_date,
        last_date,
        monthly: monthly(samples),
    })
}

/// One assessment's trend, with the overall score for reference.
pub(super) fn assessment_trend(samples: &[Sample<'_>], id: &str, name: &str) -> String {
    let (Some(first), Some(last)) = (samples.first(), samples.last()) else {
        return String::new();
    };
    let mine = assessment_series(samples, id, name.to_owned());
    let overall = overall_series(samples);
    let description = format!(
        "{}; {}; from {} to {}.",
        describe(&mine).unwrap_or_else(|| format!("{name}: n/a")),
        describe(&overall).unwrap_or_else(|| "Overall: n/a".into()),
        first.date(),
        last.date()
    );
    chart::render(&Chart {
        id: format!("trend-{id}"),
        title: format!("Score of {name} over time"),
        description,
        series: vec![mine, overall],
    })
}

/// The overall score at the end of each month.
pub(super) fn monthly(samples: &[Sample<'_>]) -> Vec<MonthRow> {
    let mut months: BTreeMap<String, &Sample> = BTreeMap::new();
    for s in samples {
        let mut month = s.date();
        month.truncate(7);
        months.insert(month, s);
    }
    months
        .into_iter()
        .map(|(month, d)| MonthRow {
            month,
            commit: d.commit.short().to_owned(),
            score: score_view(d.point.overall.into()),
        })
        .collect()
}
