//! The interop matrix's Rust side: the code generated for interop/contract (`gen`), shared by the
//! server and client binaries.
pub mod gen;
