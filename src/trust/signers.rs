//! The allowed signers file, in git's SSH format (the file
//! `gpg.ssh.allowedSignersFile` names, described in `ssh-keygen(1)` under
//! ALLOWED SIGNERS): one key per line, `<principals> [options] <key type>
//! <base64 key> [comment]`, where principals are comma-separated e-mail
//! addresses. evident reads it to name the owners of a key in its messages
//! and to list it; git and ssh-keygen decide whether a signature is good.

use data_encoding::{BASE64, BASE64_NOPAD};
use sha2::{Digest, Sha256};

/// The SSH public key types ssh-keygen signs with.
pub(crate) const KEY_TYPES: [&str; 8] = [
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-dss",
];

/// An SSH public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PublicKey {
    pub key_type: String,
    /// The key in base64, as written in `.pub` files.
    pub base64: String,
    /// `SHA256:...`, as `ssh-keygen -l` and git's `%GF` print it.
    pub fingerprint: String,
}

/// One line of the allowed signers file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SignerLine {
    /// 1-based line number.
    pub line: usize,
    pub principals: Vec<String>,
    /// Options such as `namespaces="git"` or `valid-before=...`, as written.
    pub options: Option<String>,
    pub key: PublicKey,
    pub comment: String,
}

/// A line that is not a valid entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LineProblem {
    pub line: usize,
    pub message: String,
}

/// The parsed allowed signers file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct AllowedSigners {
    pub lines: Vec<SignerLine>,
    pub problems: Vec<LineProblem>,
}

impl AllowedSigners {
    pub(crate) fn parse(text: &str) -> AllowedSigners {
        let mut out = AllowedSigners::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match parse_line(line) {
                Ok((principals, options, key, comment)) => {
                    out.lines.push(SignerLine { line: i + 1, principals, options, key, comment })
                }
                Err(message) => out.problems.push(LineProblem { line: i + 1, message }),
            }
        }
        out
    }

    /// The principals the file lists for a key fingerprint.
    pub(crate) fn principals_of(&self, fingerprint: &str) -> Vec<&str> {
        self.lines
            .iter()
            .filter(|l| l.key.fingerprint == fingerprint)
            .flat_map(|l| l.principals.iter().map(String::as_str))
            .collect()
    }

    /// Whether the file lists the key for `email` (principals compared
    /// without case, as evident compares e-mail addresses everywhere).
    pub(crate) fn lists(&self, email: &str, fingerprint: &str) -> bool {
        self.principals_of(fingerprint).iter().any(|p| p.eq_ignore_ascii_case(email))
    }

    /// The keys listed for `email`.
    pub(crate) fn keys_of(&self, email: &str) -> Vec<&SignerLine> {
        self.lines.iter().filter(|l| l.principals.iter().any(|p| p.eq_ignore_ascii_case(email))).collect()
    }
}

/// Splits a line into whitespace-separated fields, keeping double-quoted
/// text (option values) together.
fn fields(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quoted = false;
    for (i, ch) in line.char_indices() {
        match ch {
            '"' => {
                quoted = !quoted;
                start.get_or_insert(i);
            }
            c if c.is_whitespace() && !quoted => {
                if let Some(s) = start.take() {
                    out.push(&line[s..i]);
                }
            }
            _ => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = start {
        out.push(&line[s..]);
    }
    out
}

type Parsed = (Vec<String>, Option<String>, PublicKey, String);

fn parse_line(line: &str) -> Result<Parsed, String> {
    let f = fields(line);
    let Some(first) = f.first() else { return Err("empty line".to_owned()) };
    let principals: Vec<String> = first.split(',').map(|p| p.trim_matches('"').to_owned()).collect();
    if principals.iter().any(|p| p.is_empty()) {
        return Err(format!("`{first}` is not a list of e-mail addresses"));
    }
    // An options field comes before the key type when it is not a key type.
    let (options, rest) = match f.get(1) {
        Some(t) if !KEY_TYPES.contains(t) && !t.ends_with("-cert-v01@openssh.com") => {
            (Some((*t).to_owned()), &f[2..])
        }
        _ => (None, &f[1..]),
    };
    let (Some(key_type), Some(base64)) = (rest.first(), rest.get(1)) else {
        return Err("expected `<email> <key type> <base64 key>` (a line of a `.pub` file after the e-mail)"
            .to_owned());
    };
    let key = parse_key(key_type, base64)?;
    Ok((principals, options, key, rest[2..].join(" ")))
}

/// Checks a key type and its base64 blob, and fingerprints it.
pub(crate) fn parse_key(key_type: &str, base64: &str) -> Result<PublicKey, String> {
    if !KEY_TYPES.contains(&key_type) {
        return Err(format!(
            "`{key_type}` is not an SSH key type (expected one of {})",
            KEY_TYPES.join(", ")
        ));
    }
    let blob = BASE64.decode(base64.as_bytes()).map_err(|_| "the key is not valid base64".to_owned())?;
    // The blob starts with the key type as an SSH string (4-byte length, then the name).
    let named = blob.get(..4).map(|n| u32::from_be_bytes([n[0], n[1], n[2], n[3]]) as usize);
    if named.and_then(|n| blob.get(4..4 + n)) != Some(key_type.as_bytes())
        || blob.len() < 4 + key_type.len() + 8
    {
        return Err(format!("the key data is not an `{key_type}` key"));
    }
    Ok(PublicKey {
        key_type: key_type.to_owned(),
        base64: base64.to_owned(),
        fingerprint: format!("SHA256:{}", BASE64_NOPAD.encode(&Sha256::digest(&blob))),
    })
}

/// A public key file (`id_ed25519.pub`): `<key type> <base64 key> [comment]`,
/// or a line of an allowed signers file or `authorized_keys` ending with one.
pub(crate) fn parse_public_key(text: &str) -> Result<(PublicKey, String), String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#')).unwrap_or("");
    if line.starts_with("-----BEGIN") {
        return Err("this is a private key: give the public key (the `.pub` file)".to_owned());
    }
    let f = fields(line);
    let Some(at) = f.iter().position(|t| KEY_TYPES.contains(t)) else {
        return Err(
            "no SSH public key found (expected `<key type> <base64 key> [comment]`, as in a `.pub` file)"
                .to_owned(),
        );
    };
    let Some(base64) = f.get(at + 1) else { return Err("the key type is not followed by a key".to_owned()) };
    Ok((parse_key(f[at], base64)?, f[at + 2..].join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    // From `ssh-keygen -t ed25519`; `ssh-keygen -lf` prints FINGERPRINT for it.
    const KEY: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIJ6Gwtn7hT3R9fbxpSLdj7WKpO8hXHu1WzqMgg6Dctq+";
    const FINGERPRINT: &str = "SHA256:1QLALDY8EtLuWiMDwElnKqXokNUBm5bdcvzRpFm4xcY";

    #[test]
    fn lines_options_comments_and_problems() {
        let text = format!(
            "# team keys\n\ncy@example.com ssh-ed25519 {KEY} cy laptop\nana@example.com,ops@example.com namespaces=\"git,file\" ssh-ed25519 {KEY}\nbob@example.com ssh-ed25519\nbob@example.com ssh-foo AAAA\n"
        );
        let s = AllowedSigners::parse(&text);
        assert_eq!(s.lines.len(), 2);
        assert_eq!(s.lines[0].line, 3);
        assert_eq!(s.lines[0].comment, "cy laptop");
        assert_eq!(s.lines[1].principals, ["ana@example.com", "ops@example.com"]);
        assert_eq!(s.lines[1].options.as_deref(), Some("namespaces=\"git,file\""));
        assert_eq!(s.problems.iter().map(|p| p.line).collect::<Vec<_>>(), [5, 6]);
        let fp = &s.lines[0].key.fingerprint;
        assert_eq!(fp, FINGERPRINT);
        assert!(s.lists("CY@example.com", fp));
        assert_eq!(s.principals_of(fp), ["cy@example.com", "ana@example.com", "ops@example.com"]);
    }

    #[test]
    fn public_key_files() {
        assert!(parse_public_key(&format!("ssh-ed25519 {KEY} cy@laptop\n")).is_ok());
        assert!(
            parse_public_key("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n").unwrap_err().contains("private")
        );
        assert!(parse_public_key("ssh-ed25519 not*base64").is_err());
        // Valid base64, but not an ed25519 key blob.
        assert!(parse_public_key("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ==").is_err());
        assert!(parse_public_key("hello").is_err());
    }
}
