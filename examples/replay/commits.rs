//! Steps merged into commits, with their messages.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use jiff::civil::Date as Day;

pub(super) struct Commit {
    pub(super) day: Day,
    pub(super) author: Person,
    pub(super) time: i64,
    pub(super) subject: String,
    pub(super) body: String,
    pub(super) steps: Vec<Step>,
}

pub(super) fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    for (i, para) in text.split("\n\n").enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        // Lines of a paragraph are one text unless they are list items.
        let mut logical: Vec<String> = Vec::new();
        for raw in para.lines() {
            match logical.last_mut() {
                Some(last) if !raw.starts_with("- ") && !raw.trim().is_empty() => {
                    last.push(' ');
                    last.push_str(raw.trim());
                }
                _ => logical.push(raw.to_owned()),
            }
        }
        let mut first_line = true;
        for raw in &logical {
            if !first_line {
                out.push('\n');
            }
            first_line = false;
            let indent = if raw.starts_with("- ") { "  " } else { "" };
            let mut col = 0;
            for (j, word) in raw.split(' ').enumerate() {
                if j > 0 && col + 1 + word.len() > width {
                    out.push('\n');
                    out.push_str(indent);
                    col = indent.len();
                } else if j > 0 {
                    out.push(' ');
                    col += 1;
                }
                out.push_str(word);
                col += word.len();
            }
        }
    }
    out
}

pub(super) fn merge(ctx: &Ctx, steps: Vec<Step>) -> Vec<Commit> {
    let mut groups: BTreeMap<(Day, String, String), Vec<Step>> = BTreeMap::new();
    for s in steps {
        groups.entry((s.day, s.author.clone(), s.key.clone())).or_default().push(s);
    }
    let mut commits = Vec::new();
    for ((d, author, key), parts) in groups {
        let person = ctx.person(&author);
        let actions: BTreeSet<&str> = parts.iter().map(|p| p.action.as_str()).collect();
        let subject = if parts.len() == 1 {
            parts[0].subject.clone()
        } else if parts.iter().all(|p| p.base == parts[0].base) {
            parts[0].base.clone()
        } else if let Some(g) = &parts[0].group {
            g.replace("{n}", &actions.len().to_string())
        } else {
            parts[0].base.clone()
        };
        let body = if parts.len() == 1
            || (parts.iter().all(|p| p.body == parts[0].body) && !parts[0].body.is_empty())
        {
            parts[0].body.clone()
        } else {
            let lines: Vec<String> = parts.iter().map(|p| format!("- {}", p.line)).collect();
            lines.join("\n")
        };
        // Office hours in the author's time zone; a few early or late commits.
        let mut rng = Rng::new(&format!("{d}/{author}/{key}"));
        let minute = match rng.below(20) {
            0 => rng.range(7 * 60 + 40, 8 * 60 + 30),
            1 => rng.range(18 * 60, 20 * 60 + 30),
            _ => rng.range(8 * 60 + 35, 17 * 60 + 50),
        };
        let time = timestamp(&person, d, minute);
        commits.push(Commit { day: d, author: person, time, subject, body, steps: parts });
    }
    commits.sort_by_key(|c| (c.time, c.day));
    for i in 1..commits.len() {
        if commits[i].time <= commits[i - 1].time {
            commits[i].time = commits[i - 1].time + 60 + i64::from(i as u32 % 7) * 13;
        }
    }
    commits
}
