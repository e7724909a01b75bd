//! JSON text written as it is serialised: pretty, with DEL, C1 and
//! bidirectional overrides escaped and a final line feed, without building
//! the value or the text in memory first. Every JSON output is this text.

use std::fmt;
use std::io;

use serde::Serialize;

use crate::error::{Error, Result};

/// Writes `value` as pretty JSON. A failed write is the writer's to report
/// (the output is then incomplete, and the caller stops); a value that
/// cannot be serialised is an error.
pub(crate) fn write_json(out: &mut dyn fmt::Write, value: &impl Serialize) -> Result<()> {
    let mut text = Escaped { out, pending: Vec::new() };
    match serde_json::to_writer_pretty(&mut text, value) {
        Ok(()) => {
            let _ = text.out.write_char('\n');
            Ok(())
        }
        Err(e) if e.is_io() => Ok(()),
        Err(e) => Err(Error::new(format!("could not write the output as JSON: {e}"))),
    }
}

/// The bytes serde_json writes, escaped and passed on as text.
struct Escaped<'a> {
    out: &'a mut dyn fmt::Write,
    /// The start of a character cut by the end of a write.
    pending: Vec<u8>,
}

impl io::Write for Escaped<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let failed = || io::Error::other("the output could not be written");
        let joined;
        let bytes = if self.pending.is_empty() {
            buf
        } else {
            self.pending.extend_from_slice(buf);
            joined = std::mem::take(&mut self.pending);
            &joined
        };
        let valid = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                self.pending.extend_from_slice(&bytes[e.valid_up_to()..]);
                std::str::from_utf8(&bytes[..e.valid_up_to()]).map_err(|_| failed())?
            }
        };
        escape(valid, self.out).map_err(|_| failed())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// serde_json escapes C0 controls only; DEL, C1 and bidi overrides (which
/// can only be inside strings) are escaped too, so that the text is the same
/// data and still safe to print on a terminal.
fn escape(text: &str, out: &mut dyn fmt::Write) -> fmt::Result {
    let needs = |c: char| {
        (c.is_control() && c != '\n') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    let mut rest = text;
    while let Some(i) = rest.find(needs) {
        out.write_str(&rest[..i])?;
        let c = rest[i..].chars().next().unwrap_or_default();
        write!(out, "\\u{:04x}", c as u32)?;
        rest = &rest[i + c.len_utf8()..];
    }
    out.write_str(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_is_serde_jsons_with_every_control_character_escaped() {
        let value = serde_json::json!({
            "plain": "text",
            "controls": "a\u{7f}b\u{9b}c\u{202e}d\u{2066}e\u{1b}f\n\t",
            "wide": ["日本語", "👍🏽", "é"],
            "numbers": [0, -1, 2.5, 18446744073709551615u64],
            "empty": {},
            "null": null,
        });
        let mut out = String::new();
        write_json(&mut out, &value).expect("serialises");
        // serde_json's text, its C0 escapes kept, the other controls escaped.
        let expected = serde_json::to_string_pretty(&value)
            .expect("serialises")
            .replace('\u{7f}', "\\u007f")
            .replace('\u{9b}', "\\u009b")
            .replace('\u{202e}', "\\u202e")
            .replace('\u{2066}', "\\u2066")
            + "\n";
        assert!(expected.contains("\\u001bf\\n\\t"), "{expected}");
        assert_eq!(out, expected);
    }

    #[test]
    fn characters_cut_between_writes_are_joined() {
        use std::io::Write;
        let mut out = String::new();
        {
            let mut text = Escaped { out: &mut out, pending: Vec::new() };
            for byte in "é\u{202e}👍".as_bytes() {
                text.write_all(&[*byte]).expect("in memory");
            }
        }
        assert_eq!(out, "é\\u202e👍");
    }
}
