//! Text handling every stage shares: words, stems, stop words, sentences and clauses.

/// Lower-cased word tokens (letters, digits, inner apostrophes and hyphens), in order.
pub fn words(text: &str) -> Vec<String> {
    if text.is_ascii() {
        // Most responses: one allocation per word, of the right size, and no Unicode tables.
        let mut out = Vec::with_capacity(text.len() / 5 + 1);
        for_each_ascii_word(text, |w| out.push(w.to_ascii_lowercase()));
        return out;
    }
    words_general(text)
}

/// [`words`] for any text, char by char.
fn words_general(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        } else if (c == '\'' || c == '’' || c == '-')
            && !current.is_empty()
            && chars.peek().is_some_and(|n| n.is_alphanumeric())
        {
            current.push(if c == '-' { '-' } else { '\'' });
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Calls `f` with each word [`words`] finds, in order, without allocating one string per word.
pub fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    if text.is_ascii() {
        let mut word = String::new();
        for_each_ascii_word(text, |w| {
            word.clear();
            word.push_str(w);
            word.make_ascii_lowercase();
            f(&word);
        });
    } else {
        for w in words_general(text) {
            f(&w);
        }
    }
}

/// How many words [`words`] finds in `text`, without making them.
pub fn word_count(text: &str) -> usize {
    if text.is_ascii() {
        let mut count = 0;
        for_each_ascii_word(text, |_| count += 1);
        return count;
    }
    let mut count = 0;
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        // An apostrophe or hyphen inside a word, before a letter or digit, keeps it going.
        let joins =
            matches!(c, '\'' | '’' | '-') && in_word && chars.peek().is_some_and(|n| n.is_alphanumeric());
        if c.is_alphanumeric() {
            in_word = true;
        } else if !joins && in_word {
            count += 1;
            in_word = false;
        }
    }
    count + usize::from(in_word)
}

/// The words of an ASCII text as slices of it, before lower-casing: the rules of [`words`].
fn for_each_ascii_word<'a>(text: &'a str, mut f: impl FnMut(&'a str)) {
    let bytes = text.as_bytes();
    let mut start = None;
    for (i, &b) in bytes.iter().enumerate() {
        let joins = matches!(b, b'\'' | b'-')
            && start.is_some()
            && bytes.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric());
        if b.is_ascii_alphanumeric() {
            start.get_or_insert(i);
        } else if !joins && let Some(s) = start.take() {
            f(&text[s..i]);
        }
    }
    if let Some(s) = start {
        f(&text[s..]);
    }
}

/// Words that carry no theme on their own.
pub fn is_stop_word(word: &str) -> bool {
    word.len() <= LONGEST_STOP_WORD && STOP_WORDS.binary_search(&word).is_ok()
}

/// The length in bytes of the longest stop word: anything longer is not one.
const LONGEST_STOP_WORD: usize = 10;

// Sorted, so membership is a binary search.
#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "ago", "all", "almost", "already", "also",
    "although", "always", "am", "among", "an", "and", "another", "any", "anyone", "anything", "are",
    "aren't", "around", "as", "at", "away", "back", "be", "because", "been", "before", "being", "below",
    "between", "both", "but", "by", "can", "can't", "cannot", "could", "couldn't", "did", "didn't", "do",
    "does", "doesn't", "doing", "don't", "done", "down", "during", "each", "either", "else", "enough",
    "especially", "etc", "even", "ever", "every", "everyone", "everything", "far", "few", "for", "from",
    "further", "get", "gets", "getting", "got", "had", "hadn't", "has", "hasn't", "have", "haven't",
    "having", "he", "he's", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however",
    "i", "i'd", "i'll", "i'm", "i've", "if", "in", "instead", "into", "is", "isn't", "it", "it's", "its",
    "itself", "just", "know", "let", "like", "likely", "lot", "lots", "made", "make", "makes", "many",
    "may", "maybe", "me", "might", "mine", "more", "most", "much", "must", "my", "myself", "need",
    "needs", "no", "nor", "not", "now", "of", "off", "often", "on", "once", "one", "only", "or", "other",
    "others", "otherwise", "our", "ours", "ourselves", "out", "over", "own", "per", "perhaps", "please",
    "quite", "rather", "really", "said", "same", "say", "see", "seem", "seems", "shall", "she", "she's",
    "should", "shouldn't", "since", "so", "some", "something", "still", "such", "than", "that",
    "that's", "the", "their", "theirs", "them", "themselves", "then", "there", "there's", "these",
    "they", "they'd", "they'll", "they're", "they've", "thing", "things", "think", "this", "those",
    "though", "through", "thus", "to", "too", "towards", "under", "until", "up", "upon", "us", "use",
    "used", "using", "very", "via", "want", "was", "wasn't", "way", "we", "we'd", "we'll", "we're",
    "we've", "well", "were", "weren't", "what", "what's", "whatever", "when", "where", "whether",
    "which", "while", "who", "whole", "whom", "whose", "why", "will", "with", "within", "without",
    "won't", "would", "wouldn't", "yes", "yet", "you", "you'd", "you'll", "you're", "you've", "your",
    "yours", "yourself",
];

/// A light suffix stripper: enough that "restrictions", "restricted" and "restricting" count as
/// one term, without a dictionary. Stems are for counting; labels use the words people wrote.
pub fn stem(word: &str) -> String {
    let w = word.trim_end_matches("'s");
    if !w.is_ascii() || w.len() <= 3 {
        return w.to_string();
    }
    for (suffix, replacement, min_left) in [
        ("ational", "ate", 3),
        ("isation", "ise", 3),
        ("ization", "ise", 3),
        ("fulness", "ful", 3),
        ("ousness", "ous", 3),
        ("iveness", "ive", 3),
        ("ations", "ate", 3),
        ("ation", "ate", 3),
        ("ments", "", 4),
        ("ment", "", 4),
        ("ness", "", 4),
        ("ities", "ity", 3),
        ("ings", "", 3),
        ("ing", "", 3),
        ("ised", "ise", 3),
        ("ized", "ise", 3),
        ("izes", "ise", 3),
        ("ises", "ise", 3),
        ("ize", "ise", 3),
        ("ies", "y", 3),
        ("ied", "y", 3),
        ("edly", "", 3),
        ("ly", "", 4),
        ("ed", "", 3),
        ("es", "", 4),
        ("s", "", 3),
    ] {
        if let Some(base) = w.strip_suffix(suffix)
            && base.len() >= min_left
        {
            if suffix == "s" && (base.ends_with('s') || base.ends_with('u') || base.ends_with('i')) {
                continue;
            }
            if suffix == "es" && !(base.ends_with("ch") || base.ends_with("sh") || base.ends_with('x')) {
                // "charges" -> "charg" would split from "charge"; only strip -es after sibilants.
                return [base, "e"].concat();
            }
            let mut stemmed = [base, replacement].concat();
            // "banned" -> "bann" -> "ban"; "running" -> "run".
            let bytes = stemmed.as_bytes();
            if replacement.is_empty()
                && (suffix.starts_with("ing") || suffix.starts_with("ed"))
                && bytes.len() >= 2
                && bytes[bytes.len() - 1] == bytes[bytes.len() - 2]
                && !matches!(bytes[bytes.len() - 1], b'l' | b's' | b'z')
            {
                stemmed.pop();
            }
            return stemmed;
        }
    }
    w.to_string()
}

/// Content terms of a text: stems of its non-stop words of two or more characters.
pub fn content_stems(text: &str) -> Vec<String> {
    words(text).into_iter().filter(|w| w.chars().count() > 1 && !is_stop_word(w)).map(|w| stem(&w)).collect()
}

/// Splits a text into sentences: at ., ! and ? followed by a space and a capital or digit, and at
/// line breaks. Abbreviations such as "e.g." and "Mr." do not end a sentence.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let end_here = if b == b'\n' {
            true
        } else if matches!(b, b'.' | b'!' | b'?') {
            let next = text[i + 1..].chars().next();
            let after = text[i + 1..].trim_start_matches([' ', '"', '\'', ')', '’', '”']).chars().next();
            let spaced = next.is_none_or(|c| c.is_whitespace() || matches!(c, '"' | '\'' | ')' | '’' | '”'));
            spaced
                && after.is_none_or(|c| c.is_uppercase() || c.is_numeric() || !c.is_alphabetic())
                && !ends_with_abbreviation(&text[start..i])
        } else {
            false
        };
        if end_here {
            let piece = text[start..=i].trim();
            if !piece.is_empty() {
                out.push(piece);
            }
            start = i + 1;
        }
        i += 1;
    }
    let piece = text[start..].trim();
    if !piece.is_empty() {
        out.push(piece);
    }
    out
}

fn ends_with_abbreviation(before: &str) -> bool {
    let last = before.rsplit(|c: char| c.is_whitespace() || c == '(').next().unwrap_or("");
    let last = last.to_ascii_lowercase();
    matches!(
        last.as_str(),
        "e.g" | "i.e" | "mr" | "mrs" | "ms" | "dr" | "st" | "no" | "vs" | "etc" | "approx"
    ) || (last.len() == 1 && last.chars().all(|c| c.is_alphabetic()))
}

/// Splits a sentence further into clauses where a new point starts ("; ", " but ", " – "), so a
/// response that raises several points is read point by point. Pieces shorter than `min_words`
/// stay with their neighbour.
pub fn clauses(sentence: &str, min_words: usize) -> Vec<&str> {
    let mut cuts = Vec::new();
    if sentence.is_ascii() {
        // One pass, no lower-cased copy: at each byte a marker can start with, try each marker,
        // keeping each marker's own matches apart as a left-to-right search would.
        let bytes = sentence.as_bytes();
        let mut next_from = [0usize; CLAUSE_MARKERS.len()];
        for i in 0..bytes.len() {
            if !matches!(bytes[i], b';' | b' ' | b',' | b':') {
                continue;
            }
            for (m, marker) in CLAUSE_MARKERS.iter().enumerate() {
                let end = i + marker.len();
                if i >= next_from[m]
                    && end <= bytes.len()
                    && bytes[i..end].eq_ignore_ascii_case(marker.as_bytes())
                {
                    cuts.push((i, end));
                    next_from[m] = end;
                }
            }
        }
    } else {
        let lower = sentence.to_lowercase();
        if lower.len() == sentence.len() {
            for marker in CLAUSE_MARKERS {
                let mut from = 0;
                while let Some(pos) = lower[from..].find(marker) {
                    let at = from + pos;
                    cuts.push((at, at + marker.len()));
                    from = at + marker.len();
                }
            }
        }
    }
    cuts.sort();
    let mut out: Vec<&str> = Vec::new();
    let mut start = 0;
    for (cut_start, cut_end) in cuts {
        if cut_start < start {
            continue;
        }
        let piece = sentence[start..cut_start].trim();
        let rest = sentence[cut_end..].trim();
        if word_count(piece) >= min_words && word_count(rest) >= min_words {
            out.push(piece);
            start = cut_end;
        }
    }
    let tail = sentence[start..].trim();
    if !tail.is_empty() {
        out.push(tail);
    }
    out
}

/// Where a sentence may split into clauses (matched in lower case).
const CLAUSE_MARKERS: [&str; 10] =
    ["; ", " - ", " – ", " — ", ", but ", " but ", ", while ", ", whereas ", " and also ", ": "];

/// Whether a piece of a response only frames it: a greeting, a sign-off or thanks, or the writer
/// saying who they are before saying anything about the proposal ("Writing as someone who grew
/// up here:"). Letters and emails are full of these; read as points they would gather into a
/// theme of their own ("Thanks for listening") and stand in for quotes.
pub fn is_framing(piece: &str) -> bool {
    if is_introduction(piece) {
        return true;
    }
    let words = word_count(piece);
    if words == 0 || words > 16 {
        return false;
    }
    let lower = piece.trim_start().to_lowercase();
    let starts = |openings: &[&str]| openings.iter().any(|o| lower.starts_with(o));
    (words <= 6 && starts(&["dear ", "to whom it may concern", "hello", "good morning", "good afternoon"]))
        || starts(&[
            "yours sincerely",
            "yours faithfully",
            "yours truly",
            "kind regards",
            "best regards",
            "warm regards",
            "regards",
            "best wishes",
            "many thanks",
        ])
        || starts(&["thank you for ", "thanks for "])
            && ["reading", "listening", "asking", "your time", "the opportunity", "consulting", "considering"]
                .iter()
                .any(|w| lower.contains(w))
        || starts(&[
            "speaking as ",
            "writing as ",
            "i write as ",
            "i am writing as ",
            "i'm writing as ",
            "i am writing on behalf",
            "i'm writing on behalf",
            "i have lived ",
            "i've lived ",
            "we have lived ",
            "we've lived ",
            "my family has lived ",
            "my family have lived ",
            "i live locally",
            "i work locally",
            "i live and work ",
            "i work and live ",
        ])
}

/// Whether a point says nothing of any subject: only how the writer feels about the proposal as a
/// whole, or talk about the writing itself ("Overall I support the scheme.", "I have mixed
/// feelings about this.", "Good luck with it.", "Here are my thoughts."). Stance reads these; as
/// points for themes they gather into themes of their own that name no subject. Every word is a
/// stop word or one of a closed list of words about proposals and opinions in general, never a
/// subject's, so the test holds for any consultation.
pub fn says_nothing_of_substance(piece: &str) -> bool {
    let mut any = false;
    let mut substance = false;
    // `for_each_word` gives lower-cased words with inner apostrophes only, as the lists hold them.
    for_each_word(piece, |word| {
        any = true;
        substance = substance
            || !(is_stop_word(word)
                || OPINION_WORDS.binary_search(&word).is_ok()
                || word.bytes().all(|b| b.is_ascii_digit()));
    });
    any && !substance
}

// Sorted, so membership is a binary search. Words for a proposal, an opinion of it, and the act of
// responding; no word here names what a proposal is about.
#[rustfmt::skip]
const OPINION_WORDS: &[&str] = &[
    "absolutely", "agree", "agreed", "ahead", "anybody", "approve", "bad", "best", "better", "bit",
    "brilliant", "broadly", "certainly", "chance", "change", "changes", "cheers", "comment",
    "comments", "completely", "concept", "consider", "considered", "definitely", "detail",
    "disagree", "dislike", "excellent", "fantastic", "favour", "feel", "feeling", "feelings",
    "fine", "fully", "general", "generally", "glad", "go", "good", "great", "happy", "hope", "idea",
    "ideas", "largely", "listen", "look", "looks", "love", "luck", "mixed", "mostly", "nobody",
    "opinion", "opinions", "oppose", "opposed", "overall", "part", "parts", "plan", "plans",
    "pleased", "point", "points", "positive", "principle", "proposal", "proposals", "proposed",
    "read", "reads", "right", "scheme", "sense", "somebody", "someone", "sound", "sounds", "start",
    "strongly", "support", "supportive", "sure", "terrible", "thank", "thanks", "thought",
    "thoughts", "totally", "unhappy", "view", "views", "whole", "wholeheartedly", "wrong",
];

/// Whether a sentence only says who is writing: "As a parent in Bromley, this matters to me."
/// An introduction that goes on to make a point ("As a recovering addict, these ads are torture")
/// is not one.
pub fn is_introduction(sentence: &str) -> bool {
    // Asked of every clause of every response (through `is_framing`): look at the opening before
    // making a lower-case copy.
    let start = sentence.trim_start();
    let opens = |opening: &str| start.get(..opening.len()).is_some_and(|p| p.eq_ignore_ascii_case(opening));
    if !(opens("as a ") || opens("as an ") || opens("as someone ")) {
        return false;
    }
    let lower = start.to_lowercase();
    let Some((_, rest)) = lower.split_once(',') else { return false };
    // What follows the comma says nothing of the proposal: every word of it is one of these
    // ("this matters to me", "I see this every day", "I feel strongly about this").
    const SAYS_NOTHING: &[&str] = &[
        "i",
        "i'm",
        "me",
        "my",
        "myself",
        "am",
        "is",
        "it",
        "it's",
        "this",
        "that",
        "matters",
        "matter",
        "to",
        "very",
        "so",
        "really",
        "deeply",
        "strongly",
        "important",
        "care",
        "about",
        "see",
        "seen",
        "every",
        "day",
        "daily",
        "affects",
        "affect",
        "directly",
        "personally",
        "feel",
        "have",
        "a",
        "view",
        "views",
        "know",
        "well",
        "all",
        "too",
        "here",
        "the",
        "of",
        "on",
        "first",
        "hand",
        "experience",
        "much",
        "lot",
        "live",
        "with",
        "from",
    ];
    let rest = words(rest);
    !rest.is_empty() && rest.len() <= 8 && rest.iter().all(|w| SAYS_NOTHING.contains(&w.as_str()))
}

/// Whether a quote reads on its own: a sentence of eight words or more that starts with a capital and
/// ends as a sentence does, and does not open by answering or pointing back ("No.", "It", "This").
pub fn reads_alone(quote: &str) -> bool {
    let quote = quote.trim();
    let first = words(quote).into_iter().next().unwrap_or_default();
    word_count(quote) >= 8
        && quote.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
        && quote.ends_with(['.', '!', '?', '…'])
        && ![
            "no", "yes", "it", "its", "it's", "this", "that", "they", "these", "those", "and", "but", "so",
            "also",
        ]
        .contains(&first.as_str())
}

/// Shortens a text to at most `max_words` words, ending with an ellipsis when cut.
pub fn shorten(text: &str, max_words: usize) -> String {
    let mut count = 0;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() && i > 0 && !text[..i].ends_with(char::is_whitespace) {
            count += 1;
            if count >= max_words {
                return format!("{}…", text[..i].trim_end_matches([',', ';', ':', ' ']));
            }
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greetings_sign_offs_and_introductions_are_framing_points_are_not() {
        for framing in [
            "Dear Sir or Madam,",
            "Yours faithfully,",
            "Kind regards",
            "Thank you for reading this, and please act on it.",
            "Thanks for listening, I hope it makes a difference.",
            "Writing as someone who grew up in Hackney:",
            "I have lived in Camden for twenty years and raised my family here.",
        ] {
            assert!(is_framing(framing), "{framing}");
        }
        for point in [
            "As a recovering gambling addict, these ads are torture.",
            "Thanks to the community patrols our street feels safer.",
            "Thank you for finally lighting the park.",
            "I am writing to object to the closure of the police station on the high street.",
            "Dear council, please stop closing police stations while burglaries go unsolved in our borough.",
            "",
        ] {
            assert!(!is_framing(point), "{point}");
        }
    }

    #[test]
    fn opinions_of_the_whole_proposal_say_nothing_of_a_subject() {
        for nothing in [
            "Overall I support the scheme.",
            "I have mixed feelings about this.",
            "Good luck with it.",
            "Here are my thoughts.",
            "I strongly disagree with the proposals.",
            "Great idea, go ahead!",
        ] {
            assert!(says_nothing_of_substance(nothing), "{nothing}");
        }
        for subject in [
            "Overall I support the bus lanes.",
            "Good luck finding a parking space.",
            "I disagree with closing the library.",
            "Ban gambling adverts.",
            "",
        ] {
            assert!(!says_nothing_of_substance(subject), "{subject}");
        }
    }

    #[test]
    fn quotes_that_read_alone_and_introductions_that_say_nothing() {
        assert!(is_introduction("As a parent in Bromley, this matters to me."));
        assert!(!is_introduction("As a recovering gambling addict, these ads are torture."));
        assert!(is_introduction("As a pensioner in Hackney, I see this every day."));
        assert!(is_introduction("As a carer, I feel strongly about this."));
        assert!(!is_introduction("As a nurse, I know this plan will fail."));
        assert!(reads_alone("Ban gambling adverts before the watershed to protect children."));
        assert!(!reads_alone("No. Its use is increasing not its harm."));
        assert!(!reads_alone("Its use is increasing not its harm."));
        assert!(!reads_alone("ban them all now please"));
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]), "STOP_WORDS must stay sorted");
        assert!(OPINION_WORDS.windows(2).all(|w| w[0] < w[1]), "OPINION_WORDS must stay sorted");
        assert_eq!(STOP_WORDS.iter().map(|w| w.len()).max(), Some(LONGEST_STOP_WORD));
    }

    #[test]
    fn words_keep_contractions_and_hyphens() {
        assert_eq!(words("Don't ban self-exclusion, OK?"), ["don't", "ban", "self-exclusion", "ok"]);
        assert_eq!(words("Café — £1.2bn 👍"), ["café", "1", "2bn"]);
    }

    #[test]
    fn ascii_and_unicode_paths_agree_and_counts_match() {
        for text in [
            "Don't ban self-exclusion, OK?",
            "  -leading 'quotes' and trailing- hyphens -- x-y 'n' it's 3-2 ",
            "UPPER lower MiXeD 42 a1b2",
            "Café — £1.2bn 👍 don’t",
            "",
            "'",
        ] {
            assert_eq!(word_count(text), words(text).len(), "{text:?}");
            let mut each = Vec::new();
            for_each_word(text, |w| each.push(w.to_string()));
            assert_eq!(each, words(text), "{text:?}");
            // The ASCII fast path gives what the general path gives.
            assert_eq!(words(text), words_general(text), "{text:?}");
        }
    }

    #[test]
    fn stems_group_inflections() {
        for group in [
            ["restrictions", "restriction", "restrictions"],
            ["banned", "banning", "ban"],
            ["sponsors", "sponsor", "sponsored"],
            ["charges", "charge", "charge"],
        ] {
            let stems: Vec<String> = group.iter().map(|w| stem(w)).collect();
            assert!(stems.iter().all(|s| s == &stems[0]), "{group:?} -> {stems:?}");
        }
        assert_ne!(stem("police"), stem("policy"));
    }

    #[test]
    fn sentences_split_at_full_stops_not_abbreviations_or_figures() {
        assert_eq!(
            sentences("Fund youth clubs, e.g. in Hackney. It costs £1.2bn! Why? Because.\nNew line"),
            ["Fund youth clubs, e.g. in Hackney.", "It costs £1.2bn!", "Why?", "Because.", "New line"]
        );
    }

    #[test]
    fn clauses_split_where_a_new_point_starts() {
        assert_eq!(
            clauses("Street lights are broken on my road but the bigger issue is knife crime", 3),
            ["Street lights are broken on my road", "the bigger issue is knife crime"]
        );
        assert_eq!(clauses("Good but slow", 3), ["Good but slow"]);
        // Upper case, repeated and overlapping markers; the same with a non-ASCII letter.
        for (text, expected) in [
            (
                "The buses are late every day BUT the cycle lanes are great: build more of them now",
                &["The buses are late every day", "the cycle lanes are great", "build more of them now"][..],
            ),
            (
                "Prices went up again and again; but but but nobody asked us what we thought at all",
                &["Prices went up again and again", "but but but nobody asked us what we thought at all"][..],
            ),
        ] {
            assert_eq!(clauses(text, 3), expected, "{text:?}");
            let accented = text.replace("again", "agaín");
            let expected: Vec<String> = expected.iter().map(|c| c.replace("again", "agaín")).collect();
            assert_eq!(clauses(&accented, 3), expected, "{accented:?}");
        }
    }

    #[test]
    fn shorten_cuts_at_a_word() {
        assert_eq!(shorten("one two three four", 2), "one two…");
        assert_eq!(shorten("one two", 5), "one two");
    }
}

/// Several lists of phrases looked for in one text in a single pass (Aho-Corasick), rather than one
/// `contains` scan of the text per phrase: stance and evidence look for about 300 phrases in every
/// response, which was a fifth of a fast-mode run.
pub struct PhraseSets {
    automaton: aho_corasick::AhoCorasick,
    /// For each distinct phrase, the lists it is in.
    lists_of: Vec<Vec<usize>>,
    lists: usize,
}

impl PhraseSets {
    pub fn new(lists: &[&[&str]]) -> PhraseSets {
        let mut phrases: Vec<&str> = Vec::new();
        let mut lists_of: Vec<Vec<usize>> = Vec::new();
        for (l, list) in lists.iter().enumerate() {
            for phrase in *list {
                match phrases.iter().position(|p| p == phrase) {
                    Some(i) if !lists_of[i].contains(&l) => lists_of[i].push(l),
                    Some(_) => {}
                    None => {
                        phrases.push(phrase);
                        lists_of.push(vec![l]);
                    }
                }
            }
        }
        let automaton = aho_corasick::AhoCorasick::new(&phrases).expect("the phrase lists are small");
        PhraseSets { automaton, lists_of, lists: lists.len() }
    }

    /// How many distinct phrases of each list occur in `text` (as substrings, like `str::contains`).
    pub fn count(&self, text: &str) -> Vec<u32> {
        let mut seen = vec![false; self.lists_of.len()];
        let mut counts = vec![0u32; self.lists];
        for found in self.automaton.find_overlapping_iter(text) {
            let phrase = found.pattern().as_usize();
            if !std::mem::replace(&mut seen[phrase], true) {
                for &l in &self.lists_of[phrase] {
                    counts[l] += 1;
                }
            }
        }
        counts
    }
}
