//! L0401 UNUSED_TYPE: messages, enums and errors that nothing reaches.
//!
//! The check (with L0402's, in one pass) is in `unused_and_deprecated.rs`.
use crate::diagnostic::codes;
use crate::lint::{Check, Rule};

pub const RULE: Rule = Rule {
    code: codes::L0401,
    name: "UNUSED_TYPE",
    default_on: true,
    rationale: "a type no rpc, event or error reaches is dead code in every generated client",
    check: Check::Run(super::unused_and_deprecated::unused_and_deprecated),
};
