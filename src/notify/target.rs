//! Where a channel delivers: its URL as written in `evident.toml` (possibly
//! `env:NAME`), checked and taken apart. Pure: the environment is passed in.

use url::Url;

/// The prefix of a URL read from an environment variable when sending.
pub(crate) const ENV_PREFIX: &str = "env:";

/// A channel URL as written: a URL, or the name of the variable that holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Written<'a> {
    Url(&'a str),
    Env(&'a str),
}

pub(crate) fn written(text: &str) -> Written<'_> {
    match text.strip_prefix(ENV_PREFIX) {
        Some(name) => Written::Env(name.trim()),
        None => Written::Url(text.trim()),
    }
}

/// Whether `name` can be an environment variable's name (letters, digits, `_`; not a digit first).
pub(crate) fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A URL as written, with `env:NAME` looked up in `env`. The error says which variable is missing.
pub(crate) fn resolve(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    match written(text) {
        Written::Url(url) => Ok(url.to_owned()),
        Written::Env(name) if !is_env_name(name) => {
            Err(format!("`{text}` does not name an environment variable"))
        }
        Written::Env(name) => match env(name) {
            Some(value) if !value.trim().is_empty() => Ok(value.trim().to_owned()),
            Some(_) => Err(format!("the environment variable `{name}` is empty")),
            None => Err(format!("the environment variable `{name}` is not set")),
        },
    }
}

/// Checks a webhook URL: `http://` or `https://` with a host.
pub(crate) fn parse_webhook(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("the webhook is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("a webhook is an `http://` or `https://` URL, not `{}:`", url.scheme()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the webhook URL has no host".to_owned());
    }
    Ok(url)
}

/// A mail server: where to connect, and whether TLS starts at once (`smtps://`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SmtpServer {
    pub host: String,
    pub port: u16,
    /// `smtps://`: TLS from the first byte. Otherwise STARTTLS when the server offers it.
    pub implicit_tls: bool,
}

impl std::fmt::Display for SmtpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = if self.implicit_tls { "smtps" } else { "smtp" };
        if self.host.contains(':') {
            // An IPv6 address, bracketed as in the URL it came from.
            write!(f, "{scheme}://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

/// Checks a mail server URL: `smtp://host[:port]` (port 25 by default) or `smtps://host[:port]`
/// (465), without credentials (they come from the environment) or a path.
pub(crate) fn parse_smtp(text: &str) -> Result<SmtpServer, String> {
    let url = Url::parse(text).map_err(|e| format!("the mail server is not a URL ({e})"))?;
    let implicit_tls = match url.scheme() {
        "smtp" => false,
        "smtps" => true,
        other => {
            return Err(format!(
                "a mail server is `smtp://host:port` or `smtps://host:port`, not `{other}:`"
            ));
        }
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err("credentials do not belong in the URL: set EVIDENT_SMTP_USER and EVIDENT_SMTP_PASSWORD"
            .to_owned());
    }
    let host = match url.host() {
        Some(url::Host::Domain(d)) if !d.is_empty() => d.to_owned(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        _ => return Err("the mail server URL has no host".to_owned()),
    };
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err("a mail server URL is only `smtp://host:port`: no path or query".to_owned());
    }
    let port = url.port().unwrap_or(if implicit_tls { 465 } else { 25 });
    Ok(SmtpServer { host, port, implicit_tls })
}

/// A webhook URL fit to print: scheme, host and port. The path and query of chat webhooks are
/// their secret, so they are left out.
pub(crate) fn redact(text: &str) -> String {
    match Url::parse(text) {
        Ok(url) if url.host_str().is_some() => {
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            let rest = if matches!(url.path(), "" | "/") && url.query().is_none() { "" } else { "/…" };
            format!("{}://{}{port}{rest}", url.scheme(), url.host_str().unwrap_or_default())
        }
        _ => "(not a URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOOK" => Some("https://hooks.example.com/T0/B0/secret".to_owned()),
            "BLANK" => Some(" ".to_owned()),
            _ => None,
        }
    }

    #[test]
    fn env_urls_are_read_when_sending() {
        assert_eq!(resolve("env:HOOK", &env).unwrap(), "https://hooks.example.com/T0/B0/secret");
        assert_eq!(
            resolve("env:MISSING", &env).unwrap_err(),
            "the environment variable `MISSING` is not set"
        );
        // A secret that CI passes empty (not defined for this branch) is named as such.
        assert_eq!(resolve("env:BLANK", &env).unwrap_err(), "the environment variable `BLANK` is empty");
        assert!(resolve("env:1BAD", &env).is_err());
        assert_eq!(resolve("https://x.example", &env).unwrap(), "https://x.example");
    }

    #[test]
    fn webhooks_are_http_or_https() {
        assert!(parse_webhook("https://hooks.example.com/x").is_ok());
        assert!(parse_webhook("http://127.0.0.1:8080/hook").is_ok());
        assert!(parse_webhook("ftp://example.com").unwrap_err().contains("`ftp:`"));
        assert!(parse_webhook("hooks.example.com/x").unwrap_err().contains("not a URL"));
    }

    #[test]
    fn smtp_urls_name_a_server_only() {
        let s = parse_smtp("smtp://mail.example.com:587").unwrap();
        assert_eq!((s.host.as_str(), s.port, s.implicit_tls), ("mail.example.com", 587, false));
        assert_eq!(parse_smtp("smtps://mail.example.com").unwrap().port, 465);
        assert_eq!(parse_smtp("smtp://mail.example.com").unwrap().port, 25);
        assert!(parse_smtp("smtp://user:pw@mail.example.com").unwrap_err().contains("EVIDENT_SMTP_USER"));
        assert!(parse_smtp("https://mail.example.com").is_err());
        assert!(parse_smtp("smtp://mail.example.com/inbox").is_err());
        // Printed as written: an IPv6 address keeps its brackets.
        assert_eq!(parse_smtp("smtp://[::1]:2525").unwrap().to_string(), "smtp://[::1]:2525");
        assert_eq!(
            parse_smtp("smtps://mail.example.com").unwrap().to_string(),
            "smtps://mail.example.com:465"
        );
    }

    #[test]
    fn printed_webhooks_hide_their_secret_path() {
        assert_eq!(redact("https://hooks.example.com/T0/B0/secret?x=1"), "https://hooks.example.com/…");
        assert_eq!(redact("http://127.0.0.1:9/"), "http://127.0.0.1:9");
    }
}
