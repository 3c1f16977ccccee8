//! The lexical mode: no model, only the words.
