//! Reads a saved Talk London discussion page (page text) into a consultation, its discussion and comments.
//!
//! The input is the text a browser saves from a Talk London discussion page:
//!
//! ```text
//! <consultation title>
//! Closed | Open
//! 1,622 Londoners have responded | 18/12/2024 - 12/02/2025
//! Discussions
//! <introduction, one or more paragraphs>
//! Join the conversation
//! - <prompt question>                       (zero or more)
//! Alex, Chervonne and Dionne from MOPAC will be joining in the discussion below.
//! <page furniture: guidelines, "The discussion ran from ...", timeline, log-in prompt>
//! <comments>
//! ```
//!
//! Saving flattens the layout, so a comment has to be recognised by its shape:
//!
//! ```text
//! <author>                                  own line, or glued to the end of the line before
//! <role> <age><text>                        e.g. "Community Member 6 months agoI have seen..."
//! <more preview lines>
//! Show full comment<full text>              long comments only
//! <more full text lines>
//! Show less of comment<next author | another paragraph of this comment>
//! <more paragraphs of this comment>
//! ```
//!
//! The `<role> <age>` line is the anchor: every comment has exactly one and the line before it
//! holds the author. Everything between two anchors (bar the next author) belongs to the earlier
//! comment, so no text can fall between comments. Whatever cannot be placed is a [`ParseError`]
//! naming its line, never a silent skip.

use std::fmt;

use serde::Serialize;
use serde_json::json;

/// Dates are the store's calendar days: only real days exist; Display and serde give `2024-12-18`.
pub use heard_store::Date;

/// A parsed Talk London discussion page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TalkLondonPage {
    pub consultation: PageConsultation,
    pub discussion: PageDiscussion,
    pub comments: Vec<PageComment>,
}

/// The consultation the discussion belongs to, from the three header lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageConsultation {
    pub title: String,
    pub status: PageStatus,
    /// Responses to the whole consultation when the page was saved, not comments on this page.
    pub responses: u32,
    pub opens: Date,
    pub closes: Date,
}

/// Whether the consultation was still taking responses when the page was saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PageStatus {
    Open,
    Closed,
}

/// The discussion itself: what it asks and who hosts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageDiscussion {
    /// The paragraphs between `Discussions` and `Join the conversation`, joined with `\n`.
    pub intro: String,
    /// The prompt questions, without their `- ` bullet.
    pub questions: Vec<String>,
    /// The hosts' names in page order; empty when the page names no hosts.
    pub hosts: Vec<String>,
    /// Who the hosts speak for ("MOPAC"), when the hosts line says.
    pub host_organisation: Option<String>,
    /// The dates of "The discussion ran from 18 December 2024 - 12 February 2025", when present.
    pub ran_from: Option<(Date, Date)>,
}

/// One comment, with its full text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageComment {
    pub author: String,
    /// "Community Member", "Talk London team", "Moderator", ...
    pub role: String,
    /// As the page shows it ("6 months ago"), relative to when the page was saved.
    pub age: String,
    /// The full text; paragraphs are separated by one `\n`.
    pub text: String,
    /// 1-based page line of the `<role> <age>` line that starts the comment.
    pub line: usize,
}

/// Why a page could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based page line; one past the last line when the page ended too soon.
    pub line: usize,
    /// "expected ... but found ...".
    pub message: String,
}

/// Reads a saved Talk London discussion page. Windows line endings and a UTF-8 BOM are fine.
pub fn parse(page: &str) -> Result<TalkLondonPage, ParseError> {
    let lines = page_lines(page);
    if lines.is_empty() {
        return Err(ParseError::new(1, "expected the consultation title but found an empty page"));
    }
    let mut cursor = Cursor { lines: &lines, next: 0 };
    let consultation = read_consultation(&mut cursor)?;
    let mut discussion = read_discussion(&mut cursor)?;
    let (ran_from, comments) = read_rest(&lines, cursor.next)?;
    discussion.ran_from = ran_from;
    Ok(TalkLondonPage { consultation, discussion, comments })
}

impl TalkLondonPage {
    /// The page as JSON: `consultation` has exactly `title`, `status`, `responses`, `opens` and
    /// `closes`; `discussion` and each comment carry the fields of their structs.
    pub fn to_json(&self) -> serde_json::Value {
        let consultation = &self.consultation;
        let discussion = &self.discussion;
        json!({
            "consultation": {
                "title": consultation.title,
                "status": consultation.status.as_str(),
                "responses": consultation.responses,
                "opens": consultation.opens.to_string(),
                "closes": consultation.closes.to_string(),
            },
            "discussion": {
                "intro": discussion.intro,
                "questions": discussion.questions,
                "hosts": discussion.hosts,
                "host_organisation": discussion.host_organisation,
                "ran_from": discussion.ran_from.map(|(from, to)| [from.to_string(), to.to_string()]),
            },
            "comments": self.comments.iter().map(|comment| json!({
                "author": comment.author,
                "role": comment.role,
                "age": comment.age,
                "text": comment.text,
                "line": comment.line,
            })).collect::<Vec<_>>(),
        })
    }
}

impl PageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PageStatus::Open => "open",
            PageStatus::Closed => "closed",
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

// ---------------------------------------------------------------------------------------------
// Page text

const DISCUSSIONS: &str = "Discussions";
const JOIN: &str = "Join the conversation";
const QUESTION_BULLET: &str = "- ";
/// The hosts line is recognised by this; what comes before it is "<names> from <organisation>".
const HOSTS_MARK: &str = " will be joining";
/// The last piece of page furniture; the first comment's author is often glued to it.
const LOG_IN: &str = "Log into your account";
const SHOW_FULL: &str = "Show full comment";
const SHOW_LESS: &str = "Show less of comment";
const RAN_FROM: [&str; 3] =
    ["The discussion ran from ", "The discussion runs from ", "The discussion will run from "];
/// The page's mark for a cut-short preview. A real "…" is left alone: people type it.
const CUT_SHORT: &str = "...";

const RESPONSES_SHAPE: &str = "a line like \"1,622 Londoners have responded | 18/12/2024 - 12/02/2025\"";
const STRAY_TEXT: &str = "a comment (an author, then a line like \"Community Member 6 months ago...\")";

/// First and last day, both included.
type DateRange = (Date, Date);

/// A non-blank page line, trimmed, with its 1-based number in the page.
#[derive(Debug, Clone, Copy)]
struct Line<'p> {
    number: usize,
    text: &'p str,
}

/// Splits the page into trimmed, non-blank lines. Blank lines carry no structure in saved page
/// text, so dropping them keeps "one `\n` between paragraphs" and "the line before" simple.
fn page_lines(page: &str) -> Vec<Line<'_>> {
    let page = page.strip_prefix('\u{feff}').unwrap_or(page);
    page.lines() // also strips the `\r` of Windows line endings
        .enumerate()
        .map(|(index, text)| Line { number: index + 1, text: text.trim() })
        .filter(|line| !line.text.is_empty())
        .collect()
}

/// Reads the header and discussion lines in order.
struct Cursor<'p> {
    lines: &'p [Line<'p>],
    next: usize,
}

impl<'p> Cursor<'p> {
    fn peek(&self) -> Option<Line<'p>> {
        self.lines.get(self.next).copied()
    }

    fn next_line(&mut self, expected: &str) -> Result<Line<'p>, ParseError> {
        let line = self.peek().ok_or_else(|| {
            let past_the_end = self.lines.last().map_or(1, |line| line.number + 1);
            ParseError::new(past_the_end, format!("expected {expected} but found the end of the page"))
        })?;
        self.next += 1;
        Ok(line)
    }
}

fn read_consultation(cursor: &mut Cursor<'_>) -> Result<PageConsultation, ParseError> {
    let title = cursor.next_line("the consultation title")?;
    let status_line = cursor.next_line("\"Open\" or \"Closed\"")?;
    let status = if status_line.text.eq_ignore_ascii_case("open") {
        PageStatus::Open
    } else if status_line.text.eq_ignore_ascii_case("closed") {
        PageStatus::Closed
    } else {
        return Err(ParseError::expected(status_line, "\"Open\" or \"Closed\""));
    };
    let header = cursor.next_line(RESPONSES_SHAPE)?;
    let (responses, opens, closes) = read_responses(header)?;
    Ok(PageConsultation { title: title.text.to_string(), status, responses, opens, closes })
}

/// `1,622 Londoners have responded | 18/12/2024 - 12/02/2025`: any words after the count, but
/// the count and both dates must be exact.
fn read_responses(line: Line<'_>) -> Result<(u32, Date, Date), ParseError> {
    let shape_error = || ParseError::expected(line, RESPONSES_SHAPE);
    let (count_part, dates_part) = line.text.split_once('|').ok_or_else(shape_error)?;
    let mut words = count_part.split_whitespace();
    let responses = words.next().and_then(parse_count).ok_or_else(shape_error)?;
    if words.next().is_none() {
        return Err(shape_error());
    }
    let (opens_text, closes_text) = dates_part.split_once(['-', '–']).ok_or_else(shape_error)?;
    let (opens_text, closes_text) = (opens_text.trim(), closes_text.trim());
    let opens = slash_date(opens_text).ok_or_else(shape_error)?;
    let closes = slash_date(closes_text).ok_or_else(shape_error)?;
    let opens = real_day(line, opens_text, opens)?;
    let closes = real_day(line, closes_text, closes)?;
    if closes < opens {
        return Err(ParseError::expected_found(
            line.number,
            format!("a closing date on or after the opening date {opens_text}"),
            closes_text,
        ));
    }
    Ok((responses, opens, closes))
}

/// `1622` or `1,622`; commas must separate groups of three digits.
fn parse_count(token: &str) -> Option<u32> {
    let mut groups = token.split(',');
    let first = groups.next()?;
    let mut digits = String::from(first);
    let mut grouped = false;
    for group in groups {
        if group.len() != 3 {
            return None;
        }
        digits.push_str(group);
        grouped = true;
    }
    let first_ok = !first.is_empty() && (!grouped || first.len() <= 3);
    let all_digits = digits.bytes().all(|byte| byte.is_ascii_digit());
    if first_ok && all_digits { digits.parse().ok() } else { None }
}

/// `dd/mm/yyyy` (one-digit day or month allowed) as (year, month, day), not yet checked as a day.
fn slash_date(text: &str) -> Option<(i32, u8, u8)> {
    let mut parts = text.split('/');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    let short = |part: &str| (1..=2).contains(&part.len()) && is_digits(part);
    if parts.next().is_some() || !short(day) || !short(month) || year.len() != 4 || !is_digits(year) {
        return None;
    }
    Some((year.parse().ok()?, month.parse().ok()?, day.parse().ok()?))
}

/// `18 December 2024` (or `18 Dec 2024`) as (year, month, day), not yet checked as a day.
fn long_date(text: &str) -> Option<(i32, u8, u8)> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let mut words = text.split_whitespace();
    let (day, month, year) = (words.next()?, words.next()?, words.next()?);
    if words.next().is_some() || !(1..=2).contains(&day.len()) || !is_digits(day) {
        return None;
    }
    if year.len() != 4 || !is_digits(year) {
        return None;
    }
    let month = month.to_lowercase();
    let index =
        MONTHS.iter().position(|name| *name == month || (month.len() == 3 && name.starts_with(&month)))?;
    Some((year.parse().ok()?, index as u8 + 1, day.parse().ok()?))
}

fn real_day(line: Line<'_>, text: &str, (year, month, day): (i32, u8, u8)) -> Result<Date, ParseError> {
    Date::new(year, month, day)
        .ok_or_else(|| ParseError::expected_found(line.number, "a real calendar date", text))
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// From `Discussions` up to and including the hosts line; `ran_from` is filled in later.
fn read_discussion(cursor: &mut Cursor<'_>) -> Result<PageDiscussion, ParseError> {
    let heading = cursor.next_line("\"Discussions\"")?;
    if heading.text != DISCUSSIONS {
        return Err(ParseError::expected(heading, "\"Discussions\""));
    }
    let mut intro = Vec::new();
    loop {
        let line = cursor.next_line("\"Join the conversation\" after the discussion introduction")?;
        if line.text == JOIN {
            break;
        }
        intro.push(line.text);
    }
    let mut questions = Vec::new();
    while let Some(question) = cursor.peek().and_then(|line| line.text.strip_prefix(QUESTION_BULLET)) {
        questions.push(question.trim().to_string());
        cursor.next += 1;
    }
    // Some discussions have no named hosts, so the hosts line is optional.
    let (hosts, host_organisation) = match cursor.peek().filter(|line| line.text.contains(HOSTS_MARK)) {
        Some(line) => {
            cursor.next += 1;
            read_hosts(line)?
        }
        None => (Vec::new(), None),
    };
    Ok(PageDiscussion { intro: intro.join("\n"), questions, hosts, host_organisation, ran_from: None })
}

/// `Alex, Chervonne and Dionne from MOPAC will be joining in the discussion below.`; also one
/// host, `X and Y`, `X & Y`, an Oxford comma, or no `from <organisation>`.
fn read_hosts(line: Line<'_>) -> Result<(Vec<String>, Option<String>), ParseError> {
    let who = line.text.split_once(HOSTS_MARK).map_or(line.text, |(who, _)| who);
    let (names, organisation) = match who.split_once(" from ") {
        Some((names, organisation)) => (names, Some(organisation.trim().to_string())),
        None => (who, None),
    };
    let (listed, last) =
        names.rsplit_once(" and ").or_else(|| names.rsplit_once(" & ")).unwrap_or(("", names));
    let hosts: Vec<String> = listed
        .split(',')
        .chain([last])
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect();
    if hosts.is_empty() || organisation.as_deref() == Some("") {
        return Err(ParseError::expected(line, "\"<names> from <organisation> will be joining ...\""));
    }
    Ok((hosts, organisation))
}

// ---------------------------------------------------------------------------------------------
// Furniture and comments

/// How a line after the hosts line reads on its own.
#[derive(Debug, Clone, Copy)]
enum LineKind<'p> {
    /// `<role> <age><text>`: the line that starts a comment.
    Start(CommentStart<'p>),
    /// `Show full comment<text>`: the preview ends and the full text begins.
    ShowFull(&'p str),
    /// `Show less of comment<text>`: the full text has ended; the text is the next author or
    /// another paragraph of the same comment.
    ShowLess(&'p str),
    Text,
}

#[derive(Debug, Clone, Copy)]
struct CommentStart<'p> {
    role: &'p str,
    age: &'p str,
    /// The first line of the preview (or of the whole text), glued straight after the age.
    text: &'p str,
}

impl<'p> LineKind<'p> {
    fn of(text: &'p str) -> LineKind<'p> {
        if let Some(rest) = text.strip_prefix(SHOW_FULL) {
            LineKind::ShowFull(rest.trim_start())
        } else if let Some(rest) = text.strip_prefix(SHOW_LESS) {
            LineKind::ShowLess(rest.trim_start())
        } else if let Some(start) = CommentStart::of(text) {
            LineKind::Start(start)
        } else {
            LineKind::Text
        }
    }
}

impl<'p> CommentStart<'p> {
    /// `Community Member 6 months agoI have seen...`. The age is found by its own grammar and
    /// the role is whatever short, capitalised text comes before it. The page glues the text to
    /// the age with no space, which is what tells this line from prose such as "We moved here 3
    /// years ago and ...".
    fn of(line: &'p str) -> Option<CommentStart<'p>> {
        let mut age_ends: Vec<usize> = line
            .match_indices(" ago")
            .chain(line.match_indices(" just now"))
            .map(|(index, found)| index + found.len())
            .collect();
        age_ends.sort_unstable();
        age_ends.into_iter().find_map(|end| {
            let (role, age) = split_role_and_age(&line[..end])?;
            let text = &line[end..];
            (looks_like_role(role) && is_glued_text(text)).then_some(CommentStart { role, age, text })
        })
    }
}

/// `Talk London team 3 days ago` into ("Talk London team", "3 days ago"); also `an hour ago`,
/// `a few seconds ago` and `just now`.
fn split_role_and_age(head: &str) -> Option<(&str, &str)> {
    const UNITS: [&str; 7] = ["second", "minute", "hour", "day", "week", "month", "year"];
    let role = if let Some(role) = head.strip_suffix(" just now") {
        role
    } else {
        let (rest, unit) = head.strip_suffix(" ago")?.rsplit_once(' ')?;
        if !UNITS.contains(&unit.strip_suffix('s').unwrap_or(unit)) {
            return None;
        }
        let (role, count) = rest.rsplit_once(' ')?;
        match count {
            "few" => role.strip_suffix(" a")?,
            "a" | "an" | "one" => role,
            _ if is_digits(count) => role,
            _ => return None,
        }
    };
    Some((role, head[role.len()..].trim_start()))
}

/// Roles are short labels: "Community Member", "Talk London team", "MOPAC".
fn looks_like_role(role: &str) -> bool {
    role.chars().next().is_some_and(char::is_uppercase)
        && role.chars().count() <= 50
        && role.split(' ').count() <= 6
        && !role.contains(['.', ',', '!', '?', ':', ';', '"', '“', '”'])
}

/// Text glued to the age starts at once, and not with punctuation that would close a sentence
/// ("... 3 years ago, and", "... 3 years ago.") unless it is an ellipsis.
fn is_glued_text(text: &str) -> bool {
    match text.chars().next() {
        None => false,
        Some(first) if first.is_whitespace() || ",;:!?)".contains(first) => false,
        Some('.') => text.starts_with("..."),
        Some(_) => true,
    }
}

/// Reads everything after the hosts line: the furniture (for `ran_from`), then the comments.
fn read_rest(lines: &[Line<'_>], from: usize) -> Result<(Option<DateRange>, Vec<PageComment>), ParseError> {
    let part = &lines[from..];
    let kinds: Vec<LineKind<'_>> = part.iter().map(|line| LineKind::of(line.text)).collect();
    let starts: Vec<(usize, CommentStart<'_>)> = kinds
        .iter()
        .enumerate()
        .filter_map(|(index, kind)| match kind {
            LineKind::Start(start) => Some((index, *start)),
            _ => None,
        })
        .collect();

    // Check every author first: it also proves no two start lines touch, so the comment bodies
    // sliced below are well formed.
    let mut authors = Vec::with_capacity(starts.len());
    for &(index, _) in &starts {
        let author = index.checked_sub(1).and_then(|before| author_name(part[before], kinds[before]));
        let Some(author) = author else {
            // At index 0 the line before is the hosts or last question line, which is no author.
            let before = index.checked_sub(1).map_or(lines[from - 1], |before| part[before]);
            return Err(ParseError::expected_found(
                part[index].number,
                "a comment author on the line before this role and age line",
                before.text,
            ));
        };
        authors.push(author);
    }

    let furniture_end = starts.first().map_or(part.len(), |&(index, _)| index - 1);
    let ran_from = read_furniture(&part[..furniture_end], &kinds[..furniture_end])?;

    let mut comments = Vec::with_capacity(starts.len());
    for (number, (&(index, start), author)) in starts.iter().zip(authors).enumerate() {
        let next_author = starts.get(number + 1).map(|&(next, _)| next - 1);
        let mut body: Vec<(Line<'_>, LineKind<'_>)> =
            (index + 1..next_author.unwrap_or(part.len())).map(|at| (part[at], kinds[at])).collect();
        // The next author may sit glued behind this comment's "Show less of comment".
        if let Some(at) = next_author
            && let LineKind::ShowLess(_) = kinds[at]
        {
            body.push((part[at], LineKind::ShowLess("")));
        }
        let first = Line { number: part[index].number, text: start.text };
        comments.push(PageComment {
            author: author.to_string(),
            role: start.role.to_string(),
            age: start.age.to_string(),
            text: comment_text(first, &body, next_author.is_none())?,
            line: part[index].number,
        });
    }
    Ok((ran_from, comments))
}

/// The author on the line before a start line: the whole line, or what is glued after
/// "Show less of comment" or "Log into your account".
fn author_name<'p>(line: Line<'p>, kind: LineKind<'p>) -> Option<&'p str> {
    let name = match kind {
        LineKind::Text => line.text.strip_prefix(LOG_IN).unwrap_or(line.text),
        LineKind::ShowLess(rest) => rest,
        LineKind::Start(_) | LineKind::ShowFull(_) => return None,
    };
    let name = name.trim();
    (!name.is_empty()).then_some(name)
}

/// The furniture between the hosts line and the first comment's author carries no data except
/// the discussion dates, but it must not hide a comment: comment controls there, or text after
/// the log-in prompt, mean a comment the parser could not place.
fn read_furniture(furniture: &[Line<'_>], kinds: &[LineKind<'_>]) -> Result<Option<DateRange>, ParseError> {
    if let Some(at) = kinds.iter().position(|kind| !matches!(kind, LineKind::Text)) {
        return Err(ParseError::expected(furniture[at], STRAY_TEXT));
    }
    if let Some(at) = furniture.iter().rposition(|line| line.text.starts_with(LOG_IN)) {
        let glued = furniture[at].text[LOG_IN.len()..].trim();
        if !glued.is_empty() {
            return Err(ParseError::expected_found(furniture[at].number, STRAY_TEXT, glued));
        }
        if let Some(&stray) = furniture.get(at + 1) {
            return Err(ParseError::expected(stray, STRAY_TEXT));
        }
    }
    let mut ran_from = None;
    for &line in furniture {
        let Some(dates) = RAN_FROM.iter().find_map(|prefix| line.text.strip_prefix(prefix)) else {
            continue;
        };
        let shape_error =
            || ParseError::expected(line, "\"The discussion ran from 18 December 2024 - 12 February 2025\"");
        let (from_text, to_text) = dates.split_once(['-', '–']).ok_or_else(shape_error)?;
        let (from_text, to_text) = (from_text.trim(), to_text.trim());
        let from = real_day(line, from_text, long_date(from_text).ok_or_else(shape_error)?)?;
        let to = real_day(line, to_text, long_date(to_text).ok_or_else(shape_error)?)?;
        if to < from {
            return Err(ParseError::expected_found(
                line.number,
                format!("an end date on or after the start date {from_text}"),
                to_text,
            ));
        }
        ran_from.get_or_insert((from, to));
    }
    Ok(ran_from)
}

/// Where a comment's body is: still in the preview, in the full text, or past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Preview,
    Full,
    AfterFull,
}

/// Assembles one comment's text from its first line and the lines up to the next author.
fn comment_text(
    first: Line<'_>,
    body: &[(Line<'_>, LineKind<'_>)],
    last_on_page: bool,
) -> Result<String, ParseError> {
    let mut stage = Stage::Preview;
    let mut preview = vec![first];
    let mut full = Vec::new();
    let mut after_full = Vec::new();
    let mut show_full_line = first;
    for &(line, kind) in body {
        match (stage, kind) {
            (Stage::Preview, LineKind::Text) => preview.push(line),
            (Stage::Full, LineKind::Text) => full.push(line),
            (Stage::AfterFull, LineKind::Text) => after_full.push(line),
            (Stage::Preview, LineKind::ShowFull(rest)) => {
                stage = Stage::Full;
                show_full_line = line;
                if !rest.is_empty() {
                    full.push(Line { number: line.number, text: rest });
                }
            }
            (Stage::Full, LineKind::ShowLess(rest)) => {
                stage = Stage::AfterFull;
                if !rest.is_empty() {
                    after_full.push(Line { number: line.number, text: rest });
                }
            }
            (Stage::Preview, LineKind::ShowLess(_)) => {
                return Err(ParseError::expected(
                    line,
                    "\"Show full comment\" before \"Show less of comment\"",
                ));
            }
            (Stage::Full, LineKind::ShowFull(_)) => {
                return Err(ParseError::expected(
                    line,
                    "\"Show less of comment\" before another \"Show full comment\"",
                ));
            }
            (Stage::AfterFull, LineKind::ShowFull(_) | LineKind::ShowLess(_)) => {
                return Err(ParseError::expected(
                    line,
                    "one \"Show full comment\" and \"Show less of comment\" per comment",
                ));
            }
            // Start lines never reach a body: bodies are cut between them.
            (_, LineKind::Start(_)) => {
                return Err(ParseError::expected(line, "a comment author before this role and age line"));
            }
        }
    }
    match stage {
        Stage::Preview => Ok(join(&preview)),
        // Mid-page, a real saved page can lack the closing "Show less of comment" and go straight
        // on to the next author; the next start line ends the text just as well. At the end of
        // the page there is no such evidence that the full text is complete.
        Stage::Full if last_on_page => Err(ParseError::new(
            show_full_line.number,
            "expected \"Show less of comment\" after this full comment but found the end of the page",
        )),
        Stage::Full | Stage::AfterFull => full_text(&preview, &full, &after_full, show_full_line),
    }
}

/// The full text of a long comment, without its preview. Usually the full text opens with the
/// preview's first paragraph. On some pages the "Show full comment" button lands inside the
/// preview, so the full text opens with the rest of the preview (ending in `...`) before the
/// real text starts again from the top; those repeated lines are dropped. Nothing is dropped
/// unless it reappears in the text kept, so a misreading becomes an error, not lost text.
fn full_text(
    preview: &[Line<'_>],
    full: &[Line<'_>],
    after_full: &[Line<'_>],
    show_full: Line<'_>,
) -> Result<String, ParseError> {
    let Some(&full_first) = full.first() else {
        return Err(ParseError::expected(show_full, "the full comment text after \"Show full comment\""));
    };
    let opening = preview[0].text;
    let begin = if continues(full_first.text, opening) {
        0
    } else {
        (1..full.len())
            .find(|&at| continues(full[at].text, opening) && full[at - 1].text.ends_with(CUT_SHORT))
            .ok_or_else(|| {
                ParseError::expected(
                    full_first,
                    format!("the full comment to begin with its preview {:?}", shorten(opening)),
                )
            })?
    };
    let (repeated, full) = full.split_at(begin);
    let kept: Vec<Line<'_>> = full.iter().chain(after_full).copied().collect();
    for &line in preview.iter().chain(repeated) {
        if !kept.iter().any(|kept| continues(kept.text, line.text)) {
            return Err(ParseError::expected(line, "this preview text to reappear in the full comment"));
        }
    }
    Ok(join(&kept))
}

/// Whether `line` is, or starts with, the preview line `preview` (cut short with `...` or not).
fn continues(line: &str, preview: &str) -> bool {
    let stem = preview.strip_suffix(CUT_SHORT).unwrap_or(preview);
    squash_spaces(line).starts_with(&squash_spaces(stem))
}

fn squash_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn join(lines: &[Line<'_>]) -> String {
    lines.iter().map(|line| line.text).collect::<Vec<_>>().join("\n")
}

impl ParseError {
    fn new(line: usize, message: impl Into<String>) -> ParseError {
        ParseError { line, message: message.into() }
    }

    /// "expected `what` but found" the text of `line`.
    fn expected(line: Line<'_>, what: impl fmt::Display) -> ParseError {
        ParseError::expected_found(line.number, what, line.text)
    }

    fn expected_found(line: usize, what: impl fmt::Display, found: &str) -> ParseError {
        ParseError::new(line, format!("expected {what} but found {:?}", shorten(found)))
    }
}

/// Keeps error messages readable when the offending line is a whole paragraph.
fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 80;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLOSED: &str = include_str!("../../tests/fixtures/talk_london/closed_discussion.txt");
    const OPEN: &str = include_str!("../../tests/fixtures/talk_london/open_discussion.txt");
    const NO_COMMENTS: &str = include_str!("../../tests/fixtures/talk_london/no_comments.txt");
    const IMPOSSIBLE_DATE: &str = include_str!("../../tests/fixtures/talk_london/broken_impossible_date.txt");
    const CLOSES_BEFORE_OPENS: &str =
        include_str!("../../tests/fixtures/talk_london/broken_closes_before_opens.txt");
    const NO_JOIN: &str = include_str!("../../tests/fixtures/talk_london/broken_no_join.txt");
    const UNCLOSED_SHOW_FULL: &str =
        include_str!("../../tests/fixtures/talk_london/broken_unclosed_show_full.txt");
    const MISSING_AUTHOR: &str = include_str!("../../tests/fixtures/talk_london/broken_missing_author.txt");
    const STRAY_TEXT_PAGE: &str = include_str!("../../tests/fixtures/talk_london/broken_stray_text.txt");

    fn parsed(page: &str) -> TalkLondonPage {
        parse(page).unwrap_or_else(|error| panic!("page should parse: {error}"))
    }

    /// The Display form of the error, which carries both the line and the message.
    fn error(page: &str) -> String {
        parse(page).expect_err("page should not parse").to_string()
    }

    /// A valid page up to the log-in prompt (10 lines), followed by `comments`.
    fn page_with(comments: &str) -> String {
        format!(
            "Library opening hours consultation\nOpen\n\
             12 Londoners have responded | 02/12/2024 - 18/12/2024\n\nDiscussions\n\
             Which hours suit you?\nJoin the conversation\n- When do you visit?\n\
             Join Talk LondonAlready have an account?\nLog into your account{comments}"
        )
    }

    fn date(year: i32, month: u8, day: u8) -> Date {
        Date::new(year, month, day).expect("test date is a real day")
    }

    #[test]
    fn closed_page_header_and_discussion() {
        let page = parsed(CLOSED);
        assert_eq!(
            page.consultation,
            PageConsultation {
                title: "Future of the Thames Foreshore consultation".to_string(),
                status: PageStatus::Closed,
                responses: 873,
                opens: date(2024, 3, 4),
                closes: date(2024, 4, 28),
            }
        );
        let discussion = &page.discussion;
        assert_eq!(
            discussion.intro,
            "Twice a day the tide uncovers a strip of mud, shingle and history along the Thames \
             that anyone may walk on.\nWe want to hear how you use the foreshore today, what keeps \
             you away, and what would make it safer and more welcoming."
        );
        assert_eq!(
            discussion.questions,
            [
                "When did you last visit the foreshore, and what did you do there?",
                "What would make the river stairs safer to use?",
                "Should mudlarking need a permit?",
                "How should we share what the river turns up with people who cannot get down to it?",
            ]
        );
        assert_eq!(discussion.hosts, ["Priya", "Tomasz", "Ifeoma"]);
        assert_eq!(discussion.host_organisation.as_deref(), Some("the River Team"));
        assert_eq!(discussion.ran_from, Some((date(2024, 3, 4), date(2024, 4, 28))));
    }

    #[test]
    fn closed_page_comments() {
        let comments = parsed(CLOSED).comments;
        let summary: Vec<(&str, &str, &str, usize)> =
            comments.iter().map(|c| (c.author.as_str(), c.role.as_str(), c.age.as_str(), c.line)).collect();
        assert_eq!(
            summary,
            [
                ("Marguerite Okafor", "Community Member", "2 months ago", 30),
                ("riverrat_88", "Community Member", "2 months ago", 34),
                ("Tideline", "Community Member", "3 weeks ago", 36),
                ("Priya", "Talk London team", "1 month ago", 42),
                ("Old Father Thames", "Community Member", "1 year ago", 47),
                ("Ben from Bermondsey", "Community Member", "5 months ago", 56),
                ("s.achebe", "Community Member", "6 days ago", 61),
            ]
        );
        // First comment: a one-line preview replaced by the two-paragraph full text.
        assert_eq!(
            comments[0].text,
            "I take my two children down the stairs at Rotherhithe most Saturdays. The bottom \
             steps are green with weed and there is no handrail for the last six or seven of them, \
             which is exactly where you need one.\nA rail and a scrub twice a year would do more \
             than any leaflet."
        );
        // Short comments: the rest of the start line plus the lines up to the next author.
        assert_eq!(comments[1].text, "Permits would just push people to go at night.");
        assert_eq!(
            comments[2].text,
            "Three things would help:\n• tide times posted at the top of every set of stairs\n\
             • a number to ring when a step is broken\n• “no digging” signs that say why\n\
             That’s it really."
        );
        // A two-line preview, and a staff role.
        assert_eq!(
            comments[3].text,
            "Thank you all for these. Several of you mention the stairs at Rotherhithe, so we have \
             passed this thread to the borough.\nWe will post here when we hear back, and we will \
             also ask the Port of London Authority about tide boards."
        );
        // Last comment: the page ends on a bare "Show less of comment".
        assert_eq!(comments[6].text, "I agree with Ben.");
    }

    #[test]
    fn button_inside_the_preview_drops_the_repeated_preview() {
        // "Show full comment" sits before the preview's last line, and the full text then starts
        // again from the top; the text after "Show less of comment" is more of the same comment.
        let comments = parsed(CLOSED).comments;
        assert_eq!(
            comments[4].text,
            "I have been mudlarking since 1979.\nThe river gives up something every tide…\n\
             Most of what I find is clay pipe and pottery, and it all goes to the finds officer.\n\
             A permit would only stop the honest ones.\nThe others already ignore the rules."
        );
    }

    #[test]
    fn missing_show_less_mid_page_ends_at_the_next_author() {
        let comments = parsed(CLOSED).comments;
        assert_eq!(comments[5].author, "Ben from Bermondsey");
        assert_eq!(
            comments[5].text,
            "The stairs by the old brewery have been shut for two years.\n\
             Nobody seems to know who owns them, so nobody fixes them."
        );
        assert_eq!(comments[6].author, "s.achebe");
    }

    #[test]
    fn open_page_with_two_hosts_and_other_roles() {
        let page = parsed(OPEN);
        assert_eq!(page.consultation.status, PageStatus::Open);
        assert_eq!(page.consultation.responses, 1204);
        assert_eq!(page.consultation.opens, date(2025, 3, 3));
        assert_eq!(page.consultation.closes, date(2025, 4, 30));
        assert_eq!(page.discussion.hosts, ["Nadia", "Rob"]);
        assert_eq!(page.discussion.host_organisation.as_deref(), Some("the Culture at Night team"));
        assert_eq!(page.discussion.questions.len(), 3);
        assert_eq!(page.discussion.ran_from, Some((date(2025, 3, 3), date(2025, 4, 30))));
        let summary: Vec<(&str, &str, &str)> =
            page.comments.iter().map(|c| (c.author.as_str(), c.role.as_str(), c.age.as_str())).collect();
        assert_eq!(
            summary,
            [
                ("Kwame A.", "Community Member", "3 days ago"),
                ("lou_at_night", "Community Member", "an hour ago"),
                ("Nadia", "Moderator", "2 weeks ago"),
                ("Deptford Dan", "Community Member", "a month ago"),
                ("Rob", "Staff", "just now"),
            ]
        );
        // First comment: the button lands after a complete first paragraph; the rest of the
        // comment comes after "Show less of comment".
        assert_eq!(
            page.comments[0].text,
            "The night bus from Trafalgar Square is the only way I can get home from my shift.\n\
             When it is cancelled I wait an hour in the cold, and nobody tells you why.\n\
             A live board at the stop would help."
        );
        assert_eq!(page.comments[2].text, "A reminder to keep venue names out of your comments, thank you.");
        // Last comment: short, and the last line of the page.
        assert_eq!(page.comments[4].text, "Thanks Dan, we have shared this with the Night Czar’s office.");
    }

    #[test]
    fn page_without_comments() {
        let page = parsed(NO_COMMENTS);
        assert!(page.comments.is_empty());
        assert_eq!(page.discussion.hosts, ["Sam"]);
        assert_eq!(page.discussion.host_organisation.as_deref(), Some("the Housing Team"));
        assert_eq!(page.discussion.questions, ["What would you plant?"]);
        assert_eq!(page.consultation.closes, date(2023, 7, 31));
    }

    #[test]
    fn windows_line_endings_and_bom_parse_like_plain_text() {
        let windows = format!("\u{feff}{}", CLOSED.replace('\n', "\r\n"));
        assert_eq!(parsed(&windows), parsed(CLOSED));
    }

    #[test]
    fn json_has_the_agreed_shape() {
        let json = parsed(OPEN).to_json();
        assert_eq!(
            json["consultation"],
            serde_json::json!({
                "title": "Night Time Economy: your London after dark",
                "status": "open",
                "responses": 1204,
                "opens": "2025-03-03",
                "closes": "2025-04-30",
            })
        );
        assert_eq!(json["discussion"]["hosts"], serde_json::json!(["Nadia", "Rob"]));
        assert_eq!(json["discussion"]["questions"][0], "How do you get home after 11pm?");
        assert_eq!(json["discussion"]["ran_from"], serde_json::json!(["2025-03-03", "2025-04-30"]));
        assert_eq!(json["comments"][4]["author"], "Rob");
        assert_eq!(json["comments"][4]["age"], "just now");
        assert_eq!(json["comments"][4]["role"], "Staff");
        assert_eq!(json["comments"].as_array().map(Vec::len), Some(5));
        // The derived Serialize agrees with to_json.
        assert_eq!(serde_json::to_value(parsed(OPEN)).ok(), Some(json));
    }

    #[test]
    fn impossible_date_is_an_error() {
        assert_eq!(error(IMPOSSIBLE_DATE), "line 3: expected a real calendar date but found \"31/02/2025\"");
    }

    #[test]
    fn closing_before_opening_is_an_error() {
        assert_eq!(
            error(CLOSES_BEFORE_OPENS),
            "line 3: expected a closing date on or after the opening date 18/12/2024 but found \
             \"01/12/2024\""
        );
    }

    #[test]
    fn page_without_join_the_conversation_is_an_error() {
        assert_eq!(
            error(NO_JOIN),
            "line 10: expected \"Join the conversation\" after the discussion introduction but \
             found the end of the page"
        );
    }

    #[test]
    fn show_full_without_show_less_at_the_end_is_an_error() {
        assert_eq!(
            error(UNCLOSED_SHOW_FULL),
            "line 13: expected \"Show less of comment\" after this full comment but found the end \
             of the page"
        );
    }

    #[test]
    fn start_line_without_author_is_an_error() {
        assert_eq!(
            error(MISSING_AUTHOR),
            "line 11: expected a comment author on the line before this role and age line but \
             found \"Log into your account\""
        );
        // Two start lines in a row: the second has no author.
        let page = page_with(
            "Hana\nCommunity Member 1 week agoLater on Thursdays.\n\
             Community Member 2 days agoMe too.",
        );
        assert_eq!(
            error(&page),
            "line 12: expected a comment author on the line before this role and age line but \
             found \"Community Member 1 week agoLater on Thursdays.\""
        );
        // A bare "Show less of comment" before a start line leaves that comment without author.
        let page = page_with(
            "Hana\nCommunity Member 1 week agoLater...\nShow full commentLater please.\n\
             Show less of comment\nCommunity Member 2 days agoMe too.",
        );
        assert_eq!(
            error(&page),
            "line 14: expected a comment author on the line before this role and age line but \
             found \"Show less of comment\""
        );
    }

    #[test]
    fn text_belonging_to_no_comment_is_an_error() {
        assert_eq!(
            error(STRAY_TEXT_PAGE),
            "line 11: expected a comment (an author, then a line like \"Community Member 6 months \
             ago...\") but found \"I think the library should never close.\""
        );
        // An author glued to the log-in prompt, but no comment after it.
        assert_eq!(
            error(&page_with("Hana")),
            "line 10: expected a comment (an author, then a line like \"Community Member 6 months \
             ago...\") but found \"Hana\""
        );
        // Comment controls with no start line before them.
        assert_eq!(
            error(&page_with("\nShow full commentLater please.")),
            "line 11: expected a comment (an author, then a line like \"Community Member 6 months \
             ago...\") but found \"Show full commentLater please.\""
        );
    }

    #[test]
    fn show_controls_out_of_order_are_errors() {
        let page = page_with("Hana\nCommunity Member 1 week agoLater.\nShow less of commentJoe");
        assert_eq!(
            error(&page),
            "line 12: expected \"Show full comment\" before \"Show less of comment\" but found \
             \"Show less of commentJoe\""
        );
        // The same when the text after "Show less of comment" is the next comment's author.
        let page = page_with(
            "Hana\nCommunity Member 1 week agoLater.\nShow less of commentJoe\n\
             Community Member 2 days agoMe too.",
        );
        assert_eq!(
            error(&page),
            "line 12: expected \"Show full comment\" before \"Show less of comment\" but found \
             \"Show less of commentJoe\""
        );
        let page = page_with(
            "Hana\nCommunity Member 1 week agoLater...\nShow full commentLater please.\n\
             Show full commentLater please.\nShow less of comment",
        );
        assert_eq!(
            error(&page),
            "line 13: expected \"Show less of comment\" before another \"Show full comment\" but \
             found \"Show full commentLater please.\""
        );
    }

    #[test]
    fn full_text_that_loses_the_preview_is_an_error() {
        let page = page_with(
            "Hana\nCommunity Member 1 week agoOpen later on Thursdays...\n\
             Show full commentSomething else entirely.\nShow less of comment",
        );
        assert_eq!(
            error(&page),
            "line 12: expected the full comment to begin with its preview \"Open later on \
             Thursdays...\" but found \"Something else entirely.\""
        );
        let page = page_with(
            "Hana\nCommunity Member 1 week agoOpen later on Thursdays.\nAnd Sundays...\n\
             Show full commentOpen later on Thursdays.\nShow less of comment",
        );
        assert_eq!(
            error(&page),
            "line 12: expected this preview text to reappear in the full comment but found \
             \"And Sundays...\""
        );
    }

    #[test]
    fn header_errors_name_the_line() {
        assert_eq!(error(""), "line 1: expected the consultation title but found an empty page");
        assert_eq!(
            error("\u{feff}\r\n  \r\n"),
            "line 1: expected the consultation title but found an empty page"
        );
        assert_eq!(
            error("Title\nPending\n"),
            "line 2: expected \"Open\" or \"Closed\" but found \"Pending\""
        );
        assert_eq!(
            error("Title\nClosed\n"),
            "line 3: expected a line like \"1,622 Londoners have responded | 18/12/2024 - \
             12/02/2025\" but found the end of the page"
        );
        for bad in [
            "1,62,2 Londoners have responded | 18/12/2024 - 12/02/2025",
            "1622 | 18/12/2024 - 12/02/2025",
            "Many Londoners have responded | 18/12/2024 - 12/02/2025",
            "1622 Londoners have responded 18/12/2024 - 12/02/2025",
            "1622 Londoners have responded | 18/12/24 - 12/02/2025",
            "1622 Londoners have responded | 18/12/2024",
        ] {
            assert_eq!(
                error(&format!("Title\nClosed\n{bad}\nDiscussions\nJoin the conversation")),
                format!(
                    "line 3: expected a line like \"1,622 Londoners have responded | 18/12/2024 - \
                     12/02/2025\" but found {bad:?}"
                )
            );
        }
        assert_eq!(
            error("Title\nClosed\n1 Londoner has responded | 1/2/2025 - 2/2/2025\nDiscussion\n"),
            "line 4: expected \"Discussions\" but found \"Discussion\""
        );
    }

    #[test]
    fn header_words_are_free_but_numbers_are_not() {
        let page = parsed(
            "Title\nclosed\n1 Londoner has responded | 1/2/2024 – 29/2/2024\nDiscussions\n\
             Join the conversation",
        );
        assert_eq!(page.consultation.responses, 1);
        assert_eq!(page.consultation.opens, date(2024, 2, 1));
        assert_eq!(page.consultation.closes, date(2024, 2, 29));
        assert_eq!(page.discussion.intro, "");
        assert!(page.discussion.hosts.is_empty());
        assert!(page.comments.is_empty());
        assert_eq!(parse_count("12,345,678"), Some(12_345_678));
        assert_eq!(parse_count("1234,567"), None);
        assert_eq!(parse_count("99,999,999,999"), None);
    }

    #[test]
    fn calendar_days_are_checked() {
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(2000, 2, 29).is_some());
        assert!(Date::new(2025, 2, 29).is_none());
        assert!(Date::new(1900, 2, 29).is_none());
        assert!(Date::new(2025, 4, 31).is_none());
        assert!(Date::new(2025, 13, 1).is_none());
        assert!(Date::new(2025, 1, 0).is_none());
        assert_eq!(date(2024, 12, 8).to_string(), "2024-12-08");
        assert_eq!(long_date("18 December 2024"), Some((2024, 12, 18)));
        assert_eq!(long_date("1 Feb 2025"), Some((2025, 2, 1)));
        assert_eq!(long_date("18 Decembre 2024"), None);
    }

    #[test]
    fn hosts_lines_in_other_shapes() {
        let hosts = |text| read_hosts(Line { number: 1, text }).map_err(|error| error.to_string());
        assert_eq!(
            hosts("Alex from MOPAC will be joining in the discussion below."),
            Ok((vec!["Alex".to_string()], Some("MOPAC".to_string())))
        );
        assert_eq!(
            hosts("Alex, Chervonne, and Dionne will be joining in the discussion below."),
            Ok((vec!["Alex".into(), "Chervonne".into(), "Dionne".into()], None))
        );
        assert_eq!(
            hosts("Jo & Sam from City Hall will be joining in the discussion below."),
            Ok((vec!["Jo".into(), "Sam".into()], Some("City Hall".into())))
        );
        assert_eq!(
            hosts(" from City Hall will be joining in the discussion below."),
            Err("line 1: expected \"<names> from <organisation> will be joining ...\" but found \
                 \" from City Hall will be joining in the discussion below.\""
                .to_string())
        );
    }

    #[test]
    fn start_lines_are_told_from_prose() {
        let start = |text| CommentStart::of(text).map(|start| (start.role, start.age, start.text));
        assert_eq!(
            start("Community Member 6 months agoI have seen"),
            Some(("Community Member", "6 months ago", "I have seen"))
        );
        assert_eq!(
            start("Talk London team an hour ago“Thanks”"),
            Some(("Talk London team", "an hour ago", "“Thanks”"))
        );
        assert_eq!(start("MOPAC 1 year ago100% agree"), Some(("MOPAC", "1 year ago", "100% agree")));
        assert_eq!(start("Staff just nowHello"), Some(("Staff", "just now", "Hello")));
        assert_eq!(
            start("Moderator a few seconds ago...and another thing"),
            Some(("Moderator", "a few seconds ago", "...and another thing"))
        );
        // Prose that happens to contain an age.
        assert_eq!(start("We moved here 3 years ago and never left."), None);
        assert_eq!(start("Crime was lower 3 years ago."), None);
        assert_eq!(start("Crime was lower 3 years ago, honestly."), None);
        assert_eq!(start("community member 6 months agoText"), None);
        assert_eq!(start("Community Member 6 months ago"), None);
        assert_eq!(start("Community Member six months agoText"), None);
        assert_eq!(start("Honestly, 2 days agoText"), None);
    }

    /// The real pages in `shared/seeds`, when the checkout has them (they are not copied into
    /// the repository).
    #[test]
    fn seed_pages() {
        let manifest =
            std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned());
        let dir = std::path::Path::new(&manifest).join("../../../shared/seeds");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("seed_pages: no seed pages at {}, nothing checked", dir.display());
            return;
        };
        let mut paths: Vec<_> = entries.map(|entry| entry.expect("readable seed dir").path()).collect();
        paths.sort();
        let mut checked = Vec::new();
        for path in paths {
            let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
            let page = std::fs::read_to_string(&path).expect("seed page is UTF-8");
            if !page.contains("Community Member") {
                continue;
            }
            let parsed = parse(&page).unwrap_or_else(|error| panic!("{name}: {error}"));
            let raw: Vec<&str> = page.lines().collect();

            // Counted by hand: one "<role> <age>" line per comment, all "Community Member".
            let known = match &name[..4] {
                "000_" => Some((38, 4)),
                "001_" => Some((26, 3)),
                _ => None,
            };
            if let Some((comments, questions)) = known {
                assert_eq!(parsed.comments.len(), comments, "{name}");
                assert_eq!(parsed.comments.len(), page.matches("\nCommunity Member ").count(), "{name}");
                assert_eq!(parsed.discussion.questions.len(), questions, "{name}");
                let consultation = &parsed.consultation;
                assert_eq!(consultation.status, PageStatus::Closed, "{name}");
                assert_eq!(consultation.responses, 1622, "{name}");
                assert_eq!(consultation.opens.to_string(), "2024-12-18", "{name}");
                assert_eq!(consultation.closes.to_string(), "2025-02-12", "{name}");
                assert_eq!(parsed.discussion.hosts, ["Alex", "Chervonne", "Dionne"], "{name}");
                assert_eq!(parsed.discussion.host_organisation.as_deref(), Some("MOPAC"), "{name}");
            }

            for (index, comment) in parsed.comments.iter().enumerate() {
                let at = format!("{name} line {}", comment.line);
                assert!(!comment.text.is_empty(), "{at}");
                assert!(!comment.author.is_empty(), "{at}");
                assert!(!comment.text.contains(SHOW_FULL), "{at}");
                assert!(!comment.text.contains(SHOW_LESS), "{at}");
                let start = raw[comment.line - 1];
                let head = format!("{} {}", comment.role, comment.age);
                assert!(start.starts_with(&head), "{at}: {start}");

                // The preview as the page shows it: the start line's text and what follows, up
                // to "Show full comment", if that comes before the next comment. (A short comment
                // can have a button too; its "preview" is already the whole text, without dots.)
                let end = parsed.comments.get(index + 1).map_or(raw.len(), |next| next.line - 1);
                let body = &raw[comment.line..end];
                if let Some(button) = body.iter().position(|line| line.starts_with(SHOW_FULL)) {
                    let mut preview = vec![&start[head.len()..]];
                    preview.extend(&body[..button]);
                    let preview = preview.join("\n");
                    if preview.ends_with(CUT_SHORT) {
                        assert_ne!(comment.text, preview, "{at}");
                    }
                }
                // And no paragraph is a cut-short copy of another.
                let paragraphs: Vec<&str> = comment.text.split('\n').collect();
                for cut in paragraphs.iter().filter_map(|p| p.strip_suffix(CUT_SHORT)) {
                    let repeated = paragraphs.iter().filter(|p| p.starts_with(cut)).count();
                    assert_eq!(repeated, 1, "{at}: preview kept: {cut}");
                }
            }

            if name.starts_with("000_") {
                let holders: Vec<&str> = parsed
                    .comments
                    .iter()
                    .filter(|c| c.text.split('\n').any(|p| p == "This and the abundance of phone snatchers."))
                    .map(|c| c.author.as_str())
                    .collect();
                assert_eq!(holders, ["Paddington"]);
            }
            checked.push(name);
        }
        assert!(checked.len() >= 2, "expected seeds 000 and 001, checked {checked:?}");
    }
}
