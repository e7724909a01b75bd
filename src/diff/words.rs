//! Word-level diffs of free text (notes, guidance).

use schemars::JsonSchema;
use serde::Serialize;
use similar::{Algorithm, ChangeTag};

/// One run of a word-level diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum WordOp {
    Equal,
    Removed,
    Added,
}

/// Consecutive words (with the whitespace between them) that share an op.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub(crate) struct Words {
    pub op: WordOp,
    pub text: String,
}

/// A changed free text (notes, guidance, descriptions) with its word diff.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub(crate) struct TextChange {
    pub before: Option<String>,
    pub after: Option<String>,
    pub words: Vec<Words>,
}

/// `Some` when the texts differ; an absent text diffs as the empty one.
pub(crate) fn text_change(before: Option<&str>, after: Option<&str>) -> Option<TextChange> {
    if before == after {
        return None;
    }
    let words = word_diff(before.unwrap_or_default(), after.unwrap_or_default());
    Some(TextChange { before: before.map(str::to_owned), after: after.map(str::to_owned), words })
}

/// Word-level diff (words and whitespace runs are the tokens). Changes split
/// only by whitespace are joined (`[-FIDO2 keys-]{+passkeys+}` rather than
/// `[-FIDO2-]{+passkeys+} [-keys-]`), and each change lists its removed words
/// before its added ones.
pub(crate) fn word_diff(before: &str, after: &str) -> Vec<Words> {
    // (equal text) or (removed, added)
    enum Seg {
        Equal(String),
        Change(String, String),
    }
    let mut segs: Vec<Seg> = Vec::new();
    for (tag, text) in similar::utils::diff_words(Algorithm::Patience, before, after) {
        if tag == ChangeTag::Equal {
            match segs.last_mut() {
                Some(Seg::Equal(last)) => last.push_str(text),
                _ => segs.push(Seg::Equal(text.to_owned())),
            }
            continue;
        }
        // Whitespace between two changes belongs to both sides of one change.
        if let [.., Seg::Change(..), Seg::Equal(ws)] = segs.as_slice()
            && ws.trim().is_empty()
            && let Some(Seg::Equal(ws)) = segs.pop()
            && let Some(Seg::Change(removed, added)) = segs.last_mut()
        {
            removed.push_str(&ws);
            added.push_str(&ws);
        }
        if !matches!(segs.last(), Some(Seg::Change(..))) {
            segs.push(Seg::Change(String::new(), String::new()));
        }
        if let Some(Seg::Change(removed, added)) = segs.last_mut() {
            let side = if tag == ChangeTag::Delete { removed } else { added };
            side.push_str(text);
        }
    }
    let mut out = Vec::new();
    for seg in segs {
        let runs = match seg {
            Seg::Equal(text) => vec![(WordOp::Equal, text)],
            Seg::Change(removed, added) => vec![(WordOp::Removed, removed), (WordOp::Added, added)],
        };
        out.extend(runs.into_iter().filter(|(_, t)| !t.is_empty()).map(|(op, text)| Words { op, text }));
    }
    out
}
