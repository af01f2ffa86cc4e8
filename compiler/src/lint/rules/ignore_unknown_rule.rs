//! L0502 IGNORE_UNKNOWN_RULE: `brief:ignore` of a rule that does not exist (reported by `lint::ignores`).
use crate::diagnostic::codes;
use crate::lint::{Check, Rule};

pub const RULE: Rule = Rule {
    code: codes::L0502,
    name: "IGNORE_UNKNOWN_RULE",
    default_on: true,
    rationale: "an ignore of a rule that does not exist is a typo that silences nothing",
    check: Check::Ignores,
};
