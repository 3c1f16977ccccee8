//! Importers: responses and discussions that arrive as files.

pub mod talk_london;
mod talk_london_store;

pub use talk_london_store::{DiscussionNaming, discussion_import, parse_age, slugify};
