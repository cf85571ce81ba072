//! Output writers: the terminal summary, per-replication and weekly CSV, and the summary JSON.
//! Files are written atomically (temporary name, then rename).

pub mod command;
pub mod csv_files;
pub mod events;
pub mod files;
pub mod format;
pub mod json;
pub mod layout;
pub mod teams;
pub mod terminal;

pub use files::{OutputDir, OutputError};
