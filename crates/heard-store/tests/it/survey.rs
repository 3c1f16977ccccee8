//! The survey: building it, conditional questions, drafts and submissions, and the results.

use heard_store::*;

use crate::police_plan;

crate::on_both_databases!(
    one_submission_per_account,
    a_hidden_required_question_is_not_required,
    results_count_only_submitted_answers,
    sections_and_questions_keep_their_order_and_answered_ones_stay,
);

fn day(iso: &str) -> Date {
    Date::parse_iso(iso).unwrap()
}

struct Built {
    survey: Survey,
    consultation_id: i64,
    agree: i64,
    why: i64,
    priorities: i64,
    ranking: i64,
    more: i64,
}

/// A survey of two sections: an agree scale and the priorities, then "why" (only for those who
/// disagree), a ranking and a free text.
async fn built(store: &Store) -> Built {
    let consultation_id = store.create_consultation(&police_plan("police-plan")).await.unwrap();
    let settings = SurveySettings { title: "Survey".into(), intro: String::new(), allow_anonymous: true };
    let survey_id = store.create_survey(consultation_id, &settings).await.unwrap();
    let again = store.create_survey(consultation_id, &settings).await.unwrap_err();
    assert!(again.to_string().contains("has a survey already"), "{again}");
    let first = store.add_section(survey_id, "The plan", "").await.unwrap();
    let second = store.add_section(survey_id, "Tell us more", "").await.unwrap();
    let q = |kind, prompt: &str, required, options: &[&str]| NewQuestion {
        kind,
        prompt: prompt.into(),
        hint: String::new(),
        required,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        condition: None,
    };
    let agree =
        store.add_question(first, &q(QuestionKind::AgreeScale, "Violence first?", true, &[])).await.unwrap();
    let priorities = store
        .add_question(
            first,
            &q(QuestionKind::MultipleChoice, "Which matter?", false, &["Lighting", "Patrols", "Youth work"]),
        )
        .await
        .unwrap();
    let mut why = q(QuestionKind::LongText, "Why do you disagree?", true, &[]);
    why.condition =
        Some(Condition { question_id: agree, options: vec!["Disagree".into(), "Strongly disagree".into()] });
    let why = store.add_question(second, &why).await.unwrap();
    let ranking = store
        .add_question(
            second,
            &q(QuestionKind::Ranking, "Rank them", false, &["Lighting", "Patrols", "Youth work"]),
        )
        .await
        .unwrap();
    let more =
        store.add_question(second, &q(QuestionKind::ShortText, "Anything else?", false, &[])).await.unwrap();
    let survey = store.survey_for("police-plan").await.unwrap().expect("stored");
    Built { survey, consultation_id, agree, why, priorities, ranking, more }
}

fn response(b: &Built, user_id: Option<i64>, texts: Vec<ResponseText>) -> NewResponse {
    NewResponse {
        consultation_id: b.consultation_id,
        channel: ResponseChannel::Online,
        source: ResponseSource::Survey,
        received_on: day("2025-01-10"),
        respondent_type: RespondentType::Individual,
        organisation: String::new(),
        borough: String::new(),
        user_id,
        email: None,
        entered_by: None,
        texts,
        attachment: None,
    }
}

fn answers(pairs: &[(i64, &[&str])]) -> Answers {
    pairs.iter().map(|(id, v)| (*id, v.iter().map(|s| (*s).to_owned()).collect())).collect()
}

async fn one_submission_per_account(store: Store) {
    let b = built(&store).await;
    let user = store.create_user("Resident", Role::Resident, false).await.unwrap();
    let now = Timestamp(1_736_500_000);
    let first = answers(&[(b.agree, &["Agree"])]);
    let id = store
        .save_draft(b.survey.id, Respondent::Account(user), None, &first, &[b.agree], now)
        .await
        .unwrap();
    // Saving again keeps one draft and replaces that section's answers only.
    let later = answers(&[(b.agree, &["Disagree"]), (b.more, &["ignored: not this section"])]);
    let again = store
        .save_draft(b.survey.id, Respondent::Account(user), None, &later, &[b.agree], now)
        .await
        .unwrap();
    assert_eq!(id, again);
    let draft = store.submission(b.survey.id, Respondent::Account(user)).await.unwrap().unwrap();
    assert!(!draft.is_submitted());
    assert_eq!(draft.answers, answers(&[(b.agree, &["Disagree"])]));

    let response_id = store
        .submit_survey(id, &answers(&[(b.agree, &["Agree"])]), &response(&b, Some(user), vec![]), now)
        .await
        .unwrap();
    let submitted = store.submission(b.survey.id, Respondent::Account(user)).await.unwrap().unwrap();
    assert!(submitted.is_submitted());
    assert_eq!(submitted.response_id, Some(response_id));
    assert_eq!(store.respondent_count(b.consultation_id).await.unwrap(), 1);
    // Submitting twice, or saving over a submitted one, is refused.
    let twice =
        store.submit_survey(id, &Answers::new(), &response(&b, Some(user), vec![]), now).await.unwrap_err();
    assert!(twice.to_string().contains("submitted already"), "{twice}");
    let over = store.save_draft(b.survey.id, Respondent::Account(user), None, &first, &[b.agree], now).await;
    assert!(over.is_err());
    // The database itself refuses a second submission from the account, and the batch writes nothing.
    let other = store.create_user("Other", Role::Resident, false).await.unwrap();
    let batch = [
        (answers(&[(b.agree, &["Agree"])]), response(&b, Some(other), vec![])),
        (answers(&[(b.agree, &["Agree"])]), response(&b, Some(user), vec![])),
    ];
    assert!(store.record_survey_submissions(b.survey.id, &batch, now).await.is_err());
    assert_eq!(store.survey_results(&b.survey).await.unwrap().submitted, 1);
    assert_eq!(store.respondent_count(b.consultation_id).await.unwrap(), 1, "no response half-written");

    // Without an account, a resume token finds the draft again; another token finds nothing.
    let token = Respondent::ResumeToken("hash-of-a-token");
    store.save_draft(b.survey.id, token, Some("anon@example.org"), &first, &[b.agree], now).await.unwrap();
    let found = store.submission(b.survey.id, token).await.unwrap().expect("found by its token");
    assert_eq!(found.email.as_deref(), Some("anon@example.org"));
    assert_eq!(found.user_id, None);
    assert!(store.submission(b.survey.id, Respondent::ResumeToken("other")).await.unwrap().is_none());
}

async fn a_hidden_required_question_is_not_required(store: Store) {
    let b = built(&store).await;
    let s = &b.survey;
    let why = s.question(b.why).unwrap();
    // Agreeing: "why do you disagree" is not asked, so not required, and a stray answer is dropped.
    let agreeing = answers(&[(b.agree, &["Agree"]), (b.why, &["left over from before"])]);
    assert!(!s.is_shown(why, &agreeing));
    assert!(s.check_answers(None, &agreeing).is_empty());
    assert_eq!(s.shown_answers(&agreeing), answers(&[(b.agree, &["Agree"])]));
    // Disagreeing: it is asked and required, and the problem names it.
    let disagreeing = answers(&[(b.agree, &["Strongly disagree"])]);
    assert!(s.is_shown(why, &disagreeing));
    let problems = s.check_answers(Some(1), &disagreeing);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].question_id, b.why);
    assert_eq!(problems[0].message, "Enter an answer");
    assert!(problems[0].summary.contains("Why do you disagree?"));
    assert!(s.check_answers(Some(0), &disagreeing).is_empty(), "the first section is complete");
    // Nothing answered: only the scale is required.
    let problems = s.check_answers(None, &Answers::new());
    assert_eq!(problems.iter().map(|p| p.question_id).collect::<Vec<_>>(), [b.agree]);
    // Answers not among the choices, two answers to a single choice, a partial required ranking.
    let bad = answers(&[(b.agree, &["Agree", "Neither agree nor disagree"]), (b.priorities, &["Free beer"])]);
    let messages: Vec<_> = s.check_answers(None, &bad).into_iter().map(|p| p.message).collect();
    assert_eq!(messages, ["Choose only one answer", "Choose from the answers given"]);
    // A condition must point back to an earlier choice question.
    let mut follow_up = NewQuestion {
        kind: QuestionKind::ShortText,
        prompt: "Say more".into(),
        hint: String::new(),
        required: false,
        options: vec![],
        condition: Some(Condition { question_id: b.more, options: vec!["x".into()] }),
    };
    let first_section = s.sections[0].id;
    let problems = s.check_question(first_section, None, &follow_up);
    assert_eq!(problems[0].field, "condition_question", "{problems:?}");
    follow_up.condition = Some(Condition { question_id: b.agree, options: vec!["Maybe".into()] });
    let problems = s.check_question(s.sections[1].id, None, &follow_up);
    assert_eq!(problems[0].field, "condition_options");
    follow_up.condition = Some(Condition { question_id: b.agree, options: vec!["Agree".into()] });
    assert!(s.check_question(s.sections[1].id, None, &follow_up).is_empty());
}

async fn results_count_only_submitted_answers(store: Store) {
    let b = built(&store).await;
    let now = Timestamp(1_736_500_000);
    let people = [
        answers(&[
            (b.agree, &["Agree"]),
            (b.priorities, &["Lighting", "Patrols"]),
            (b.ranking, &["Patrols", "Lighting", "Youth work"]),
        ]),
        answers(&[
            (b.agree, &["Agree"]),
            (b.priorities, &["Lighting"]),
            (b.ranking, &["Lighting", "Patrols", "Youth work"]),
        ]),
        answers(&[(b.agree, &["Disagree"]), (b.why, &["Too vague"]), (b.more, &["More buses"])]),
        answers(&[(b.agree, &["Strongly agree"]), (b.more, &["Lights"])]),
    ];
    let batch: Vec<_> = people.iter().map(|a| (a.clone(), response(&b, None, vec![]))).collect();
    store.record_survey_submissions(b.survey.id, &batch, now).await.unwrap();
    // A draft does not count.
    let user = store.create_user("Drafter", Role::Resident, false).await.unwrap();
    store
        .save_draft(
            b.survey.id,
            Respondent::Account(user),
            None,
            &answers(&[(b.agree, &["Disagree"])]),
            &[b.agree],
            now,
        )
        .await
        .unwrap();

    let results = store.survey_results(&b.survey).await.unwrap();
    assert_eq!(results.submitted, 4);
    assert_eq!(results.synthetic, 0, "real survey answers are not marked");
    let of = |id| results.questions.iter().find(|q| q.question_id == id).unwrap();
    let scale = of(b.agree);
    assert_eq!(scale.answered, 4);
    let counts: Vec<(&str, i64)> = scale.counts.iter().map(|(o, n)| (o.as_str(), *n)).collect();
    assert_eq!(
        counts,
        [
            ("Strongly agree", 1),
            ("Agree", 2),
            ("Neither agree nor disagree", 0),
            ("Disagree", 1),
            ("Strongly disagree", 0)
        ]
    );
    let multiple = of(b.priorities);
    assert_eq!(multiple.answered, 2);
    assert_eq!(
        multiple.counts,
        [("Lighting".to_owned(), 2), ("Patrols".to_owned(), 1), ("Youth work".to_owned(), 0)]
    );
    let ranks = &of(b.ranking).average_ranks;
    assert_eq!(ranks[0], ("Lighting".to_owned(), Some(1.5), 2));
    assert_eq!(ranks[1], ("Patrols".to_owned(), Some(1.5), 2));
    assert_eq!(ranks[2], ("Youth work".to_owned(), Some(3.0), 2));
    let (texts, total) = store.survey_texts(b.more, 1, 1).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(texts.len(), 1);
    let (page_two, _) = store.survey_texts(b.more, 2, 1).await.unwrap();
    assert_ne!(texts, page_two);
    assert_eq!(store.respondent_count(b.consultation_id).await.unwrap(), 4);
}

async fn sections_and_questions_keep_their_order_and_answered_ones_stay(store: Store) {
    let b = built(&store).await;
    let s = &b.survey;
    store.move_section(s.sections[1].id, true).await.unwrap();
    store.move_question(b.more, true).await.unwrap();
    // Moving the first one up changes nothing.
    store.move_section(s.sections[1].id, true).await.unwrap();
    let moved = store.survey_for("police-plan").await.unwrap().unwrap();
    assert_eq!(moved.sections[0].title, "Tell us more");
    let prompts: Vec<_> = moved.sections[0].questions.iter().map(|q| q.prompt.as_str()).collect();
    assert_eq!(prompts, ["Why do you disagree?", "Anything else?", "Rank them"]);
    // The condition survives a round trip.
    let why = moved.question(b.why).unwrap();
    assert_eq!(why.condition.as_ref().unwrap().options, ["Disagree", "Strongly disagree"]);

    store
        .record_survey_submissions(
            s.id,
            &[(answers(&[(b.agree, &["Agree"])]), response(&b, None, vec![]))],
            Timestamp(1),
        )
        .await
        .unwrap();
    let err = store.delete_question(b.agree).await.unwrap_err();
    assert!(err.to_string().contains("cannot be deleted"), "{err}");
    // An answered question keeps its kind and the options people chose from; its wording and new
    // options can change.
    let edit = |kind, options: &[&str]| NewQuestion {
        kind,
        prompt: "Which matter most?".into(),
        hint: String::new(),
        required: false,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        condition: None,
    };
    let scale = edit(QuestionKind::AgreeScale, &[]);
    let err =
        store.update_question(b.agree, &edit(QuestionKind::SingleChoice, &["Yes", "No"])).await.unwrap_err();
    assert!(err.to_string().contains("its kind cannot change"), "{err}");
    store.update_question(b.agree, &NewQuestion { required: true, ..scale }).await.unwrap();
    store
        .record_survey_submissions(
            s.id,
            &[(answers(&[(b.priorities, &["Patrols"])]), response(&b, None, vec![]))],
            Timestamp(2),
        )
        .await
        .unwrap();
    let renamed = edit(QuestionKind::MultipleChoice, &["Lighting", "Police patrols", "Youth work"]);
    let err = store.update_question(b.priorities, &renamed).await.unwrap_err();
    assert!(err.to_string().contains("put “Patrols” back"), "{err}");
    let added = edit(QuestionKind::MultipleChoice, &["Lighting", "Patrols", "Youth work", "Street lighting"]);
    store.update_question(b.priorities, &added).await.unwrap();
    let edited = store.survey_for("police-plan").await.unwrap().unwrap();
    assert_eq!(edited.question(b.priorities).unwrap().options.len(), 4);
    let err = store.delete_section(s.sections[0].id).await.unwrap_err();
    assert!(err.to_string().contains("cannot be deleted"), "{err}");
    store.delete_question(b.ranking).await.unwrap();
    store.delete_section(s.sections[1].id).await.unwrap();
    let left = store.survey_for("police-plan").await.unwrap().unwrap();
    assert_eq!(left.sections.len(), 1);
    assert_eq!(left.sections[0].title, "The plan");
    assert!(left.question(b.ranking).is_none());
    assert!(left.question(b.why).is_none(), "deleted with its section");

    // Settings and a refused question.
    let settings = SurveySettings { title: "Renamed".into(), intro: "Hello".into(), allow_anonymous: false };
    store.update_survey(s.id, &settings).await.unwrap();
    let renamed = store.survey_for("police-plan").await.unwrap().unwrap();
    assert_eq!((renamed.title.as_str(), renamed.allow_anonymous), ("Renamed", false));
    let one_option = NewQuestion {
        kind: QuestionKind::SingleChoice,
        prompt: "Pick".into(),
        hint: String::new(),
        required: false,
        options: vec!["Only".into()],
        condition: None,
    };
    let err = store.add_question(left.sections[0].id, &one_option).await.unwrap_err();
    assert!(err.to_string().contains("at least two options"), "{err}");
}
