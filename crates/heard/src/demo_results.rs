//! The demo's published results for the Police and Crime Plan: every response read against the
//! plan's three objectives, quotes approved and "you said, we did" written, as staff would; and a
//! discovery run beside it, not published, for the back office to show and compare.
//!
//! The runs go through the same code as a run started in the back office
//! (`heard_web::analyst::execute`). They use the fast mode when its table is installed, else the
//! lexical mode, so the first `heard demo` starts in seconds; the run records which ran.

use std::path::Path;

use anyhow::{Context, Result};
use heard_analysis::embed::static_table;
use heard_store::{
    Consultation, NewRun, PlanChange, RunMethod, RunScope, RunStatus, RunThemeKind, Store, Timestamp,
};

/// What MOPAC did about each objective, as the results page says it. Written for the demo: the
/// real final plan's changes are summarised in its own publication.
const WE_DID: [(PlanChange, &str); 3] = [
    (
        PlanChange::Changed,
        "Many of you asked for more prevention, especially for young people, alongside enforcement. The final plan \
         adds a commitment to fund youth services and mentoring in the boroughs with the most violence, and to \
         report each year on what the Violence Reduction Unit has achieved.",
    ),
    (
        PlanChange::Changed,
        "You told us trust depends on being seen and being heard. The final plan commits the Met to publish \
         neighbourhood officer numbers per ward, and MOPAC to hold public accountability meetings in every \
         borough each year.",
    ),
    (
        PlanChange::Already,
        "You asked for victims to be kept informed and supported. The draft already committed to this; the final \
         plan adds a measure of how often victims are updated on their case, reported every quarter.",
    ),
];

/// Runs the demo's analyses and publishes the results. Returns the mode that ran.
pub async fn publish_police_results(store: &Store, plan: &Consultation, model_dir: &Path) -> Result<String> {
    let consultation_id = plan.summary.id;
    let analyst = store.hosts().await?.into_iter().next().context("the demo's hosts")?.id;
    let mode = if model_dir.join(static_table::TABLE_FILE).is_file() { "fast" } else { "lexical" };
    let framework: String =
        plan.objectives.iter().map(|o| format!("{}: {}\n", o.title, o.commitments.join(" "))).collect();
    let now = Timestamp::now();
    let run_of = |method: RunMethod, framework: String| NewRun {
        consultation_id,
        scope: RunScope::All,
        method,
        framework,
        themes_wanted: None,
        mode: mode.to_string(),
    };
    let discover = store.create_run(&run_of(RunMethod::Discover, String::new()), analyst, now).await?;
    let mapped = store.create_run(&run_of(RunMethod::Framework, framework), analyst, now).await?;
    for run in [discover, mapped] {
        heard_web::analyst::execute(store, run, Some(model_dir)).await.map_err(anyhow::Error::msg)?;
    }
    let run = store.analysis_run(mapped).await?.context("the demo's run")?;
    anyhow::ensure!(run.status == RunStatus::Finished, "the demo's analysis did not finish: {}", run.error);
    for theme in store.run_themes(mapped).await? {
        if theme.kind.is_catch_all() {
            continue;
        }
        // As staff would: approve quotes that read as whole sentences, at most two.
        let whole = |t: &str| {
            t.split_whitespace().count() >= 8
                && t.starts_with(|c: char| c.is_uppercase())
                && t.trim_end().ends_with(['.', '!', '?'])
        };
        for quote in theme.quotes.iter().filter(|q| whole(&q.text)).take(2) {
            store.set_quote_approved(quote.id, true, analyst, now).await?;
        }
        if let Some((change, text)) = WE_DID.get(theme.position as usize) {
            store.set_we_did(theme.id, *change, text, analyst, now).await?;
        }
        if theme.kind == RunThemeKind::Framework {
            store.set_theme_reviewed(theme.id, true, analyst, now).await?;
        }
    }
    store.publish_run(mapped, heard_store::RunPublication::AllThemes, analyst, now).await?;
    store.publish_results(consultation_id, analyst, now).await?;
    Ok(run.model)
}
