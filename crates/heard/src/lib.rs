//! The `heard` program: its command line, the demo consultation, and importers.

pub mod cli;
pub mod demo;
pub mod import;
mod telemetry;
