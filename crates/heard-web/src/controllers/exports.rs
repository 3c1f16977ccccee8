//! Downloads. For staff (hosts and administrators, `Action::EnterResponses`): the register of every
//! response from every channel, one line per text, as CSV and as a spreadsheet (XLSX), in the same
//! lines as `heard responses export` ([`heard_store::RegisterEntry::export_lines`]), with a last
//! column of the themes each line raises in the latest finished analysis run. These hold personal
//! data (organisations' names, what people wrote, held and hidden comments marked by their state), so
//! they are never cached and always saved as files.
//!
//! Every CSV cell goes through [`csv_out::write_row`], so nothing typed runs as a spreadsheet formula.
//!
//! For everyone: a published consultation's open data as a zip of CSV files, with what the public
//! site shows and nothing more (no email address, no held, hidden or deleted comment, survey results
//! and the themes and approved quotes of analysis runs only once the consultation's results are
//! published).

use std::io::{Cursor, Write};

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use heard_store::{REGISTER_COLUMNS, RegisterEntry, csv_out};

use super::api;
use crate::auth::Visitor;
use crate::policy::{self, Action};
use crate::{ApiError, AppState, WebError};

/// The column after the register's own: the themes a line raises in the latest finished analysis run
/// ("Lighting; Patrols"), empty when no run read it.
pub const THEMES_COLUMN: &str = "themes";

/// Theme labels joined with "; ", by register line id ("r5-2", "c12").
pub type LineThemes = std::collections::HashMap<String, String>;

/// The most UTF-16 code units a spreadsheet cell holds.
pub const XLSX_CELL_LIMIT: usize = 32_767;

/// Comments read from the store at a time while writing the open data.
const COMMENTS_AT_A_TIME: i64 = 1_000;

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn responses_csv(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let (entries, themes) = register(&state, &visitor, &slug, "csv").await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let written: Result<(), csv::Error> = (|| {
        csv_out::write_row(&mut writer, REGISTER_COLUMNS.iter().chain([&THEMES_COLUMN]))?;
        for entry in &entries {
            for line in entry.export_lines() {
                let themes = themes.get(&line.id).map_or("", String::as_str);
                csv_out::write_row(&mut writer, line.fields().iter().chain([&themes]))?;
            }
        }
        Ok(())
    })();
    written.map_err(|e| WebError::Internal(format!("writing the register as CSV: {e}")))?;
    let bytes = writer.into_inner().map_err(|e| WebError::Internal(format!("writing CSV: {e}")))?;
    Ok(staff_download(bytes, "text/csv; charset=utf-8", &format!("{slug}-responses.csv")))
}

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn responses_xlsx(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let (entries, themes) = register(&state, &visitor, &slug, "xlsx").await?;
    // Writing a large workbook takes a while: off the threads that answer requests.
    let bytes = tokio::task::spawn_blocking(move || register_workbook(&entries, &themes))
        .await
        .map_err(|e| WebError::Internal(format!("writing the spreadsheet: {e}")))?
        .map_err(|e| WebError::Internal(format!("writing the spreadsheet: {e}")))?;
    Ok(staff_download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{slug}-responses.xlsx"),
    ))
}

/// A published consultation's open data: consultation.csv, discussions.csv, comments.csv (the
/// comments the public can read), survey_results.csv once results are published and there is a
/// survey, and themes.csv and quotes.csv (approved ones) of the analysis runs in the published
/// results.
/// Counted against the API's rate limit, like the API.
#[tracing::instrument(skip(state), fields(consultation.slug = %slug))]
pub async fn open_data(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let c = api::published(&state, &slug).await?;
    let today = state.today();
    let s = &c.summary;
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();

    let respondents = state.store().respondent_count(s.id).await?.max(s.recorded_responses.unwrap_or(0));
    let consultation = csv_file(
        &[
            "slug",
            "title",
            "organisation",
            "opens_on",
            "closes_on",
            "status",
            "stage",
            "respondent_count",
            "page",
        ],
        vec![vec![
            s.slug.clone(),
            s.title.clone(),
            s.organisation.clone(),
            s.opens_on.to_string(),
            s.closes_on.to_string(),
            s.status(today).label().to_lowercase(),
            s.stage(today).as_str().to_owned(),
            respondents.to_string(),
            format!("/consultations/{slug}"),
        ]],
    )?;
    files.push(("consultation.csv", consultation));

    let mut discussion_rows = Vec::new();
    let mut comment_rows = Vec::new();
    for d in &c.discussions {
        let mut offset = 0;
        let total = loop {
            let (comments, total) =
                state.store().published_comments(d.id, offset, COMMENTS_AT_A_TIME).await?;
            for comment in &comments {
                let c = api::comment_json(comment);
                comment_rows.push(vec![
                    d.slug.clone(),
                    c.id.to_string(),
                    c.reply_to.map(|p| p.to_string()).unwrap_or_default(),
                    c.author,
                    c.author_role.to_owned(),
                    c.synthetic.to_string(),
                    c.posted_at,
                    c.edited_at.unwrap_or_default(),
                    c.agreements.to_string(),
                    c.text,
                ]);
            }
            offset += comments.len() as i64;
            if comments.is_empty() || offset >= total {
                break total;
            }
        };
        discussion_rows.push(vec![
            d.slug.clone(),
            d.title.clone(),
            d.opens_on.to_string(),
            d.closes_on.to_string(),
            d.status(today).label().to_lowercase(),
            total.to_string(),
            format!("/consultations/{slug}/discussions/{}", d.slug),
        ]);
    }
    files.push((
        "discussions.csv",
        csv_file(
            &["slug", "title", "opens_on", "closes_on", "status", "comment_count", "page"],
            discussion_rows,
        )?,
    ));
    files.push((
        "comments.csv",
        csv_file(
            &[
                "discussion",
                "id",
                "reply_to",
                "author",
                "author_role",
                "synthetic",
                "posted_at",
                "edited_at",
                "agreements",
                "text",
            ],
            comment_rows,
        )?,
    ));

    if s.results_published
        && let Some(survey) = state.store().survey_for(&slug).await?
    {
        let results = state.store().survey_results(&survey).await?;
        let mut rows = Vec::new();
        for section in &survey.sections {
            for q in &section.questions {
                let Some(r) = results.questions.iter().find(|r| r.question_id == q.id) else { continue };
                let row = |option: &str, count: i64, average: Option<f64>| {
                    vec![
                        q.id.to_string(),
                        section.title.clone(),
                        q.prompt.clone(),
                        q.kind.as_str().to_owned(),
                        r.answered.to_string(),
                        option.to_owned(),
                        count.to_string(),
                        average.map(|a| format!("{a:.2}")).unwrap_or_default(),
                    ]
                };
                rows.extend(r.counts.iter().map(|(option, n)| row(option, *n, None)));
                rows.extend(r.average_ranks.iter().map(|(option, average, n)| row(option, *n, *average)));
            }
        }
        files.push((
            "survey_results.csv",
            csv_file(
                &[
                    "question_id",
                    "section",
                    "question",
                    "kind",
                    "answered",
                    "option",
                    "count",
                    "average_rank",
                ],
                rows,
            )?,
        ));
    }

    // Themes as "what we heard" shows them: once the results are published.
    let runs = if s.results_published { state.store().published_runs(s.id).await? } else { Vec::new() };
    if !runs.is_empty() {
        let mut themes = Vec::new();
        let mut quotes = Vec::new();
        for published in &runs {
            let run = &published.run;
            for t in &published.themes {
                themes.push(vec![
                    run.id.to_string(),
                    run.scope.label(),
                    t.label.clone(),
                    t.description.clone(),
                    t.kind.as_str().to_owned(),
                    t.count.to_string(),
                    format!("{:.4}", t.share),
                    t.positions.agree.to_string(),
                    t.positions.disagree.to_string(),
                    t.positions.unclear.to_string(),
                    t.campaign_texts.to_string(),
                    api::outcome_key(t.outcome).to_owned(),
                    t.we_did.clone(),
                ]);
                for q in t.quotes.iter().filter(|q| q.approved) {
                    quotes.push(vec![
                        run.id.to_string(),
                        t.label.clone(),
                        q.text.clone(),
                        q.channel.as_str().to_owned(),
                        q.respondent_type.as_str().to_owned(),
                    ]);
                }
            }
        }
        files.push((
            "themes.csv",
            csv_file(
                &[
                    "run",
                    "scope",
                    "theme",
                    "description",
                    "kind",
                    "count",
                    "share",
                    "agree",
                    "disagree",
                    "unclear",
                    "campaign_texts",
                    "outcome",
                    "we_did",
                ],
                themes,
            )?,
        ));
        files
            .push(("quotes.csv", csv_file(&["run", "theme", "text", "channel", "respondent_type"], quotes)?));
    }

    let zipped = zip_files(&files, today)
        .map_err(|e| ApiError::Internal(format!("writing the open data zip: {e}")))?;
    let mut response = zipped.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{slug}-open-data.zip\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// The spreadsheet of the register: a header row, then one row per line with its themes. A text
/// longer than a cell holds is cut, with a note saying so (the CSV download has it whole).
pub fn register_workbook(
    entries: &[RegisterEntry],
    themes: &LineThemes,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Responses")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (column, name) in REGISTER_COLUMNS.iter().chain([&THEMES_COLUMN]).enumerate() {
        sheet.write_string_with_format(0, column as u16, *name, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let mut row: u32 = 1;
    for entry in entries {
        for line in entry.export_lines() {
            let line_themes = themes.get(&line.id).map_or("", String::as_str);
            for (column, value) in line.fields().iter().chain([&line_themes]).enumerate() {
                if !value.is_empty() {
                    sheet.write_string(row, column as u16, fit_cell(value))?;
                }
            }
            row += 1;
        }
    }
    workbook.save_to_buffer()
}

/// `text` whole, or cut to fit a spreadsheet cell with a note of how long it was.
pub fn fit_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.encode_utf16().count() <= XLSX_CELL_LIMIT {
        return text.into();
    }
    let note = format!(
        " [cut: {} characters in all, more than a spreadsheet cell holds; the CSV download has the whole text]",
        crate::format::thousands(text.chars().count() as i64)
    );
    let room = XLSX_CELL_LIMIT - note.encode_utf16().count();
    let mut used = 0;
    let end = text
        .char_indices()
        .find(|(_, c)| {
            used += c.len_utf16();
            used > room
        })
        .map_or(text.len(), |(at, _)| at);
    format!("{}{note}", &text[..end]).into()
}

/// The register of a consultation (drafts too: staff may export one being tried out), and the
/// themes of its lines, for staff who may read it.
async fn register(
    state: &AppState,
    visitor: &Visitor,
    slug: &str,
    extension: &str,
) -> Result<(Vec<RegisterEntry>, LineThemes), WebError> {
    policy::require(
        visitor,
        Action::EnterResponses,
        &format!("/admin/consultations/{slug}/export/responses.{extension}"),
    )?;
    let c = state.store().consultation_for_staff(slug).await?.ok_or(WebError::NotFound)?;
    let entries = state.store().register_all(c.summary.id).await?;
    let mut themes = LineThemes::new();
    if let Some(run) = state.store().latest_finished_run(c.summary.id).await? {
        for text in state.store().run_texts(run.id).await? {
            themes.insert(text.line, text.themes.join("; "));
        }
    }
    Ok((entries, themes))
}

fn staff_download(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

fn csv_file(header: &[&str], rows: Vec<Vec<String>>) -> Result<Vec<u8>, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let written: Result<(), csv::Error> = (|| {
        csv_out::write_row(&mut writer, header)?;
        for row in rows {
            csv_out::write_row(&mut writer, row)?;
        }
        writer.flush()?;
        Ok(())
    })();
    written.map_err(|e| ApiError::Internal(format!("writing CSV: {e}")))?;
    writer.into_inner().map_err(|e| ApiError::Internal(format!("writing CSV: {e}")))
}

/// The files zipped, each dated `today` (without a date, zip says 1 January 1980).
fn zip_files(files: &[(&str, Vec<u8>)], today: heard_store::Date) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let dated = u16::try_from(today.year())
        .ok()
        .and_then(|year| zip::DateTime::from_date_and_time(year, today.month(), today.day(), 0, 0, 0).ok())
        .unwrap_or_default();
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(dated);
    for (name, bytes) in files {
        zip.start_file(*name, options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}
