//! Reading one cell as a typed value: dates in the forms spreadsheets write
//! them, statuses by name or label, and text.
//!
//! Dates: an Excel date cell, an Excel serial number (a date cell that lost
//! its format), or text `YYYY-MM-DD` (also `YYYY/MM/DD`, and with a time of
//! day `T00:00:00` or ` 00:00:00`, which is ignored). `dd/mm/yyyy` and
//! `mm/dd/yyyy` are refused: `03/04/2026` is March or April depending on who
//! saved the file, and a wrong guess would silently record a wrong date. The
//! hint spells the ISO form out (and names the one reading when only one is a
//! calendar date).

use super::Value;
use crate::diag::suggest;
use crate::model::Date;

/// A failed read: a message and, when we can guess the fix, a hint.
pub(crate) type CellError = (String, Option<String>);

/// Largest Excel serial number (9999-12-31).
const MAX_SERIAL: f64 = 2_958_465.0;

/// A date cell; `None` when empty.
pub(crate) fn date(v: &Value) -> Result<Option<Date>, CellError> {
    match v {
        Value::Empty => Ok(None),
        Value::Date(y, m, d, _) => {
            Date::new(*y, *m, *d).map(Some).ok_or_else(|| not_a_date(&super::text_of(v)))
        }
        Value::Number(n) => serial(*n),
        Value::Bool(b) => Err((format!("`{b}` is not a date"), Some(ISO_HINT.into()))),
        Value::Text(t) => text_date(t.trim()),
    }
}

const ISO_HINT: &str = "write dates as YYYY-MM-DD, e.g. 2026-03-02";

fn not_a_date(text: &str) -> CellError {
    (format!("`{text}` is not a date"), Some(ISO_HINT.into()))
}

/// An Excel serial number (1900 date system): days since 1899-12-30.
fn serial(n: f64) -> Result<Option<Date>, CellError> {
    if !(61.0..=MAX_SERIAL).contains(&n) {
        return Err((
            format!("`{n}` is not a date (as an Excel serial number it is out of range)"),
            Some(ISO_HINT.into()),
        ));
    }
    let epoch = jiff::civil::date(1899, 12, 30);
    let days = n.floor() as i32;
    epoch
        .checked_add(jiff::Span::new().days(days))
        .map(|d| Some(Date(d)))
        .map_err(|_| not_a_date(&n.to_string()))
}

fn text_date(t: &str) -> Result<Option<Date>, CellError> {
    if t.is_empty() {
        return Ok(None);
    }
    // A time of midnight, as some tools add to dates, is ignored.
    let day = t
        .strip_suffix("T00:00:00")
        .or_else(|| t.strip_suffix(" 00:00:00"))
        .or_else(|| t.strip_suffix("T00:00:00Z"))
        .unwrap_or(t);
    if let Ok(d) = day.replace('/', "-").parse::<Date>() {
        return Ok(Some(d));
    }
    // A whole number: an Excel serial number written as text (CSV).
    if !day.is_empty() && day.len() <= 7 && day.bytes().all(|b| b.is_ascii_digit()) {
        return day.parse::<f64>().map_err(|_| not_a_date(t)).and_then(serial);
    }
    if let Some(err) = day_month_year(day) {
        return Err(err);
    }
    Err(not_a_date(t))
}

/// `03/04/2026`, `3.4.2026`, `03-04-2026`: refused, with the readings as hints.
fn day_month_year(t: &str) -> Option<CellError> {
    let parts: Vec<&str> = t.split(['/', '.', '-']).collect();
    let [a, b, y] = parts.as_slice() else { return None };
    let num = |s: &str| (!s.is_empty() && s.len() <= 2).then(|| s.parse::<i8>().ok()).flatten();
    let (a, b) = (num(a)?, num(b)?);
    let year: i16 = (y.len() == 4).then(|| y.parse().ok()).flatten()?;
    let day_first = Date::new(year, b, a);
    let month_first = Date::new(year, a, b);
    let message = format!("`{t}` is ambiguous: is it day/month/year or month/day/year?");
    let hint = match (day_first, month_first) {
        (Some(d), Some(m)) if d != m => {
            format!("write it as YYYY-MM-DD: {d} (day first) or {m} (month first)")
        }
        (Some(d), _) | (None, Some(d)) => format!("write it as YYYY-MM-DD: did you mean {d}?"),
        (None, None) => return Some((format!("`{t}` is not a date"), Some(ISO_HINT.into()))),
    };
    Some((message, Some(hint)))
}

/// A status by its name (`failed-low`) or label (`Failed (low risk)`), in any case.
pub(crate) fn status<S: Copy + 'static>(
    v: &Value,
    all: &'static [S],
    name: impl Fn(S) -> &'static str,
    label: impl Fn(S) -> &'static str,
    what: &str,
) -> Result<Option<S>, CellError> {
    let text = super::text_of(v);
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if let Some(s) =
        all.iter().copied().find(|s| name(*s).eq_ignore_ascii_case(t) || label(*s).eq_ignore_ascii_case(t))
    {
        return Ok(Some(s));
    }
    let lower = t.to_lowercase();
    let hint = match suggest(&lower, all.iter().map(|s| name(*s))) {
        Some(s) => format!("did you mean \"{s}\"?"),
        None => format!("one of: {}", all.iter().map(|s| name(*s)).collect::<Vec<_>>().join(", ")),
    };
    Err((format!("unknown {what} \"{t}\""), Some(hint)))
}

/// Text, as it is; `None` when blank (as `evident set` treats blank notes).
pub(crate) fn text(v: &Value) -> Option<String> {
    let t = super::text_of(v);
    (!t.trim().is_empty()).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn dates_in_the_forms_spreadsheets_write() {
        let text = |s: &str| date(&Value::Text(s.into()));
        assert_eq!(text("2026-03-02"), Ok(Some(d("2026-03-02"))));
        assert_eq!(text(" 2026/03/02 "), Ok(Some(d("2026-03-02"))));
        assert_eq!(text("2026-03-02T00:00:00"), Ok(Some(d("2026-03-02"))));
        assert_eq!(text(""), Ok(None));
        // 46083 is 2026-03-02 in Excel's 1900 date system.
        assert_eq!(date(&Value::Number(46083.0)), Ok(Some(d("2026-03-02"))));
        assert_eq!(text("46083"), Ok(Some(d("2026-03-02"))));
        assert_eq!(date(&Value::Date(2026, 3, 2, false)), Ok(Some(d("2026-03-02"))));
        assert!(date(&Value::Number(-3.0)).is_err());
        assert!(text("2026-02-30").is_err());
        assert!(text("soon").is_err());
    }

    #[test]
    fn day_month_year_is_refused_with_the_readings() {
        let (message, hint) = date(&Value::Text("03/04/2026".into())).unwrap_err();
        assert_eq!(message, "`03/04/2026` is ambiguous: is it day/month/year or month/day/year?");
        assert_eq!(
            hint.unwrap(),
            "write it as YYYY-MM-DD: 2026-04-03 (day first) or 2026-03-04 (month first)"
        );
        let (_, hint) = date(&Value::Text("25/12/2026".into())).unwrap_err();
        assert_eq!(hint.unwrap(), "write it as YYYY-MM-DD: did you mean 2026-12-25?");
        let (_, hint) = date(&Value::Text("12.25.2026".into())).unwrap_err();
        assert_eq!(hint.unwrap(), "write it as YYYY-MM-DD: did you mean 2026-12-25?");
    }
}
