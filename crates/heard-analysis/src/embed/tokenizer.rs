//! BERT's uncased WordPiece tokenizer, written out so the engine needs no tokenizer library.
//!
//! It reproduces what Hugging Face's `BertNormalizer` + `BertPreTokenizer` + `WordPiece` do for
//! all-MiniLM-L6-v2's `tokenizer.json` (checked against it by `tests/minilm.rs`):
//!
//! 1. clean: drop NUL, U+FFFD and control characters (categories Cc, Cf, Co, except tab, CR and
//!    LF); every whitespace character becomes a space;
//! 2. put spaces around each CJK ideograph, so each is a word of its own;
//! 3. strip accents: Unicode NFD, then drop nonspacing marks (Mn); then lowercase;
//! 4. split on whitespace, and make each punctuation character (ASCII punctuation, or Unicode
//!    category P*) a word of its own;
//! 5. WordPiece: greedy longest-match-first against the vocabulary, pieces after the first
//!    prefixed with `##`; a word with no full split, or longer than 100 characters, is `[UNK]`.
//!
//! Unicode tables differ slightly by version (ours are newer than the reference's), which only
//! matters for characters added to Unicode recently.

use std::collections::HashMap;
use std::path::Path;

use unicode_general_category::{GeneralCategory, get_general_category};
use unicode_normalization::UnicodeNormalization;

use super::EmbedError;

/// Words longer than this (in characters) become `[UNK]`, as in BERT.
const MAX_CHARS_PER_WORD: usize = 100;

/// An uncased BERT WordPiece vocabulary and the rules for splitting text with it.
#[derive(Clone, Debug)]
pub struct WordPiece {
    /// Pieces that start a word, e.g. "play".
    starts: HashMap<Box<str>, u32>,
    /// Pieces that continue a word, without their "##", e.g. "ing" for "##ing".
    continuations: HashMap<Box<str>, u32>,
    /// Every token, by id, as written in vocab.txt.
    tokens: Vec<Box<str>>,
    /// The longest piece, in bytes: no longer match needs to be tried.
    longest: usize,
    pub unk: u32,
    pub cls: u32,
    pub sep: u32,
    pub pad: u32,
}

impl WordPiece {
    /// Reads a `vocab.txt`: one token per line, the line number (from 0) being its id.
    pub fn from_file(path: &Path) -> Result<WordPiece, EmbedError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| EmbedError::Load(format!("reading {}: {e}", path.display())))?;
        WordPiece::from_vocab(text.lines())
    }

    /// Builds the tokenizer from the tokens in id order.
    pub fn from_vocab<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Result<WordPiece, EmbedError> {
        let tokens: Vec<Box<str>> = tokens.into_iter().map(|t| t.trim_end_matches('\r').into()).collect();
        let mut starts = HashMap::with_capacity(tokens.len());
        let mut continuations = HashMap::new();
        let mut longest = 0;
        for (id, token) in tokens.iter().enumerate() {
            let id = u32::try_from(id).map_err(|_| EmbedError::Load("the vocabulary is too large".into()))?;
            match token.strip_prefix("##") {
                Some(rest) if !rest.is_empty() => {
                    longest = longest.max(rest.len());
                    continuations.insert(rest.into(), id);
                }
                _ => {
                    longest = longest.max(token.len());
                    starts.insert(token.clone(), id);
                }
            }
        }
        let special = |name: &str| {
            starts
                .get(name)
                .copied()
                .ok_or_else(|| EmbedError::Load(format!("the vocabulary has no {name} token")))
        };
        Ok(WordPiece {
            unk: special("[UNK]")?,
            cls: special("[CLS]")?,
            sep: special("[SEP]")?,
            pad: special("[PAD]")?,
            starts,
            continuations,
            tokens,
            longest,
        })
    }

    pub fn vocab_size(&self) -> usize {
        self.tokens.len()
    }

    /// The token with this id, as written in vocab.txt.
    pub fn token(&self, id: u32) -> Option<&str> {
        self.tokens.get(id as usize).map(|t| &**t)
    }

    /// Every token in id order.
    pub fn tokens(&self) -> impl Iterator<Item = &str> {
        self.tokens.iter().map(|t| &**t)
    }

    /// `[CLS] pieces [SEP]`, with at most `max_len` ids in all (the pieces are cut to fit).
    pub fn encode(&self, text: &str, max_len: usize) -> Vec<u32> {
        let mut ids = Vec::with_capacity(16);
        ids.push(self.cls);
        self.pieces(text, max_len.saturating_sub(2), &mut ids);
        ids.push(self.sep);
        ids
    }

    /// Appends the word pieces of `text` (no `[CLS]`/`[SEP]`) to `out`, at most `limit` of them.
    pub fn pieces(&self, text: &str, limit: usize, out: &mut Vec<u32>) {
        let end = out.len().saturating_add(limit);
        if text.is_ascii() {
            let mut word = String::new();
            for &b in text.as_bytes() {
                if out.len() >= end {
                    return;
                }
                match b {
                    b'\t' | b'\n' | b'\r' | b' ' => self.flush(&mut word, end, out),
                    // Other ASCII control characters, vertical tab and form feed included, are
                    // dropped (clean text), joining what is either side, as BERT does.
                    0..=0x1f | 0x7f => {}
                    b if b.is_ascii_punctuation() => {
                        self.flush(&mut word, end, out);
                        word.push(b as char);
                        self.flush(&mut word, end, out);
                    }
                    b => word.push(b.to_ascii_lowercase() as char),
                }
            }
            self.flush(&mut word, end, out);
        } else {
            let normalised = normalise(text);
            let mut word = String::new();
            for c in normalised.chars() {
                if out.len() >= end {
                    return;
                }
                if c.is_whitespace() {
                    self.flush(&mut word, end, out);
                } else if is_punctuation(c) {
                    self.flush(&mut word, end, out);
                    word.push(c);
                    self.flush(&mut word, end, out);
                } else {
                    word.push(c);
                }
            }
            self.flush(&mut word, end, out);
        }
    }

    /// Splits one word into pieces, then empties it.
    fn flush(&self, word: &mut String, end: usize, out: &mut Vec<u32>) {
        if word.is_empty() {
            return;
        }
        self.word_pieces(word, end, out);
        word.clear();
    }

    fn word_pieces(&self, word: &str, end: usize, out: &mut Vec<u32>) {
        if out.len() >= end {
            return;
        }
        if word.chars().nth(MAX_CHARS_PER_WORD).is_some() {
            out.push(self.unk);
            return;
        }
        let first = out.len();
        let mut start = 0;
        while start < word.len() {
            let table = if start == 0 { &self.starts } else { &self.continuations };
            let mut stop = word.len().min(start + self.longest);
            let found = loop {
                while !word.is_char_boundary(stop) {
                    stop -= 1;
                }
                if stop <= start {
                    break None;
                }
                if let Some(&id) = table.get(&word[start..stop]) {
                    break Some(id);
                }
                stop -= 1;
            };
            match found {
                Some(id) => {
                    out.push(id);
                    start = stop;
                }
                None => {
                    out.truncate(first);
                    out.push(self.unk);
                    return;
                }
            }
        }
        out.truncate(end);
    }
}

/// Steps 1 to 3 of the module doc, for text that is not plain ASCII.
fn normalise(text: &str) -> String {
    let mut cleaned = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || is_control(c) {
            continue;
        }
        if is_whitespace(c) {
            cleaned.push(' ');
        } else if is_cjk(c) {
            cleaned.push(' ');
            cleaned.push(c);
            cleaned.push(' ');
        } else {
            cleaned.push(c);
        }
    }
    let mut out = String::with_capacity(cleaned.len());
    for c in cleaned.nfd() {
        if get_general_category(c) != GeneralCategory::NonspacingMark {
            out.extend(c.to_lowercase());
        }
    }
    out
}

fn is_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || c.is_whitespace()
}

fn is_control(c: char) -> bool {
    if matches!(c, '\t' | '\n' | '\r') {
        return false;
    }
    matches!(
        get_general_category(c),
        GeneralCategory::Control | GeneralCategory::Format | GeneralCategory::PrivateUse
    )
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            get_general_category(c),
            GeneralCategory::ConnectorPunctuation
                | GeneralCategory::DashPunctuation
                | GeneralCategory::ClosePunctuation
                | GeneralCategory::FinalPunctuation
                | GeneralCategory::InitialPunctuation
                | GeneralCategory::OtherPunctuation
                | GeneralCategory::OpenPunctuation
        )
}

/// CJK ideographs, which BERT treats as words of one character.
fn is_cjk(c: char) -> bool {
    matches!(
        c as u32,
        0x4E00..=0x9FFF
            | 0x3400..=0x4DBF
            | 0x20000..=0x2A6DF
            | 0x2A700..=0x2B73F
            | 0x2B740..=0x2B81F
            | 0x2B920..=0x2CEAF
            | 0xF900..=0xFAFF
            | 0x2F800..=0x2FA1F
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> WordPiece {
        let tokens = [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "play", "##ing", "##s", ",", "!", "cafe", "un",
            "##aff", "##able", "中",
        ];
        WordPiece::from_vocab(tokens).unwrap()
    }

    fn words<'a>(wp: &'a WordPiece, text: &str) -> Vec<&'a str> {
        wp.encode(text, 256).into_iter().map(|id| wp.token(id).unwrap()).collect()
    }

    #[test]
    fn splits_words_into_pieces() {
        let wp = vocab();
        assert_eq!(
            words(&wp, "The playings, unaffable!"),
            ["[CLS]", "the", "play", "##ing", "##s", ",", "un", "##aff", "##able", "!", "[SEP]"]
        );
    }

    #[test]
    fn strips_accents_and_isolates_cjk() {
        let wp = vocab();
        assert_eq!(words(&wp, "CAFÉ\u{200b}中the"), ["[CLS]", "cafe", "中", "the", "[SEP]"]);
    }

    #[test]
    fn control_characters_vanish_and_join_their_neighbours() {
        let wp = vocab();
        assert_eq!(words(&wp, "play\x0bing\tthe"), ["[CLS]", "play", "##ing", "the", "[SEP]"]);
        assert_eq!(words(&wp, "play\u{85}ing\u{a0}thé"), ["[CLS]", "play", "##ing", "the", "[SEP]"]);
    }

    #[test]
    fn unknown_and_overlong_words_are_unk() {
        let wp = vocab();
        assert_eq!(words(&wp, "plax the"), ["[CLS]", "[UNK]", "the", "[SEP]"]);
        let long = "play".repeat(26);
        assert_eq!(words(&wp, &long), ["[CLS]", "[UNK]", "[SEP]"]);
    }

    #[test]
    fn truncates_to_the_limit() {
        let wp = vocab();
        assert_eq!(wp.encode("the the the the", 4).len(), 4);
        let ids = wp.encode("playings the", 4);
        assert_eq!(
            ids.iter().map(|&id| wp.token(id).unwrap()).collect::<Vec<_>>(),
            ["[CLS]", "play", "##ing", "[SEP]"]
        );
    }
}
