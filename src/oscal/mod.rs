//! OSCAL (NIST's Open Security Controls Assessment Language), JSON edition
//! 1.x: the typed subset evident reads ([`model`], [`read`]), catalog and
//! profile import into templates and actions ([`import`], [`mapping`],
//! [`prose`]), and assessment-results export ([`results`]).

pub(crate) mod import;
pub(crate) mod mapping;
pub(crate) mod model;
pub(crate) mod prose;
pub(crate) mod read;
pub(crate) mod results;
