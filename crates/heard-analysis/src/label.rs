//! Naming a theme: its distinctive key phrases by class-based TF-IDF (what sets this group of
//! responses apart from the others), shown in the words respondents used.

use std::collections::HashMap;

use crate::text;

/// A key phrase: one or two content words, as most often written.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyPhrase {
    pub phrase: String,
    pub score: f32,
}

/// For each class (a list of its texts), its key phrases, most distinctive first. Words of the
/// question itself (`background`) say what every response is about, not what sets a theme apart,
/// so they count for less.
pub fn key_phrases(classes: &[Vec<&str>], per_class: usize, background: &str) -> Vec<Vec<KeyPhrase>> {
    let background: std::collections::HashSet<String> = text::content_stems(background).into_iter().collect();
    // term -> per-class counts; term -> surface form counts.
    let mut counts: HashMap<String, Vec<f32>> = HashMap::new();
    let mut surfaces: HashMap<String, HashMap<String, u32>> = HashMap::new();
    let mut class_words = vec![0f32; classes.len()];
    // For each pair, the words that follow it and how often, and how often it occurs: a pair that
    // nearly always goes on the same way is shown whole ("feel least" as "feel least safe").
    let mut next_words: HashMap<String, HashMap<String, u32>> = HashMap::new();
    let mut pair_occurrences: HashMap<String, u32> = HashMap::new();
    for (c, texts) in classes.iter().enumerate() {
        for t in texts {
            // Content words with their position, so pairs are only made of neighbours in the
            // text itself ("officers on foot" gives no pair "officers foot").
            let all = text::words(t);
            let kept: Vec<(usize, String)> = all
                .iter()
                .cloned()
                .enumerate()
                .filter(|(_, w)| {
                    w.chars().count() > 2 && !text::is_stop_word(w) && !w.chars().all(|c| c.is_numeric())
                })
                .collect();
            let positions: Vec<usize> = kept.iter().map(|(i, _)| *i).collect();
            let words: Vec<String> = kept.into_iter().map(|(_, w)| w).collect();
            let stems: Vec<String> = words.iter().map(|w| text::stem(w)).collect();
            class_words[c] += stems.len() as f32;
            // Each text votes once per term, so one long response cannot name a theme alone.
            let mut seen = std::collections::HashSet::new();
            for (i, s) in stems.iter().enumerate() {
                let mut add = |term: String, surface: String| {
                    if seen.insert(term.clone()) {
                        counts.entry(term.clone()).or_insert_with(|| vec![0.0; classes.len()])[c] += 1.0;
                    }
                    *surfaces.entry(term).or_default().entry(surface).or_default() += 1;
                };
                add(s.clone(), words[i].clone());
                if i + 1 < stems.len() && stems[i] != stems[i + 1] {
                    let gap = positions[i + 1] - positions[i];
                    if gap == 1 {
                        let term = format!("{} {}", s, stems[i + 1]);
                        *pair_occurrences.entry(term.clone()).or_default() += 1;
                        if let Some(next) = all.get(positions[i + 1] + 1) {
                            *next_words.entry(term.clone()).or_default().entry(next.clone()).or_default() +=
                                1;
                        }
                        add(term, format!("{} {}", words[i], words[i + 1]));
                    } else if gap == 2
                        && matches!(all[positions[i] + 1].as_str(), "of" | "for" | "on" | "in" | "to" | "and")
                    {
                        // "freedom of choice", "cost of living": a pair joined by a small word.
                        let middle = &all[positions[i] + 1];
                        add(
                            format!("{} {}", s, stems[i + 1]),
                            format!("{} {middle} {}", words[i], words[i + 1]),
                        );
                    }
                }
            }
        }
    }
    let average_words = class_words.iter().sum::<f32>() / classes.len().max(1) as f32;
    let sizes: Vec<f32> = classes.iter().map(|c| c.len() as f32).collect();
    let mut out = Vec::with_capacity(classes.len());
    for c in 0..classes.len() {
        let mut scored: Vec<(String, f32)> = counts
            .iter()
            .filter(|(term, per_class)| {
                // A phrase worth showing is used by more than one respondent in a larger group.
                per_class[c] >= 2.0 || (sizes[c] < 4.0 && per_class[c] >= 1.0 && !term.contains(' '))
            })
            .map(|(term, per_class)| {
                let total: f32 = per_class.iter().sum();
                let tf = per_class[c] / sizes[c].max(1.0);
                // Squared, so a word every theme uses cannot win on frequency alone.
                let idf = (1.0 + average_words / total).ln().powi(2);
                let bigram_bonus = if term.contains(' ') { 1.3 } else { 1.0 };
                let from_question = term.split(' ').filter(|w| background.contains(*w)).count() as f32;
                let words = term.split(' ').count() as f32;
                let question_penalty = 1.0 - 0.7 * from_question / words;
                (term.clone(), tf * idf * bigram_bonus * question_penalty)
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut chosen: Vec<(String, f32)> = Vec::new();
        for (term, score) in scored {
            // Skip a word already inside a chosen pair, and a pair whose words are both chosen.
            let parts: Vec<&str> = term.split(' ').collect();
            let covered = chosen.iter().any(|(t, _)| {
                let chosen_parts: Vec<&str> = t.split(' ').collect();
                parts.iter().all(|p| chosen_parts.contains(p))
                    || (parts.len() == 2 && chosen_parts.len() == 1 && parts.contains(&chosen_parts[0]))
            });
            if covered {
                // A pair that contains a chosen single word replaces it: it says more.
                if parts.len() == 2 {
                    if let Some(i) =
                        chosen.iter().position(|(t, _)| !t.contains(' ') && parts.contains(&t.as_str()))
                        && score > chosen[i].1 * 0.6
                    {
                        chosen[i] = (term, score);
                    }
                }
                continue;
            }
            chosen.push((term, score));
            if chosen.len() >= per_class {
                break;
            }
        }
        let mut seen_phrases = std::collections::HashSet::new();
        out.push(
            chosen
                .into_iter()
                .filter_map(|(term, score)| {
                    let mut surface = surfaces[&term]
                        .iter()
                        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                        .map(|(s, _)| s.clone())
                        .unwrap_or_else(|| term.clone());
                    if let Some(next) = usual_next_word(&term, &next_words, &pair_occurrences) {
                        surface = format!("{surface} {next}");
                    }
                    seen_phrases.insert(surface.clone()).then_some(KeyPhrase { phrase: surface, score })
                })
                .collect(),
        );
    }
    out
}

/// The content word (or particle) that follows a pair in at least four of five of its uses, and
/// at least twice, if there is one.
fn usual_next_word<'a>(
    term: &str,
    next_words: &'a HashMap<String, HashMap<String, u32>>,
    occurrences: &HashMap<String, u32>,
) -> Option<&'a str> {
    let total = *occurrences.get(term)?;
    let (word, count) =
        next_words.get(term)?.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))?;
    let content =
        word.chars().count() > 2 && !text::is_stop_word(word) && !word.chars().all(char::is_numeric);
    // The particle of a phrasal verb completes it: "victims give up", "patrols turn out".
    let particle = matches!(word.as_str(), "up" | "out" | "off" | "down" | "back" | "away");
    ((content || particle) && *count >= 2 && *count * 5 >= total * 4).then_some(word.as_str())
}

/// A short title from key phrases: "Grassroots sports and sponsorship money".
pub fn title(phrases: &[KeyPhrase]) -> String {
    let mut picked: Vec<&str> = phrases.iter().take(2).map(|p| p.phrase.as_str()).collect();
    // "Bets and odds and match" reads badly: with a phrase that has its own "and", the first
    // phrase stands alone. So does one whose partner repeats a word of it ("Figures borough and figures ward", "Addiction
    // and addicts").
    if picked.iter().any(|p| p.contains(" and ")) || (picked.len() == 2 && share_a_root(picked[0], picked[1]))
    {
        picked.truncate(1);
    }
    let joined = match picked.as_slice() {
        [] => return "Other points".to_string(),
        [one] => one.to_string(),
        [one, two] => format!("{one} and {two}"),
        _ => unreachable!(),
    };
    capitalise(&joined)
}

/// A title from one point, when a clause of it is a short claim that stands on its own: two to
/// eight words, not pointing back ("It", "This"), not about who is writing ("I am a nurse") and
/// not a greeting. "Fund the youth services" rather than "Keep young people and youth services".
pub fn claim(point: &str) -> Option<String> {
    clauses_of(point).find_map(as_claim)
}

/// A title from one point whose clauses are all longer than a claim: the clause's opening, at
/// most eight words, ending on a word that carries meaning, before a subordinate clause begins
/// (the longest such: "The court backlog is so long that victims give up" gives "The court
/// backlog is so long", not "The court backlog is") or else before a phrase (the shortest:
/// "Involve young people in designing the services" gives "Involve young people"). Tried after
/// [`claim`] on every central point: an opening is a claim less often than a whole clause is.
pub fn opening_claim(point: &str) -> Option<String> {
    clauses_of(point).filter(|c| crate::text::word_count(c) > 8).find_map(|clause| {
        // Where a clause ends (before "that", "because", a comma) and where a phrase begins
        // (before "in", "by").
        let (mut clause_ends, mut phrase_starts): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
        let mut words = 0;
        let mut at = 0;
        for token in clause.split_inclusive(' ') {
            let start = at;
            at += token.len();
            let word = token.trim().trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
            if (3..=8).contains(&words) {
                if CLAUSE_STARTS.contains(&word.as_str()) {
                    clause_ends.push(start);
                } else if PHRASE_STARTS.contains(&word.as_str()) {
                    phrase_starts.push(start);
                }
            }
            if !word.is_empty() {
                words += 1;
            }
            if (3..=8).contains(&words) && token.trim_end().ends_with([',', ';', ':']) {
                clause_ends.push(start + token.trim_end().len() - 1);
            }
            if words > 8 {
                break;
            }
        }
        let claim_before = |&cut: &usize| {
            let opening = clause[..cut].trim();
            let last = crate::text::words(opening).pop().unwrap_or_default();
            if crate::text::is_stop_word(&last) { None } else { as_claim(opening) }
        };
        // The longest whole clause; else the shortest opening before a phrase, which leaves less
        // hanging ("Involve young people", not "Involve young people in designing the services").
        clause_ends
            .iter()
            .rev()
            .find_map(claim_before)
            .or_else(|| phrase_starts.iter().find_map(claim_before))
    })
}

/// Words a claim's opening ends before: where a subordinate clause begins... ("and" is not one:
/// it joins nouns as often as clauses, "Violence against women and girls".)
const CLAUSE_STARTS: &[&str] = &[
    "that", "which", "who", "where", "when", "because", "so", "before", "after", "until", "while", "if",
    "unless", "since", "as", "than", "once",
];
/// ...or a phrase.
const PHRASE_STARTS: &[&str] = &["in", "on", "at", "by", "for", "with", "from"];

fn clauses_of(point: &str) -> impl Iterator<Item = &str> {
    crate::text::sentences(point)
        .into_iter()
        .flat_map(|sentence| crate::text::clauses(sentence, 2))
        .map(|clause| without_opener(clause.trim().trim_end_matches(['.', '!', '?', ',', ';', ':']).trim()))
}

/// A clause less the words it opens with that only say how it is said: a sentence adverb
/// ("Frankly, the crossings are too far apart"), the writer's "I think", or the politeness around
/// a request ("Could you publish the readings", "Please plant more trees"), which leaves the
/// request itself as the title, as an analyst would write it ("Plant more trees").
fn without_opener(clause: &str) -> &str {
    let mut rest = clause;
    // Openers stack: "Honestly, I think the buses...".
    for _ in 0..3 {
        let Some(opener) = OPENERS.iter().find(|o| {
            rest.get(..o.len()).is_some_and(|p| p.eq_ignore_ascii_case(o))
                && rest[o.len()..].starts_with([' ', ','])
        }) else {
            break;
        };
        let after = rest[opener.len()..].trim_start_matches([' ', ',']);
        if crate::text::word_count(after) < 2 {
            break;
        }
        rest = after;
    }
    rest
}

/// Longest first where one opens another ("to be honest" before "to be"), matched in any case.
const OPENERS: &[&str] = &[
    "to be fair",
    "to be honest",
    "quite frankly",
    "frankly",
    "honestly",
    "sadly",
    "unfortunately",
    "personally",
    "clearly",
    "obviously",
    "basically",
    "surely you can",
    "surely",
    "really",
    "of course",
    "in my experience",
    "in my opinion",
    "in my view",
    "to my mind",
    "for me",
    "i really think",
    "i think",
    "i feel",
    "i believe",
    "i would like you to",
    "i'd like you to",
    "we need you to",
    "you need to",
    "you must",
    "you should",
    "could you please",
    "could you",
    "can you please",
    "can you",
    "would you",
    "please",
];

/// The clause as a title, when it reads as a claim.
fn as_claim(clause: &str) -> Option<String> {
    let words = crate::text::words(clause);
    if !(3..=8).contains(&words.len()) || crate::text::is_framing(clause) {
        return None;
    }
    let first = words[0].as_str();
    let about_the_writer = matches!(first, "i" | "i'm" | "my" | "we" | "we're" | "as" | "speaking")
        && !words
            .iter()
            .any(|w| matches!(w.as_str(), "should" | "need" | "want" | "must" | "support" | "oppose"));
    let points_back = matches!(
        first,
        "it" | "its"
            | "it's"
            | "this"
            | "that"
            | "they"
            | "these"
            | "those"
            | "and"
            | "but"
            | "so"
            | "or"
            | "also"
            | "yes"
            | "no"
            | "which"
            | "because"
            // A subordinate clause alone is no claim: "When I reported my stolen bike".
            | "when"
            | "if"
            | "although"
            | "though"
            | "while"
            | "after"
            | "before"
            | "since"
            | "unless"
            | "until"
            | "once"
    );
    if about_the_writer || points_back || words.iter().filter(|w| !crate::text::is_stop_word(w)).count() < 2 {
        return None;
    }
    // Shouting is not part of the claim: "THINK ABOUT WHEELCHAIR USERS" is titled as a sentence.
    let letters = || clause.chars().filter(|c| c.is_alphabetic());
    let shouted = letters().count() > 3 && letters().all(char::is_uppercase);
    Some(capitalise(&if shouted { clause.to_lowercase() } else { clause.to_string() }))
}

/// Makes every title name one theme only. Two themes can share their most distinctive phrases;
/// a title another theme already has takes the first of its own key phrases that it does not
/// already contain ("Ban: watershed"), or else a number ("Ban (2)"). Analysts merge or rename from
/// there; a list with one name twice would read as one theme, and runs are compared by name.
pub fn make_distinct(titles: &mut [String], phrases: &[Vec<KeyPhrase>]) {
    let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (i, title) in titles.iter_mut().enumerate() {
        if taken.insert(title.to_lowercase()) {
            continue;
        }
        let lower = title.to_lowercase();
        let longer = phrases
            .get(i)
            .into_iter()
            .flatten()
            .filter(|p| !lower.contains(&p.phrase.to_lowercase()))
            .map(|p| format!("{title}: {}", p.phrase))
            .find(|t| !taken.contains(&t.to_lowercase()));
        let distinct = longer.unwrap_or_else(|| {
            (2..).map(|n| format!("{title} ({n})")).find(|t| !taken.contains(&t.to_lowercase())).unwrap()
        });
        taken.insert(distinct.to_lowercase());
        *title = distinct;
    }
}

/// Whether two phrases have a word in common, counting words that begin with the same five
/// letters as one ("addiction", "addicts").
fn share_a_root(a: &str, b: &str) -> bool {
    let roots = |s: &str| -> Vec<String> {
        s.split_whitespace().map(|w| w.to_lowercase().chars().take(5).collect()).collect()
    };
    let (a, b) = (roots(a), roots(b));
    a.iter().any(|w| b.contains(w))
}

pub fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_claim_from_a_central_point_is_a_title() {
        assert_eq!(
            claim("A complete ban would be excessive. These companies fund sports."),
            Some("A complete ban would be excessive".into())
        );
        assert_eq!(claim("THINK ABOUT WHEELCHAIR USERS!!"), Some("Think about wheelchair users".into()));
        assert_eq!(claim("I am a nurse in London."), None, "who wrote is not a theme");
        assert_eq!(claim("As a parent in Bromley, this matters to me."), None);
        assert_eq!(claim("It is too much."), None, "points back");
        assert_eq!(
            claim("Confidence has to be earned by officers on the street, by how they treat people."),
            None,
            "longer than eight words"
        );
    }

    #[test]
    fn a_title_leaves_out_how_a_point_is_said() {
        assert_eq!(claim("Frankly, the crossings are too far apart."), Some("The crossings are too far apart".into()));
        assert_eq!(claim("Please plant more street trees."), Some("Plant more street trees".into()));
        assert_eq!(
            claim("Could you publish the pollution readings?"),
            Some("Publish the pollution readings".into())
        );
        assert_eq!(
            claim("Honestly, I think the local shops need parking."),
            Some("The local shops need parking".into())
        );
        // What is left must still be a claim.
        assert_eq!(claim("Please do."), None);
        assert_eq!(claim("Pleased with the new benches by the pond."), Some("Pleased with the new benches by the pond".into()));
    }

    #[test]
    fn a_long_central_point_is_titled_by_its_opening_claim() {
        let opening = |t: &str| opening_claim(t);
        assert_eq!(
            opening("Publish the figures every quarter so we can judge for ourselves."),
            Some("Publish the figures every quarter".into())
        );
        assert_eq!(
            opening("The court backlog is so long that victims give up before justice is done."),
            Some("The court backlog is so long".into()),
            "the longest opening, not 'The court backlog is'"
        );
        assert_eq!(
            opening("Confidence has to be earned by the police day by day, not by City Hall."),
            Some("Confidence has to be earned".into())
        );
        assert_eq!(
            opening("Involve young people in designing the services meant for them and their friends."),
            Some("Involve young people".into()),
            "the shortest opening before a phrase"
        );
        assert_eq!(opening("When I reported my stolen bike by phone, nobody followed it up at all."), None);
        assert_eq!(
            opening("Tell us what happens to a report once it is made."),
            Some("Tell us what happens to a report".into())
        );
        assert_eq!(
            opening("Reform has been promised many times before, and I do not support this plan at all."),
            Some("Reform has been promised many times".into()),
            "not ending on 'before'"
        );
        // An opening that ends on a word that carries nothing, or is about the writer, is no title.
        assert_eq!(opening("Violence against women and girls should be at the top of this plan."), None);
        assert_eq!(
            opening("As a woman getting the night bus alone after late shifts, I plan every route."),
            None
        );
        // A clause short enough to be a claim whole is [`claim`]'s.
        assert_eq!(opening("Fund the youth services."), None);
    }

    #[test]
    fn distinctive_phrases_win_over_shared_words() {
        let classes = vec![
            vec![
                "Grassroots sports need sponsorship money",
                "Without sponsorship money grassroots sports die",
                "Sports clubs rely on sponsorship money",
            ],
            vec![
                "Children see betting adverts during sports",
                "Protect children from betting adverts",
                "Betting adverts groom children",
            ],
        ];
        let phrases = key_phrases(&classes, 3, "");
        let first: Vec<&str> = phrases[0].iter().map(|p| p.phrase.as_str()).collect();
        let second: Vec<&str> = phrases[1].iter().map(|p| p.phrase.as_str()).collect();
        assert!(first.contains(&"sponsorship money"), "{first:?}");
        assert!(second.contains(&"betting adverts"), "{second:?}");
        assert!(!first.contains(&"sports") || !second.contains(&"sports"));
        assert_eq!(title(&phrases[1][..1]), capitalise(second[0]));
    }

    #[test]
    fn a_pair_that_nearly_always_goes_on_the_same_way_is_shown_whole() {
        let classes = vec![
            vec![
                "At night I feel least safe on the towpath",
                "I feel least safe near the bus station",
                "We feel least safe at night",
            ],
            vec!["More officers on foot", "Officers on foot please", "Put officers on the high street"],
        ];
        let phrases = key_phrases(&classes, 3, "");
        let first: Vec<&str> = phrases[0].iter().map(|p| p.phrase.as_str()).collect();
        assert!(first.contains(&"feel least safe"), "{first:?}");
        assert!(!first.contains(&"feel least"), "{first:?}");
        let classes = vec![
            vec!["Victims give up waiting", "Many victims give up", "victims give up on the courts"],
            vec![],
        ];
        assert_eq!(key_phrases(&classes, 1, "")[0][0].phrase, "victims give up");
    }

    #[test]
    fn no_two_themes_share_a_title() {
        let phrase = |p: &str| KeyPhrase { phrase: p.into(), score: 1.0 };
        let mut titles: Vec<String> = ["Ban", "Ban", "Sponsorship", "ban"].map(String::from).to_vec();
        let phrases = vec![
            vec![phrase("ban")],
            vec![phrase("ban"), phrase("watershed")],
            vec![phrase("sponsorship")],
            vec![phrase("ban")],
        ];
        make_distinct(&mut titles, &phrases);
        assert_eq!(titles, ["Ban", "Ban: watershed", "Sponsorship", "ban (2)"]);
    }

    #[test]
    fn a_title_does_not_say_one_thing_twice() {
        let phrase = |p: &str| KeyPhrase { phrase: p.into(), score: 1.0 };
        assert_eq!(title(&[phrase("figures borough"), phrase("figures ward")]), "Figures borough");
        assert_eq!(title(&[phrase("addiction"), phrase("addicts")]), "Addiction");
        assert_eq!(
            title(&[phrase("investigate burglaries"), phrase("ring and confidence")]),
            "Investigate burglaries"
        );
        assert_eq!(
            title(&[phrase("shirt sponsorship"), phrase("football")]),
            "Shirt sponsorship and football"
        );
    }
}
