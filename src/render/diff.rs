//! Rendering of `evident diff` (being written).
