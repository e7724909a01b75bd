//! The closed vocabularies of the data model: categories, action and control
//! types, testing types and the implementation and test statuses.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Declares a kebab-case enum with its wire names, human labels and docs.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal / $label:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// What the vocabulary is, for messages ("test status").
            pub const WHAT: &'static str = $what;

            /// The kebab-case name used in files and on the command line.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// The label shown to people ("Control Access").
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// All wire names, for messages and completions.
            pub fn names() -> Vec<&'static str> {
                Self::ALL.iter().map(|v| v.as_str()).collect()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// The functional area an improvement action belongs to.
    Category, "category" {
        ControlAccess = "control-access" / "Control Access",
        DiscoverAndRespond = "discover-and-respond" / "Discover and Respond",
        GovernInformation = "govern-information" / "Govern Information",
        InfrastructureCloud = "infrastructure-cloud" / "Infrastructure Cloud",
        ManageCompliance = "manage-compliance" / "Manage Compliance",
        ManageDevices = "manage-devices" / "Manage Devices",
        ManageInternalRisks = "manage-internal-risks" / "Manage Internal Risks",
        PrivacyManagement = "privacy-management" / "Privacy Management",
        ProtectAgainstThreats = "protect-against-threats" / "Protect Against Threats",
        ProtectInformation = "protect-information" / "Protect Information",
    }
}

vocabulary! {
    /// How an action is carried out.
    ActionType, "action type" {
        // Implemented by configuring technology.
        Technical = "technical" / "Technical",
        // A written policy, procedure or record.
        Documentation = "documentation" / "Documentation",
        // A process people follow.
        Operational = "operational" / "Operational",
    }
}

vocabulary! {
    /// Who carries an action out: the organisation itself, or its cloud or
    /// service provider (whose attestation, a SOC 2 report or an ISO
    /// certificate, is the evidence).
    ManagedBy, "managed by" {
        Customer = "customer" / "Customer-managed",
        Provider = "provider" / "Provider-managed",
    }
}

vocabulary! {
    /// What kind of risk reduction an action gives; decides its points.
    ControlType, "control type" {
        Preventative = "preventative" / "Preventative",
        Detective = "detective" / "Detective",
        Corrective = "corrective" / "Corrective",
    }
}

vocabulary! {
    /// Whether the test result is recorded by people or by a monitoring signal.
    Testing, "testing type" {
        Manual = "manual" / "Manual",
        Automatic = "automatic" / "Automatic",
    }
}

vocabulary! {
    /// Implementation status of an action in an assessment.
    ImplementationStatus, "implementation status" {
        NotImplemented = "not-implemented" / "Not implemented",
        Implemented = "implemented" / "Implemented",
        // Implemented by other means than the recommended one (needs notes).
        Alternative = "alternative" / "Alternative implementation",
        Planned = "planned" / "Planned",
        // Not relevant here: removed from the assessment's maximum (needs notes).
        OutOfScope = "out-of-scope" / "Out of scope",
    }
}

vocabulary! {
    /// Test status of an action in an assessment.
    TestStatus, "test status" {
        None = "none" / "None",
        NotAssessed = "not-assessed" / "Not assessed",
        Passed = "passed" / "Passed",
        FailedLow = "failed-low" / "Failed low risk",
        FailedMedium = "failed-medium" / "Failed medium risk",
        FailedHigh = "failed-high" / "Failed high risk",
        OutOfScope = "out-of-scope" / "Out of scope",
        ToBeDetermined = "to-be-determined" / "To be determined",
        CouldNotBeDetermined = "could-not-be-determined" / "Could not be determined",
        PartiallyTested = "partially-tested" / "Partially tested",
        InProgress = "in-progress" / "In progress",
        ToBeDetected = "to-be-detected" / "To be detected",
        CouldNotBeDetected = "could-not-be-detected" / "Could not be detected",
    }
}

impl ImplementationStatus {
    /// Implemented in a way that can earn points once tested.
    pub fn is_implemented(self) -> bool {
        matches!(self, Self::Implemented | Self::Alternative)
    }
}

impl TestStatus {
    pub fn is_failed(self) -> bool {
        matches!(self, Self::FailedLow | Self::FailedMedium | Self::FailedHigh)
    }

    /// A verdict: passed, failed or out of scope. Evidence is frozen once one is reached.
    pub(crate) fn is_verdict(self) -> bool {
        self == Self::Passed || self.is_failed() || self == Self::OutOfScope
    }

    /// Statuses only a monitoring signal can set.
    pub(crate) fn is_automatic_only(self) -> bool {
        matches!(self, Self::ToBeDetected | Self::CouldNotBeDetected)
    }

    /// What going from `self` to `after` does that only an assessor may do: set a verdict,
    /// change one into another, or withdraw a finding. Withdrawing a finding (failed-* or
    /// out-of-scope back to, say, `in-progress`) hides it as surely as overwriting it;
    /// withdrawing a pass only loses points, and is how evidence gets replaced.
    pub(crate) fn verdict_change_to(self, after: TestStatus) -> Option<VerdictChange> {
        if self == after {
            return None;
        }
        if after.is_verdict() {
            Some(VerdictChange::Set)
        } else if self.is_failed() || self == Self::OutOfScope {
            Some(VerdictChange::Withdrawn)
        } else {
            None
        }
    }
}

/// A test status change only an assessor may make ([`TestStatus::verdict_change_to`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VerdictChange {
    /// A verdict set, or changed into another.
    Set,
    /// A finding withdrawn.
    Withdrawn,
}

// The macro-generated enum cannot carry `#[default]` on one variant.
#[allow(clippy::derivable_impls)]
impl Default for ImplementationStatus {
    fn default() -> Self {
        Self::NotImplemented
    }
}

#[allow(clippy::derivable_impls)]
impl Default for ManagedBy {
    fn default() -> Self {
        Self::Customer
    }
}

impl ManagedBy {
    pub(crate) fn is_customer(&self) -> bool {
        *self == Self::Customer
    }
}

#[allow(clippy::derivable_impls)]
impl Default for TestStatus {
    fn default() -> Self {
        Self::None
    }
}
