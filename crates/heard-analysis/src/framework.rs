//! A theme framework given by the analyst: a ThemeFinder `themes.json`, a JSON list of
//! "Label: description" strings, or a text file with one "Label: description" per line.

use std::path::Path;

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FrameworkTheme {
    pub id: String,
    pub label: String,
    pub description: String,
}

impl FrameworkTheme {
    /// Catch-all themes are assigned when nothing else fits, never by similarity.
    pub fn catch_all(&self) -> Option<CatchAll> {
        let label = self.label.to_lowercase();
        if label.contains("no reason")
            || label.contains("no response")
            || label.contains("no answer")
            || label.contains("blank")
        {
            Some(CatchAll::NoReason)
        } else if label.contains("none of the above")
            || label == "other"
            || label.starts_with("other ")
            || label.contains("not applicable")
        {
            Some(CatchAll::NoneOfTheAbove)
        } else {
            None
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatchAll {
    NoneOfTheAbove,
    NoReason,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Framework {
    pub themes: Vec<FrameworkTheme>,
}

#[derive(Debug, thiserror::Error)]
pub enum FrameworkError {
    #[error("cannot read the framework {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the framework {path}: {message}")]
    Invalid { path: String, message: String },
}

pub fn read(path: &Path) -> Result<Framework, FrameworkError> {
    let shown = path.display().to_string();
    let raw =
        std::fs::read_to_string(path).map_err(|source| FrameworkError::Io { path: shown.clone(), source })?;
    parse(&raw, &shown)
}

/// Reads a framework from text (`source` names it in errors: a file, or "the framework").
pub fn parse(raw: &str, source: &str) -> Result<Framework, FrameworkError> {
    let shown = source.to_string();
    let invalid = |message: String| FrameworkError::Invalid { path: shown.clone(), message };
    let trimmed = raw.trim_start();
    let mut themes = Vec::new();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(raw)
            .map_err(|e| invalid(format!("line {}: not valid JSON: {e}", e.line())))?;
        let list = match &value {
            serde_json::Value::Array(list) => list.clone(),
            serde_json::Value::Object(o) => match o.get("themes") {
                Some(serde_json::Value::Array(list)) => list.clone(),
                _ => {
                    return Err(invalid(
                        "expected a list of themes, or an object with a \"themes\" list".into(),
                    ));
                }
            },
            _ => return Err(invalid("expected a list of themes".into())),
        };
        for (i, item) in list.iter().enumerate() {
            let theme = match item {
                serde_json::Value::String(s) => from_line(s, i),
                serde_json::Value::Object(o) => {
                    let text = |keys: &[&str]| {
                        keys.iter()
                            .find_map(|k| o.get(*k))
                            .and_then(|v| v.as_str())
                            .map(str::trim)
                            .map(str::to_string)
                    };
                    let label = text(&["topic_label", "label", "name", "theme"]);
                    let description = text(&["topic_description", "description"]).unwrap_or_default();
                    match label {
                        Some(label) if !label.is_empty() => Some(FrameworkTheme {
                            id: text(&["topic_id", "id"]).unwrap_or_else(|| theme_id(i)),
                            label,
                            description,
                        }),
                        _ => match text(&["topic"]) {
                            Some(topic) => from_line(&topic, i),
                            None => None,
                        },
                    }
                }
                _ => None,
            };
            match theme {
                Some(theme) => themes.push(theme),
                None => return Err(invalid(format!("theme {} has no label", i + 1))),
            }
        }
    } else {
        for (i, line) in raw.lines().enumerate() {
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let n = themes.len();
            match from_line(line, n) {
                Some(theme) => themes.push(theme),
                None => return Err(invalid(format!("line {}: expected \"Label: description\"", i + 1))),
            }
        }
    }
    if themes.iter().all(|t| t.catch_all().is_some()) {
        return Err(invalid("it has no themes (only catch-alls, or nothing)".into()));
    }
    let mut ids = std::collections::HashSet::new();
    let mut labels = std::collections::HashSet::new();
    for t in &themes {
        if !ids.insert(t.id.clone()) {
            return Err(invalid(format!("the id {:?} is used by more than one theme", t.id)));
        }
        // Two themes of one name would read as one wherever the results are shown.
        if !labels.insert(t.label.to_lowercase()) {
            return Err(invalid(format!("the name {:?} is used by more than one theme", t.label)));
        }
    }
    Ok(Framework { themes })
}

fn from_line(line: &str, index: usize) -> Option<FrameworkTheme> {
    let line = line.trim().trim_start_matches(['-', '*', '•']).trim();
    if line.is_empty() {
        return None;
    }
    let (label, description) = match line.split_once(": ").or_else(|| line.split_once(" - ")) {
        Some((l, d)) => (l.trim(), d.trim()),
        None => (line, ""),
    };
    Some(FrameworkTheme {
        id: theme_id(index),
        label: label.to_string(),
        description: description.to_string(),
    })
}

/// "A", "B", ... "Z", "AA", "AB", ... as ThemeFinder names its themes.
pub fn theme_id(index: usize) -> String {
    let mut n = index;
    let mut out = Vec::new();
    loop {
        out.push((b'A' + (n % 26) as u8) as char);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_run_like_spreadsheet_columns() {
        assert_eq!(theme_id(0), "A");
        assert_eq!(theme_id(25), "Z");
        assert_eq!(theme_id(26), "AA");
        assert_eq!(theme_id(27), "AB");
    }

    #[test]
    fn reads_themefinder_json_and_plain_lines() {
        let dir = std::env::temp_dir().join(format!("heard-framework-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let json = dir.join("themes.json");
        std::fs::write(&json, r#"[{"topic_id":"A","topic_label":"Lighting","topic_description":"Street lights"},{"topic_id":"XX","topic_label":"None of the Above","topic_description":""}]"#).unwrap();
        let f = read(&json).unwrap();
        assert_eq!(f.themes.len(), 2);
        assert_eq!(f.themes[1].catch_all(), Some(CatchAll::NoneOfTheAbove));
        let text = dir.join("codes.txt");
        std::fs::write(&text, "Lighting: street lights and parks\n\n# comment\nPolicing - more officers\n")
            .unwrap();
        let f = read(&text).unwrap();
        assert_eq!(
            f.themes[1],
            FrameworkTheme { id: "B".into(), label: "Policing".into(), description: "more officers".into() }
        );
        std::fs::write(&text, "").unwrap();
        assert!(read(&text).unwrap_err().to_string().contains("no themes"));
    }

    #[test]
    fn two_themes_of_one_name_are_refused() {
        let refused = parse("Lighting: street lights\nPolicing: officers\nlighting: parks\n", "codes.txt");
        assert_eq!(
            refused.unwrap_err().to_string(),
            "the framework codes.txt: the name \"lighting\" is used by more than one theme"
        );
    }
}
