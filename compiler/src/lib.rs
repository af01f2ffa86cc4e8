//! The brief compiler core: resolution and checks of `.brief` contracts and app.toml, the IR,
//! and the one `Diagnostic` type. It does no IO: inputs arrive through [`fs::FileSystem`].
pub mod app;
pub mod breaking;
pub mod check;
pub mod diagnostic;
pub mod directives;
pub mod fmt;
pub mod fs;
pub mod ir;
pub mod lint;
pub mod model;
pub mod naming;
pub mod project;
pub mod render;
pub mod source;
pub mod spanned_toml;
pub mod syntax;
pub mod validate;
pub mod wiring;

pub use diagnostic::{codes, Diagnostic, Label, Severity};
pub use fs::{FileSystem, MemFs, OsFs, OverlayFs};
pub use ir::Ir;
pub use model::Model;
pub use project::{Compiler, Output};
pub use source::{FileId, Loc, Sources, Span};
