//! The demo's surveys: the Police and Crime Plan's synthetic submissions are reproducible, marked,
//! consistent with the survey's conditions, and counted in the register.

use heard::demo;
use heard::demo_survey::{
    POLICE_PLAN_SUBMISSIONS, add_synthetic_submissions, police_plan_survey, synthetic_submissions,
};
use heard_store::testing::fresh_store;
use heard_store::*;

#[tokio::test]
async fn the_police_plan_survey_gets_reproducible_marked_synthetic_submissions() {
    let (store, _) = fresh_store(Backend::Sqlite).await;
    let plan = demo::police_plan();
    let consultation = store.create_consultation(&plan).await.unwrap();
    let survey = police_plan_survey(&store, demo::POLICE_PLAN).await.unwrap();
    assert!(survey.allow_anonymous);
    assert_eq!(survey.sections.len(), 3);

    let once =
        synthetic_submissions(&survey, 60, 7, plan.opens_on, plan.closes_on, &heard_store::Areas::london());
    assert_eq!(
        once,
        synthetic_submissions(&survey, 60, 7, plan.opens_on, plan.closes_on, &heard_store::Areas::london()),
        "same seed, same demo"
    );
    assert_ne!(
        once,
        synthetic_submissions(&survey, 60, 8, plan.opens_on, plan.closes_on, &heard_store::Areas::london())
    );
    for (answers, response) in &once {
        assert_eq!(response.source, ResponseSource::Synthetic);
        assert!(
            survey.check_answers(None, answers).is_empty(),
            "every synthetic submission is one the form accepts"
        );
        assert_eq!(survey.shown_answers(answers), *answers, "no answer to a question that was not asked");
        assert!((plan.opens_on..=plan.closes_on).contains(&response.received_on));
    }

    let started = std::time::Instant::now();
    let added = add_synthetic_submissions(&store, &survey, POLICE_PLAN_SUBMISSIONS, 2025).await.unwrap();
    assert_eq!(added, 1_100);
    assert!(started.elapsed().as_secs() < 20, "the demo starts quickly: {:?}", started.elapsed());
    let results = store.survey_results(&survey).await.unwrap();
    assert_eq!(results.submitted, 1_100);
    assert_eq!(results.synthetic, 1_100, "every one marked synthetic");
    assert_eq!(store.respondent_count(consultation).await.unwrap(), 1_100);
    // Everyone who disagreed about trust in the Met, and nobody else, said why.
    let trust = survey.questions().find(|q| q.prompt.starts_with("Increasing trust")).unwrap();
    let why = survey.questions().find(|q| q.prompt == "Why do you disagree?").unwrap();
    let of = |id| results.questions.iter().find(|r| r.question_id == id).unwrap();
    let disagreed: i64 = of(trust.id)
        .counts
        .iter()
        .filter(|(o, _)| o.ends_with("isagree") && o != "Neither agree nor disagree")
        .map(|(_, n)| n)
        .sum();
    assert!(disagreed > 100 && disagreed < 600, "{disagreed}: a plausible share disagrees");
    assert_eq!(of(why.id).answered, disagreed);
}
