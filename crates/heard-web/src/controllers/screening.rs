//! The checks a comment goes through before it is published, as the posting pages use them.
//!
//! `heard_analysis::checks::check` finds personal data and raises flags. Here that becomes what a
//! page does: a comment with personal data is held back and shown with the found parts marked,
//! until its author edits it or asks for it to be posted with those parts removed; flags travel
//! with the comment into the store (for the moderation queue) and decide which guidance the
//! author sees. The text removed is always worked out again here from the submitted text: the
//! pages never send a redacted text back to be trusted.

use std::sync::Arc;

use heard_analysis::checks::reading::{Reading, check_reading};
use heard_analysis::checks::{self, Checks, Flag};
use heard_store::CheckFlag;

use crate::format::and_list;

/// What the author chose on the page that showed what the checks found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Post (or save) as written: the first submission from any form.
    Post,
    /// "Edit my comment": show the text in the form again.
    Edit,
    /// "Post with these parts removed".
    Redact,
}

impl Choice {
    pub fn parse(value: &str) -> Choice {
        match value {
            "edit" => Choice::Edit,
            "redact" => Choice::Redact,
            _ => Choice::Post,
        }
    }
}

/// What to do with a comment's text once checked.
pub enum Screened {
    /// Publish `body` (the text, or the text with its personal data removed), storing `flags`.
    Publish { body: String, flags: Vec<CheckFlag> },
    /// The text holds personal data: show the author what was found, and publish nothing.
    HoldBack(Found),
}

/// Checks `text` (already trimmed, as it would be stored) for the choice made, with the model's
/// reading beside the patterns when there is one (on a blocking thread: it costs a few
/// milliseconds a sentence).
pub async fn screen(text: &str, choice: Choice, reading: Option<Arc<Reading>>) -> Screened {
    let checks = match reading {
        None => checks::check(text),
        Some(reading) => {
            let owned = text.to_owned();
            tokio::task::spawn_blocking(move || check_reading(&owned, Some(&reading)))
                .await
                .unwrap_or_else(|_| checks::check(text))
        }
    };
    let flags = store_flags(&checks.flags);
    if checks.findings.is_empty() {
        return Screened::Publish { body: text.to_owned(), flags };
    }
    if choice != Choice::Redact {
        return Screened::HoldBack(Found::new(text, &checks));
    }
    // Removing a part can bring two others together into something that reads as personal data
    // again; check the result until nothing is found (placeholders are never findings).
    let mut body = checks.redacted(text);
    for _ in 0..3 {
        let again = checks::check(&body);
        if again.findings.is_empty() {
            return Screened::Publish { body: body.trim().to_owned(), flags };
        }
        body = again.redacted(&body);
    }
    Screened::HoldBack(Found::new(text, &checks))
}

/// The personal data found in a text, ready for a page.
pub struct Found {
    /// The text in pieces, each found part with what kind of data it is ("phone number").
    pub segments: Vec<Segment>,
    /// Each found part and its kind, in the order they appear.
    pub items: Vec<(String, &'static str)>,
    /// "a phone number and an email address".
    pub summary: String,
    /// Any flags raised on the same text, for the guidance shown alongside.
    pub guidance: Guidance,
}

pub struct Segment {
    pub text: String,
    pub kind: Option<&'static str>,
}

impl Found {
    fn new(text: &str, checks: &Checks) -> Found {
        let mut segments = Vec::new();
        let mut at = 0;
        for f in &checks.findings {
            if f.start < at || f.end > text.len() {
                continue;
            }
            if f.start > at {
                segments.push(Segment { text: text[at..f.start].to_owned(), kind: None });
            }
            segments.push(Segment { text: text[f.start..f.end].to_owned(), kind: Some(f.kind.describe()) });
            at = f.end;
        }
        if at < text.len() {
            segments.push(Segment { text: text[at..].to_owned(), kind: None });
        }
        let items: Vec<(String, &'static str)> =
            checks.findings.iter().map(|f| (f.text.clone(), f.kind.describe())).collect();
        // Kinds in the order first found, each with how many of it there are.
        let mut kinds: Vec<(&'static str, usize)> = Vec::new();
        for f in &checks.findings {
            match kinds.iter_mut().find(|(k, _)| *k == f.kind.describe()) {
                Some((_, n)) => *n += 1,
                None => kinds.push((f.kind.describe(), 1)),
            }
        }
        let phrases: Vec<String> = kinds.iter().map(|&(kind, n)| counted(kind, n)).collect();
        Found {
            segments,
            items,
            summary: and_list(&phrases),
            guidance: Guidance::of(&store_flags(&checks.flags)),
        }
    }

    /// For the form shown again to edit: "“07700 900 123” (phone number), “SE1 7PB” (postcode)".
    pub fn parts_line(&self) -> String {
        let parts: Vec<String> = self.items.iter().map(|(text, kind)| format!("“{text}” ({kind})")).collect();
        and_list(&parts)
    }
}

/// "a phone number", "2 email addresses", "an NHS number".
fn counted(kind: &str, n: usize) -> String {
    if n == 1 {
        let vowel = kind.starts_with(['a', 'e', 'i', 'o', 'u']) || kind.starts_with("NHS");
        let article = if vowel { "an" } else { "a" };
        format!("{article} {kind}")
    } else if kind.ends_with("address") {
        format!("{n} {kind}es")
    } else {
        format!("{n} {kind}s")
    }
}

/// The guidance a comment's flags call for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Guidance {
    /// Someone may be at risk: the support page, prominently.
    pub safeguarding: bool,
    /// A crime or incident reported: 999 in an emergency, 101 or online otherwise.
    pub incident: bool,
}

impl Guidance {
    pub fn of(flags: &[CheckFlag]) -> Guidance {
        Guidance {
            safeguarding: flags.contains(&CheckFlag::Safeguarding),
            incident: flags.contains(&CheckFlag::IncidentReport),
        }
    }

    pub fn any(&self) -> bool {
        self.safeguarding || self.incident
    }
}

fn store_flags(flags: &[Flag]) -> Vec<CheckFlag> {
    flags
        .iter()
        .map(|f| match f {
            Flag::Safeguarding => CheckFlag::Safeguarding,
            Flag::IncidentReport => CheckFlag::IncidentReport,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn personal_data_is_held_back_unless_the_author_asks_for_it_removed() {
        let text = "Call me on 07700 900123 or write to alex@example.org about it.";
        let Screened::HoldBack(found) = screen(text, Choice::Post, None).await else { panic!("held back") };
        assert_eq!(found.summary, "a phone number and an email address");
        let marked: Vec<_> =
            found.segments.iter().filter_map(|s| s.kind.map(|k| (s.text.as_str(), k))).collect();
        assert_eq!(marked, [("07700 900123", "phone number"), ("alex@example.org", "email address")]);
        let whole: String = found.segments.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(whole, text, "the pieces make the text");
        let Screened::Publish { body, flags } = screen(text, Choice::Redact, None).await else { panic!("published") };
        assert_eq!(body, "Call me on [phone number removed] or write to [email removed] about it.");
        assert!(flags.is_empty());
    }

    #[tokio::test]
    async fn text_without_personal_data_is_published_as_written_with_its_flags() {
        let Screened::Publish { body, flags } =
            screen("More lighting on the towpath, please.", Choice::Redact, None).await
        else {
            panic!("published")
        };
        assert_eq!(body, "More lighting on the towpath, please.");
        assert!(flags.is_empty());
    }

    #[tokio::test]
    async fn counts_read_as_english() {
        assert_eq!(counted("email address", 2), "2 email addresses");
        assert_eq!(counted("NHS number", 1), "an NHS number");
        assert_eq!(counted("postcode", 3), "3 postcodes");
        assert_eq!(counted("street address", 1), "a street address");
        assert_eq!(counted("National Insurance number", 1), "a National Insurance number");
    }
}
