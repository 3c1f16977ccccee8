//! The `heard` program: its command line, the demo consultation, and importers.

pub mod analyse;
pub mod cli;
pub mod demo;
pub mod demo_results;
pub mod demo_survey;
pub mod demo_text;
pub mod eval;
pub mod import;
pub mod model;
pub mod opinion_groups;
pub mod redact;
pub mod responses;
mod telemetry;
mod users;
