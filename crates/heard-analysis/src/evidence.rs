//! Evidence-rich responses: the ones an analyst should read first because they bring figures,
//! concrete examples, lived experience or a reasoned proposal, not only an opinion.

use crate::text;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Evidence {
    pub figures: bool,
    pub example: bool,
    pub lived_experience: bool,
    pub reasoned_proposal: bool,
}

impl Evidence {
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.figures {
            out.push("figures");
        }
        if self.example {
            out.push("example");
        }
        if self.lived_experience {
            out.push("lived_experience");
        }
        if self.reasoned_proposal {
            out.push("reasoned_proposal");
        }
        out
    }

    /// Rich means at least one kind of evidence in a response long enough to carry it.
    pub fn rich(&self, words: usize) -> bool {
        !self.kinds().is_empty() && words >= 8
    }
}

pub fn detect(response: &str) -> Evidence {
    let lower = response.to_lowercase();
    let words = text::words(response);
    let found = MARKERS.count(&lower);
    let figures = words.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()) && !is_year_only_context(w))
        || found[FIGURES] > 0;
    let example = found[EXAMPLE] > 0;
    let first_person =
        words.iter().any(|w| matches!(w.as_str(), "i" | "my" | "me" | "i've" | "i'm" | "we" | "our"));
    let lived_experience = first_person && found[EXPERIENCE] > 0;
    let reasoned_proposal = found[BECAUSE] > 0 && found[PROPOSAL] > 0;
    Evidence { figures, example, lived_experience, reasoned_proposal }
}

/// The phrases each kind of evidence is told by, matched in one pass; the constants index the counts.
static MARKERS: std::sync::LazyLock<text::PhraseSets> = std::sync::LazyLock::new(|| {
    text::PhraseSets::new(&[
        &[
            "%",
            "£",
            "$",
            "€",
            "per cent",
            "percent",
            "million",
            "billion",
            "thousands",
            "hundreds",
            "half of",
            "twice",
        ],
        &[
            "for example",
            "for instance",
            "such as",
            "e.g.",
            "in my area",
            "on my street",
            "last year",
            "last week",
            "last month",
            "in my borough",
            "at my",
            "when i",
            "like the",
        ],
        &[
            "as a ",
            "i was",
            "i have been",
            "i've been",
            "i've seen",
            "i have seen",
            "i saw",
            "i lost",
            "i used to",
            "my son",
            "my daughter",
            "my husband",
            "my wife",
            "my partner",
            "my mum",
            "my dad",
            "my father",
            "my mother",
            "my child",
            "my kids",
            "my family",
            "my friend",
            "my brother",
            "my sister",
            "i work",
            "i worked",
            "happened to me",
            "i experienced",
            "i live",
            "i've lived",
            "we were",
            "my local",
            "my own",
        ],
        &[
            "because",
            "so that",
            "which would",
            "this would",
            "that would",
            "in order to",
            "which means",
            "as this",
            "since this",
            "otherwise",
            "the reason",
            "to prevent",
            "to stop",
            "to reduce",
            "to help",
            "to protect",
            "so they",
            "so people",
        ],
        &[
            "should",
            "could",
            "must",
            "need to",
            "needs to",
            "propose",
            "suggest",
            "recommend",
            "would be better",
            "instead",
        ],
    ])
});
const FIGURES: usize = 0;
const EXAMPLE: usize = 1;
const EXPERIENCE: usize = 2;
const BECAUSE: usize = 3;
const PROPOSAL: usize = 4;

fn is_year_only_context(word: &str) -> bool {
    // "2025" alone in a plan's title is not a figure someone brought; most other numbers are.
    word.len() == 4 && word.starts_with("20") && word.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_kind() {
        let e = detect("As a nurse I have seen 40% more stab wounds since 2019, for example in Croydon.");
        assert!(e.figures && e.example && e.lived_experience);
        assert!(e.rich(10));
        let e = detect("Ban it.");
        assert_eq!(e, Evidence::default());
        assert!(!e.rich(2));
        let e = detect("The council should light the towpath because people avoid it after dark.");
        assert!(e.reasoned_proposal && !e.figures);
    }
}
