//! "What we heard": the published results of a consultation, and their figures as CSV.
//!
//! Public once staff publish the results (`Stage::ResultsPublished`); staff who run consultations
//! preview it before, marked as a preview. Themes come from the analysis runs staff put in the
//! results (`published_runs`), with only the quotes they approved; every figure is counted when
//! the page is made, so it agrees with the back office.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use heard_store::{
    Consultation, PlanChange, PublishedRun, RegisterBreakdown, RunMethod, RunScope, RunThemeKind, Stage,
    SurveyResults,
};

use super::render;
use crate::auth::Visitor;
use crate::format::{chart_label, paragraphs, thousands};
use crate::nav::Nav;
use crate::policy::{self, Action};
use crate::{AppState, WebError};

/// Widest bar of a chart, in the SVG's units (400 wide: on a phone the labels stay readable; the label is above the bar).
const BAR_MAX: f64 = 280.0;
const ROW_HEIGHT: u32 = 44;

#[derive(Template)]
#[template(path = "results.html")]
struct ResultsPage {
    nav: Nav,
    preview: bool,
    c: Consultation,
    responded: String,
    charts: Vec<Chart>,
    survey: Vec<Chart>,
    survey_title: String,
    survey_note: String,
    runs: Vec<RunView>,
    said_did: Vec<SaidDid>,
    campaigns_line: Option<String>,
    method: Vec<String>,
    synthetic_note: Option<String>,
}

/// A bar chart with its table: the same rows, so the table is the chart's text equivalent.
struct Chart {
    /// Draw the bars; a long list (the 33 boroughs) reads better as its table alone.
    bars: bool,
    id: String,
    title: String,
    /// What the numbers count ("Responses", "People").
    unit: String,
    rows: Vec<Bar>,
    height: u32,
}

struct Bar {
    label: String,
    /// The label as the chart draws it: cut to fit its width (the table has it whole).
    short: String,
    count: String,
    share: String,
    width: u32,
}

struct RunView {
    id: i64,
    heading: String,
    chart: Chart,
    themes: Vec<ThemeView>,
    campaigns: Vec<(String, String)>,
}

struct ThemeView {
    id: i64,
    label: String,
    description: String,
    count: String,
    share: String,
    stance: String,
    quotes: Vec<String>,
    outcome: Option<String>,
    we_did: Vec<String>,
}

struct SaidDid {
    anchor: String,
    theme: String,
    outcome: String,
    we_did: String,
}

/// Everything the page and the CSV show, counted once.
struct Figures {
    c: Consultation,
    preview: bool,
    respondents: i64,
    breakdown: RegisterBreakdown,
    boroughs: Vec<(String, i64)>,
    survey: Option<(heard_store::Survey, SurveyResults)>,
    runs: Vec<PublishedRun>,
}

async fn figures(state: &AppState, visitor: &Visitor, slug: &str) -> Result<Figures, WebError> {
    let store = state.store();
    let staff = visitor.role().is_some_and(|r| policy::allows(r, Action::ManageConsultations));
    let c = match store.consultation_by_slug(slug).await? {
        Some(c) => c,
        None => match store.consultation_for_staff(slug).await? {
            Some(c) if staff && c.summary.withdrawn_at.is_none() => c,
            _ => return Err(super::missing_consultation(state, slug, None).await),
        },
    };
    let published = c.summary.stage(state.today()) == Stage::ResultsPublished;
    if !published && !staff {
        // Results that were out and were taken down say so; results never published are not found.
        return Err(match c.summary.results_withdrawn_at {
            Some(at) => WebError::Gone {
                title: "These results have been withdrawn".into(),
                message: format!(
                    "The results of {} were withdrawn on {} while we check them. We will publish them \
                     again on the consultation's page.",
                    c.summary.title,
                    state.local_date(at).long()
                ),
                typed: None,
            },
            None => WebError::NotFound,
        });
    }
    let id = c.summary.id;
    let breakdown = store.register_breakdown(id).await?;
    let boroughs = breakdown
        .by_borough
        .iter()
        .map(|(b, t)| (if b.is_empty() { "Not known".to_string() } else { b.clone() }, t.responses))
        .collect();
    let survey = match store.survey_for(slug).await? {
        Some(survey) => {
            let results = store.survey_results(&survey).await?;
            Some((survey, results))
        }
        None => None,
    };
    Ok(Figures {
        respondents: breakdown.total.respondents.max(c.summary.recorded_responses.unwrap_or(0)),
        breakdown,
        boroughs,
        survey,
        runs: store.published_runs(id).await?,
        preview: !published,
        c,
    })
}

#[tracing::instrument(skip(state, visitor), fields(consultation.slug = %slug))]
pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Html<String>, WebError> {
    let f = figures(&state, &visitor, &slug).await?;
    let total = f.breakdown.total.responses;
    let mut charts = vec![
        chart(
            "channel",
            "Responses by how they reached us",
            "Responses",
            f.breakdown.by_channel.iter().map(|(c, t)| (c.label().to_string(), t.responses)).collect(),
            total,
        ),
        chart(
            "respondent-type",
            "Responses from individuals and organisations",
            "Responses",
            f.breakdown
                .by_respondent_type
                .iter()
                .map(|(k, t)| (k.label().to_string(), t.responses))
                .collect(),
            total,
        ),
    ];
    // By the install's areas; an install without areas, whose responses name none, has no such table.
    let areas = state.store().areas();
    if !areas.is_empty() || f.boroughs.iter().any(|(b, _)| b != "Not known") {
        let title = format!("Responses by {}", areas.noun());
        charts
            .push(Chart { bars: false, ..chart("borough", &title, "Responses", f.boroughs.clone(), total) });
    }
    let (survey_title, survey, survey_note) = match &f.survey {
        Some((survey, results)) => {
            let mut out = Vec::new();
            for (n, q) in survey.questions().enumerate() {
                let Some(r) = results.questions.iter().find(|r| r.question_id == q.id) else { continue };
                if r.counts.is_empty() {
                    continue;
                }
                out.push(chart(
                    &format!("survey-{}", q.id),
                    &format!("{}. {}", n + 1, q.prompt),
                    "People",
                    r.counts.clone(),
                    r.answered,
                ));
            }
            let note = format!(
                "{} people submitted the survey. Percentages are of those who answered each question. \
                 Answers written in the survey's text boxes are read with every other response in the themes below.",
                thousands(results.submitted)
            );
            (survey.title.clone(), out, note)
        }
        None => (String::new(), Vec::new(), String::new()),
    };
    let mut said_did = Vec::new();
    let mut runs = Vec::new();
    let mut in_campaigns = 0;
    let mut campaign_groups = 0;
    for published in &f.runs {
        let run = &published.run;
        let shown: Vec<_> = published.themes.iter().filter(|t| t.count > 0).collect();
        let stance_means_something = stance_means_something(run);
        let theme_chart = chart(
            &format!("themes-{}", run.id),
            &format!("Themes raised: {}", run.scope.label()),
            "Responses",
            shown.iter().map(|t| (t.label.clone(), t.count)).collect(),
            run.responses,
        );
        let themes = shown
            .iter()
            .map(|t| {
                let anchor_id = t.id;
                if t.outcome != PlanChange::Undecided && !t.kind.is_catch_all() {
                    said_did.push(SaidDid {
                        anchor: format!("theme-{anchor_id}"),
                        theme: t.label.clone(),
                        outcome: t.outcome.label().to_string(),
                        we_did: t.we_did.clone(),
                    });
                }
                ThemeView {
                    id: t.id,
                    label: t.label.clone(),
                    description: t.description.clone(),
                    count: format!(
                        "{} {}",
                        thousands(t.count),
                        if t.count == 1 { "response" } else { "responses" }
                    ),
                    share: percent(t.count, run.responses),
                    stance: if stance_means_something {
                        stance_line(t.positions, t.count)
                    } else {
                        String::new()
                    },
                    quotes: t.quotes.iter().map(|q| q.text.clone()).collect(),
                    outcome: (t.outcome != PlanChange::Undecided).then(|| t.outcome.label().to_string()),
                    we_did: paragraphs(&t.we_did).into_iter().map(str::to_owned).collect(),
                }
            })
            .collect();
        in_campaigns += published.campaigns.iter().map(|c| c.size).sum::<i64>();
        campaign_groups += published.campaigns.len();
        runs.push(RunView {
            id: run.id,
            heading: run.scope.label(),
            chart: theme_chart,
            themes,
            campaigns: published
                .campaigns
                .iter()
                .take(5)
                .map(|c| (thousands(c.size), heard_analysis::shorten(&c.template, 60)))
                .collect(),
        });
    }
    let campaigns_line = (campaign_groups > 0).then(|| {
        format!(
            "{} responses came from {} {} of identical or near-identical text (campaigns, or letters written from a template). \
             Each one is counted in the figures; to keep one group from drowning out other voices, each group's text \
             weighs once when themes are found. The largest are shown here once each:",
            thousands(in_campaigns),
            campaign_groups,
            if campaign_groups == 1 { "group" } else { "groups" }
        )
    });
    let page = ResultsPage {
        nav: Nav::for_visitor(&visitor),
        preview: f.preview,
        responded: format!(
            "{} {} responded, in {} responses",
            thousands(f.respondents),
            f.c.summary.respondent_noun,
            thousands(total)
        ),
        method: method_note(&f.runs),
        synthetic_note: (f.breakdown.synthetic > 0).then(|| {
            format!(
                "{} of these responses were generated for this demonstration, not written by real people; they are marked as such in the back office.",
                thousands(f.breakdown.synthetic)
            )
        }),
        charts,
        survey,
        survey_title,
        survey_note,
        runs,
        said_did,
        campaigns_line,
        c: f.c,
    };
    render(&page)
}

/// The page's figures as one CSV table: `table, category, count, share`.
pub async fn figures_csv(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let f = figures(&state, &visitor, &slug).await?;
    let total = f.breakdown.total.responses;
    let mut rows: Vec<[String; 8]> = Vec::new();
    let mut push =
        |table: &str, category: &str, count: i64, out_of: i64, positions: Option<heard_store::Positions>| {
            let share =
                if out_of > 0 { format!("{:.4}", count as f64 / out_of as f64) } else { String::new() };
            let (a, d, u) = positions.map_or((String::new(), String::new(), String::new()), |p| {
                (p.agree.to_string(), p.disagree.to_string(), p.unclear.to_string())
            });
            rows.push([table.into(), category.into(), count.to_string(), out_of.to_string(), share, a, d, u]);
        };
    push("respondents", "All", f.respondents, f.respondents, None);
    for (c, t) in &f.breakdown.by_channel {
        push("responses by channel", c.label(), t.responses, total, None);
    }
    for (k, t) in &f.breakdown.by_respondent_type {
        push("responses by respondent type", k.label(), t.responses, total, None);
    }
    for (b, n) in &f.boroughs {
        push("responses by borough", b, *n, total, None);
    }
    if let Some((survey, results)) = &f.survey {
        for q in survey.questions() {
            if let Some(r) = results.questions.iter().find(|r| r.question_id == q.id) {
                for (option, n) in &r.counts {
                    push(&format!("survey: {}", q.prompt), option, *n, r.answered, None);
                }
            }
        }
    }
    for published in &f.runs {
        for t in &published.themes {
            push(
                &format!("themes: {}", published.run.scope.label()),
                &t.label,
                t.count,
                published.run.responses,
                Some(t.positions),
            );
        }
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let csv_error = |e: csv::Error| WebError::Internal(e.to_string());
    let header = ["table", "category", "count", "out_of", "share", "agree", "disagree", "unclear"];
    heard_store::csv_out::write_row(&mut writer, header).map_err(csv_error)?;
    for row in &rows {
        heard_store::csv_out::write_row(&mut writer, row).map_err(csv_error)?;
    }
    let body = writer.into_inner().map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{slug}-what-we-heard.csv\"")),
        ],
        body,
    )
        .into_response())
}

fn chart(id: &str, title: &str, unit: &str, rows: Vec<(String, i64)>, out_of: i64) -> Chart {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let bars: Vec<Bar> = rows
        .into_iter()
        .map(|(label, n)| Bar {
            short: chart_label(&label),
            width: ((n as f64 / max as f64) * BAR_MAX).round() as u32,
            count: thousands(n),
            share: percent(n, out_of),
            label,
        })
        .collect();
    Chart {
        bars: true,
        id: id.into(),
        title: title.into(),
        unit: unit.into(),
        height: bars.len() as u32 * ROW_HEIGHT,
        rows: bars,
    }
}

fn percent(n: i64, out_of: i64) -> String {
    if out_of <= 0 {
        return "-".into();
    }
    let p = n as f64 * 100.0 / out_of as f64;
    if p > 0.0 && p < 1.0 { "under 1%".into() } else { format!("{p:.0}%") }
}

/// An open question ("what would help?") has no side to take: its stance says nothing.
fn stance_means_something(run: &heard_store::AnalysisRun) -> bool {
    match &run.scope {
        RunScope::Question(q) => heard_analysis::Question::read(Some(q)).closed,
        _ => true,
    }
}

/// The stance line the results page would show under the first of `themes`, or `None` when the
/// page shows none for this run: what a publishing confirmation quotes.
pub(crate) fn stance_sample(
    run: &heard_store::AnalysisRun,
    themes: &[&heard_store::RunTheme],
) -> Option<String> {
    if !stance_means_something(run) {
        return None;
    }
    let t = themes.iter().find(|t| t.count > 0)?;
    Some(stance_line(t.positions, t.count))
}

fn stance_line(p: heard_store::Positions, count: i64) -> String {
    if count == 0 {
        return String::new();
    }
    format!(
        "Of these, {} agreed with the proposal, {} disagreed, and {} did not say either way.",
        percent(p.agree, count),
        percent(p.disagree, count),
        percent(p.unclear, count)
    )
}

/// How the themes were found and checked, in plain words.
fn method_note(runs: &[PublishedRun]) -> Vec<String> {
    if runs.is_empty() {
        return vec!["The themes of the responses have not been published yet.".into()];
    }
    let mut lines = Vec::new();
    for p in runs {
        let r = &p.run;
        let how = match r.method {
            RunMethod::Discover => {
                "themes were found in the responses themselves, by grouping what people said by meaning"
            }
            RunMethod::Framework => {
                "each response was read against a set of themes staff chose beforehand (such as the plan's objectives)"
            }
        };
        let real_themes = p.themes.iter().filter(|t| !t.kind.is_catch_all() && t.count > 0).count();
        let reviewed =
            p.themes.iter().filter(|t| !t.kind.is_catch_all() && t.count > 0 && t.reviewed).count();
        let split_or_merged = p.themes.iter().any(|t| t.kind == RunThemeKind::Split);
        lines.push(format!(
            "{}: {} texts were read; {how}. A response making several points can raise several themes, so shares add up to more than 100%. \
             Staff checked {reviewed} of the {real_themes} themes by reading their responses{}. \
             Analysis by heard's built-in engine ({}), run on our own computers: no response left them.",
            r.scope.label(),
            thousands(r.responses),
            if split_or_merged { ", and merged or split themes where the grouping was wrong" } else { "" },
            r.model
        ));
    }
    lines.push(
        "Stance (agree, disagree, neither) is read from each response's wording by the same engine; it is an estimate, not a vote. \
         Quotes were chosen and approved by staff; personal details in them were removed."
            .into(),
    );
    lines
}
