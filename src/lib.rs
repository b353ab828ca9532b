//! groupfit: which kind of group fits — support, therapy, psychoeducational or self-help — and why.
//!
//! The core (`tree`, `walk`, `explain`, `check`, `paths`, `answers`) has no terminal in it; the
//! commands, the plain line mode and the TUI are thin shells over it.

pub mod answers;
pub mod change;
pub mod check;
pub mod cli;
pub mod commands;
pub mod diagnostic;
pub mod diff;
pub mod explain;
pub mod files;
pub mod graph;
pub mod paths;
pub mod plain;
pub mod possible;
pub mod record;
pub mod review;
pub mod schema;
pub mod session;
pub mod snippet;
pub mod source;
pub mod tree;
pub mod tui;
pub mod visible;
pub mod walk;
