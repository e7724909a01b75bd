//! The compliance report: a static HTML site or one Markdown document (being written).
