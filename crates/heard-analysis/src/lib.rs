//! heard's analysis engine. It knows nothing of the web, the database or an async runtime.

pub mod embed;
pub mod synth;
