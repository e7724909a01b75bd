//! The words of a notification: the `text` of a webhook (what Slack and Teams
//! show) and the subject and body of a mail. Plain text, one line per event,
//! so that it reads the same in chat, in mail and in a terminal.

use crate::alerts::{Event, Fired, Scope, short};
use crate::diag::render::plural;
use crate::model::{AlertTrigger, Config};
use crate::render::alerts::{Header, or_none, title};

/// Events listed per alert in chat before "… and N more"; mail lists them all.
pub(crate) const CHAT_EVENTS: usize = 10;

/// The first line: how many alerts fired in which range.
pub(crate) fn headline(header: &Header<'_>, fired: &[Fired]) -> String {
    format!("evident: {}", title(header, fired))
}

/// The summary of `fired`: the headline, then each alert and its events (at most `limit` each).
pub(crate) fn summary(header: &Header<'_>, fired: &[Fired], limit: Option<usize>) -> String {
    let mut out = headline(header, fired);
    for alert in fired {
        out.push_str(&format!("\n\n{}: {}", alert.id, alert.watches));
        let shown = limit.unwrap_or(usize::MAX).min(alert.events.len());
        for event in &alert.events[..shown] {
            out.push_str(&format!("\n• {}", event_line(alert.on, event)));
        }
        if shown < alert.events.len() {
            out.push_str(&format!("\n• … and {} more", alert.events.len() - shown));
        }
    }
    out.push('\n');
    out
}

/// One event in words.
pub(crate) fn event_line(on: AlertTrigger, event: &Event) -> String {
    match event {
        Event::Status { commit, date, author, assessment, action, before, after, .. } => {
            let what = if on == AlertTrigger::ImplementationStatus { "implementation" } else { "test" };
            format!("{assessment} {action}: {what} {before} → {after} ({author}, {date}, {})", short(commit))
        }
        Event::Owner { commit, date, author, assessment, action, before, after, .. } => format!(
            "{assessment} {action}: owner {} → {} ({author}, {date}, {})",
            or_none(before),
            or_none(after),
            short(commit)
        ),
        Event::Stale { assessment, action, test, test_date, valid_for, .. } => format!(
            "{assessment} {action}: test {test} of {} is stale (valid for {valid_for})",
            test_date.as_deref().unwrap_or("an unknown date")
        ),
        Event::Score { scope, label, before, after, .. } => {
            let name = if *scope == Scope::Overall {
                "overall score".to_owned()
            } else {
                format!("{scope} {label}")
            };
            format!("{name}: {}", crate::render::score_move(*before, *after))
        }
    }
}

/// The subject of the mail to a new owner.
pub(crate) fn owner_subject(actions: usize) -> String {
    format!("evident: you now own {}", plural(actions, "action"))
}

/// The mail to a new owner: the actions that came to them in the range.
pub(crate) fn owner_mail(config: &Config, owner: &str, events: &[&Event], header: &Header<'_>) -> String {
    let name = config.person_name(owner).and_then(super::display_name).unwrap_or_else(|| owner.to_owned());
    let mut out = format!(
        "Hello {name},\n\nin {}..HEAD, the compliance repository made you the owner of {}:\n",
        header.base,
        plural(events.len(), "action")
    );
    for event in events {
        if let Event::Owner { commit, date, author, assessment, action, title, before, .. } = event {
            let title = title.as_deref().map(|t| format!(" ({t})")).unwrap_or_default();
            let was = before.as_deref().map(|b| format!(", was {b}")).unwrap_or_default();
            out.push_str(&format!(
                "\n• {assessment} {action}{title}: assigned by {author} on {date} in {}{was}",
                short(commit)
            ));
        }
    }
    out.push_str(&format!(
        "\n\n`evident list actions --owner {}` lists every action you own.\n",
        crate::diag::shell::quote(owner)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Score;

    fn header() -> Header<'static> {
        Header { base: "origin/main", base_id: "a".repeat(40), head_id: "b".repeat(40), commits: 3 }
    }

    fn status(action: &str) -> Event {
        Event::Status {
            commit: "0123456789abcdef0123456789abcdef01234567".to_owned(),
            date: "2026-01-02".to_owned(),
            author: "Cy".to_owned(),
            author_email: "cy@example.com".to_owned(),
            assessment: "gdpr-2026".to_owned(),
            action: action.to_owned(),
            title: None,
            owner: None,
            before: "passed".to_owned(),
            after: "failed-low".to_owned(),
        }
    }

    fn fired(id: &str, on: AlertTrigger, events: Vec<Event>) -> Fired {
        Fired {
            id: id.to_owned(),
            on,
            watches: "test status changes".to_owned(),
            notify: Vec::new(),
            channels: vec!["chat".to_owned()],
            events,
        }
    }

    #[test]
    fn summary_lists_each_alert_and_event() {
        let score = Event::Score {
            scope: Scope::Overall,
            id: None,
            label: "overall".to_owned(),
            before: Score { earned: 1, max: 31 },
            after: Score { earned: 27, max: 31 },
        };
        let text = summary(
            &header(),
            &[
                fired("failed-tests", AlertTrigger::TestStatus, vec![status("logs")]),
                fired("overall-up", AlertTrigger::ScoreIncrease, vec![score]),
            ],
            Some(CHAT_EVENTS),
        );
        assert_eq!(
            text,
            "evident: 2 alerts fired in origin/main..HEAD (3 commits)\n\n\
             failed-tests: test status changes\n\
             • gdpr-2026 logs: test passed → failed-low (Cy, 2026-01-02, 0123456)\n\n\
             overall-up: test status changes\n\
             • overall score: 3.2% → 87.1% (+83.9; 1/31 → 27/31)\n"
        );
    }

    #[test]
    fn chat_summaries_are_cut_after_the_limit() {
        let events = (0..12).map(|i| status(&format!("a{i}"))).collect();
        let text = summary(&header(), &[fired("many", AlertTrigger::TestStatus, events)], Some(CHAT_EVENTS));
        assert_eq!(text.matches("\n• gdpr-2026").count(), 10);
        assert!(text.ends_with("• … and 2 more\n"), "{text}");
        let events = (0..12).map(|i| status(&format!("a{i}"))).collect();
        let text = summary(&header(), &[fired("many", AlertTrigger::TestStatus, events)], None);
        assert_eq!(text.matches("\n• gdpr-2026").count(), 12);
    }

    #[test]
    fn owners_are_greeted_by_name_when_people_lists_them() {
        let config = Config {
            people: Some([("bob@example.com".to_owned(), "Bob Ray".to_owned())].into()),
            ..Config::default()
        };
        let event = Event::Owner {
            commit: "0123456789abcdef0123456789abcdef01234567".to_owned(),
            date: "2026-01-02".to_owned(),
            author: "Cy".to_owned(),
            author_email: "cy@example.com".to_owned(),
            assessment: "gdpr-2026".to_owned(),
            action: "mfa".to_owned(),
            title: Some("Require MFA".to_owned()),
            before: Some("ana@example.com".to_owned()),
            after: Some("bob@example.com".to_owned()),
        };
        let text = owner_mail(&config, "bob@example.com", &[&event], &header());
        assert!(text.starts_with("Hello Bob Ray,\n"), "{text}");
        assert!(
            text.contains(
                "• gdpr-2026 mfa (Require MFA): assigned by Cy on 2026-01-02 in 0123456, was ana@example.com"
            ),
            "{text}"
        );
        assert_eq!(owner_subject(1), "evident: you now own 1 action");
    }
}
