//! L0402 DEPRECATED_USE: uses of @deprecated types from elements that are not deprecated.
//!
//! Found by L0401's check, in one pass (`unused_and_deprecated.rs`).
use crate::diagnostic::codes;
use crate::lint::{Check, Rule};

pub const RULE: Rule = Rule {
    code: codes::L0402,
    name: "DEPRECATED_USE",
    default_on: true,
    rationale: "new uses of deprecated types make them harder to remove",
    check: Check::With(codes::L0401),
};
