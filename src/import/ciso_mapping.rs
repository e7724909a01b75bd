//! CISO Assistant requirement mapping sets between two imported templates
//! (`evident import mapping`).
//!
//! Templates are found by the framework urn their import recorded, controls
//! by their requirement urn. A mapping whose relationship is shared (by
//! default `equal` and `superset`: the source control covers the target)
//! makes the target control list the source control's own actions, those of
//! its library import and never ones it got from another mapping, so one
//! piece of work counts for both. Every mapping is recorded in the target
//! control's `related` list; only the shared ones carry actions. Entries
//! already recorded are left as they are, so importing a file twice (or a
//! file that repeats an entry) changes nothing; entries between the same two
//! templates that the file no longer has are removed with what they shared.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Deserialize;

use super::ciso::{Library, find};
use crate::diag::{Code, Diagnostic, Report};
use crate::model::{ActionId, Related, Template, Workspace};

/// The relationships CISO Assistant uses, read from the source requirement.
pub(crate) const RELATIONSHIPS: &[&str] = &["equal", "superset", "subset", "intersect", "not_related"];

/// The relationships shared by default: the source covers the target.
pub(crate) const DEFAULT_SHARED: &[&str] = &["equal", "superset"];

#[derive(Debug, Deserialize)]
pub(crate) struct MappingSet {
    pub source_framework_urn: String,
    pub target_framework_urn: String,
    #[serde(default)]
    pub requirement_mappings: Vec<RequirementMapping>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RequirementMapping {
    pub source_requirement_urn: String,
    pub target_requirement_urn: String,
    pub relationship: String,
}

/// Counts for the summary, per mapping set.
#[derive(Clone, Debug, Default, serde::Serialize, schemars::JsonSchema, PartialEq)]
pub(crate) struct SetStats {
    pub source_template: String,
    pub target_template: String,
    pub mappings: usize,
    /// Distinct (source, target) pairs newly recorded.
    pub pairs_added: usize,
    /// Pairs (added or updated) whose relationship shares the source's actions.
    pub shared: usize,
    /// Pairs recorded before with another relationship or sharing, now replaced.
    pub updated: usize,
    /// Pairs recorded by an earlier import as they are, or repeated in the file.
    pub already: usize,
    /// Pairs an earlier import recorded that the file no longer has, now removed with the
    /// actions they shared: "target-control ← source-control (relationship)".
    pub removed: Vec<String>,
}

/// What importing a mapping file does: the templates it changes (with their
/// version bumped) and the counts.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    pub changed: Vec<Template>,
    pub sets: Vec<SetStats>,
}

/// The mapping sets of a library file, or a diagnostic when it has none.
pub(crate) fn sets(lib: &Library) -> Result<Vec<&MappingSet>, Report> {
    let o = &lib.doc.objects;
    let all: Vec<&MappingSet> = o.requirement_mapping_sets.iter().chain(&o.requirement_mapping_set).collect();
    if all.is_empty() {
        let hint = if o.framework.is_some() {
            "this is a framework library: import it with `evident import ciso-assistant`"
        } else {
            "`import mapping` reads mapping libraries (`objects.requirement_mapping_sets`)"
        };
        let d = Diagnostic::new(
            Code::CisoInvalid,
            format!("`{}` has no requirement mapping set (`objects.requirement_mapping_sets`)", lib.file),
        )
        .at(&lib.file, 0..lib.text.lines().next().map_or(0, str::len))
        .hint(hint);
        return Err(super::ciso::failure(&lib.file, Some(&lib.text), d));
    }
    Ok(all)
}

/// Applies the mapping sets to the workspace's templates. Nothing is changed
/// when any set or mapping names something unknown: every problem is reported.
pub(crate) fn apply(
    lib: &Library,
    ws: &Workspace,
    shared_relationships: &BTreeSet<String>,
) -> Result<Applied, Report> {
    let sets = sets(lib)?;
    let by_urn: HashMap<&str, &Template> =
        ws.templates.values().filter_map(|t| t.urn.as_deref().map(|u| (u, t))).collect();
    let mut report = Report::default();
    let mut work: BTreeMap<String, Template> = BTreeMap::new();
    let mut stats = Vec::new();
    let file = &lib.file;
    let text = &lib.text;
    let mut cursor = 0;
    let mut seen = BTreeSet::new();
    let mut covered = Vec::new();
    for set in sets {
        let mut pair = [None, None];
        for (i, urn) in [&set.source_framework_urn, &set.target_framework_urn].into_iter().enumerate() {
            match by_urn.get(urn.as_str()) {
                Some(t) => pair[i] = Some(*t),
                None => {
                    let known: Vec<&str> = by_urn.keys().copied().collect();
                    let mut d = Diagnostic::new(
                        Code::MappingUnknownFramework,
                        format!(
                            "the mapping set names the framework `{urn}`, which no template was imported from"
                        ),
                    )
                    .in_file(file)
                    .span(find(text, urn, 0))
                    .label("not imported")
                    .hint("import its library first: `evident import ciso-assistant LIBRARY.yaml`");
                    if !known.is_empty() {
                        d = d.note(format!("imported frameworks: {}", known.join(", ")));
                    }
                    report.diagnostics.push(d);
                }
            }
        }
        let [Some(source), Some(target)] = pair else { continue };
        if source.id == target.id {
            report.diagnostics.push(
                Diagnostic::new(
                    Code::MappingUnknownFramework,
                    format!("the mapping set maps the template `{}` to itself", source.id),
                )
                .in_file(file)
                .span(find(text, &set.target_framework_urn, 0))
                .hint("a mapping set links two different frameworks"),
            );
            continue;
        }
        if set.requirement_mappings.is_empty() {
            // Importing it would remove every entry between the two templates.
            report.diagnostics.push(
                Diagnostic::new(
                    Code::MappingSetEmpty,
                    format!("the mapping set from `{}` to `{}` has no mappings", source.id, target.id),
                )
                .in_file(file)
                .span(find(text, &set.target_framework_urn, 0))
                .label("no `requirement_mappings`")
                .hint("use the mapping library as published (is the file truncated?); to drop mappings, remove the `related` entries by hand"),
            );
            continue;
        }
        let src_controls: HashMap<&str, usize> = source
            .controls
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.urn.as_deref().map(|u| (u, i)))
            .collect();
        let tgt_controls: HashMap<&str, usize> = target
            .controls
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.urn.as_deref().map(|u| (u, i)))
            .collect();
        let mut s = SetStats {
            source_template: source.id.to_string(),
            target_template: target.id.to_string(),
            mappings: set.requirement_mappings.len(),
            ..SetStats::default()
        };
        for m in &set.requirement_mappings {
            let span = find(text, &format!("source_requirement_urn: {}", m.source_requirement_urn), cursor);
            if let Some(sp) = &span {
                cursor = sp.end;
            }
            let line_from = span.as_ref().map_or(0, |s| s.start);
            let mut missing = false;
            for (urn, index, t, what) in [
                (&m.source_requirement_urn, &src_controls, source, "source"),
                (&m.target_requirement_urn, &tgt_controls, target, "target"),
            ] {
                if !index.contains_key(urn.as_str()) {
                    missing = true;
                    let mut d = Diagnostic::new(
                        Code::MappingUnknownRequirement,
                        format!("the {what} requirement `{urn}` is not a control of the template `{}`", t.id),
                    )
                    .in_file(file)
                    .span(find(text, urn, line_from))
                    .label("no such control");
                    if let Some(h) = crate::diag::did_you_mean(urn, index.keys().copied()) {
                        d = d.hint(h);
                    }
                    report.diagnostics.push(d);
                }
            }
            if !RELATIONSHIPS.contains(&m.relationship.as_str()) {
                missing = true;
                report.diagnostics.push(
                    Diagnostic::new(
                        Code::CisoInvalid,
                        format!("the relationship `{}` is not one CISO Assistant uses", m.relationship),
                    )
                    .in_file(file)
                    .span(find(text, &format!("relationship: {}", m.relationship), line_from))
                    .hint(format!("use one of {}", RELATIONSHIPS.join(", "))),
                );
            }
            if missing || !report.diagnostics.is_empty() {
                continue;
            }
            let src = &source.controls[src_controls[m.source_requirement_urn.as_str()]];
            let share = shared_relationships.contains(&m.relationship);
            let own: Vec<ActionId> = src.own_actions().into_iter().cloned().collect();
            let t = work.entry(target.id.to_string()).or_insert_with(|| target.clone());
            let c = &mut t.controls[tgt_controls[m.target_requirement_urn.as_str()]];
            let key = (target.id.to_string(), c.id.to_string(), source.id.to_string(), src.id.to_string());
            if !seen.insert(key) {
                s.already += 1;
                continue;
            }
            // The entry lists only what it brings: an action the target control has of its own
            // (the same library action in both templates, or one added by hand) is not the
            // entry's, so removing the entry later never takes it away.
            let target_own: BTreeSet<&str> = c.own_actions().into_iter().map(ActionId::as_str).collect();
            let brought: Vec<ActionId> =
                own.into_iter().filter(|a| !target_own.contains(a.as_str())).collect();
            let wanted = Related {
                template: source.id.clone(),
                control: src.id.clone(),
                relationship: m.relationship.clone(),
                actions: if share { brought } else { Vec::new() },
            };
            match c.related.iter().position(|r| r.template == source.id && r.control == src.id) {
                Some(i) if c.related[i] == wanted => {
                    s.already += 1;
                    continue;
                }
                Some(i) => {
                    // Another relationship, or another `--relationships`: the entry is replaced.
                    let old = c.related.remove(i);
                    drop_shared(c, &old);
                    s.updated += 1;
                }
                None => s.pairs_added += 1,
            }
            for a in &wanted.actions {
                if !c.actions.contains(a) {
                    c.actions.push(a.clone());
                }
            }
            if share {
                s.shared += 1;
            }
            c.related.push(wanted);
        }
        covered.push((stats.len(), source.id.clone(), target.id.clone()));
        stats.push(s);
    }
    if report.diagnostics.is_empty() {
        // Entries of the same source → target that the file no longer has: the mapping was
        // revised. (Entries from other sources, other mapping files', stay.)
        let mut done = BTreeSet::new();
        for (at, source, target) in covered {
            if !done.insert((source.clone(), target.clone())) {
                continue;
            }
            let Some(original) = ws.templates.get(&target) else { continue };
            let t = work.entry(target.to_string()).or_insert_with(|| original.clone());
            for c in &mut t.controls {
                let stale: Vec<Related> = c
                    .related
                    .iter()
                    .filter(|r| {
                        r.template == source
                            && !seen.contains(&(
                                target.to_string(),
                                c.id.to_string(),
                                source.to_string(),
                                r.control.to_string(),
                            ))
                    })
                    .cloned()
                    .collect();
                for old in stale {
                    c.related.retain(|r| *r != old);
                    drop_shared(c, &old);
                    stats[at].removed.push(format!(
                        "{} {} ← {} {} ({})",
                        target, c.id, source, old.control, old.relationship
                    ));
                }
            }
        }
    }
    if !report.diagnostics.is_empty() {
        report.sources.insert(file.clone(), text.as_str());
        return Err(report);
    }
    let changed = work
        .into_values()
        .filter_map(|mut t| {
            let old = ws.templates.get(t.id.as_str())?;
            (*old != t).then(|| {
                t.version = old.version + 1;
                t
            })
        })
        .collect();
    Ok(Applied { changed, sets: stats })
}

/// Removes from `c` the actions that the related entry `old` (already out of `c.related`)
/// shared, unless the control has them of its own or from another entry.
fn drop_shared(c: &mut crate::model::Control, old: &Related) {
    // Own actions are those not listed by any entry; `old` is out of the list already, so
    // its actions would count as own: compare with the remaining entries and the others.
    let mapped: BTreeSet<&str> = c.mapped_actions().map(ActionId::as_str).collect();
    let drop: Vec<ActionId> = old.actions.iter().filter(|a| !mapped.contains(a.as_str())).cloned().collect();
    c.actions.retain(|a| !drop.contains(a));
}
