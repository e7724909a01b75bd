//! Percent-encoding for the report's links.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Percent-encodes everything but unreserved characters (and `/` in paths).
pub(crate) fn encode(text: &str, keep_slash: bool) -> String {
    utf8_percent_encode(text, if keep_slash { PATH } else { COMPONENT }).to_string()
}

/// Everything but the unreserved characters of RFC 3986 (`A-Za-z0-9-._~`).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
/// [`COMPONENT`] with `/` kept, for paths.
const PATH: &AsciiSet = &COMPONENT.remove(b'/');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding() {
        assert_eq!(encode("evidence/CA policy #1.pdf", true), "evidence/CA%20policy%20%231.pdf");
        assert_eq!(encode("ana@example.com", false), "ana%40example.com");
        assert_eq!(encode("é", false), "%C3%A9");
    }
}
