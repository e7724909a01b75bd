//! The story's data: how the team talks about each action, verdict subjects, notes, hand-overs,
//! evidence days and the revisions of definitions and templates. It lives in `story.toml` beside
//! this file, read with serde once at start; the code only decides which entry a commit uses.
//!
//! The program runs once and exits, so the story is leaked into `&'static` slices: the
//! storylines look entries up as they did when the story was written as constants.

use std::sync::OnceLock;

use serde::{Deserialize, Deserializer};

/// A day as (year, month, day).
pub(super) type Ymd = (i16, i8, i8);

/// How the team talks about an action.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Words {
    pub(super) id: String,
    /// Noun phrase for commit subjects.
    pub(super) label: String,
    /// Subject of the commit that records the implementation.
    pub(super) implemented: String,
    /// Implementation notes while the action is planned.
    pub(super) plan: String,
}

/// Which part of a final state a `not_before` day holds back.
#[derive(Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Part {
    Impl,
    TestUndated,
}

/// A new version of an action definition, with the edits (new text, old text) that turn this
/// version's text back into the previous one's.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Revision {
    pub(super) action: String,
    pub(super) version: u32,
    #[serde(deserialize_with = "ymd")]
    pub(super) day: Ymd,
    pub(super) author: String,
    pub(super) subject: String,
    pub(super) body: String,
    pub(super) undo: Vec<(String, String)>,
}

/// A new template version: the control removed to get the previous version, and the text
/// removed from the description.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TemplateRevision {
    pub(super) template: String,
    pub(super) version: u32,
    #[serde(deserialize_with = "ymd")]
    pub(super) day: Ymd,
    pub(super) author: String,
    pub(super) subject: String,
    pub(super) body: String,
    pub(super) control: String,
    pub(super) description_cut: String,
}

/// The whole story, as the storylines look it up.
pub(super) struct Story {
    pub(super) words: &'static [Words],
    /// (action, for a pass, subject).
    pub(super) verdict_subjects: &'static [(&'static str, bool, &'static str)],
    /// (action, note, day).
    pub(super) in_progress: &'static [(&'static str, &'static str, Ymd)],
    /// (action, note).
    pub(super) progress: &'static [(&'static str, &'static str)],
    /// (action, part, day).
    pub(super) not_before: &'static [(&'static str, Part, Ymd)],
    /// (action, text cut from the notes, day of the addition).
    pub(super) note_additions: &'static [(&'static str, &'static str, Ymd)],
    /// (action, first owner, day of the hand-over).
    pub(super) handovers: &'static [(&'static str, &'static str, Ymd)],
    /// (evidence path, day it was produced).
    pub(super) file_days: &'static [(&'static str, Ymd)],
    pub(super) revisions: &'static [Revision],
    pub(super) template_revisions: &'static [TemplateRevision],
}

/// `story.toml` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    words: Vec<Words>,
    verdict_subjects: Vec<VerdictSubject>,
    in_progress: Vec<Dated>,
    progress: Vec<Note>,
    not_before: Vec<NotBefore>,
    note_additions: Vec<NoteAddition>,
    handovers: Vec<Handover>,
    file_days: Vec<FileDay>,
    revisions: Vec<Revision>,
    template_revisions: Vec<TemplateRevision>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerdictSubject {
    action: String,
    pass: bool,
    subject: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Dated {
    action: String,
    note: String,
    #[serde(deserialize_with = "ymd")]
    day: Ymd,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Note {
    action: String,
    note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NotBefore {
    action: String,
    part: Part,
    #[serde(deserialize_with = "ymd")]
    day: Ymd,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteAddition {
    action: String,
    cut: String,
    #[serde(deserialize_with = "ymd")]
    day: Ymd,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Handover {
    action: String,
    from: String,
    #[serde(deserialize_with = "ymd")]
    day: Ymd,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDay {
    path: String,
    #[serde(deserialize_with = "ymd")]
    day: Ymd,
}

fn leak(s: String) -> &'static str {
    s.leak()
}

/// The entries of one table of the file in the shape the storylines look up.
fn table<T, U>(entries: Vec<T>, shape: impl Fn(T) -> U) -> &'static [U] {
    entries.into_iter().map(shape).collect::<Vec<_>>().leak()
}

/// A TOML local date (`day = 2026-07-18`).
fn ymd<'de, D: Deserializer<'de>>(d: D) -> Result<Ymd, D::Error> {
    let value = toml::value::Datetime::deserialize(d)?;
    match (value.date, value.time, value.offset) {
        (Some(date), None, None) => Ok((date.year as i16, date.month as i8, date.day as i8)),
        _ => Err(serde::de::Error::custom(format!("expected a date like 2026-07-18, found {value}"))),
    }
}

static STORY: OnceLock<Story> = OnceLock::new();

/// Reads `story.toml` (embedded at build time); an error names the file and the entry.
pub(super) fn load() -> Result<(), String> {
    let text = include_str!("story.toml");
    let file: File = toml::from_str(text).map_err(|e| format!("examples/replay/story.toml: {e}"))?;
    let story = Story {
        words: file.words.leak(),
        verdict_subjects: table(file.verdict_subjects, |v| (leak(v.action), v.pass, leak(v.subject))),
        in_progress: table(file.in_progress, |v| (leak(v.action), leak(v.note), v.day)),
        progress: table(file.progress, |v| (leak(v.action), leak(v.note))),
        not_before: table(file.not_before, |v| (leak(v.action), v.part, v.day)),
        note_additions: table(file.note_additions, |v| (leak(v.action), leak(v.cut), v.day)),
        handovers: table(file.handovers, |v| (leak(v.action), leak(v.from), v.day)),
        file_days: table(file.file_days, |v| (leak(v.path), v.day)),
        revisions: file.revisions.leak(),
        template_revisions: file.template_revisions.leak(),
    };
    let _ = STORY.set(story);
    Ok(())
}

/// The story; [`load`] runs first, in `main`.
pub(super) fn story() -> &'static Story {
    STORY.get().expect("story.toml is loaded at start")
}
