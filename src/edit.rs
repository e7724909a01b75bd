//! Editing state files (being written).
