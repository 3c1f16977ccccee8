//! Analysis runs: saving what a run found, review (rename, merge, split, quotes, "we did") with its
//! trail, and what the results page may show.

use heard_store::*;

use crate::police_plan;

crate::on_both_databases!(
    a_run_is_saved_whole_and_its_figures_follow_review,
    only_approved_quotes_of_published_runs_are_public,
    unfinished_runs_are_marked_failed_on_restart,
    a_run_in_the_results_can_show_reviewed_themes_only,
    a_run_in_public_results_is_withdrawn_only_with_a_reason,
);

fn text(line: &str, body: &str, position: Stance, campaign: Option<usize>) -> RunText {
    RunText {
        line: line.into(),
        response_key: line.split('-').next().unwrap().into(),
        channel: ResponseChannel::Email,
        respondent_type: if line == "r9" { RespondentType::Organisation } else { RespondentType::Individual },
        organisation: if line == "r9" { "Safer Streets Trust".into() } else { String::new() },
        borough: "Hackney".into(),
        question: String::new(),
        text: body.into(),
        position,
        evidence_rich: false,
        campaign,
    }
}

fn theme(label: &str, texts: &[usize]) -> NewRunTheme {
    NewRunTheme {
        kind: RunThemeKind::Discovered,
        label: label.into(),
        description: format!("About {label}"),
        keywords: vec![label.to_lowercase()],
        texts: texts.to_vec(),
        quotes: texts.iter().take(1).map(|&i| (i, format!("quote {i}"))).collect(),
    }
}

async fn finished_run(store: &Store) -> (i64, i64, i64) {
    let consultation = store.create_consultation(&police_plan("police-plan")).await.unwrap();
    let analyst = store.create_user("Ana (analyst)", Role::Host, false).await.unwrap();
    let new = NewRun {
        consultation_id: consultation,
        scope: RunScope::Channel(ResponseChannel::Email),
        method: RunMethod::Discover,
        framework: String::new(),
        themes_wanted: None,
        mode: "lexical".into(),
    };
    let run = store.create_run(&new, analyst, Timestamp(1_740_000_000)).await.unwrap();
    let queued = store.analysis_run(run).await.unwrap().unwrap();
    assert_eq!((queued.status, queued.percent()), (RunStatus::Queued, 0));
    store.set_run_progress(run, "mapping", 3, 6).await.unwrap();
    let running = store.analysis_run(run).await.unwrap().unwrap();
    assert_eq!(
        (running.status, running.stage.as_str(), running.percent()),
        (RunStatus::Running, "mapping", 50)
    );
    let results = RunResults {
        model: "lexical mode, no model".into(),
        notes: vec!["2 hosts' replies were not read".into()],
        texts: vec![
            text("r1", "More lighting on the canal path", Stance::Agree, None),
            text("r2", "Lighting and patrols", Stance::Agree, None),
            text("r3", "Patrols at night please", Stance::Disagree, Some(0)),
            text("r4", "Patrols at night please!", Stance::Disagree, Some(0)),
            text("r5-1", "Youth clubs", Stance::Unclear, None),
            text("r9", "We run youth clubs", Stance::Agree, None),
        ],
        themes: vec![
            theme("Lighting", &[0, 1]),
            theme("Patrols", &[1, 2, 3]),
            theme("Youth services", &[4, 5]),
        ],
        campaigns: vec!["Patrols at night please".into()],
    };
    // A theme naming a text the run does not have is refused before anything is written.
    let mut broken = results.clone();
    broken.themes[0].texts.push(99);
    assert!(store.save_run_results(run, &broken, Timestamp(1_740_000_050)).await.is_err());
    assert!(store.run_themes(run).await.unwrap().is_empty());
    store.save_run_results(run, &results, Timestamp(1_740_000_060)).await.unwrap();
    // Saving twice is refused: the run is finished.
    assert!(store.save_run_results(run, &results, Timestamp(1_740_000_070)).await.is_err());
    (consultation, run, analyst)
}

async fn a_run_is_saved_whole_and_its_figures_follow_review(store: Store) {
    let (consultation, run, analyst) = finished_run(&store).await;
    let saved = store.analysis_run(run).await.unwrap().unwrap();
    assert_eq!(saved.status, RunStatus::Finished);
    assert_eq!(saved.responses, 6);
    assert_eq!(saved.percent(), 100);
    assert_eq!(saved.model, "lexical mode, no model");
    assert_eq!(saved.scope, RunScope::Channel(ResponseChannel::Email));
    assert_eq!(saved.started_by.as_ref().unwrap().display_name, "Ana (analyst)");
    assert_eq!(store.latest_finished_run(consultation).await.unwrap().unwrap().id, run);

    let themes = store.run_themes(run).await.unwrap();
    let counts: Vec<(&str, i64)> = themes.iter().map(|t| (t.label.as_str(), t.count)).collect();
    assert_eq!(counts, [("Lighting", 2), ("Patrols", 3), ("Youth services", 2)]);
    let patrols = &themes[1];
    assert_eq!(patrols.positions, Positions { agree: 1, disagree: 2, unclear: 0 });
    assert_eq!(patrols.campaign_texts, 2);
    assert!((patrols.share - 0.5).abs() < 1e-9);
    let campaigns = store.run_campaigns(run).await.unwrap();
    assert_eq!(campaigns.len(), 1);
    assert_eq!((campaigns[0].size, campaigns[0].themes.as_slice()), (2, ["Patrols".to_string()].as_slice()));
    let organisations = store.organisation_texts(run).await.unwrap();
    assert_eq!(organisations.len(), 1);
    assert_eq!(
        (organisations[0].organisation.as_str(), organisations[0].themes.as_slice()),
        ("Safer Streets Trust", ["Youth services".to_string()].as_slice())
    );

    // Merge Lighting into Patrols: "Lighting and patrols" is counted once.
    let now = Timestamp(1_740_001_000);
    store.merge_themes(patrols.id, &[themes[0].id], analyst, now).await.unwrap();
    let merged = store.run_themes(run).await.unwrap();
    let counts: Vec<(&str, i64)> = merged.iter().map(|t| (t.label.as_str(), t.count)).collect();
    assert_eq!(counts, [("Patrols", 4), ("Youth services", 2)]);
    assert_eq!(merged[0].quotes.len(), 2, "the merged theme's quote came along");
    // A theme merged away cannot be edited any more.
    assert!(store.rename_theme(themes[0].id, "Lights", "", analyst, now).await.is_err());

    // Split the lighting texts back out.
    let (texts, total) = store.theme_texts(merged[0].id, 1, 50).await.unwrap();
    assert_eq!(total, 4);
    let lighting: Vec<i64> = texts.iter().filter(|t| t.text.contains("ighting")).map(|t| t.id).collect();
    assert_eq!(lighting.len(), 2);
    // Moving a text that is not in the theme is refused whole.
    let youth_text = store.theme_texts(merged[1].id, 1, 50).await.unwrap().0[0].id;
    assert!(
        store
            .split_theme(merged[0].id, "Street lighting", "", &[lighting[0], youth_text], analyst, now)
            .await
            .is_err()
    );
    assert_eq!(store.run_themes(run).await.unwrap()[0].count, 4);
    let lights = store
        .split_theme(merged[0].id, "Street lighting", "Better lighting", &lighting, analyst, now)
        .await
        .unwrap();
    let split = store.run_themes(run).await.unwrap();
    let counts: Vec<(&str, i64)> = split.iter().map(|t| (t.label.as_str(), t.count)).collect();
    assert_eq!(counts, [("Patrols", 2), ("Youth services", 2), ("Street lighting", 2)]);
    assert_eq!(split[2].id, lights);
    assert_eq!(split[2].kind, RunThemeKind::Split);

    // Two themes of a run cannot share a name, whatever its case; a theme merged away gives its up.
    let taken = store.rename_theme(lights, "youth SERVICES", "", analyst, now).await.unwrap_err();
    assert!(taken.to_string().contains("already called “Youth services”"), "{taken}");
    assert!(
        store.split_theme(merged[0].id, "Street Lighting", "", &[split[0].id], analyst, now).await.is_err()
    );
    store.rename_theme(lights, "Lighting", "", analyst, now).await.unwrap();
    store.rename_theme(lights, "lighting", "", analyst, now).await.unwrap();
    store.rename_theme(lights, "Lighting on paths", "Residents want lit paths", analyst, now).await.unwrap();
    store.set_theme_reviewed(lights, true, analyst, now).await.unwrap();
    assert!(store.set_we_did(lights, PlanChange::Changed, "  ", analyst, now).await.is_err());
    store
        .set_we_did(lights, PlanChange::Changed, "We added lighting to commitment 2.", analyst, now)
        .await
        .unwrap();
    let reviewed = store.run_themes(run).await.unwrap();
    let lit = reviewed.iter().find(|t| t.id == lights).unwrap();
    assert_eq!(
        (lit.label.as_str(), lit.reviewed, lit.outcome),
        ("Lighting on paths", true, PlanChange::Changed)
    );
    assert_eq!(
        store.theme_texts(lights, 1, 50).await.unwrap().0[0].themes,
        ["Lighting on paths".to_string()]
    );

    let log = store.staff_log(consultation).await.unwrap();
    let reviews = log.iter().filter(|e| e.action == StaffAction::ReviewTheme).count();
    assert_eq!(reviews, 7, "merge, split, three renames, reviewed, we did: {log:?}");
    assert!(log.iter().any(|e| e.action == StaffAction::StartAnalysis));
}

async fn only_approved_quotes_of_published_runs_are_public(store: Store) {
    let (consultation, run, analyst) = finished_run(&store).await;
    let now = Timestamp(1_740_002_000);
    assert!(store.published_runs(consultation).await.unwrap().is_empty());
    store.publish_run(run, RunPublication::AllThemes, analyst, now).await.unwrap();
    let public = store.published_runs(consultation).await.unwrap();
    assert_eq!(public.len(), 1);
    assert!(public[0].themes.iter().all(|t| t.quotes.is_empty()), "nothing approved yet");
    let themes = store.run_themes(run).await.unwrap();
    let quote = themes[1].quotes[0].id;
    store.set_quote_approved(quote, true, analyst, now).await.unwrap();
    // A text outside the theme cannot be offered as its quote.
    let youth_text = store.theme_texts(themes[2].id, 1, 10).await.unwrap().0[0].id;
    assert!(store.add_quote(themes[1].id, youth_text, "x", analyst, now).await.is_err());
    let public = store.published_runs(consultation).await.unwrap();
    let quotes: Vec<&str> =
        public[0].themes.iter().flat_map(|t| t.quotes.iter().map(|q| q.text.as_str())).collect();
    assert_eq!(quotes, ["quote 1"]);
    store.publish_run(run, RunPublication::Out, analyst, now).await.unwrap();
    assert!(store.published_runs(consultation).await.unwrap().is_empty());
}

async fn unfinished_runs_are_marked_failed_on_restart(store: Store) {
    let consultation = store.create_consultation(&police_plan("police-plan")).await.unwrap();
    let analyst = store.create_user("Ana", Role::Host, false).await.unwrap();
    let new = NewRun {
        consultation_id: consultation,
        scope: RunScope::All,
        method: RunMethod::Framework,
        framework: String::new(),
        themes_wanted: None,
        mode: "fast".into(),
    };
    assert!(store.create_run(&new, analyst, Timestamp(1)).await.is_err(), "a framework run needs themes");
    let new = NewRun { framework: "Lighting: lit streets".into(), ..new };
    let run = store.create_run(&new, analyst, Timestamp(1)).await.unwrap();
    store.set_run_progress(run, "embedding", 1, 10).await.unwrap();
    assert_eq!(store.interrupt_runs(Timestamp(2)).await.unwrap(), 1);
    let failed = store.analysis_run(run).await.unwrap().unwrap();
    assert_eq!(failed.status, RunStatus::Failed);
    assert!(failed.error.contains("restarted"));
    // A failed run does not come back to life, nor can it be published.
    store.set_run_progress(run, "mapping", 2, 10).await.unwrap();
    assert_eq!(store.analysis_run(run).await.unwrap().unwrap().status, RunStatus::Failed);
    assert!(store.publish_run(run, RunPublication::AllThemes, analyst, Timestamp(3)).await.is_err());
    assert_eq!(
        RunScope::parse(&RunScope::Question("Any other comments?".into()).key()),
        Some(RunScope::Question("Any other comments?".into()))
    );

    // On PostgreSQL, where another instance may be running a run, only a silent run is stopped;
    // a queued run is waiting for its job's turn, however long.
    let now = Timestamp::now();
    let waiting = store.create_run(&new, analyst, Timestamp(now.0 - 3600)).await.unwrap();
    let running = store.create_run(&new, analyst, Timestamp(now.0 - 3600)).await.unwrap();
    store.set_run_progress(running, "mapping", 5, 10).await.unwrap();
    assert_eq!(store.interrupt_stalled_runs(now, 600).await.unwrap(), 0, "it has just reported");
    assert_eq!(store.analysis_run(running).await.unwrap().unwrap().status, RunStatus::Running);
    assert_eq!(
        store.interrupt_stalled_runs(Timestamp(now.0 + 601), 600).await.unwrap(),
        1,
        "silent too long"
    );
    let stalled = store.analysis_run(running).await.unwrap().unwrap();
    assert_eq!(stalled.status, RunStatus::Failed);
    assert!(stalled.error.contains("stopped reporting progress"), "{}", stalled.error);
    assert_eq!(store.analysis_run(waiting).await.unwrap().unwrap().status, RunStatus::Queued);
}

async fn a_run_in_the_results_can_show_reviewed_themes_only(store: Store) {
    let (consultation, run, analyst) = finished_run(&store).await;
    let now = Timestamp(1_740_002_000);
    let themes = store.run_themes(run).await.unwrap();
    assert!(themes.len() >= 2, "{themes:?}");
    store.set_theme_reviewed(themes[0].id, true, analyst, now).await.unwrap();
    store.publish_run(run, RunPublication::ReviewedThemesOnly, analyst, now).await.unwrap();
    let public = store.published_runs(consultation).await.unwrap();
    let labels: Vec<&str> = public[0].themes.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(labels, [themes[0].label.as_str()], "only the reviewed theme is public");
    assert!(public[0].run.reviewed_only);
    // The back office still has every theme.
    assert_eq!(store.run_themes(run).await.unwrap().len(), themes.len());
    // Publishing the results can choose again for every run in them.
    assert!(store.publish_results_with(consultation, Some(false), analyst, now).await.unwrap());
    assert_eq!(store.published_runs(consultation).await.unwrap()[0].themes.len(), themes.len());
    let log = store.staff_log(consultation).await.unwrap();
    assert!(
        log.iter().any(|e| e.action == StaffAction::PublishRun && e.detail.ends_with("reviewed themes only")),
        "{log:?}"
    );
}

async fn a_run_in_public_results_is_withdrawn_only_with_a_reason(store: Store) {
    let (consultation, run, analyst) = finished_run(&store).await;
    let now = Timestamp(1_740_002_000);
    store.publish_run(run, RunPublication::AllThemes, analyst, now).await.unwrap();
    assert!(store.publish_results(consultation, analyst, now).await.unwrap());
    // Once the results are out, "take it out" is a withdrawal, not a quiet change.
    let err = store.publish_run(run, RunPublication::Out, analyst, now).await.unwrap_err();
    assert!(err.to_string().contains("with a reason"), "{err}");
    let err = store.withdraw_run(run, analyst, "  ", now).await.unwrap_err();
    assert!(err.to_string().contains("say why"), "{err}");
    assert_eq!(store.published_runs(consultation).await.unwrap().len(), 1, "refusals change nothing");
    assert!(store.withdraw_run(run, analyst, "Counted the campaign twice", now).await.unwrap());
    assert!(store.published_runs(consultation).await.unwrap().is_empty());
    assert!(!store.withdraw_run(run, analyst, "again", now).await.unwrap(), "not in the results any more");
    let log = store.staff_log(consultation).await.unwrap();
    let withdrawn: Vec<&str> =
        log.iter().filter(|e| e.action == StaffAction::WithdrawRun).map(|e| e.detail.as_str()).collect();
    assert_eq!(withdrawn, [format!("run {run}: Counted the campaign twice")]);
}
