//! What `evident alerts --send` prints: each delivery and what became of it,
//! as a terminal table, Markdown or JSON; with `--dry-run`, the messages too.

use serde_json::Value;

use super::table::Table;
use super::{md_cell, md_code};
use crate::diag::render::plural;
use crate::notify::{Delivery, SendOutput, Status};

pub(crate) fn json(output: &SendOutput) -> Value {
    super::json::to_value(output)
}

/// One line: what was sent, or would be.
fn headline(output: &SendOutput) -> String {
    let count = |s: Status| output.deliveries.iter().filter(|d| d.status == s).count();
    if output.deliveries.is_empty() {
        return "nothing to send".to_owned();
    }
    if output.dry_run {
        return format!(
            "dry run: {} would be sent, nothing was",
            plural(count(Status::WouldSend), "message")
        );
    }
    let mut parts = vec![format!("{} delivered", plural(count(Status::Delivered), "message"))];
    for (status, word) in [(Status::Failed, "failed"), (Status::Skipped, "skipped")] {
        if count(status) > 0 {
            parts.push(format!("{} {word}", count(status)));
        }
    }
    parts.join(", ")
}

/// The result of a delivery in words: `delivered`, `failed after 3 attempts: …`.
pub(crate) fn result(d: &Delivery) -> String {
    let tries = match d.attempts {
        0 | 1 => String::new(),
        n => format!(" after {n} attempts"),
    };
    let reason = d.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
    format!("{}{tries}{reason}", d.status.as_str())
}

fn to(d: &Delivery) -> String {
    if d.recipients.is_empty() {
        d.destination.clone()
    } else {
        format!("{} → {}", d.destination, d.recipients.join(", "))
    }
}

pub(crate) fn human(output: &SendOutput, color: bool) -> String {
    let mut out = format!("\nSending: {}\n", headline(output));
    let mut table = Table::new(&["Channel", "Kind", "To", "Alerts", "Result"]);
    for d in &output.deliveries {
        table.row(vec![d.channel.clone(), d.kind.as_str().to_owned(), to(d), d.alerts.join(", "), result(d)]);
    }
    if !table.is_empty() {
        out.push_str(&table.render(color));
    }
    if !output.unrouted.is_empty() {
        out.push_str(&format!("not sent (they name no channels): {}\n", output.unrouted.join(", ")));
    }
    for d in output.deliveries.iter().filter(|d| d.message.is_some()) {
        out.push_str(&format!("\n── {} ({})\n", d.channel, to(d)));
        out.push_str(&message_text(d.message.as_ref()));
    }
    out
}

/// A message as `--dry-run` shows it: the JSON body of a webhook, or the mail's subject and text.
fn message_text(message: Option<&Value>) -> String {
    let Some(message) = message else { return String::new() };
    match (message.get("subject"), message.get("text"), message.get("base")) {
        (Some(Value::String(subject)), Some(Value::String(text)), None) => {
            format!("Subject: {subject}\n\n{text}")
        }
        _ => format!("{}\n", serde_json::to_string_pretty(message).unwrap_or_default()),
    }
}

pub(crate) fn markdown(output: &SendOutput) -> String {
    let mut out = format!("\n### Sending: {}\n\n", headline(output));
    for d in &output.deliveries {
        out.push_str(&format!(
            "- {} ({}) {}: {} — {}\n",
            md_code(&d.channel),
            d.kind.as_str(),
            md_cell(&to(d)),
            d.alerts.iter().map(|a| md_code(a)).collect::<Vec<_>>().join(", "),
            md_cell(&result(d))
        ));
    }
    if !output.unrouted.is_empty() {
        let ids: Vec<String> = output.unrouted.iter().map(|a| md_code(a)).collect();
        out.push_str(&format!("\nNot sent (they name no channels): {}\n", ids.join(", ")));
    }
    out
}
