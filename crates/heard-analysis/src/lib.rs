//! heard's analysis engine. It knows nothing of the web, the database or an async runtime.
//!
//! This file is the engine's API, the one boundary the CLI, the web and xtask cross. What they may
//! use is named here: whole sub-APIs as public modules (the checks before posting, the models, the
//! input and framework formats, the output files, measurement, opinion groups from votes, the
//! synthetic generator) and the analysis itself re-exported from the engine's insides. The other
//! modules are private, so the engine can change how it reads responses without another crate
//! noticing.

pub mod checks;
pub mod embed;
pub mod eval;
pub mod framework;
pub mod input;
pub mod opinion;
pub mod output;
/// The synthetic consultations of the demo and the benchmarks, behind the `synth` feature: the
/// product turns it on for `heard demo` and `heard synth`; the web does not need it.
#[cfg(feature = "synth")]
pub mod synth;

mod campaigns;
mod cluster;
mod evidence;
mod label;
mod pipeline;
mod report;
mod stance;
mod stance_head;
mod text;

pub use pipeline::{Analysis, Campaign, Mapped, Options, Positions, Progress, Quote, Theme, ThemeKind, analyse};
pub use stance::{Position, Question};
pub use stance_head::{StanceHead, argkp_examples, motion_as_question};
pub use text::shorten;
