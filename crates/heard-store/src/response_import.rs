//! The bulk import of responses that reached us by email, post, phone or at events: a CSV file with
//! the columns `channel`, `received`, `respondent_type`, `organisation`, `borough`, `text` and,
//! optionally, `question` and `email`.
//!
//! The whole file is checked before anything is written ([`parse_response_csv`], then
//! [`check_import`] against the consultation's dates), and [`Store::import_responses`] writes every
//! row in one transaction: one bad row means nothing is imported. Problems name the row as a
//! spreadsheet shows it (the header is row 1), so a quoted text over several lines is still one row.

use std::fmt;

use crate::model::Areas;
use crate::register::{NewResponse, RespondentType, ResponseChannel, ResponseSource, ResponseText};
use crate::{Date, Result, Store};

/// One checked row of an import file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// The row in the file, counting the header as row 1.
    pub row: usize,
    pub channel: ResponseChannel,
    pub received_on: Date,
    pub respondent_type: RespondentType,
    pub organisation: String,
    /// A London borough as the site spells it, or empty.
    pub borough: String,
    pub question: String,
    pub text: String,
    pub email: Option<String>,
}

/// What is wrong with one row (or, as row 1, with the header or the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub row: usize,
    /// The column at fault, when it is one column.
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "row {}: {}: {}", self.row, column, self.message),
            None => write!(f, "row {}: {}", self.row, self.message),
        }
    }
}

/// The longest text a response may have, in characters (a long letter is 20,000): the bulk import
/// and the staff's entry form refuse longer ones, as the discussion refuses a comment over 5,000.
pub const MAX_RESPONSE_TEXT_CHARS: usize = 100_000;

const REQUIRED: [&str; 6] = ["channel", "received", "respondent_type", "organisation", "borough", "text"];
const OPTIONAL: [&str; 2] = ["question", "email"];

/// Reads an import file; every problem in it, or every row.
pub fn parse_response_csv(
    bytes: &[u8],
    areas: &Areas,
) -> std::result::Result<Vec<ImportRow>, Vec<ImportProblem>> {
    let (rows, problems) = read_rows(bytes, areas);
    if problems.is_empty() { Ok(rows) } else { Err(problems) }
}

/// Reads an import file and checks its rows against the consultation's dates ([`check_import`]):
/// every problem in the file, in row order, or every row.
pub fn read_import(
    bytes: &[u8],
    opens_on: Date,
    closes_on: Date,
    today: Date,
    areas: &Areas,
) -> std::result::Result<Vec<ImportRow>, Vec<ImportProblem>> {
    let (rows, mut problems) = read_rows(bytes, areas);
    problems.extend(check_import(&rows, opens_on, closes_on, today));
    problems.sort_by_key(|p| p.row); // stable: a row's problems keep their column order
    if problems.is_empty() { Ok(rows) } else { Err(problems) }
}

/// The rows that could be read, and the problems with the others.
fn read_rows(bytes: &[u8], areas: &Areas) -> (Vec<ImportRow>, Vec<ImportProblem>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes); // spreadsheets save a BOM
    let whole = |message: String| vec![ImportProblem { row: 1, column: None, message }];
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header = match reader.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return (Vec::new(), whole(format!("the header row cannot be read: {e}"))),
    };
    let names: Vec<String> =
        header.iter().map(|h| String::from_utf8_lossy(h).trim().to_lowercase()).collect();
    if names.iter().all(|n| n.is_empty()) {
        return (
            Vec::new(),
            whole(format!("the file is empty; its first row must name the columns: {}", expected())),
        );
    }
    let mut problems = Vec::new();
    for name in &names {
        if !REQUIRED.contains(&name.as_str()) && !OPTIONAL.contains(&name.as_str()) {
            problems.push(ImportProblem {
                row: 1,
                column: Some(name.clone()),
                message: format!("unknown column; the columns are {}", expected()),
            });
        }
    }
    for required in REQUIRED {
        if !names.iter().any(|n| n == required) {
            problems.push(ImportProblem {
                row: 1,
                column: Some(required.into()),
                message: "this column is missing".into(),
            });
        }
    }
    if !problems.is_empty() {
        return (Vec::new(), problems);
    }
    let column = |name: &str| names.iter().position(|n| n == name);
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut row = 1;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                problems.push(ImportProblem {
                    row: row + 1,
                    column: None,
                    message: format!("cannot be read: {e}"),
                });
                break;
            }
        }
        row += 1;
        if record.iter().all(|field| field.iter().all(u8::is_ascii_whitespace)) {
            continue; // a blank line, as spreadsheets leave at the end
        }
        if record.len() != names.len() {
            problems.push(ImportProblem {
                row,
                column: None,
                message: format!("has {} fields but the header names {} columns", record.len(), names.len()),
            });
            continue;
        }
        let mut fields = Vec::with_capacity(names.len());
        for (i, raw) in record.iter().enumerate() {
            match std::str::from_utf8(raw) {
                Ok(text) if text.contains(crate::NUL) => {
                    problems.push(ImportProblem {
                        row,
                        column: Some(names[i].clone()),
                        message:
                            "contains a NUL character (U+0000, an invisible control character): remove it \
                                  and import the file again"
                                .into(),
                    });
                    // Checked as it is, so that the row's other problems are its own (the row is
                    // refused by this problem whatever they are).
                    fields.push(text);
                }
                Ok(text) => fields.push(text),
                Err(_) => {
                    problems.push(ImportProblem {
                        row,
                        column: Some(names[i].clone()),
                        message: "is not valid UTF-8 text (save the file as CSV UTF-8)".into(),
                    });
                    fields.push("");
                }
            }
        }
        let get = |name: &str| column(name).map_or("", |i| fields[i]);
        match check_row(row, get, areas) {
            Ok(parsed) => rows.push(parsed),
            Err(mut found) => problems.append(&mut found),
        }
    }
    if problems.is_empty() && rows.is_empty() {
        problems.push(ImportProblem { row: 1, column: None, message: "the file has no responses".into() });
    }
    (rows, problems)
}

fn expected() -> String {
    format!("{} and optionally {}", REQUIRED.join(", "), OPTIONAL.join(", "))
}

fn check_row<'a>(
    row: usize,
    get: impl Fn(&str) -> &'a str,
    areas: &Areas,
) -> std::result::Result<ImportRow, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let mut problem = |column: &str, message: String| {
        problems.push(ImportProblem { row, column: Some(column.into()), message })
    };
    let channel_text = get("channel").trim().to_lowercase();
    let channel = ResponseChannel::parse(&channel_text);
    if channel.is_none() {
        problem(
            "channel",
            format!("{:?} is not one of online, email, post, event, phone", get("channel").trim()),
        );
    }
    let received = Date::parse_iso(get("received").trim());
    if received.is_err() {
        problem("received", format!("{:?} is not a date in the form YYYY-MM-DD", get("received").trim()));
    }
    let kind = RespondentType::parse(&get("respondent_type").trim().to_lowercase());
    if kind.is_none() {
        problem(
            "respondent_type",
            format!("{:?} is not one of individual, organisation", get("respondent_type").trim()),
        );
    }
    let organisation = get("organisation").trim().to_owned();
    if kind == Some(RespondentType::Organisation) && organisation.is_empty() {
        problem("organisation", "an organisation's response needs the organisation's name".into());
    }
    let borough_text = get("borough").trim();
    let borough = if borough_text.is_empty() || borough_text.eq_ignore_ascii_case("not known") {
        Some(String::new())
    } else {
        areas.find(borough_text).map(str::to_owned)
    };
    if borough.is_none() {
        let message = if areas.is_empty() {
            format!("{borough_text:?}: this site lists no areas, so leave the column empty")
        } else {
            format!("{borough_text:?} is not a {} here (leave it empty when not known)", areas.noun())
        };
        problem("borough", message);
    }
    let text = get("text");
    let chars = text.trim().chars().count();
    if chars == 0 {
        problem("text", "is empty".into());
    } else if chars > MAX_RESPONSE_TEXT_CHARS {
        problem(
            "text",
            format!("is {chars} characters long; the most a response may have is {MAX_RESPONSE_TEXT_CHARS}"),
        );
    }
    let email = get("email").trim();
    if !email.is_empty() && (!email.contains('@') || email.contains(char::is_whitespace)) {
        problem("email", format!("{email:?} is not an email address"));
    }
    match (channel, received, kind, borough) {
        (Some(channel), Ok(received_on), Some(respondent_type), Some(borough)) if problems.is_empty() => {
            Ok(ImportRow {
                row,
                channel,
                received_on,
                respondent_type,
                organisation: if respondent_type == RespondentType::Organisation {
                    organisation
                } else {
                    String::new()
                },
                borough,
                question: get("question").trim().to_owned(),
                // Kept as typed, line breaks and all; only the ends are trimmed.
                text: text.trim().to_owned(),
                email: (!email.is_empty()).then(|| email.to_owned()),
            })
        }
        _ => Err(problems),
    }
}

/// Problems with rows given the consultation's dates: a response received in the future, before
/// the consultation opened, or after it closed. Whatever its channel, a response received on or
/// before the closing day counts, however late it is typed in: letters, emails, calls and event
/// notes all reach staff before they reach the register.
pub fn check_import(rows: &[ImportRow], opens_on: Date, closes_on: Date, today: Date) -> Vec<ImportProblem> {
    let mut problems = Vec::new();
    for r in rows {
        let mut problem = |message: String| {
            problems.push(ImportProblem { row: r.row, column: Some("received".into()), message })
        };
        if let Some(message) = received_problem(r.received_on, opens_on, closes_on, today) {
            problem(message);
        }
    }
    problems
}

/// Why a response received on `received` cannot be entered, if it cannot: the one rule staff entry,
/// event notes and the bulk import share, the same for every channel.
pub fn received_problem(received: Date, opens_on: Date, closes_on: Date, today: Date) -> Option<String> {
    if received > today {
        Some(format!("{} is in the future", received.long()))
    } else if received < opens_on {
        Some(format!("{} is before the consultation opened on {}", received.long(), opens_on.long()))
    } else if received > closes_on {
        Some(format!("{} is after the consultation closed on {}", received.long(), closes_on.long()))
    } else {
        None
    }
}

impl Store {
    /// Writes checked rows to the register in one transaction; returns how many.
    pub async fn import_responses(
        &self,
        consultation_id: i64,
        rows: &[ImportRow],
        entered_by: Option<i64>,
    ) -> Result<usize> {
        let responses: Vec<NewResponse> = rows
            .iter()
            .map(|r| NewResponse {
                consultation_id,
                channel: r.channel,
                source: ResponseSource::Import,
                received_on: r.received_on,
                respondent_type: r.respondent_type,
                organisation: r.organisation.clone(),
                borough: r.borough.clone(),
                user_id: None,
                email: r.email.clone(),
                entered_by,
                texts: vec![ResponseText { question: r.question.clone(), text: r.text.clone() }],
                attachment: None,
            })
            .collect();
        Ok(self.record_responses(&responses).await?.len())
    }
}
