//! heard's analysis engine. It knows nothing of the web, the database or an async runtime.
//!
//! For now it holds the synthetic response generator that fills the demo when the seed pages are
//! absent; themes, mapping, stance and campaigns come with the engine issue.

pub mod synth;
