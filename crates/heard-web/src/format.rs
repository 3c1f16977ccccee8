//! Small text helpers the templates share: counts, name lists, paragraphs, comment previews.

/// "1,622".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// "Alex", "Alex and Dionne", "Alex, Chervonne and Dionne".
pub fn and_list<S: AsRef<str>>(names: &[S]) -> String {
    match names {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", rest.join(", "), last.as_ref())
        }
    }
}

/// The non-empty paragraphs of a text, one per line.
/// A chart's label: cut with an ellipsis past 48 characters, which is what fits beside a bar on a
/// phone (the table beside every chart has the label whole).
pub fn chart_label(label: &str) -> String {
    const MAX: usize = 48;
    if label.chars().count() > MAX {
        format!("{}…", label.chars().take(MAX - 1).collect::<String>().trim_end())
    } else {
        label.to_owned()
    }
}

pub fn paragraphs(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|p| !p.is_empty()).collect()
}

/// A long comment split for "Show full comment": what shows at first, and the rest.
#[derive(Debug, PartialEq)]
pub struct Preview<'a> {
    /// Whole paragraphs shown before the cut.
    pub before: Vec<&'a str>,
    /// The start of the paragraph the cut falls in (may be empty when the cut is between paragraphs).
    pub cut_head: &'a str,
    /// The rest of that paragraph, shown when expanded.
    pub cut_tail: &'a str,
    /// Whole paragraphs shown when expanded.
    pub after: Vec<&'a str>,
}

/// Splits `text` after about `limit` characters, at a word boundary; `None` when it is short enough
/// to show whole. A comment only a little over the limit is shown whole: hiding ten words behind a
/// button helps nobody.
pub fn preview(text: &str, limit: usize) -> Option<Preview<'_>> {
    let paras = paragraphs(text);
    let total: usize = paras.iter().map(|p| p.chars().count()).sum();
    if total <= limit + limit / 3 {
        return None;
    }
    let mut used = 0;
    for (i, para) in paras.iter().enumerate() {
        let len = para.chars().count();
        if used + len <= limit {
            used += len;
            continue;
        }
        let budget = limit - used;
        let byte_at = para.char_indices().nth(budget).map_or(para.len(), |(b, _)| b);
        let cut = para[..byte_at].rfind(char::is_whitespace).unwrap_or(0);
        let (head, tail) = para.split_at(cut);
        return Some(Preview {
            before: paras[..i].to_vec(),
            cut_head: head.trim_end(),
            cut_tail: tail.trim_start(),
            after: paras[i + 1..].to_vec(),
        });
    }
    None
}

/// Percent-encodes `text` for a query string value.
pub fn query_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// "1 person agrees", "3 people agree".
pub fn agreement_count(n: i64) -> String {
    match n {
        1 => "1 person agrees".to_owned(),
        n => format!("{} people agree", thousands(n)),
    }
}

/// "Monday 20 January 2025".
pub fn day_in_words(date: heard_store::Date) -> String {
    const WEEKDAYS: [&str; 7] =
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    // 1 January 1970 was a Thursday.
    let weekday = WEEKDAYS[(date.days_since_epoch() + 3).rem_euclid(7) as usize];
    format!("{weekday} {}", date.long())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_in_words_name_their_weekday() {
        let day = |iso| heard_store::Date::parse_iso(iso).unwrap();
        assert_eq!(day_in_words(day("2025-01-20")), "Monday 20 January 2025");
        assert_eq!(day_in_words(day("1970-01-01")), "Thursday 1 January 1970");
        assert_eq!(day_in_words(day("1969-12-28")), "Sunday 28 December 1969");
    }

    #[test]
    fn counts_and_lists_read_like_english() {
        assert_eq!(thousands(1622), "1,622");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(and_list(&["Alex", "Chervonne", "Dionne"]), "Alex, Chervonne and Dionne");
        assert_eq!(and_list(&["Alex", "Dionne"]), "Alex and Dionne");
        assert_eq!(and_list::<&str>(&[]), "");
        assert_eq!(agreement_count(1), "1 person agrees");
        assert_eq!(agreement_count(1200), "1,200 people agree");
        assert_eq!(
            query_escape("/consultations/a?page=2&sort=x y"),
            "/consultations/a%3Fpage%3D2%26sort%3Dx%20y"
        );
    }

    #[test]
    fn preview_cuts_at_a_word_and_loses_nothing() {
        let text = "First paragraph is short.\nSecond paragraph goes on and on about the buses at night \
                    and the lights in the park.\nThird.";
        let p = preview(text, 40).expect("long enough to cut");
        assert_eq!(p.before, ["First paragraph is short."]);
        assert_eq!(p.cut_head, "Second");
        assert!(p.cut_tail.starts_with("paragraph goes on"));
        assert_eq!(p.after, ["Third."]);
        let rebuilt = format!("{}\n{} {}\n{}", p.before[0], p.cut_head, p.cut_tail, p.after[0]);
        assert_eq!(rebuilt, text);
        assert_eq!(preview("short", 40), None);
        assert_eq!(preview(&"x".repeat(50), 40), None, "a little over the limit shows whole");
    }
}
