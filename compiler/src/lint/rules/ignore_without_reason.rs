//! L0501 IGNORE_WITHOUT_REASON: `brief:ignore` without a rule or a reason (reported by `lint::ignores`).
use crate::diagnostic::codes;
use crate::lint::{Check, Rule};

pub const RULE: Rule = Rule {
    code: codes::L0501,
    name: "IGNORE_WITHOUT_REASON",
    default_on: true,
    rationale: "an ignore must say why, so reviewers can judge it; without a reason it does not ignore",
    check: Check::Ignores,
};
