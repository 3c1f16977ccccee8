//! The demo's surveys, in our own words: the Police and Crime Plan's (closed, filled with synthetic
//! submissions) and a short one for the open parks consultation that a visitor can answer.
//!
//! Synthetic submissions are reproducible (a seeded generator), plausible (agreement leans the way
//! consultations usually do, free text comes from the synthetic comment generator and a pool of
//! reasons), and marked: their register rows have source `synthetic`. They are written in one
//! transaction, so the demo starts in seconds.

use anyhow::{Context, Result};
use heard_store::*;

/// How many synthetic submissions the Police and Crime Plan survey gets by default.
pub const POLICE_PLAN_SUBMISSIONS: usize = 1_100;

/// The Police and Crime Plan survey: the three objectives on the agree scale, priorities and a
/// ranking, and "why do you disagree?" only for those who disagree about trust in the Met.
pub async fn police_plan_survey(store: &Store, consultation_slug: &str) -> Result<Survey> {
    let consultation = store
        .consultation_by_slug(consultation_slug)
        .await?
        .with_context(|| format!("no consultation {consultation_slug:?} for the survey"))?;
    let settings = SurveySettings {
        title: "Survey on the draft Police and Crime Plan".into(),
        intro: "The draft plan sets out three objectives for policing and community safety in London from 2025 \
                to 2029. Tell us how far you agree with them, what matters most to you, and what else the plan \
                should do. It takes about ten minutes."
            .into(),
        allow_anonymous: true,
    };
    let survey_id = store.create_survey(consultation.summary.id, &settings).await?;
    let objectives = store
        .add_section(
            survey_id,
            "The plan's three objectives",
            "How far do you agree that each objective should be a priority for the next four years?",
        )
        .await?;
    store
        .add_question(objectives, &scale("Reducing violence and criminal exploitation should be a priority."))
        .await?;
    let trust = store
        .add_question(objectives, &scale("Increasing trust and confidence in the Met should be a priority."))
        .await?;
    store
        .add_question(
            objectives,
            &scale("Improving the criminal justice system and supporting victims should be a priority."),
        )
        .await?;
    let priorities = store.add_section(survey_id, "Your priorities", "").await?;
    store
        .add_question(
            priorities,
            &NewQuestion {
                hint: "Choose up to three.".into(),
                ..choice(
                    QuestionKind::MultipleChoice,
                    "Which of these matter most to you where you live?",
                    false,
                    &PRIORITIES,
                )
            },
        )
        .await?;
    store
        .add_question(
            priorities,
            &choice(
                QuestionKind::Ranking,
                "Put the plan's three objectives in order of importance to you.",
                false,
                &OBJECTIVES,
            ),
        )
        .await?;
    store
        .add_question(
            priorities,
            &choice(
                QuestionKind::SingleChoice,
                "How safe do you feel in your area after dark?",
                true,
                &SAFE_AFTER_DARK,
            ),
        )
        .await?;
    let more = store.add_section(survey_id, "Tell us more", "").await?;
    store
        .add_question(
            more,
            &NewQuestion {
                hint: "You disagreed that increasing trust and confidence in the Met should be a priority."
                    .into(),
                condition: Some(Condition {
                    question_id: trust,
                    options: vec!["Disagree".into(), "Strongly disagree".into()],
                }),
                ..text(QuestionKind::LongText, "Why do you disagree?", true)
            },
        )
        .await?;
    store.add_question(more, &text(QuestionKind::LongText, "What else should the plan do?", false)).await?;
    store.survey_for(consultation_slug).await?.context("the survey just created")
}

/// The parks consultation's short survey, open in the demo, answerable without an account.
pub async fn parks_survey(store: &Store, consultation_slug: &str) -> Result<Survey> {
    let consultation = store
        .consultation_by_slug(consultation_slug)
        .await?
        .with_context(|| format!("no consultation {consultation_slug:?} for the survey"))?;
    let settings = SurveySettings {
        title: "Parks after dark: a short survey".into(),
        intro: "Six questions about our plan to make parks safer after dark. It takes about five minutes."
            .into(),
        allow_anonymous: true,
    };
    let survey_id = store.create_survey(consultation.summary.id, &settings).await?;
    let proposals = store.add_section(survey_id, "Our proposals", "").await?;
    let lighting = store
        .add_question(proposals, &scale("We should light the busiest paths through the ten largest parks."))
        .await?;
    store
        .add_question(
            proposals,
            &choice(
                QuestionKind::SingleChoice,
                "How often do you walk or cycle through a park after dark?",
                true,
                &["Most days", "Once or twice a week", "Less often", "Never"],
            ),
        )
        .await?;
    store
        .add_question(
            proposals,
            &choice(
                QuestionKind::MultipleChoice,
                "Which of these would make you feel safer in a park after dark?",
                false,
                &[
                    "Lighting on the main paths",
                    "Help points",
                    "Park toilets open later",
                    "More park wardens",
                ],
            ),
        )
        .await?;
    let more = store.add_section(survey_id, "Tell us more", "").await?;
    store
        .add_question(
            more,
            &NewQuestion {
                condition: Some(Condition {
                    question_id: lighting,
                    options: vec!["Disagree".into(), "Strongly disagree".into()],
                }),
                ..text(QuestionKind::LongText, "Why do you disagree with lighting the paths?", true)
            },
        )
        .await?;
    store
        .add_question(
            more,
            &choice(
                QuestionKind::Ranking,
                "Put our proposals in order of importance to you.",
                false,
                &["Lighting the main paths", "Help points", "Toilets open later"],
            ),
        )
        .await?;
    store
        .add_question(
            more,
            &text(QuestionKind::LongText, "What else would make our parks feel safer after dark?", false),
        )
        .await?;
    store.survey_for(consultation_slug).await?.context("the survey just created")
}

/// `count` synthetic submitted submissions to `survey` (built by [`police_plan_survey`]), received
/// between `from` and `to`, the same for the same `seed`.
pub fn synthetic_submissions(
    survey: &Survey,
    count: usize,
    seed: u64,
    from: Date,
    to: Date,
    areas: &heard_store::Areas,
) -> Vec<(Answers, NewResponse)> {
    let mut rng = SplitMix64(seed ^ 0x5a7e_d5ee_d000);
    let mut words = crate::demo_text::seeded(seed);
    let days = (to.days_since_epoch() - from.days_since_epoch()).max(0) as u64 + 1;
    let questions: Vec<&Question> = survey.questions().collect();
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let mut answers = Answers::new();
        let mut scale_index = 0;
        for q in &questions {
            match q.kind {
                QuestionKind::AgreeScale => {
                    let weights = SCALE_WEIGHTS[scale_index.min(SCALE_WEIGHTS.len() - 1)];
                    scale_index += 1;
                    answers.insert(q.id, vec![AGREE_SCALE[weighted(&mut rng, &weights)].to_owned()]);
                }
                QuestionKind::MultipleChoice => {
                    // Most people tick one to three; some skip an optional question.
                    if rng.below(100) < 88 {
                        let mut ticked: Vec<String> = q
                            .options
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| rng.below(100) < PRIORITY_CHANCE[*i % PRIORITY_CHANCE.len()])
                            .map(|(_, o)| o.clone())
                            .take(3)
                            .collect();
                        if ticked.is_empty() {
                            ticked.push(q.options[rng.below(q.options.len() as u64) as usize].clone());
                        }
                        answers.insert(q.id, ticked);
                    }
                }
                QuestionKind::Ranking => {
                    if rng.below(100) < 72 {
                        // Violence leads for most; a shuffle weighted towards the listed order.
                        let mut order: Vec<(u64, String)> = q
                            .options
                            .iter()
                            .enumerate()
                            .map(|(i, o)| (rng.below(100) + 35 * i as u64, o.clone()))
                            .collect();
                        order.sort();
                        answers.insert(q.id, order.into_iter().map(|(_, o)| o).collect());
                    }
                }
                QuestionKind::SingleChoice => {
                    answers.insert(
                        q.id,
                        vec![q.options[weighted(&mut rng, &SAFE_WEIGHTS) % q.options.len()].clone()],
                    );
                }
                QuestionKind::ShortText | QuestionKind::LongText => {
                    if !survey.is_shown(q, &answers) {
                        continue;
                    }
                    let text = if q.condition.is_some() {
                        crate::demo_text::disagreement(&mut words)
                    } else if rng.below(100) < 45 {
                        crate::demo_text::response(&mut words, "")
                    } else {
                        continue;
                    };
                    answers.insert(q.id, vec![text]);
                }
            }
        }
        let organisation = (rng.below(100) < 3)
            .then(|| ORGANISATIONS[rng.below(ORGANISATIONS.len() as u64) as usize].to_owned());
        let areas = areas.names();
        let borough = if rng.below(100) < 82 && !areas.is_empty() {
            areas[rng.below(areas.len() as u64) as usize].clone()
        } else {
            String::new()
        };
        let texts = questions
            .iter()
            .filter(|q| q.kind.is_text())
            .filter_map(|q| {
                let text = answers.get(&q.id)?.first()?;
                Some(ResponseText { question: q.prompt.clone(), text: text.clone() })
            })
            .collect();
        let response = NewResponse {
            consultation_id: survey.consultation_id,
            channel: ResponseChannel::Online,
            source: ResponseSource::Synthetic,
            received_on: from.add_days(rng.below(days) as i64),
            respondent_type: if organisation.is_some() {
                RespondentType::Organisation
            } else {
                RespondentType::Individual
            },
            organisation: organisation.unwrap_or_default(),
            borough,
            user_id: None,
            email: None,
            entered_by: None,
            texts,
            attachment: None,
        };
        out.push((answers, response));
    }
    out
}

/// Adds [`synthetic_submissions`] to the survey, in one transaction.
pub async fn add_synthetic_submissions(
    store: &Store,
    survey: &Survey,
    count: usize,
    seed: u64,
) -> Result<usize> {
    let batch = synthetic_submissions(survey, count, seed, survey.opens_on, survey.closes_on, store.areas());
    let ids = store.record_survey_submissions(survey.id, &batch, Timestamp::now()).await?;
    Ok(ids.len())
}

fn scale(prompt: &str) -> NewQuestion {
    NewQuestion {
        kind: QuestionKind::AgreeScale,
        prompt: prompt.into(),
        hint: String::new(),
        required: true,
        options: vec![],
        condition: None,
    }
}

fn choice(kind: QuestionKind, prompt: &str, required: bool, options: &[&str]) -> NewQuestion {
    NewQuestion {
        kind,
        prompt: prompt.into(),
        hint: String::new(),
        required,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        condition: None,
    }
}

fn text(kind: QuestionKind, prompt: &str, required: bool) -> NewQuestion {
    NewQuestion {
        kind,
        prompt: prompt.into(),
        hint: String::new(),
        required,
        options: vec![],
        condition: None,
    }
}

const PRIORITIES: [&str; 7] = [
    "Knife crime and youth violence",
    "Violence against women and girls",
    "Anti-social behaviour",
    "Theft and burglary",
    "Drug dealing",
    "Hate crime",
    "Road safety",
];
/// The chance (in 100) that each priority is ticked.
const PRIORITY_CHANCE: [u64; 7] = [55, 48, 40, 35, 28, 14, 18];

const OBJECTIVES: [&str; 3] = ["Reducing violence", "Increasing trust in the Met", "Supporting victims"];

const SAFE_AFTER_DARK: [&str; 5] = ["Very safe", "Fairly safe", "Fairly unsafe", "Very unsafe", "Don't know"];
const SAFE_WEIGHTS: [u64; 5] = [12, 38, 30, 15, 5];

/// Weights of strongly agree ... strongly disagree, per objective: trust in the Met divides people
/// most.
const SCALE_WEIGHTS: [[u64; 5]; 3] = [[46, 34, 10, 6, 4], [30, 28, 14, 16, 12], [42, 38, 12, 5, 3]];

const ORGANISATIONS: [&str; 6] = [
    "Northside Tenants' Association",
    "Riverside Youth Trust",
    "Eastfield Neighbourhood Forum",
    "Southbank Small Business Network",
    "Westway Women's Safety Group",
    "Greenlane Faith Partnership",
];

fn weighted(rng: &mut SplitMix64, weights: &[u64]) -> usize {
    let total: u64 = weights.iter().sum();
    let mut pick = rng.below(total.max(1));
    for (i, w) in weights.iter().enumerate() {
        if pick < *w {
            return i;
        }
        pick -= w;
    }
    weights.len() - 1
}

/// A small, fast, seeded generator: the same seed gives the same demo.
pub(crate) struct SplitMix64(pub(crate) u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}
