//! Words of the commands that hints print, quoted so that copying a hint into
//! a POSIX shell runs that command and nothing else, whatever a path, a
//! directory or a branch name from the repository holds (`;`, `$(…)`, spaces).

/// `word` as one shell word: as it is when it holds only characters no shell
/// treats specially, otherwise in single quotes (a `'` inside as `'\''`). A
/// word that starts with `-` still reads as an option: callers put `--`
/// before it, or do not offer the command.
pub(crate) fn quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "._/-+=,:@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        return word.to_owned();
    }
    format!("'{}'", word.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn plain_words_stay_as_they_are() {
        assert_eq!(quote("evidence/mfa-policy.pdf"), "evidence/mfa-policy.pdf");
        assert_eq!(quote("origin/main"), "origin/main");
    }

    #[test]
    fn anything_a_shell_reads_is_quoted() {
        assert_eq!(quote("x;touch PWNED;#.pdf"), "'x;touch PWNED;#.pdf'");
        assert_eq!(quote("$(id)"), "'$(id)'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("a`b`"), "'a`b`'");
        assert_eq!(quote("~/x"), "'~/x'");
        assert_eq!(quote(""), "''");
    }
}
