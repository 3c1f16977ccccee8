//! Reading responses: a CSV, a JSONL file, or a ThemeFinder-style question folder.
//!
//! Odd input is data, not a crash: an empty response, bad UTF-8 or a duplicate id becomes a
//! diagnostic and the response is still counted. A file that cannot be read as its format at all
//! (a broken JSON line, a CSV without a `text` column) is an error naming the line.

use std::fmt;
use std::path::{Path, PathBuf};

/// A response's id as the input gave it: ThemeFinder uses numbers, CSVs often text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum ResponseId {
    Number(i64),
    Text(String),
}

impl ResponseId {
    fn parse(raw: &str) -> ResponseId {
        match raw.trim().parse::<i64>() {
            Ok(n)
                if !raw.trim().starts_with('+') && !(raw.trim().starts_with('0') && raw.trim().len() > 1) =>
            {
                ResponseId::Number(n)
            }
            _ => ResponseId::Text(raw.trim().to_string()),
        }
    }
}

impl fmt::Display for ResponseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseId::Number(n) => write!(f, "{n}"),
            ResponseId::Text(s) => f.write_str(s),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub id: ResponseId,
    pub text: String,
    pub channel: Option<String>,
    pub respondent_type: Option<String>,
    pub borough: Option<String>,
    pub question: Option<String>,
}

impl Response {
    pub fn new(id: ResponseId, text: impl Into<String>) -> Response {
        Response {
            id,
            text: text.into(),
            channel: None,
            respondent_type: None,
            borough: None,
            question: None,
        }
    }
}

/// Something odd about one response that the analysis worked around.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Diagnostic {
    /// 1-based line (JSONL) or row (CSV, header is row 1) where it was found.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Input {
    /// The question the responses answer, when the input says (question.json, or one shared
    /// `question` column).
    pub question: Option<String>,
    pub responses: Vec<Response>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path} line {line}: {message}")]
    Line { path: PathBuf, line: usize, message: String },
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
}

/// Reads any of the three input shapes, chosen by what `path` is.
pub fn read(path: &Path) -> Result<Input, InputError> {
    if path.is_dir() {
        return read_question_folder(path);
    }
    let bytes = std::fs::read(path).map_err(|source| InputError::Io { path: path.into(), source })?;
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match extension.as_str() {
        "csv" => read_csv(path, &bytes),
        "jsonl" | "ndjson" | "json" => read_jsonl(path, &bytes),
        _ if bytes.trim_ascii_start().starts_with(b"{") => read_jsonl(path, &bytes),
        _ => read_csv(path, &bytes),
    }
}

fn read_question_folder(dir: &Path) -> Result<Input, InputError> {
    let responses_path = dir.join("responses.jsonl");
    if !responses_path.exists() {
        return Err(InputError::File {
            path: dir.into(),
            message: "a question folder needs responses.jsonl (and question.json)".into(),
        });
    }
    let bytes = std::fs::read(&responses_path)
        .map_err(|source| InputError::Io { path: responses_path.clone(), source })?;
    let mut input = read_jsonl(&responses_path, &bytes)?;
    let question_path = dir.join("question.json");
    if question_path.exists() {
        let raw = std::fs::read(&question_path)
            .map_err(|source| InputError::Io { path: question_path.clone(), source })?;
        let value: serde_json::Value = serde_json::from_slice(&raw).map_err(|e| InputError::Line {
            path: question_path.clone(),
            line: e.line(),
            message: format!("not JSON: {e}"),
        })?;
        input.question = value.get("question_text").and_then(|q| q.as_str()).map(str::to_string);
    }
    Ok(input)
}

fn read_jsonl(path: &Path, bytes: &[u8]) -> Result<Input, InputError> {
    let mut input = Input::default();
    let mut ids = Ids::default();
    for (index, raw_line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = index + 1;
        let raw_line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
        if raw_line.trim_ascii().is_empty() {
            continue;
        }
        let text_line = text_or_lossy(raw_line, Some(line), &mut input.diagnostics);
        let value: serde_json::Value = serde_json::from_str(&text_line).map_err(|e| InputError::Line {
            path: path.into(),
            line,
            message: format!("not a JSON object: {e}"),
        })?;
        let Some(object) = value.as_object() else {
            return Err(InputError::Line { path: path.into(), line, message: "not a JSON object".into() });
        };
        let field = |names: &[&str]| names.iter().find_map(|n| object.get(*n)).filter(|v| !v.is_null());
        let id = match field(&["response_id", "id"]) {
            Some(serde_json::Value::Number(n)) => match n.as_i64() {
                Some(n) => ResponseId::Number(n),
                None => ResponseId::Text(n.to_string()),
            },
            Some(serde_json::Value::String(s)) => ResponseId::parse(s),
            Some(other) => {
                return Err(InputError::Line {
                    path: path.into(),
                    line,
                    message: format!("the id must be a number or a string, not {other}"),
                });
            }
            None => {
                return Err(InputError::Line {
                    path: path.into(),
                    line,
                    message: "no \"response_id\" (or \"id\") field".into(),
                });
            }
        };
        let text = match field(&["response", "text"]) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => {
                return Err(InputError::Line {
                    path: path.into(),
                    line,
                    message: "no \"response\" (or \"text\") field".into(),
                });
            }
        };
        let optional = |name: &str| field(&[name]).and_then(|v| v.as_str()).map(str::to_string);
        let response = Response {
            id,
            text,
            channel: optional("channel"),
            respondent_type: optional("respondent_type"),
            borough: optional("borough"),
            question: optional("question"),
        };
        push_response(&mut input, &mut ids, response, line);
    }
    finish(&mut input);
    Ok(input)
}

fn read_csv(path: &Path, bytes: &[u8]) -> Result<Input, InputError> {
    let mut input = Input::default();
    let mut ids = Ids::default();
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let headers = reader
        .byte_headers()
        .map_err(|e| InputError::Line { path: path.into(), line: 1, message: e.to_string() })?
        .clone();
    let column = |name: &str| {
        headers.iter().position(|h| String::from_utf8_lossy(h).trim().eq_ignore_ascii_case(name))
    };
    let Some(text_column) = column("text").or_else(|| column("response")) else {
        return Err(InputError::Line {
            path: path.into(),
            line: 1,
            message: "the header has no \"text\" column (expected columns: id, text, and optionally \
                      channel, respondent_type, borough, question)"
                .into(),
        });
    };
    let id_column = column("id").or_else(|| column("response_id"));
    let optional_columns = ["channel", "respondent_type", "borough", "question"].map(column);
    for (index, record) in reader.byte_records().enumerate() {
        let row = index + 2;
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize).unwrap_or(row);
            InputError::Line { path: path.into(), line, message: csv_message(&e) }
        })?;
        let line = record.position().map(|p| p.line() as usize).unwrap_or(row);
        let get = |i: usize, diagnostics: &mut Vec<Diagnostic>| {
            record.get(i).map(|raw| text_or_lossy(raw, Some(line), diagnostics))
        };
        let text = get(text_column, &mut input.diagnostics).unwrap_or_default();
        let id = match id_column.and_then(|c| get(c, &mut input.diagnostics)) {
            Some(raw) if !raw.trim().is_empty() => ResponseId::parse(&raw),
            _ => {
                input.diagnostics.push(Diagnostic {
                    line: Some(line),
                    message: format!("no id; using the row number {row}"),
                });
                ResponseId::Number(row as i64)
            }
        };
        let [channel, respondent_type, borough, question] = optional_columns
            .map(|c| c.and_then(|c| get(c, &mut input.diagnostics)).filter(|v| !v.trim().is_empty()));
        let response = Response { id, text, channel, respondent_type, borough, question };
        push_response(&mut input, &mut ids, response, line);
    }
    finish(&mut input);
    Ok(input)
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("this row has {len} fields but the header has {expected_len}")
        }
        _ => e.to_string(),
    }
}

fn text_or_lossy(raw: &[u8], line: Option<usize>, diagnostics: &mut Vec<Diagnostic>) -> String {
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(e) => {
            diagnostics.push(Diagnostic {
                line,
                message: format!(
                    "not valid UTF-8 (bad byte at offset {}); unreadable bytes were replaced with �",
                    e.valid_up_to()
                ),
            });
            String::from_utf8_lossy(raw).into_owned()
        }
    }
}

#[derive(Default)]
struct Ids {
    seen: std::collections::HashMap<ResponseId, usize>,
}

fn push_response(input: &mut Input, ids: &mut Ids, mut response: Response, line: usize) {
    let seen = ids.seen.entry(response.id.clone()).or_insert(0);
    *seen += 1;
    if *seen > 1 {
        // Both responses are counted; the second gets an id of its own so outputs stay joinable.
        let renamed = ResponseId::Text(format!("{}#{}", response.id, seen));
        input.diagnostics.push(Diagnostic {
            line: Some(line),
            message: format!("duplicate id {}; this response is reported as {renamed}", response.id),
        });
        response.id = renamed;
    }
    if response.text.trim().is_empty() {
        input.diagnostics.push(Diagnostic {
            line: Some(line),
            message: format!("response {} is empty; it is counted as giving no reason", response.id),
        });
    }
    input.responses.push(response);
}

fn finish(input: &mut Input) {
    if input.question.is_none() {
        let mut questions = input.responses.iter().filter_map(|r| r.question.as_deref());
        if let Some(first) = questions.next()
            && questions.all(|q| q == first)
        {
            input.question = Some(first.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("heard-input-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn csv_with_multiline_quoted_text_and_optional_columns() {
        let path = temp_file(
            "a.csv",
            b"id,text,channel,borough\nr1,\"Two lines,\nwith a comma\",email,Hackney\nr2,Short,,\n",
        );
        let input = read(&path).unwrap();
        assert_eq!(input.responses.len(), 2);
        assert_eq!(input.responses[0].text, "Two lines,\nwith a comma");
        assert_eq!(input.responses[0].channel.as_deref(), Some("email"));
        assert_eq!(input.responses[1].borough, None);
        assert!(input.diagnostics.is_empty());
    }

    #[test]
    fn csv_errors_name_the_line() {
        let path = temp_file("bad.csv", b"id,text\n1,fine\n2,too,many\n");
        let message = read(&path).unwrap_err().to_string();
        assert!(message.contains("line 3") && message.contains("3 fields"), "{message}");
        let path = temp_file("nocol.csv", b"id,comment\n1,x\n");
        assert!(read(&path).unwrap_err().to_string().contains("no \"text\" column"));
    }

    #[test]
    fn jsonl_odd_input_is_counted_with_diagnostics() {
        let mut bytes =
            b"{\"response_id\": 1, \"response\": \"ok\"}\n\n{\"response_id\": 1, \"response\": \"\"}\n"
                .to_vec();
        bytes.extend_from_slice(b"{\"id\": \"x\", \"text\": \"caf\xe9\"}\n");
        let path = temp_file("odd.jsonl", &bytes);
        let input = read(&path).unwrap();
        assert_eq!(input.responses.len(), 3);
        assert_eq!(input.responses[1].id, ResponseId::Text("1#2".into()));
        assert_eq!(input.responses[2].text, "caf\u{fffd}");
        let messages: Vec<String> = input.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(messages.iter().any(|m| m.starts_with("line 3: duplicate id 1")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("is empty")), "{messages:?}");
        assert!(messages.iter().any(|m| m.starts_with("line 4: not valid UTF-8")), "{messages:?}");
    }

    #[test]
    fn jsonl_broken_line_is_an_error_naming_it() {
        let path = temp_file("broken.jsonl", b"{\"id\": 1, \"text\": \"ok\"}\n{\"id\": 2, \"text\": \n");
        let message = read(&path).unwrap_err().to_string();
        assert!(message.contains("line 2"), "{message}");
    }

    #[test]
    fn ids_keep_their_kind() {
        assert_eq!(ResponseId::parse("42"), ResponseId::Number(42));
        assert_eq!(ResponseId::parse("007"), ResponseId::Text("007".into()));
        assert_eq!(ResponseId::parse("R-1"), ResponseId::Text("R-1".into()));
    }
}
