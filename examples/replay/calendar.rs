//! Calendar and time zones: working days, holidays and office hours of each author.

use evident::model::Date;
use jiff::civil::{Date as Day, Weekday};

pub(super) fn day(y: i16, m: i8, d: i8) -> Day {
    jiff::civil::date(y, m, d)
}

pub(super) fn plus(d: Day, days: i64) -> Day {
    d.checked_add(jiff::Span::new().days(days)).expect("date in range")
}

pub(super) fn days_between(a: Day, b: Day) -> i64 {
    i64::from((b - a).get_days())
}

pub(super) fn edate(d: Day) -> Date {
    Date(d)
}

pub(super) const START: (i16, i8, i8) = (2025, 11, 3);
pub(super) const END: (i16, i8, i8) = (2026, 10, 30);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Region {
    Us,
    Ie,
}

/// Where a person works: UTC offset in standard time (minutes) and the region (daylight saving
/// rules and public holidays).
#[derive(Clone, Debug)]
pub(super) struct Person {
    pub(super) email: String,
    pub(super) name: String,
    pub(super) std_offset: i32,
    pub(super) region: Region,
}

impl Person {
    pub(super) fn first(&self) -> &str {
        self.name.split_whitespace().next().unwrap_or(&self.name)
    }
}

/// Time zones of Northwind Health's people; anyone else works from Boston.
pub(super) const ZONES: &[(&str, i32, Region)] = &[
    ("ana.lima@example.com", -300, Region::Us),      // Boston HQ (CISO)
    ("ben.okafor@example.com", 0, Region::Ie),       // Dublin (DPO, Irish subsidiary)
    ("chloe.martin@example.com", 0, Region::Ie),     // Dublin (internal audit)
    ("david.chen@example.com", -480, Region::Us),    // Seattle (identity)
    ("elena.rossi@example.com", -300, Region::Us),   // Boston (security operations)
    ("farid.haddad@example.com", -360, Region::Us),  // Chicago (cloud platform)
    ("grace.kim@example.com", -300, Region::Us),     // Boston (people team)
    ("hugo.schmidt@example.com", -360, Region::Us),  // Chicago (external assessor)
    ("isabel.santos@example.com", -420, Region::Us), // Denver (devices, clinics)
    ("jonas.berg@example.com", 0, Region::Ie),       // Dublin (Microsoft 365, Purview)
];

pub(super) fn nth_sunday(y: i16, m: i8, n: i8) -> Day {
    let mut d = day(y, m, 1);
    let mut seen = 0;
    loop {
        if d.weekday() == Weekday::Sunday {
            seen += 1;
            if seen == n {
                return d;
            }
        }
        d = plus(d, 1);
    }
}

pub(super) fn last_sunday(y: i16, m: i8) -> Day {
    let mut d = plus(day(if m == 12 { y + 1 } else { y }, if m == 12 { 1 } else { m + 1 }, 1), -1);
    while d.weekday() != Weekday::Sunday {
        d = plus(d, -1);
    }
    d
}

/// UTC offset in minutes of a person on a day (office hours, far from the 2 a.m. switch).
pub(super) fn offset_on(p: &Person, d: Day) -> i32 {
    let y = d.year();
    let dst = match p.region {
        Region::Us => d >= nth_sunday(y, 3, 2) && d < nth_sunday(y, 11, 1),
        Region::Ie => d >= last_sunday(y, 3) && d < last_sunday(y, 10),
    };
    p.std_offset + if dst { 60 } else { 0 }
}

pub(super) fn is_holiday(region: Region, d: Day) -> bool {
    let md = (d.month(), d.day());
    // Everyone: the Christmas break, 24 December to 2 January.
    if (d.month() == 12 && d.day() >= 24) || (d.month() == 1 && d.day() <= 2) {
        return true;
    }
    let fixed: &[(i16, i8, i8)] = match region {
        Region::Us => &[
            (2025, 11, 27),
            (2025, 11, 28),
            (2026, 1, 19),
            (2026, 5, 25),
            (2026, 7, 3),
            (2026, 9, 7),
            (2026, 10, 12),
        ],
        Region::Ie => &[
            (2026, 2, 2),
            (2026, 3, 17),
            (2026, 4, 6),
            (2026, 5, 4),
            (2026, 6, 1),
            (2026, 8, 3),
            (2026, 10, 26),
        ],
    };
    fixed.iter().any(|&(y, m, dd)| d.year() == y && md == (m, dd))
}

pub(super) fn is_workday(region: Region, d: Day) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_holiday(region, d)
}

pub(super) fn next_workday(region: Region, d: Day) -> Day {
    let mut d = d;
    while !is_workday(region, d) {
        d = plus(d, 1);
    }
    d
}

pub(super) fn add_workdays(region: Region, d: Day, n: i64) -> Day {
    let mut d = next_workday(region, d);
    for _ in 0..n {
        d = next_workday(region, plus(d, 1));
    }
    d
}

/// Seconds since the epoch of a local time on a day for a person.
pub(super) fn timestamp(p: &Person, d: Day, minute_of_day: i64) -> i64 {
    let days = i64::from((d - day(1970, 1, 1)).get_days());
    days * 86_400 + minute_of_day * 60 - i64::from(offset_on(p, d)) * 60
}

pub(super) fn offset_text(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.abs();
    format!("{sign}{:02}{:02}", m / 60, m % 60)
}

pub(super) fn d3(t: (i16, i8, i8)) -> Day {
    day(t.0, t.1, t.2)
}
