//! heard's analysis engine. It knows nothing of the web, the database or an async runtime.

pub mod campaigns;
pub mod checks;
pub mod cluster;
pub mod embed;
pub mod eval;
pub mod evidence;
pub mod framework;
pub mod input;
pub mod label;
pub mod opinion;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod stance;
pub mod stance_head;
pub mod synth;
pub mod text;
