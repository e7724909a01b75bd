//! The semantic difference between two versions of a repository (being written).
