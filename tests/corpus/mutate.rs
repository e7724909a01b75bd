//! Seeded mutations of a repository held in memory: byte flips,
//! truncations, key renames, type swaps, duplicated and deleted files, and
//! a few structural ones (a folder replaced by a file, conflict markers,
//! encodings). Every choice comes from one seed, so a case is replayed by
//! its seed alone.

use std::collections::BTreeMap;

/// splitmix64: small, fast and good enough to pick mutations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// A repository's files: repository-relative path → bytes. A path ending in
/// `/` is an empty directory.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Values of every TOML type, to swap in for a value.
const VALUES: &[&str] = &[
    "\"\"",
    "\"x\"",
    "\"2026-03-02\"",
    "\"implemented\"",
    "\"passed\"",
    "\"ana@example.com\"",
    "\"../../outside.txt\"",
    "\"/etc/hostname\"",
    "\".git/config\"",
    "\"evidence/\"",
    "\"=HYPERLINK(\\\"http://x\\\")\"",
    "\"<img src=x onerror=alert(1)>\"",
    "\"\\u001b[31mred\"",
    "\"Ünïcödé ✓\"",
    "0",
    "1",
    "-1",
    "2",
    "27",
    "9223372036854775807",
    "-9223372036854775808",
    "1.5",
    "nan",
    "-inf",
    "true",
    "false",
    "2026-03-02",
    "1970-01-01",
    "9999-12-31",
    "2026-03-02T10:00:00Z",
    "10:00:00",
    "[]",
    "[1, 2]",
    "[\"mfa\", \"mfa\"]",
    "[\"a-mfa\", \"a-enc\", \"a-nope\"]",
    "[[]]",
    "{}",
    "{ status = \"passed\" }",
    "{ a = { b = 1 } }",
];

/// Allowed values of the formats' enums: swapping one for another keeps a
/// file valid more often than not, so scoring and the reports get exercised.
const ENUM_VALUES: &[&str] = &[
    "not-implemented",
    "implemented",
    "alternative",
    "planned",
    "out-of-scope",
    "none",
    "not-assessed",
    "passed",
    "failed-low",
    "failed-medium",
    "failed-high",
    "to-be-determined",
    "could-not-be-determined",
    "partially-tested",
    "in-progress",
    "to-be-detected",
    "could-not-be-detected",
    "preventative",
    "detective",
    "corrective",
    "technical",
    "operational",
    "documentation",
    "manual",
    "automatic",
    "control-access",
    "protect-information",
    "manage-devices",
    "discover-and-respond",
];

/// Keys that occur in the formats, to rename a key into another valid one.
const KEYS: &[&str] = &[
    "id",
    "title",
    "name",
    "version",
    "template",
    "template_version",
    "group",
    "owner",
    "status",
    "date",
    "notes",
    "category",
    "action_type",
    "control_type",
    "mandatory",
    "testing",
    "solution",
    "actions",
    "controls",
    "evidence",
    "path",
    "url",
    "sha256",
    "accepted_version",
    "implementation",
    "test",
    "regulation",
    "description",
    "guidance",
    "people",
    "roles",
    "rules",
    "scoring",
    "check",
];

/// Applies 1 to 3 mutations; returns what was done, one line per mutation.
pub fn mutate(files: &mut Files, rng: &mut Rng) -> Vec<String> {
    let count = 1 + rng.below(3);
    (0..count)
        .map(|_| if rng.chance(35) { mutate_gently(files, rng) } else { mutate_once(files, rng) })
        .collect()
}

fn toml_paths(files: &Files) -> Vec<String> {
    files.keys().filter(|p| p.ends_with(".toml")).cloned().collect()
}

/// Changes that keep the file's types: another status or category, another
/// date, a flipped boolean, another version. The repository often stays
/// valid, so `score` and `report` run on it.
fn mutate_gently(files: &mut Files, rng: &mut Rng) -> String {
    let tomls = toml_paths(files);
    if tomls.is_empty() {
        return "nothing to mutate".to_owned();
    }
    let path = rng.pick(&tomls).clone();
    let text = String::from_utf8_lossy(&files[&path]).into_owned();
    with_line(files, &path, &text, rng, "value changed", |line, rng| {
        let (indent, key, rest) = split_key(line)?;
        let value = rest.trim_start_matches([' ', '=']).trim();
        let new = if value.starts_with('"') && ENUM_VALUES.contains(&value.trim_matches('"')) {
            format!("\"{}\"", rng.pick(ENUM_VALUES))
        } else if value.len() == 10 && value.as_bytes().get(4) == Some(&b'-') {
            format!(
                "{}-{:02}-{:02}",
                rng.pick(&["2025", "2026", "2027", "2099"]),
                1 + rng.below(12),
                1 + rng.below(28)
            )
        } else if value == "true" || value == "false" {
            (if value == "true" { "false" } else { "true" }).to_owned()
        } else if value.parse::<i64>().is_ok() {
            (1 + rng.below(4)).to_string()
        } else if value.starts_with('"') && key == "owner" {
            format!("\"{}\"", rng.pick(&["ana@example.com", "ben@example.com", "nobody@example.org"]))
        } else {
            return None;
        };
        Some(format!("{indent}{key} = {new}"))
    })
}

fn mutate_once(files: &mut Files, rng: &mut Rng) -> String {
    let tomls = toml_paths(files);
    if tomls.is_empty() {
        return "nothing to mutate".to_owned();
    }
    let path = rng.pick(&tomls).clone();
    let kind = rng.below(100);
    let text = String::from_utf8_lossy(&files[&path]).into_owned();
    match kind {
        // Bytes.
        0..=9 => {
            let bytes = files.get_mut(&path).expect("path");
            if bytes.is_empty() {
                bytes.push(b'=');
                return format!("{path}: byte added to an empty file");
            }
            let at = rng.below(bytes.len());
            let bit = rng.below(8);
            bytes[at] ^= 1 << bit;
            format!("{path}: bit {bit} of byte {at} flipped")
        }
        10..=13 => {
            let bytes = files.get_mut(&path).expect("path");
            if bytes.is_empty() {
                return format!("{path}: empty");
            }
            let at = rng.below(bytes.len());
            let new = *rng.pick(b"\"'=[]{}.,#\n\\ \t0aZ\x00\x7f\xff\xc3");
            bytes[at] = new;
            format!("{path}: byte {at} set to {new:#04x}")
        }
        14..=19 => {
            let bytes = files.get_mut(&path).expect("path");
            let at = rng.below(bytes.len() + 1);
            bytes.truncate(at);
            format!("{path}: truncated to {at} bytes")
        }
        // Keys.
        20..=31 => with_line(files, &path, &text, rng, "key renamed", |line, rng| {
            let (indent, key, rest) = split_key(line)?;
            let new = match rng.below(4) {
                0 => rng.pick(KEYS).to_string(),
                1 => key.chars().skip(1).collect(),
                2 => key.to_uppercase(),
                _ => format!("{key}{}", rng.pick(&["s", "_", "-x", "\"", " x"])),
            };
            Some(format!("{indent}{new}{rest}"))
        }),
        // Types.
        32..=51 => with_line(files, &path, &text, rng, "value swapped", |line, rng| {
            let (indent, key, _) = split_key(line)?;
            Some(format!("{indent}{key} = {}", rng.pick(VALUES)))
        }),
        52..=55 => with_line(files, &path, &text, rng, "table header changed", |line, rng| {
            let t = line.trim();
            if t.starts_with("[[") {
                Some(t.trim_start_matches('[').trim_end_matches(']').to_owned())
                    .map(|name| if rng.chance(50) { format!("[{name}]") } else { format!("{name} = []") })
            } else if t.starts_with('[') {
                Some(format!("[{t}]"))
            } else {
                None
            }
        }),
        // Lines.
        56..=61 => {
            let mut lines: Vec<&str> = text.lines().collect();
            if lines.is_empty() {
                return format!("{path}: empty");
            }
            let at = rng.below(lines.len());
            let line = lines[at];
            lines.insert(at + rng.below(lines.len() - at + 1), line);
            files.insert(path.clone(), (lines.join("\n") + "\n").into_bytes());
            format!("{path}: line {} duplicated", at + 1)
        }
        62..=66 => {
            let mut lines: Vec<&str> = text.lines().collect();
            if lines.is_empty() {
                return format!("{path}: empty");
            }
            let at = rng.below(lines.len());
            lines.remove(at);
            files.insert(path.clone(), (lines.join("\n") + "\n").into_bytes());
            format!("{path}: line {} deleted", at + 1)
        }
        67..=70 => {
            // A value from another file: ids and references get crossed.
            let other = rng.pick(&tomls).clone();
            let other_text = String::from_utf8_lossy(&files[&other]).into_owned();
            let values: Vec<String> = other_text
                .lines()
                .filter_map(|l| l.split_once('=').map(|(_, v)| v.trim().to_owned()))
                .filter(|v| !v.is_empty())
                .collect();
            if values.is_empty() {
                return format!("{other}: no values");
            }
            let value = rng.pick(&values).clone();
            with_line(files, &path, &text, rng, "value copied from another file", |line, _| {
                let (indent, key, _) = split_key(line)?;
                Some(format!("{indent}{key} = {value}"))
            })
        }
        // Files.
        71..=77 => {
            let all: Vec<String> = files.keys().cloned().collect();
            let victim = rng.pick(&all).clone();
            files.remove(&victim);
            format!("{victim}: deleted")
        }
        78..=84 => {
            let all: Vec<String> = files.keys().filter(|p| !p.ends_with('/')).cloned().collect();
            let from = rng.pick(&all).clone();
            let to = match from.rsplit_once('/') {
                Some((dir, name)) => {
                    let dirs: Vec<String> =
                        files.keys().filter_map(|p| p.rsplit_once('/').map(|(d, _)| d.to_owned())).collect();
                    let dir = if rng.chance(50) { rng.pick(&dirs).clone() } else { dir.to_owned() };
                    let name = if rng.chance(60) { format!("copy-{name}") } else { name.to_owned() };
                    format!("{dir}/{name}")
                }
                None => format!("copy-{from}"),
            };
            let bytes = files[&from].clone();
            files.insert(to.clone(), bytes);
            format!("{from}: copied to {to}")
        }
        85..=87 => {
            // A data folder, or a file, becomes the other thing.
            let dir = *rng.pick(&["templates", "actions", "assessments", "evidence"]);
            let prefix = format!("{dir}/");
            files.retain(|p, _| !p.starts_with(&prefix));
            files.insert(dir.to_owned(), b"not a folder\n".to_vec());
            format!("{dir}: replaced by a file")
        }
        88 => {
            let dir_path = path.clone();
            files.remove(&dir_path);
            files.insert(format!("{dir_path}/"), Vec::new());
            format!("{path}: replaced by a folder")
        }
        89..=91 => {
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            let at = rng.below(lines.len() + 1);
            let end = (at + 1 + rng.below(3)).min(lines.len());
            lines.insert(end, ">>>>>>> theirs".to_owned());
            if rng.chance(80) {
                lines.insert(end.min(lines.len()), "=======".to_owned());
            }
            lines.insert(at, "<<<<<<< HEAD".to_owned());
            files.insert(path.clone(), (lines.join("\n") + "\n").into_bytes());
            format!("{path}: conflict markers at line {}", at + 1)
        }
        92 => {
            let bytes = files.get_mut(&path).expect("path");
            let mut with_bom = "\u{feff}".as_bytes().to_vec();
            with_bom.append(bytes);
            *bytes = with_bom;
            format!("{path}: byte-order mark added")
        }
        93 => {
            files.insert(path.clone(), text.replace('\n', "\r\n").into_bytes());
            format!("{path}: CRLF line ends")
        }
        94 => {
            files.insert(path.clone(), Vec::new());
            format!("{path}: emptied")
        }
        95 => {
            let long = "a".repeat(120 + rng.below(20));
            with_line(files, &path, &text, rng, "long value", |line, _| {
                let (indent, key, _) = split_key(line)?;
                Some(format!("{indent}{key} = \"{long}\""))
            })
        }
        96 => {
            let evidence = format!(
                "\n[[evidence]]\nname = \"e{0}\"\npath = \"{1}\"\n",
                rng.below(9),
                rng.pick(&[
                    "evidence/missing.pdf",
                    "../outside.txt",
                    "./.git/config",
                    "evidence",
                    "evident.toml",
                    "/etc/hostname",
                    "evidence/../evident.toml",
                    "",
                ])
            );
            let bytes = files.get_mut(&path).expect("path");
            bytes.extend_from_slice(evidence.as_bytes());
            format!("{path}: evidence entry appended")
        }
        _ => {
            // A new state file for an action, in an assessment, copied from elsewhere.
            let states: Vec<String> = files
                .keys()
                .filter(|p| {
                    p.starts_with("assessments/") && !p.ends_with("/assessment.toml") && p.ends_with(".toml")
                })
                .cloned()
                .collect();
            let actions: Vec<String> = files
                .keys()
                .filter_map(|p| {
                    p.strip_prefix("actions/").and_then(|n| n.strip_suffix(".toml")).map(str::to_owned)
                })
                .collect();
            if states.is_empty() || actions.is_empty() {
                return "no states".to_owned();
            }
            let from = rng.pick(&states).clone();
            let dir = from.rsplit_once('/').map(|(d, _)| d.to_owned()).unwrap_or_default();
            let to = format!("{dir}/{}.toml", rng.pick(&actions));
            let bytes = files[&from].clone();
            files.insert(to.clone(), bytes);
            format!("{from}: copied to {to}")
        }
    }
}

/// `  key = value` → (indent, key, ` = value`), for plain and quoted keys.
fn split_key(line: &str) -> Option<(&str, &str, &str)> {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    if trimmed.starts_with('[') || trimmed.starts_with('#') {
        return None;
    }
    let eq = trimmed.find('=')?;
    let key = trimmed[..eq].trim_end();
    if key.is_empty() {
        return None;
    }
    Some((indent, key, &trimmed[key.len()..]))
}

/// Replaces one line (chosen among those `change` accepts) of `path`.
fn with_line(
    files: &mut Files,
    path: &str,
    text: &str,
    rng: &mut Rng,
    what: &str,
    change: impl Fn(&str, &mut Rng) -> Option<String>,
) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let candidates: Vec<usize> =
        (0..lines.len()).filter(|&i| change(lines[i], &mut Rng::new(0)).is_some()).collect();
    if candidates.is_empty() {
        return format!("{path}: no line for `{what}`");
    }
    let at = *rng.pick(&candidates);
    let Some(new) = change(lines[at], rng) else {
        return format!("{path}: no line for `{what}`");
    };
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    out[at] = new.clone();
    files.insert(path.to_owned(), (out.join("\n") + "\n").into_bytes());
    format!("{path}: line {} {what}: `{}`", at + 1, truncate(&new))
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 60 { s.chars().take(60).collect::<String>() + "…" } else { s.to_owned() }
}
