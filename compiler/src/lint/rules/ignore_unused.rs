//! L0503 IGNORE_UNUSED: `brief:ignore` that suppresses nothing (reported by `lint::ignores`).
use crate::diagnostic::codes;
use crate::lint::{Check, Rule};

pub const RULE: Rule = Rule {
    code: codes::L0503,
    name: "IGNORE_UNUSED",
    default_on: true,
    rationale: "an ignore that suppresses nothing is stale and hides future findings",
    check: Check::Ignores,
};
