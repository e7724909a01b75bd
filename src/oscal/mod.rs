//! OSCAL (NIST's Open Security Controls Assessment Language), JSON edition
//! 1.x: the typed subset evident reads ([`model`], [`read`]), catalog and
//! profile import into templates and actions ([`import`], [`mapping`],
//! [`prose`]), and assessment-results export ([`results`]).

pub mod import;
pub mod mapping;
pub mod model;
pub mod prose;
pub mod read;
pub mod results;
