//! The back office's consultation form: the fields as typed, read into a [`ConsultationEdit`] with a
//! message per field for whatever cannot be read, and written back from one for editing.
//!
//! The parts with many rows are textareas, one item per line (or per block of lines), so that the
//! form works without JavaScript and whatever was typed comes back as it was:
//!
//! - Objectives: a block per objective, blocks apart by an empty line. The first line is its title,
//!   lines starting with "- " are its commitments, any other lines its summary.
//! - Timeline: `YYYY-MM-DD | Title | Detail` a line (the detail may be left out).
//! - Documents: `Title | Link | Format | easy read` a line (write "easy read" last for an easy read
//!   version, or leave it out).
//! - Ways to respond: `kind | Title | Detail | Address` a line, kind one of survey, events, email,
//!   post; a postal address's lines are apart by ";".
//! - Discussions: a block per discussion, apart by an empty line. The first line is
//!   `slug | Title | opens YYYY-MM-DD | closes YYYY-MM-DD`, lines starting with "- " are its prompt
//!   questions, any other lines its introduction.

use heard_store::links::link_problem;
use heard_store::{
    Channel, ChannelKind, ConsultationEdit, Date, Document, NewConsultation, NewDiscussion, NewObjective,
    TimelineEntry,
};
use serde::Deserialize;

use super::FieldError;

/// The form as typed. `hosts` come from repeated `host` fields.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ConsultationForm {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub organisation: String,
    pub respondent_noun: String,
    pub opens_on: String,
    pub closes_on: String,
    pub results_expected: String,
    pub accessible_formats: String,
    pub objectives: String,
    pub timeline: String,
    pub documents: String,
    pub channels: String,
    pub host_organisation: String,
    pub discussions: String,
    #[serde(skip)]
    pub hosts: Vec<i64>,
}

const MAX_TITLE: usize = 200;

impl ConsultationForm {
    /// A blank form with the usual defaults.
    pub fn blank() -> ConsultationForm {
        ConsultationForm { respondent_noun: "people".into(), ..ConsultationForm::default() }
    }

    /// The form for editing what is stored.
    pub fn from_edit(edit: &ConsultationEdit) -> ConsultationForm {
        let c = &edit.consultation;
        let objectives = c
            .objectives
            .iter()
            .map(|o| {
                let mut lines = vec![o.title.clone()];
                if !o.summary.is_empty() {
                    lines.push(o.summary.clone());
                }
                lines.extend(o.commitments.iter().map(|t| format!("- {t}")));
                lines.join("\n")
            })
            .collect::<Vec<_>>()
            .join("\n\n");
        let timeline = c
            .timeline
            .iter()
            .map(|t| join_parts(&[t.on_date.to_string(), t.title.clone(), t.detail.clone()]))
            .collect::<Vec<_>>()
            .join("\n");
        let documents = c
            .documents
            .iter()
            .map(|d| {
                let mut parts = vec![d.title.clone(), d.url.clone(), d.format.clone()];
                if d.easy_read {
                    parts.push("easy read".into());
                }
                join_parts(&parts)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let channels = c
            .channels
            .iter()
            .map(|ch| {
                let address = ch.address.lines().map(str::trim).collect::<Vec<_>>().join("; ");
                join_parts(&[ch.kind.as_str().into(), ch.title.clone(), ch.detail.clone(), address])
            })
            .collect::<Vec<_>>()
            .join("\n");
        let discussions = edit
            .discussions
            .iter()
            .map(|d| {
                let mut lines = vec![join_parts(&[
                    d.slug.clone(),
                    d.title.clone(),
                    d.opens_on.to_string(),
                    d.closes_on.to_string(),
                ])];
                lines.extend(d.intro.lines().map(str::to_owned));
                lines.extend(d.questions.iter().map(|q| format!("- {q}")));
                lines.join("\n")
            })
            .collect::<Vec<_>>()
            .join("\n\n");
        let mut hosts: Vec<i64> = Vec::new();
        for d in &edit.discussions {
            for h in &d.hosts {
                if !hosts.contains(h) {
                    hosts.push(*h);
                }
            }
        }
        ConsultationForm {
            slug: c.slug.clone(),
            title: c.title.clone(),
            summary: c.summary.clone(),
            organisation: c.organisation.clone(),
            respondent_noun: c.respondent_noun.clone(),
            opens_on: c.opens_on.to_string(),
            closes_on: c.closes_on.to_string(),
            results_expected: c.results_expected.clone().unwrap_or_default(),
            accessible_formats: c.accessible_formats.clone(),
            objectives,
            timeline,
            documents,
            channels,
            host_organisation: edit
                .discussions
                .first()
                .map(|d| d.host_organisation.clone())
                .unwrap_or_default(),
            discussions,
            hosts,
        }
    }

    /// What the form says, or what is wrong with it, field by field in the order of the form.
    /// `recorded_responses` is kept from what is stored: the form does not edit it.
    pub fn parse(&self, recorded_responses: Option<i64>) -> Result<ConsultationEdit, Vec<FieldError>> {
        let mut errors = Vec::new();
        let slug = self.slug.trim().to_owned();
        if slug.is_empty() {
            errors.push(FieldError::new("slug", "Enter the web address, such as parks-after-dark."));
        } else if !is_slug(&slug) {
            errors.push(FieldError::new(
                "slug",
                "The web address can only have lower-case letters, digits and single hyphens, such as parks-after-dark.",
            ));
        }
        let title = required(&mut errors, "title", &self.title, "Enter the title.");
        if title.chars().count() > MAX_TITLE {
            errors.push(FieldError::new(
                "title",
                format!("The title is too long: use at most {MAX_TITLE} characters."),
            ));
        }
        let summary = required(&mut errors, "summary", &self.summary, "Enter a summary of what is proposed.");
        let organisation =
            required(&mut errors, "organisation", &self.organisation, "Enter the organisation running it.");
        let respondent_noun = required(
            &mut errors,
            "respondent_noun",
            &self.respondent_noun,
            "Say what to call the people who respond, such as Londoners or residents.",
        );
        let opens_on = date_field(&mut errors, "opens_on", &self.opens_on, "the opening date");
        let closes_on = date_field(&mut errors, "closes_on", &self.closes_on, "the closing date");
        if let (Some(opens), Some(closes)) = (opens_on, closes_on)
            && closes < opens
        {
            errors
                .push(FieldError::new("closes_on", "The closing date must be on or after the opening date."));
        }
        let objectives = objectives(&self.objectives);
        let timeline = lines_of(&mut errors, "timeline", "Timeline", &self.timeline, timeline_entry);
        let documents = lines_of(&mut errors, "documents", "Documents", &self.documents, document);
        let channels = lines_of(&mut errors, "channels", "Ways to respond", &self.channels, channel);
        let host_organisation = self.host_organisation.trim().to_owned();
        let discussions = match discussions(&self.discussions, &self.hosts, &host_organisation) {
            Ok(d) => d,
            Err(message) => {
                errors.push(FieldError::new("discussions", message));
                Vec::new()
            }
        };
        let (Some(opens_on), Some(closes_on)) = (opens_on, closes_on) else {
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(ConsultationEdit {
            consultation: NewConsultation {
                slug,
                title,
                summary,
                organisation,
                respondent_noun,
                opens_on,
                closes_on,
                recorded_responses,
                results_expected: optional(&self.results_expected),
                accessible_formats: self.accessible_formats.trim().to_owned(),
                objectives,
                timeline,
                documents,
                channels,
            },
            discussions,
        })
    }
}

fn join_parts(parts: &[String]) -> String {
    let mut parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    while parts.len() > 2 && parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts.join(" | ")
}

fn required(errors: &mut Vec<FieldError>, field: &'static str, value: &str, message: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.push(FieldError::new(field, message));
    }
    value.to_owned()
}

fn date_field(errors: &mut Vec<FieldError>, field: &'static str, value: &str, what: &str) -> Option<Date> {
    let value = value.trim();
    if value.is_empty() {
        errors.push(FieldError::new(field, format!("Enter {what}.")));
        return None;
    }
    match Date::parse_iso(value) {
        Ok(date) => Some(date),
        Err(_) => {
            errors.push(FieldError::new(field, format!("Enter {what} as a real date, such as 2025-03-18.")));
            None
        }
    }
}

/// A slug as the store accepts it.
pub fn is_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 80
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
}

/// Reads each non-empty line with `read`; the first line that cannot be read is the field's error.
fn lines_of<T>(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    label: &str,
    text: &str,
    read: fn(&[&str]) -> Result<T, String>,
) -> Vec<T> {
    let mut items = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        match read(&parts) {
            Ok(item) => items.push(item),
            Err(why) => {
                errors.push(FieldError::new(field, format!("{label}, line {}: {why}", n + 1)));
                return Vec::new();
            }
        }
    }
    items
}

fn timeline_entry(parts: &[&str]) -> Result<TimelineEntry, String> {
    let [on_date, title, rest @ ..] = parts else {
        return Err("write the date, then the title, apart by “|”.".into());
    };
    let on_date = Date::parse_iso(on_date)
        .map_err(|_| format!("“{on_date}” is not a date: write it like 2025-03-18."))?;
    if title.is_empty() {
        return Err("the title is missing.".into());
    }
    Ok(TimelineEntry { on_date, title: (*title).to_owned(), detail: rest.join(" | ") })
}

fn document(parts: &[&str]) -> Result<Document, String> {
    let (title, url, format, easy_read) = match parts {
        [title, url, format] => (title, url, format, false),
        [title, url, format, flag] if flag.eq_ignore_ascii_case("easy read") => (title, url, format, true),
        [_, _, _, flag] => {
            return Err(format!("the last part is “{flag}”: write “easy read” or leave it out."));
        }
        _ => return Err("write the title, the link and the format, apart by “|”.".into()),
    };
    if title.is_empty() || url.is_empty() || format.is_empty() {
        return Err("the title, the link and the format are all needed.".into());
    }
    if let Some(problem) = link_problem(url) {
        return Err(problem);
    }
    Ok(Document {
        title: (*title).to_owned(),
        url: (*url).to_owned(),
        format: (*format).to_owned(),
        easy_read,
    })
}

fn channel(parts: &[&str]) -> Result<Channel, String> {
    let [kind, title, detail, rest @ ..] = parts else {
        return Err("write the kind, the title and the detail (and an address), apart by “|”.".into());
    };
    let kind = ChannelKind::parse(&kind.to_lowercase())
        .ok_or_else(|| format!("“{kind}” is not a way to respond: use survey, events, email or post."))?;
    if title.is_empty() || detail.is_empty() {
        return Err("the title and the detail are both needed.".into());
    }
    let address = rest.join(" | ");
    let address = match kind {
        ChannelKind::Post => {
            address.split(';').map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
        }
        _ => address,
    };
    if kind == ChannelKind::Email && !address.contains('@') {
        return Err("an email way to respond needs the address to write to, last.".into());
    }
    if kind == ChannelKind::Post && address.is_empty() {
        return Err("a postal way to respond needs the address, last, its lines apart by “;”.".into());
    }
    // The survey's and events' ways to respond are links to their page, when they have one.
    if matches!(kind, ChannelKind::Survey | ChannelKind::Events)
        && !address.is_empty()
        && let Some(problem) = link_problem(&address)
    {
        return Err(problem);
    }
    Ok(Channel { kind, title: (*title).to_owned(), detail: (*detail).to_owned(), address })
}

/// Blocks of lines apart by empty lines, each with the line number it starts on.
fn blocks(text: &str) -> Vec<(usize, Vec<&str>)> {
    let mut blocks: Vec<(usize, Vec<&str>)> = Vec::new();
    let mut current: Option<(usize, Vec<&str>)> = None;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            blocks.extend(current.take());
        } else {
            current.get_or_insert_with(|| (n + 1, Vec::new())).1.push(line.trim());
        }
    }
    blocks.extend(current);
    blocks
}

fn objectives(text: &str) -> Vec<NewObjective> {
    blocks(text)
        .into_iter()
        .map(|(_, lines)| {
            let (commitments, summary): (Vec<&str>, Vec<&str>) =
                lines[1..].iter().partition(|l| l.starts_with("- "));
            NewObjective {
                title: lines[0].to_owned(),
                summary: summary.join(" "),
                commitments: commitments.iter().map(|c| c[2..].trim().to_owned()).collect(),
            }
        })
        .collect()
}

fn discussions(text: &str, hosts: &[i64], host_organisation: &str) -> Result<Vec<NewDiscussion>, String> {
    let mut out: Vec<NewDiscussion> = Vec::new();
    for (line, lines) in blocks(text) {
        let parts: Vec<&str> = lines[0].split('|').map(str::trim).collect();
        let [slug, title, opens, closes] = parts[..] else {
            return Err(format!(
                "Discussions, line {line}: start with the slug, the title, the opening and the closing date, apart by “|”."
            ));
        };
        if !is_slug(slug) {
            return Err(format!(
                "Discussions, line {line}: “{slug}” cannot be a web address: use lower-case letters, digits and hyphens."
            ));
        }
        if out.iter().any(|d| d.slug == slug) {
            return Err(format!("Discussions, line {line}: another discussion has the address “{slug}”."));
        }
        if title.is_empty() {
            return Err(format!("Discussions, line {line}: the title is missing."));
        }
        let date = |d: &str| {
            Date::parse_iso(d).map_err(|_| {
                format!("Discussions, line {line}: “{d}” is not a date: write it like 2025-03-18.")
            })
        };
        let (opens_on, closes_on) = (date(opens)?, date(closes)?);
        if closes_on < opens_on {
            return Err(format!("Discussions, line {line}: it closes before it opens."));
        }
        let (questions, intro): (Vec<&str>, Vec<&str>) = lines[1..].iter().partition(|l| l.starts_with("- "));
        if intro.is_empty() {
            return Err(format!(
                "Discussions, line {line}: add a line of introduction under the first line."
            ));
        }
        out.push(NewDiscussion {
            slug: slug.to_owned(),
            title: title.to_owned(),
            intro: intro.join("\n"),
            opens_on,
            closes_on,
            questions: questions.iter().map(|q| q[2..].trim().to_owned()).collect(),
            hosts: hosts.to_vec(),
            host_organisation: host_organisation.to_owned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> ConsultationForm {
        ConsultationForm {
            slug: "parks".into(),
            title: "Parks after dark".into(),
            summary: "Lights in parks.\nWhich paths?".into(),
            organisation: "Demo Council".into(),
            respondent_noun: "residents".into(),
            opens_on: "2025-01-01".into(),
            closes_on: "2025-02-01".into(),
            results_expected: "Spring 2025".into(),
            accessible_formats: "Ask for large print.".into(),
            objectives: "Safer routes\nLight the paths.\n- Light ten parks\n- Keep gates open\n\nMore wardens\n- Two per park".into(),
            timeline: "2025-01-01 | Consultation opens\n2025-03-01 | Decision | At the cabinet meeting".into(),
            documents: "The plan | https://example.org/plan.pdf | PDF, 1 MB\nEasy read plan | /easy.pdf | PDF | easy read".into(),
            channels: "email | Email | Send us your views. | parks@example.org\npost | Post | No stamp needed. | Freepost PARKS; Demo Council".into(),
            host_organisation: "Parks team".into(),
            discussions: "what-would-help | What would help? | 2025-01-01 | 2025-02-01\nTell us which paths you use.\n- Which paths?\n- What would help?".into(),
            hosts: vec![7],
        }
    }

    #[test]
    fn a_form_reads_into_a_consultation_and_back_unchanged() {
        let edit = filled().parse(None).expect("reads");
        let c = &edit.consultation;
        assert_eq!(c.objectives.len(), 2);
        assert_eq!(c.objectives[0].summary, "Light the paths.");
        assert_eq!(c.objectives[0].commitments, ["Light ten parks", "Keep gates open"]);
        assert_eq!(c.timeline[1].detail, "At the cabinet meeting");
        assert!(c.documents[1].easy_read && !c.documents[0].easy_read);
        assert_eq!(c.channels[1].address, "Freepost PARKS\nDemo Council");
        assert_eq!(edit.discussions[0].questions, ["Which paths?", "What would help?"]);
        assert_eq!(edit.discussions[0].hosts, [7]);
        let again = ConsultationForm::from_edit(&edit);
        for (a, b) in [
            (&again.objectives, &filled().objectives),
            (&again.timeline, &filled().timeline),
            (&again.documents, &filled().documents),
            (&again.channels, &filled().channels),
            (&again.discussions, &filled().discussions),
        ] {
            assert_eq!(a, b);
        }
    }

    #[test]
    fn each_problem_names_its_field_and_line() {
        let mut form = filled();
        form.slug = "Parks After Dark".into();
        form.closes_on = "2024-12-01".into();
        form.timeline = "2025-01-01 | Opens\n2025-13-01 | Closes".into();
        form.channels = "fax | Fax | Send a fax | 0207".into();
        form.discussions = "talk | Talk | 2025-01-01\nIntro".into();
        let errors = form.parse(None).unwrap_err();
        let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field, e.message.as_str())).collect();
        assert_eq!(got[0].0, "slug");
        assert_eq!(got[1], ("closes_on", "The closing date must be on or after the opening date."));
        assert_eq!(
            got[2],
            ("timeline", "Timeline, line 2: “2025-13-01” is not a date: write it like 2025-03-18.")
        );
        assert!(got[3].1.starts_with("Ways to respond, line 1: “fax” is not a way to respond"), "{got:?}");
        assert!(got[4].1.starts_with("Discussions, line 1: start with the slug"), "{got:?}");
        assert_eq!(got.len(), 5);
    }
}
