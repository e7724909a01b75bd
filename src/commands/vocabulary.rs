//! The model's closed vocabularies as command-line values.
//!
//! `model/` knows nothing of clap (docs/ARCHITECTURE.md, invariants): the
//! vocabularies declare their names and labels there, and this file lets
//! clap offer them (`--category control-access`, with the label as help).

use crate::model::{ActionType, Category, ControlType, ImplementationStatus, ManagedBy, TestStatus, Testing};

macro_rules! value_enum {
    ($($name:ident),+ $(,)?) => {$(
        impl clap::ValueEnum for $name {
            fn value_variants<'a>() -> &'a [Self] {
                Self::ALL
            }
            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                Some(clap::builder::PossibleValue::new(self.as_str()).help(self.label()))
            }
        }
    )+};
}

value_enum!(Category, ActionType, ControlType, Testing, ImplementationStatus, TestStatus, ManagedBy);
