//! Calendar dates as TOML local dates (`date = 2026-03-02`, no quotes).

use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date without time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub jiff::civil::Date);

impl Date {
    pub fn new(year: i16, month: i8, day: i8) -> Option<Self> {
        jiff::civil::Date::new(year, month, day).ok().map(Date)
    }

    /// Today in the local time zone, or the date in `EVIDENT_TODAY` (for
    /// reproducible runs and tests).
    pub(crate) fn today() -> Self {
        if let Some(date) = std::env::var("EVIDENT_TODAY").ok().and_then(|s| s.parse().ok()) {
            return date;
        }
        Date(jiff::Zoned::now().date())
    }

    pub(crate) fn to_toml(self) -> toml_edit::Value {
        let d = toml_edit::Date {
            year: self.0.year() as u16,
            month: self.0.month() as u8,
            day: self.0.day() as u8,
        };
        toml_edit::Value::from(toml_edit::Datetime { date: Some(d), time: None, offset: None })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Date {
    type Err = String;

    /// Accepts `YYYY-MM-DD` only.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = s.as_bytes();
        let shaped = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shaped {
            return Err(format!("`{s}` is not a date: expected YYYY-MM-DD"));
        }
        let num = |r: std::ops::Range<usize>| s[r].parse::<i16>().unwrap_or(0);
        Date::new(num(0..4), num(5..7) as i8, num(8..10) as i8)
            .ok_or_else(|| format!("`{s}` is not a calendar date"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The struct name and field toml uses to hand a datetime to serde.
const TOML_DATETIME_NAME: &str = "$__toml_private_Datetime";
const TOML_DATETIME_FIELD: &str = "$__toml_private_datetime";

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct DateVisitor;

        impl<'de> Visitor<'de> for DateVisitor {
            type Value = Date;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a TOML date such as 2026-03-02")
            }

            // A TOML datetime arrives as a one-entry map.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Date, A::Error> {
                let Some(_) = map.next_key::<String>()? else {
                    return Err(de::Error::custom("expected a TOML date"));
                };
                let raw: String = map.next_value()?;
                raw.parse().map_err(|_| {
                    de::Error::custom(format!(
                        "expected a date without a time or offset, such as 2026-03-02, found `{raw}`"
                    ))
                })
            }

            fn visit_str<E: de::Error>(self, s: &str) -> Result<Date, E> {
                Err(E::custom(format!("dates are TOML dates, not strings: write `{s}` without quotes")))
            }
        }

        d.deserialize_struct(TOML_DATETIME_NAME, &[TOML_DATETIME_FIELD], DateVisitor)
    }
}

impl JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date",
            "description": "A TOML local date such as 2026-03-02 (no quotes).",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse() {
        assert_eq!("2026-03-02".parse::<Date>().unwrap(), Date::new(2026, 3, 2).unwrap());
        assert!("2026-02-30".parse::<Date>().is_err());
        assert!("2026-3-2".parse::<Date>().is_err());
        assert!("2026-03-02T10:00:00".parse::<Date>().is_err());
    }
}
