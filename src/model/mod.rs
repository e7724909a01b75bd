//! The data model: the typed contents of a compliance repository.
//!
//! Each file kind has one Rust type; the JSON Schemas in `schemas/` are
//! generated from these types (see `crate::schema`).

mod action;
mod assessment;
mod automation;
mod channel;
mod config;
mod date;
mod enums;
mod ids;
mod state;
mod template;
mod workspace;

pub use action::{Action, Link};
pub use assessment::Assessment;
pub(crate) use automation::{
    ActionAutomation, AssessmentAutomation, AutomationSettings, Duration, Freshness, StaleMode,
};
pub use channel::{Channel, ChannelKind};
pub use config::{
    AlertPolicy, AlertTrigger, AssessorDrops, CheckSettings, Config, DEFAULT_ALLOWED_SIGNERS, Level,
    PointsRow, PointsTable, Roles, Scoring, SignedChange, Trust,
};
pub use date::Date;
pub(crate) use enums::VerdictChange;
pub use enums::{ActionType, Category, ControlType, ImplementationStatus, ManagedBy, TestStatus, Testing};
pub use ids::{
    ActionId, AssessmentId, ControlId, GroupId, ID_MAX_LEN, ID_PATTERN, TemplateId, id_problem, is_valid_id,
    parse_id, slugify,
};
pub use state::{ActionState, Evidence, Implementation, Test};
pub use template::{Control, Related, Template};
pub(crate) use workspace::{AssessmentEntry, Deferred, Workspace};
