//! Personal data: one pattern per kind, then the checks a pattern cannot express (postcode areas,
//! the lengths of UK phone numbers, National Insurance prefixes, the NHS check digit) and the
//! context that tells a house number from a count. Every finding's offsets are byte offsets into
//! the text searched.

use std::sync::LazyLock;

use regex::Regex;

use super::{Finding, FindingKind};

/// Pushes every candidate finding in `text` onto `out`; candidates of different kinds may overlap.
pub(super) fn find(text: &str, out: &mut Vec<Finding>) {
    emails(text, out);
    phones(text, out);
    postcodes(text, out);
    addresses(text, out);
    vehicle_registrations(text, out);
    ni_numbers(text, out);
    nhs_numbers(text, out);
}

/// The NHS number check: 10 digits whose last is the modulus-11 check digit of the first nine.
pub(super) fn nhs_checksum_ok(digits: &[u8]) -> bool {
    if digits.len() != 10 || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = digits[..9].iter().zip((2..=10).rev()).map(|(d, w)| u32::from(d - b'0') * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    u32::from(digits[9] - b'0') == check
}

fn push(out: &mut Vec<Finding>, kind: FindingKind, text: &str, start: usize, end: usize) {
    out.push(Finding { kind, start, end, text: text[start..end].to_owned() });
}

fn regex(pattern: &str) -> Regex {
    Regex::new(&ascii_word_boundaries(pattern)).expect("the checks' patterns are valid")
}

/// `pattern` with each `\b` made an ASCII word boundary. A Unicode `\b` stops the fast (lazy DFA)
/// engine at the first non-ASCII byte, such as the "£" that most consultation texts contain, and
/// every pattern here is about English words and ASCII digits anyway.
pub(super) fn ascii_word_boundaries(pattern: &str) -> String {
    pattern.replace(r"\b", r"(?-u:\b)")
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?x)
        [A-Za-z0-9](?:[A-Za-z0-9._%+\-]*[A-Za-z0-9_%+\-])?
        @
        (?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+
        [A-Za-z]{2,}\b",
    )
});

fn emails(text: &str, out: &mut Vec<Finding>) {
    for m in EMAIL.find_iter(text) {
        push(out, FindingKind::Email, text, m.start(), m.end());
    }
}

/// A run that may hold a UK phone number: "+44", "0044", "(0" or "0", then digits and the
/// separators people put between them. `phone_length` decides how much of it is the number.
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?:\+[ \t]?44|\b0044|\(0|\b0)[0-9() \t\u{a0}.\-]*[0-9]"));

fn phones(text: &str, out: &mut Vec<Finding>) {
    for m in PHONE.find_iter(text) {
        let Some(length) = phone_length(m.as_str()) else { continue };
        let mut start = m.start();
        let end = start + length;
        // "(07700 900123)": the bracket opens around the whole number, not its area code.
        if m.as_str().starts_with('(') && !text[start..end].contains(')') {
            start += 1;
        }
        // Unlike other figures, phone numbers may be joined by a slash: "07700 900123/07700 900456".
        if stands_alone(text, start, end, &['.', ',', '-', ':']) {
            push(out, FindingKind::Phone, text, start, end);
        }
    }
}

/// How many bytes at the start of `run` make a UK phone number (mobile 07, landline 01 or 02,
/// non-geographic 03, in national or +44 form), ending at the end of a group of digits.
fn phone_length(run: &str) -> Option<usize> {
    let international = run.starts_with('+') || run.starts_with("0044");
    let mut national = String::new();
    let mut best = None;
    let mut separators = 0;
    let mut first = true;
    let mut rest = run;
    let mut offset = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            let c = rest.chars().next()?;
            separators += c.len_utf8();
            offset += c.len_utf8();
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if !first && separators > 3 {
            break;
        }
        let mut group = &rest[..digits];
        offset += digits;
        rest = &rest[digits..];
        separators = 0;
        if international {
            if first {
                group = group.strip_prefix("0044").or_else(|| group.strip_prefix("44"))?;
            }
            if national.is_empty() && !group.is_empty() {
                national.push('0');
                group = group.strip_prefix('0').unwrap_or(group);
            }
        } else if group.len() < 3 {
            // "01 02 2023" is a date: UK numbers are written in groups of three digits or more.
            break;
        }
        first = false;
        national.push_str(group);
        let uk = ["01", "02", "03", "07"].iter().any(|p| national.starts_with(p));
        if uk && (national.len() == 11 || (national.len() == 10 && national.starts_with("01"))) {
            best = Some(offset);
        }
        if national.len() >= 11 {
            break;
        }
    }
    best
}

/// "SW1A 1AA", "E17 4QP", "N1 9GU": an outward code from a real postcode area, then the inward
/// code. An outward code alone ("E17", "SE1") is an area name, not personal data.
static POSTCODE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\b([A-Za-z]{1,2})([0-9][A-Za-z0-9]?)[ \t]?([0-9])([A-Za-z]{2})\b"));

/// The UK's postcode areas (the letters of an outward code).
const POSTCODE_AREAS: &str = "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG \
    DH DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA \
    LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE \
    SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV \
    YO ZE";

fn postcodes(text: &str, out: &mut Vec<Finding>) {
    for caps in POSTCODE.captures_iter(text) {
        let whole = caps.get(0).unwrap();
        let area = caps[1].to_ascii_uppercase();
        let unit = &caps[4];
        // The inward code's letters never include C, I, K, M, O or V, which also rules out times
        // such as "E17 5AM".
        let unit_ok = unit.bytes().all(|b| b"ABDEFGHJLNPQRSTUWXYZ".contains(&b.to_ascii_uppercase()));
        // "the M25 4th junction": a lower-case ordinal is not an inward code.
        let ordinal = ["st", "nd", "rd", "th"].contains(&unit);
        if listed(POSTCODE_AREAS, &area) && unit_ok && !ordinal && one_case(whole.as_str()) {
            push(out, FindingKind::Postcode, text, whole.start(), whole.end());
        }
    }
}

/// A house number and a street: "42 Acacia Avenue", "flat 3, 17 High Street", "12-14 Mare Street",
/// "Flat 2, Beech Court, 5 Long Road". The street's words are capitalised, which keeps out
/// "3 buses on the road"; see `ADDRESS_AFTER_LIVE` for addresses written in lower case.
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?x)
        (?P<flat>{FLAT}(?:{BUILDING},?[\t\x20]+)?)?
        \b[0-9]{{1,3}}[A-Za-z]?(?:[\t\x20]*[-–][\t\x20]*[0-9]{{1,3}}[A-Za-z]?)?,?[\t\x20]+
        (?:[A-Z][\w'’\-]*\.?[\t\x20]+){{1,4}}?
        (?P<street>(?i:{STREET}))\b"
    ))
});

/// "Flat 2, Beech Court" with no street after it.
static FLAT_IN_BUILDING: LazyLock<Regex> = LazyLock::new(|| regex(&format!("(?x){FLAT}{BUILDING}")));

/// "I live at 42 acacia avenue": after "live at" or "address is" the street may be in lower case.
static ADDRESS_AFTER_LIVE: LazyLock<Regex> = LazyLock::new(|| {
    regex(&format!(
        r"(?ix)
        \b(?:live|lives|living|lived|staying|address\x20is|address:)(?:[\t\x20]+(?:at|on|in))?[\t\x20]+
        (?P<address>[0-9]{{1,3}}[a-z]?,?[\t\x20]+(?:[a-z][\w'’\-]*[\t\x20]+){{1,3}}?(?:{STREET}))\b"
    ))
});

// Pieces of the verbose (`x`) patterns above, where spaces and line breaks are ignored.
const FLAT: &str =
    r"\b(?i:flat|apartment|apt|unit|room|maisonette)\.?[\t\x20]*[0-9]{1,4}[A-Za-z]?,?[\t\x20]+";
const BUILDING: &str = r"(?:[A-Z][\w'’\-]*[\t\x20]+){1,3}?
    (?:Court|House|Mansions|Lodge|Tower|Point|Heights|Buildings|Apartments)\b";
const STREET: &str = "road|rd|street|st|avenue|ave|lane|ln|close|way|drive|dr|gardens|gdns|crescent|cres\
    |place|pl|terrace|grove|square|sq|mews|hill|park|green|gate|view|court|ct|walk|row|rise|vale\
    |parade|yard|wharf|quay|path|approach|circus|embankment|broadway|passage";

/// Street words that are as often part of a place's name ("Tower Hill", "Finsbury Park",
/// "Crown Court"): after a number they need a word such as "at" or "live" before them.
const PLACE_LIKE: &str = "hill park green gate view court ct walk row rise vale parade yard wharf quay path \
    approach circus embankment broadway passage";

/// Words before a number that make it a count or a route, not a house number: "over 200 Oxford
/// Street shops", "the 38 Essex Road bus".
const COUNTING_WORDS: &str = "over about around nearly almost than some those these all route routes bus \
    buses approximately roughly another every the only extra";

/// Words before a number that say an address follows: "I live at 3 Tower Hill".
static ADDRESS_CUE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)\b(?:at|on|in|to|from|number|no\.?|address(?:\s+is)?:?|live|lives|living|lived)\s*$")
});

fn addresses(text: &str, out: &mut Vec<Finding>) {
    for caps in ADDRESS.captures_iter(text) {
        let whole = caps.get(0).unwrap();
        let before = &text[..whole.start()];
        let previous_word =
            before.trim_end().rsplit(|c: char| !c.is_alphanumeric()).next().unwrap_or("").to_lowercase();
        if listed(COUNTING_WORDS, &previous_word) || before.ends_with(['£', '$', '€', '#']) {
            continue;
        }
        let street = caps["street"].to_lowercase();
        if listed(PLACE_LIKE, &street) && caps.name("flat").is_none() {
            let tail = &before[before.floor_char_boundary(before.len().saturating_sub(24))..];
            if !ADDRESS_CUE.is_match(tail) {
                continue;
            }
        }
        push(out, FindingKind::Address, text, whole.start(), whole.end());
    }
    for m in FLAT_IN_BUILDING.find_iter(text) {
        push(out, FindingKind::Address, text, m.start(), m.end());
    }
    for caps in ADDRESS_AFTER_LIVE.captures_iter(text) {
        let address = caps.name("address").unwrap();
        push(out, FindingKind::Address, text, address.start(), address.end());
    }
}

/// Whether `word` is one of the space-separated words of `list`.
fn listed(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|w| w == word)
}

/// The current format, "AB12 CDE" or "AB12CDE": a memory tag, an age identifier, three letters.
static VEHICLE_REGISTRATION: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\b([A-Za-z])([A-Za-z])([0-9]{2})[ \t]?([A-Za-z]{3})\b"));

/// Three-letter words that, after something like "PM25", are shouting rather than a registration:
/// "PM25 AND NO2 LEVELS".
const COMMON_WORDS: &str = "AND THE FOR ARE NOT BUT ALL HAS WAS OUR YOU CAN HAD HER HIS ITS ONE OUT NOW \
    NEW WHO HOW WHY ANY MAY SAY SEE TOO USE WAY OFF YES GET LET PUT TOP BAD PER VIA";

fn vehicle_registrations(text: &str, out: &mut Vec<Finding>) {
    for caps in VEHICLE_REGISTRATION.captures_iter(text) {
        let whole = caps.get(0).unwrap();
        let upper = whole.as_str().to_ascii_uppercase();
        let letters: Vec<u8> = upper.bytes().filter(u8::is_ascii_alphabetic).collect();
        let age: u8 = caps[3].parse().unwrap_or(0);
        let ok = b"ABCDEFGHKLMNOPRSVWY".contains(&letters[0])
            && !b"IQZ".contains(&letters[1])
            && letters[2..].iter().all(|l| !b"IQ".contains(l))
            && !matches!(age, 0 | 1 | 50)
            && one_case(whole.as_str())
            && !listed(COMMON_WORDS, &upper[upper.len() - 3..]);
        if ok {
            push(out, FindingKind::VehicleRegistration, text, whole.start(), whole.end());
        }
    }
}

/// "QQ 12 34 56 C", "AB123456C": two prefix letters, six digits, a suffix A to D. Without the suffix
/// the digits must be spaced ("AB 12 34 56"), or a reference number would match.
static NI_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"\b([A-Za-z]{2})([ \t]?)[0-9]{2}([ \t]?)[0-9]{2}([ \t]?)[0-9]{2}(?:[ \t]?([A-Da-d]))?\b")
});

fn ni_numbers(text: &str, out: &mut Vec<Finding>) {
    for caps in NI_NUMBER.captures_iter(text) {
        let whole = caps.get(0).unwrap();
        // The pairs of digits are all spaced or none are ("QQ 12 34 56 C", "QQ 123456 C"), and
        // spaced pairs follow a spaced prefix.
        let (prefix_gap, gaps) = (&caps[2], [&caps[3], &caps[4]]);
        let spaced = !gaps[0].is_empty();
        let consistent = gaps[0] == gaps[1] && (!spaced || !prefix_gap.is_empty());
        if ni_prefix_ok(&caps[1]) && consistent && (caps.get(5).is_some() || spaced) {
            push(out, FindingKind::NiNumber, text, whole.start(), whole.end());
        }
    }
}

/// HMRC's rules: the first letter is not D, F, I, Q, U or V; the second is not D, F, I, O, Q, U or V;
/// BG, GB, KN, NK, NT, TN and ZZ are never issued. "QQ", HMRC's specimen prefix, is kept as a
/// match: people copy it from forms, and redacting it costs nothing.
fn ni_prefix_ok(prefix: &str) -> bool {
    if !one_case(prefix) {
        return false;
    }
    let prefix = prefix.to_ascii_uppercase();
    if prefix == "QQ" {
        return true;
    }
    let [first, second] = prefix.as_bytes() else { return false };
    !b"DFIQUV".contains(first)
        && !b"DFIOQUV".contains(second)
        && !["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(&prefix.as_str())
}

/// "943 476 5919", "943-476-5919", "9434765919"; kept only when the check digit is right.
static NHS_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\b([0-9]{3})([ \t\-]?)([0-9]{3})([ \t\-]?)([0-9]{4})\b"));

fn nhs_numbers(text: &str, out: &mut Vec<Finding>) {
    for caps in NHS_NUMBER.captures_iter(text) {
        let whole = caps.get(0).unwrap();
        let digits: Vec<u8> = whole.as_str().bytes().filter(u8::is_ascii_digit).collect();
        if caps[2] == caps[4]
            && nhs_checksum_ok(&digits)
            && stands_alone(text, whole.start(), whole.end(), NUMBER_GLUE)
        {
            push(out, FindingKind::NhsNumber, text, whole.start(), whole.end());
        }
    }
}

/// What joins digits into one figure: "1,234", "12.5", "2012/13", "2023-24", "10:30".
const NUMBER_GLUE: &[char] = &['.', ',', '/', '-', ':'];

/// Whether the number at `text[start..end]` stands alone rather than being part of a longer
/// figure: not next to a letter or digit, not after a currency sign, and not joined to another
/// number by one of `glue` ("£1234567890", "12.943 476 5919", "943 476 5919%").
fn stands_alone(text: &str, start: usize, end: usize, glue: &[char]) -> bool {
    let mut before = text[..start].chars().rev();
    let clear_before = match before.next() {
        Some(c) if c.is_alphanumeric() || matches!(c, '£' | '$' | '€' | '+' | '_' | '@' | '#') => false,
        Some(c) if glue.contains(&c) => !before.next().is_some_and(|c| c.is_ascii_digit()),
        _ => true,
    };
    let mut after = text[end..].chars();
    let clear_after = match after.next() {
        Some(c) if c.is_alphanumeric() || matches!(c, '%' | '_' | '@') => false,
        Some(c) if glue.contains(&c) => !after.next().is_some_and(|c| c.is_ascii_digit()),
        _ => true,
    };
    clear_before && clear_after
}

/// Whether the letters of `s` are all upper case or all lower case ("SW1A 1AA", "sw1a 1aa").
fn one_case(s: &str) -> bool {
    let letters = || s.chars().filter(|c| c.is_ascii_alphabetic());
    letters().all(|c| c.is_ascii_uppercase()) || letters().all(|c| c.is_ascii_lowercase())
}
