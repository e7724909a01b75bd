//! Inline SVG line charts of scores over time: a dated x axis, a 0–100% y
//! axis with gridlines, one line per series and a legend. No JavaScript and
//! no external resources; every text is escaped here. Lines differ in colour
//! (a colour-blind-safe palette) and in dash pattern, so they stay apart when
//! printed in grey.

use std::fmt::Write as _;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

/// Width and height of the drawing, in SVG user units.
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
/// The plot area inside the drawing.
const LEFT: f64 = 60.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 34.0;

/// Estimated width of a character of an axis label, in user units.
const LABEL_CHAR_WIDTH: f64 = 10.0;

/// Okabe–Ito colours (distinguishable with colour-blindness), with a wine
/// instead of the sky blue: every line keeps 3:1 against white.
const COLOURS: [&str; 7] = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#8a6d00", "#882255", "#6b6b6b"];
/// Dash patterns, combined with the colours so that every series differs in grey too.
const DASHES: [&str; 4] = ["", "7 4", "2 3", "10 3 2 3"];
/// The emphasised series (overall) is drawn in near-black, thicker.
const EMPHASIS_COLOUR: &str = "#1f2328";

/// Seconds in a day: x values are local times in seconds since 1970-01-01.
pub(crate) const DAY: i64 = 86_400;

/// One line of a chart: a value (percent, or `None` for a gap) per point in time.
#[derive(Clone, Debug)]
pub(crate) struct Series {
    pub label: String,
    /// (local time in seconds since 1970-01-01, percent), sorted by time.
    pub values: Vec<(i64, Option<f64>)>,
    /// Drawn thicker and darker (the overall score).
    pub emphasis: bool,
}

/// A chart to draw.
#[derive(Clone, Debug)]
pub(crate) struct Chart {
    /// Unique on its page: prefixes the ids of the title and description.
    pub id: String,
    pub title: String,
    /// A sentence describing the data, for screen readers.
    pub description: String,
    pub series: Vec<Series>,
}

/// How one series is drawn.
struct Style {
    colour: &'static str,
    dash: &'static str,
    width: f64,
}

fn style(index: usize, emphasis: bool) -> Style {
    if emphasis {
        return Style { colour: EMPHASIS_COLOUR, dash: "", width: 3.0 };
    }
    Style {
        colour: COLOURS[index % COLOURS.len()],
        dash: DASHES[(index / COLOURS.len() + index) % DASHES.len()],
        width: 2.0,
    }
}

/// The chart as a `<figure>`: the SVG and an HTML legend. Empty when no
/// series has a value.
pub(crate) fn render(chart: &Chart) -> String {
    let Some((first, last)) = time_range(&chart.series) else {
        return String::new();
    };
    let scale = Scale { first, last };
    let mut svg = String::with_capacity(4096);
    let _ = write!(
        svg,
        "<figure class=\"chart\"><figcaption class=\"chart-title\">{title}</figcaption><svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>",
        id = escape(&chart.id),
        title = escape(&chart.title),
        desc = escape(&chart.description),
    );
    grid(&mut svg);
    x_axis(&mut svg, &scale);
    let mut styled = 0;
    for s in &chart.series {
        let st = style(styled, s.emphasis);
        if !s.emphasis {
            styled += 1;
        }
        line(&mut svg, &scale, s, &st);
    }
    svg.push_str("</svg>");
    legend(&mut svg, &chart.series);
    svg.push_str("</figure>");
    svg
}

/// The first and last time with a value in any series.
fn time_range(series: &[Series]) -> Option<(i64, i64)> {
    let times = series.iter().flat_map(|s| s.values.iter().filter(|(_, v)| v.is_some()).map(|(t, _)| *t));
    times.fold(None, |acc, t| match acc {
        None => Some((t, t)),
        Some((lo, hi)) => Some((lo.min(t), hi.max(t))),
    })
}

/// Maps times and percents to drawing coordinates.
struct Scale {
    first: i64,
    last: i64,
}

impl Scale {
    fn x(&self, time: i64) -> f64 {
        let width = WIDTH - LEFT - RIGHT;
        if self.last == self.first {
            return LEFT + width / 2.0;
        }
        LEFT + (time - self.first) as f64 / (self.last - self.first) as f64 * width
    }

    fn y(percent: f64) -> f64 {
        TOP + (100.0 - percent.clamp(0.0, 100.0)) / 100.0 * (HEIGHT - TOP - BOTTOM)
    }
}

/// Horizontal gridlines at 0, 25, 50, 75 and 100% with their labels.
fn grid(svg: &mut String) {
    svg.push_str("<g class=\"grid\" aria-hidden=\"true\">");
    for p in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let y = Scale::y(p);
        let _ = write!(
            svg,
            "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{x2}\" y2=\"{y:.1}\" stroke=\"#d0d7de\" stroke-width=\"1\"/><text x=\"{lx}\" y=\"{y:.1}\" text-anchor=\"end\" dominant-baseline=\"middle\">{p}%</text>",
            x2 = WIDTH - RIGHT,
            lx = LEFT - 8.0,
        );
    }
    svg.push_str("</g>");
}

/// Date ticks along the bottom.
fn x_axis(svg: &mut String, scale: &Scale) {
    svg.push_str("<g class=\"axis\" aria-hidden=\"true\">");
    let base = HEIGHT - BOTTOM;
    let _ = write!(
        svg,
        "<line x1=\"{LEFT}\" y1=\"{base}\" x2=\"{x2}\" y2=\"{base}\" stroke=\"#57606a\" stroke-width=\"1\"/>",
        x2 = WIDTH - RIGHT
    );
    // Labels that would overlap the previous one are left out; widths are
    // estimated for the largest font the stylesheet uses (phones).
    let mut free_from = f64::MIN;
    for (time, label) in ticks(scale.first, scale.last) {
        let x = scale.x(time);
        let width = label.chars().count() as f64 * LABEL_CHAR_WIDTH;
        let (anchor, left) = if x < LEFT + width / 2.0 {
            ("start", x)
        } else if x > WIDTH - RIGHT - width / 2.0 {
            ("end", x - width)
        } else {
            ("middle", x - width / 2.0)
        };
        if left < free_from {
            continue;
        }
        free_from = left + width + 12.0;
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"{base}\" x2=\"{x:.1}\" y2=\"{tick}\" stroke=\"#57606a\" stroke-width=\"1\"/><text x=\"{x:.1}\" y=\"{ty}\" text-anchor=\"{anchor}\">{label}</text>",
            tick = base + 5.0,
            ty = base + 22.0,
            label = escape(&label),
        );
    }
    svg.push_str("</g>");
}

/// One series: connected segments between gaps, a dot on isolated values and
/// on the last value.
fn line(svg: &mut String, scale: &Scale, series: &Series, st: &Style) {
    let points = downsample(scale, &series.values);
    let dash = if st.dash.is_empty() { String::new() } else { format!(" stroke-dasharray=\"{}\"", st.dash) };
    let _ = write!(svg, "<g class=\"series\"><title>{}</title>", escape(&series.label));
    for segment in points.split(|(_, v)| v.is_none()) {
        let coords: Vec<(f64, f64)> =
            segment.iter().filter_map(|(x, v)| v.map(|v| (*x, Scale::y(v)))).collect();
        match coords.as_slice() {
            [] => {}
            [(x, y)] => dot(svg, *x, *y, st),
            [first, rest @ ..] => {
                let mut d = format!("M{:.1} {:.1}", first.0, first.1);
                for (x, y) in rest {
                    let _ = write!(d, "L{x:.1} {y:.1}");
                }
                let _ = write!(
                    svg,
                    "<path d=\"{d}\" fill=\"none\" stroke=\"{c}\" stroke-width=\"{w}\" stroke-linejoin=\"round\"{dash}/>",
                    c = st.colour,
                    w = st.width,
                );
            }
        }
    }
    if let Some((x, Some(v))) = points.iter().rev().find(|(_, v)| v.is_some()) {
        dot(svg, *x, Scale::y(*v), st);
    }
    svg.push_str("</g>");
}

fn dot(svg: &mut String, x: f64, y: f64, st: &Style) {
    let _ = write!(
        svg,
        "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r}\" fill=\"{c}\"/>",
        r = st.width + 1.0,
        c = st.colour
    );
}

/// Keeps the last value of each horizontal unit: a long history draws at
/// most one point per unit of width, whatever its number of commits.
fn downsample(scale: &Scale, values: &[(i64, Option<f64>)]) -> Vec<(f64, Option<f64>)> {
    let mut out: Vec<(f64, Option<f64>)> = Vec::new();
    let mut last_unit = None;
    for (time, value) in values {
        let x = scale.x(*time);
        let unit = x.round() as i64;
        if last_unit == Some(unit)
            && let Some(slot) = out.last_mut()
        {
            *slot = (x, *value);
            continue;
        }
        last_unit = Some(unit);
        out.push((x, *value));
    }
    out
}

/// The legend, as an HTML list with a line sample per series.
fn legend(out: &mut String, series: &[Series]) {
    out.push_str("<ul class=\"legend\">");
    let mut styled = 0;
    for s in series {
        let st = style(styled, s.emphasis);
        if !s.emphasis {
            styled += 1;
        }
        let dash =
            if st.dash.is_empty() { String::new() } else { format!(" stroke-dasharray=\"{}\"", st.dash) };
        let _ = write!(
            out,
            "<li><svg class=\"swatch\" viewBox=\"0 0 28 10\" width=\"28\" height=\"10\" aria-hidden=\"true\"><line x1=\"0\" y1=\"5\" x2=\"28\" y2=\"5\" stroke=\"{c}\" stroke-width=\"{w}\"{dash}/></svg>{label}</li>",
            c = st.colour,
            w = st.width,
            label = escape(&s.label),
        );
    }
    out.push_str("</ul>");
}

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// At most about six ticks (times of midnights) between two times: days,
/// weeks, months or years depending on the span. A span within one day gets
/// one label, its date, at the first point.
fn ticks(first: i64, last: i64) -> Vec<(i64, String)> {
    let (d0, d1) = (first.div_euclid(DAY), last.div_euclid(DAY));
    let span = d1 - d0;
    let in_range = |t: &(i64, String)| t.0 >= first && t.0 <= last;
    let day_label = |d: i64| {
        let date = date_of_day(d);
        let month = MONTHS[(date.month() - 1) as usize];
        if span == 0 {
            format!("{} {month} {}", date.day(), date.year())
        } else {
            format!("{} {month}", date.day())
        }
    };
    if span == 0 {
        return vec![(first, day_label(d0))];
    }
    if span <= 120 {
        let step = [1, 2, 7, 14, 28].into_iter().find(|s| span / s <= 6).unwrap_or(28);
        return (1..)
            .map(|i| d0 + i * step)
            .take_while(|d| *d <= d1)
            .map(|d| (d * DAY, day_label(d)))
            .filter(in_range)
            .collect();
    }
    let months = span / 30;
    let step = [1, 2, 3, 6, 12, 24, 60, 120].into_iter().find(|s| months / s <= 6).unwrap_or(120);
    let mut out = Vec::new();
    let mut month = date_of_day(d0).first_of_month();
    // The first of each month after the first one, up to the last day.
    while let Ok(next) = month.checked_add(Span::new().months(1)) {
        month = next;
        let day = day_of_date(month);
        if day > d1 {
            break;
        }
        let (y, m) = (i64::from(month.year()), i64::from(month.month()));
        if (y * 12 + m - 1) % step == 0 {
            let label = if step >= 12 { y.to_string() } else { format!("{} {y}", MONTHS[(m - 1) as usize]) };
            out.push((day * DAY, label));
        }
    }
    out.retain(in_range);
    out
}

/// The date of a day number (days since 1970-01-01), clamped to the dates
/// jiff represents (years -9999 to 9999).
pub(crate) fn date_of_day(days: i64) -> Date {
    match Timestamp::from_second(days.saturating_mul(DAY)) {
        Ok(t) => t.to_zoned(TimeZone::UTC).date(),
        Err(_) if days < 0 => Date::MIN,
        Err(_) => Date::MAX,
    }
}

/// The day number (days since 1970-01-01) of a date.
pub(crate) fn day_of_date(date: Date) -> i64 {
    i64::from((date - Date::constant(1970, 1, 1)).get_days())
}

/// Escapes text for SVG and HTML.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn series(label: &str, values: &[(i64, Option<f64>)]) -> Series {
        Series { label: label.into(), values: values.to_vec(), emphasis: false }
    }

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(day_of_date(date(1970, 1, 1)), 0);
        assert_eq!(day_of_date(date(2026, 3, 2)), 20_514);
        for d in [-1000, 0, 59, 60, 20_000, 20_513] {
            assert_eq!(day_of_date(date_of_day(d)), d);
        }
        assert_eq!(date_of_day(i64::MAX), Date::MAX);
        assert_eq!(date_of_day(i64::MIN), Date::MIN);
    }

    #[test]
    fn no_values_no_chart() {
        let chart = Chart { id: "c".into(), title: "t".into(), description: "d".into(), series: vec![] };
        assert_eq!(render(&chart), "");
    }

    #[test]
    fn one_value_is_a_dot_and_text_is_escaped() {
        let chart = Chart {
            id: "c".into(),
            title: "<b>".into(),
            description: "d".into(),
            series: vec![series("a<script>", &[(20_000 * DAY, Some(50.0))])],
        };
        let svg = render(&chart);
        assert!(svg.contains("<circle"), "{svg}");
        assert!(!svg.contains("<path"), "{svg}");
        assert!(svg.contains("a&lt;script&gt;") && !svg.contains("<script>"), "{svg}");
        assert!(svg.contains("<title id=\"c-title\">&lt;b&gt;</title>"));
    }

    #[test]
    fn gaps_split_lines_and_long_histories_are_thinned() {
        let values: Vec<(i64, Option<f64>)> = (0..10_000)
            .map(|i| (i * 3600, if (2000..2100).contains(&i) { None } else { Some(50.0) }))
            .collect();
        let svg = render(&Chart {
            id: "c".into(),
            title: "t".into(),
            description: "d".into(),
            series: vec![series("a", &values)],
        });
        assert_eq!(svg.matches("<path").count(), 2, "one segment either side of the gap");
        let coords = svg.matches('L').count();
        assert!(coords < 700, "at most one point per unit of width: {coords}");
    }

    #[test]
    fn ticks_fit_the_span() {
        let start = day_of_date(date(2025, 1, 6)) * DAY + 3600;
        assert_eq!(ticks(start, start + 60), vec![(start, "6 Jan 2025".to_owned())]);
        let week = ticks(start, start + 7 * DAY);
        assert_eq!(week.first().map(|t| t.1.as_str()), Some("8 Jan"), "{week:?}");
        let year = ticks(start, day_of_date(date(2026, 1, 6)) * DAY);
        assert!(year.len() <= 7 && year.len() >= 3, "{year:?}");
        assert_eq!(year[0].1, "Mar 2025");
        let decade = ticks(start, day_of_date(date(2035, 1, 6)) * DAY);
        assert!(decade.iter().all(|(_, l)| l.len() == 4), "{decade:?}");
    }
}
