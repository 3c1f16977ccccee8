//! The survey: staff build it from ordered sections of ordered questions; residents answer it, as a
//! draft until they submit. A submission and its row in the register of responses are written in
//! one transaction, so the register never counts a survey that was not kept, nor the reverse.
//!
//! What a survey asks and which answers it accepts ([`Survey::check_answers`], [`Survey::is_shown`])
//! is decided here, in plain functions, so that the web pages, the demo and the tests agree.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::queries::corrupt;
use crate::register::insert_response;
use crate::{Date, NewResponse, RespondentType, Result, Stage, Status, Store, StoreError, Timestamp};

/// The five points of the agree-disagree scale, in the order they are offered.
pub const AGREE_SCALE: [&str; 5] =
    ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"];

/// The longest answer to a short and a long free-text question, in characters.
pub const SHORT_TEXT_MAX: usize = 300;
pub const LONG_TEXT_MAX: usize = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    SingleChoice,
    MultipleChoice,
    AgreeScale,
    Ranking,
    ShortText,
    LongText,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 6] = [
        QuestionKind::SingleChoice,
        QuestionKind::MultipleChoice,
        QuestionKind::AgreeScale,
        QuestionKind::Ranking,
        QuestionKind::ShortText,
        QuestionKind::LongText,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::SingleChoice => "single_choice",
            QuestionKind::MultipleChoice => "multiple_choice",
            QuestionKind::AgreeScale => "agree_scale",
            QuestionKind::Ranking => "ranking",
            QuestionKind::ShortText => "short_text",
            QuestionKind::LongText => "long_text",
        }
    }

    pub fn parse(s: &str) -> Option<QuestionKind> {
        QuestionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// As staff read it in the back office.
    pub fn label(self) -> &'static str {
        match self {
            QuestionKind::SingleChoice => "Single choice",
            QuestionKind::MultipleChoice => "Multiple choice",
            QuestionKind::AgreeScale => "Agree-disagree scale (5 points)",
            QuestionKind::Ranking => "Ranking",
            QuestionKind::ShortText => "Short text",
            QuestionKind::LongText => "Long text",
        }
    }

    /// Whether staff write its options (the scale has its own).
    pub fn takes_options(self) -> bool {
        matches!(self, QuestionKind::SingleChoice | QuestionKind::MultipleChoice | QuestionKind::Ranking)
    }

    /// Whether its answers are picked from a list, so that a later question can depend on them.
    pub fn is_choice(self) -> bool {
        matches!(self, QuestionKind::SingleChoice | QuestionKind::MultipleChoice | QuestionKind::AgreeScale)
    }

    pub fn is_text(self) -> bool {
        matches!(self, QuestionKind::ShortText | QuestionKind::LongText)
    }
}

/// A question shown only when the answer to an earlier one is among `options`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    pub question_id: i64,
    pub options: Vec<String>,
}

/// A question as staff write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuestion {
    pub kind: QuestionKind,
    pub prompt: String,
    pub hint: String,
    pub required: bool,
    /// For single and multiple choice and ranking; ignored for the other kinds.
    pub options: Vec<String>,
    pub condition: Option<Condition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    pub id: i64,
    pub section_id: i64,
    pub kind: QuestionKind,
    pub prompt: String,
    pub hint: String,
    pub required: bool,
    pub options: Vec<String>,
    pub condition: Option<Condition>,
}

impl Question {
    /// What can be chosen: the options staff wrote, or the agree-disagree scale.
    pub fn choices(&self) -> Vec<&str> {
        match self.kind {
            QuestionKind::AgreeScale => AGREE_SCALE.to_vec(),
            _ => self.options.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    pub id: i64,
    pub title: String,
    pub intro: String,
    pub questions: Vec<Question>,
}

/// What staff set for the survey as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SurveySettings {
    pub title: String,
    pub intro: String,
    /// Whether people may answer without an account.
    pub allow_anonymous: bool,
}

/// A survey with its sections and questions, and what the pages need of its consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Survey {
    pub id: i64,
    pub consultation_id: i64,
    pub consultation_slug: String,
    pub consultation_title: String,
    pub opens_on: Date,
    pub closes_on: Date,
    /// Whether the consultation is published (a draft consultation takes no answers).
    pub published: bool,
    pub title: String,
    pub intro: String,
    pub allow_anonymous: bool,
    pub sections: Vec<Section>,
}

/// Answers by question id: the option chosen, every option ticked, the options in order of
/// preference (ranking), or the text typed.
pub type Answers = BTreeMap<i64, Vec<String>>;

/// A question that needs attention: `message` is shown beside it, `summary` in the list at the top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub question_id: i64,
    pub message: String,
    pub summary: String,
}

/// A problem with one field of the question form: `field` is `prompt`, `options`,
/// `condition_question` or `condition_options`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionProblem {
    pub field: &'static str,
    pub message: String,
}

impl Survey {
    pub fn status(&self, today: Date) -> Status {
        Status::on(today, self.opens_on, self.closes_on)
    }

    /// Whether answers are taken today: the consultation is at its open stage (published, and open
    /// by its dates).
    pub fn accepts_answers(&self, today: Date) -> bool {
        Stage::of(self.published, false, self.status(today)) == Stage::Open
    }

    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.sections.iter().flat_map(|s| s.questions.iter())
    }

    pub fn question(&self, id: i64) -> Option<&Question> {
        self.questions().find(|q| q.id == id)
    }

    /// Whether `question` is asked, given `answers`: it has no condition, or the question it depends
    /// on is itself asked and was answered with one of the condition's options.
    pub fn is_shown(&self, question: &Question, answers: &Answers) -> bool {
        let mut current = question;
        // Conditions chain back through earlier questions; the bound guards against a loop.
        for _ in 0..64 {
            let Some(condition) = &current.condition else { return true };
            let given = answers.get(&condition.question_id).map(Vec::as_slice).unwrap_or_default();
            if !given.iter().any(|a| condition.options.contains(a)) {
                return false;
            }
            match self.question(condition.question_id) {
                Some(earlier) => current = earlier,
                None => return true,
            }
        }
        false
    }

    /// What is wrong with `answers` to the questions of section `section` (its index), or of every
    /// section when `None`. Questions not asked (their condition is not met) need no answer.
    pub fn check_answers(&self, section: Option<usize>, answers: &Answers) -> Vec<Problem> {
        let sections: Vec<&Section> = match section {
            Some(index) => self.sections.get(index).into_iter().collect(),
            None => self.sections.iter().collect(),
        };
        let mut problems = Vec::new();
        for question in sections.iter().flat_map(|s| s.questions.iter()) {
            if !self.is_shown(question, answers) {
                continue;
            }
            let given: Vec<&str> = answers
                .get(&question.id)
                .map(|v| v.iter().map(|a| a.trim()).filter(|a| !a.is_empty()).collect())
                .unwrap_or_default();
            let choices = question.choices();
            let message = if given.is_empty() {
                question.required.then(|| match question.kind {
                    QuestionKind::SingleChoice | QuestionKind::AgreeScale => "Choose an answer".to_owned(),
                    QuestionKind::MultipleChoice => "Choose at least one answer".to_owned(),
                    QuestionKind::Ranking => "Put the options in order".to_owned(),
                    QuestionKind::ShortText | QuestionKind::LongText => "Enter an answer".to_owned(),
                })
            } else {
                match question.kind {
                    QuestionKind::SingleChoice | QuestionKind::AgreeScale if given.len() > 1 => {
                        Some("Choose only one answer".to_owned())
                    }
                    QuestionKind::SingleChoice | QuestionKind::AgreeScale | QuestionKind::MultipleChoice
                        if given.iter().any(|a| !choices.contains(a)) =>
                    {
                        Some("Choose from the answers given".to_owned())
                    }
                    QuestionKind::Ranking if given.iter().any(|a| !choices.contains(a)) => {
                        Some("Rank only the options given".to_owned())
                    }
                    QuestionKind::Ranking if question.required && given.len() < choices.len() => {
                        Some("Give every option a place".to_owned())
                    }
                    QuestionKind::ShortText if given[0].chars().count() > SHORT_TEXT_MAX => {
                        Some(format!("Keep your answer to {SHORT_TEXT_MAX} characters or fewer"))
                    }
                    QuestionKind::LongText if given[0].chars().count() > LONG_TEXT_MAX => {
                        Some(format!("Keep your answer to {LONG_TEXT_MAX} characters or fewer"))
                    }
                    _ => None,
                }
            };
            if let Some(message) = message {
                let summary = format!("{message}: \u{201c}{}\u{201d}", question.prompt);
                problems.push(Problem { question_id: question.id, message, summary });
            }
        }
        problems
    }

    /// The answers to the questions asked, without empty values, in the survey's order: what a
    /// submission keeps when it is submitted.
    pub fn shown_answers(&self, answers: &Answers) -> Answers {
        self.questions()
            .filter(|q| self.is_shown(q, answers))
            .filter_map(|q| {
                let values: Vec<String> = answers
                    .get(&q.id)?
                    .iter()
                    .map(|a| if q.kind.is_text() { a.trim_end().to_owned() } else { a.trim().to_owned() })
                    .filter(|a| !a.trim().is_empty())
                    .collect();
                (!values.is_empty()).then_some((q.id, values))
            })
            .collect()
    }

    /// Each question asked and answered, with its answer as one line of text (ranked options
    /// numbered), for the confirmation page and email.
    pub fn answer_lines(&self, answers: &Answers) -> Vec<(String, String)> {
        let shown = self.shown_answers(answers);
        self.questions()
            .filter_map(|q| {
                let values = shown.get(&q.id)?;
                let text = match q.kind {
                    QuestionKind::Ranking => values
                        .iter()
                        .enumerate()
                        .map(|(n, v)| format!("{}. {v}", n + 1))
                        .collect::<Vec<_>>()
                        .join("; "),
                    _ => values.join("; "),
                };
                Some((q.prompt.clone(), text))
            })
            .collect()
    }

    /// What is wrong with a question staff wrote for section `section_id` (`editing` is the
    /// question's own id when it exists). A condition must depend on a choice question that comes
    /// earlier in the survey.
    pub fn check_question(
        &self,
        section_id: i64,
        editing: Option<i64>,
        new: &NewQuestion,
    ) -> Vec<QuestionProblem> {
        let mut problems = basic_question_problems(new);
        if let Some(condition) = &new.condition {
            // The questions before this one: every question of earlier sections, and those above it
            // in its own section (all of them, for a new question added at the end).
            let mut earlier: Vec<&Question> = Vec::new();
            'sections: for section in &self.sections {
                for q in &section.questions {
                    if Some(q.id) == editing {
                        break 'sections;
                    }
                    earlier.push(q);
                }
                if section.id == section_id {
                    break;
                }
            }
            match earlier.iter().find(|q| q.id == condition.question_id) {
                None => problems.push(QuestionProblem {
                    field: "condition_question",
                    message: "Choose a question that comes before this one".into(),
                }),
                Some(q) if !q.kind.is_choice() => problems.push(QuestionProblem {
                    field: "condition_question",
                    message: "Choose a question answered by picking from a list".into(),
                }),
                Some(q) => {
                    let choices = q.choices();
                    if condition.options.is_empty() {
                        problems.push(QuestionProblem {
                            field: "condition_options",
                            message: "Choose at least one answer that shows this question".into(),
                        });
                    } else if let Some(bad) =
                        condition.options.iter().find(|o| !choices.contains(&o.as_str()))
                    {
                        problems.push(QuestionProblem {
                            field: "condition_options",
                            message: format!("\u{201c}{bad}\u{201d} is not one of that question's answers"),
                        });
                    }
                }
            }
        }
        problems
    }
}

/// The checks a question passes whatever survey it is in.
fn basic_question_problems(new: &NewQuestion) -> Vec<QuestionProblem> {
    let mut problems = Vec::new();
    if new.prompt.trim().is_empty() {
        problems.push(QuestionProblem { field: "prompt", message: "Enter the question".into() });
    } else if new.prompt.chars().count() > 500 {
        problems
            .push(QuestionProblem { field: "prompt", message: "Keep the question to 500 characters".into() });
    }
    if new.kind.takes_options() {
        let mut seen: Vec<&str> = Vec::new();
        for option in &new.options {
            if seen.contains(&option.as_str()) {
                problems.push(QuestionProblem {
                    field: "options",
                    message: format!("\u{201c}{option}\u{201d} is listed twice"),
                });
                break;
            }
            seen.push(option);
        }
        if new.options.len() < 2 {
            problems.push(QuestionProblem {
                field: "options",
                message: "Give at least two options, one a line".into(),
            });
        }
    }
    problems
}

/// A person's answers to a survey: a draft until `submitted_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submission {
    pub id: i64,
    pub survey_id: i64,
    pub user_id: Option<i64>,
    pub email: Option<String>,
    pub respondent_type: RespondentType,
    /// The organisation's name when they answer for one, else empty.
    pub organisation: String,
    pub submitted_at: Option<Timestamp>,
    /// Its row in the register, once submitted.
    pub response_id: Option<i64>,
    pub answers: Answers,
}

impl Submission {
    pub fn is_submitted(&self) -> bool {
        self.submitted_at.is_some()
    }
}

/// Whose submission: an account's, or the one a resume token (its SHA-256) leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Respondent<'a> {
    Account(i64),
    ResumeToken(&'a str),
}

/// How many chose each option of a question, or where they ranked it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionResult {
    pub question_id: i64,
    /// Submissions that answered the question.
    pub answered: i64,
    /// Per choice, in the question's order: how many chose it.
    pub counts: Vec<(String, i64)>,
    /// Per option of a ranking, in the question's order: its average place (1 is first) and how
    /// many ranked it.
    pub average_ranks: Vec<(String, Option<f64>, i64)>,
}

/// The answers of every submitted submission, counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyResults {
    pub submitted: i64,
    /// Of those, how many the demo generated (their register rows are marked synthetic).
    pub synthetic: i64,
    pub questions: Vec<QuestionResult>,
}

impl Store {
    /// The survey of the consultation with this slug, with its sections and questions in order.
    pub async fn survey_for(&self, consultation_slug: &str) -> Result<Option<Survey>> {
        let row = sqlx::query(
            "SELECT s.id, s.title, s.intro, s.allow_anonymous, c.id AS consultation_id, c.slug, \
             c.title AS consultation_title, c.opens_on, c.closes_on, \
             CASE WHEN c.withdrawn_at IS NULL THEN c.published_at END AS published_at \
             FROM surveys s JOIN consultations c ON c.id = s.consultation_id WHERE c.slug = $1",
        )
        .bind(consultation_slug)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = row.try_get("id")?;
        let mut sections: Vec<Section> = sqlx::query(
            "SELECT id, title, intro FROM survey_sections WHERE survey_id = $1 ORDER BY position, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Section {
                id: r.try_get("id")?,
                title: r.try_get("title")?,
                intro: r.try_get("intro")?,
                questions: Vec::new(),
            })
        })
        .collect::<Result<_>>()?;
        let questions = sqlx::query(
            "SELECT q.id, q.section_id, q.kind, q.prompt, q.hint, q.required, q.options, \
             q.condition_question_id, q.condition_options FROM survey_questions q \
             JOIN survey_sections s ON s.id = q.section_id WHERE s.survey_id = $1 ORDER BY q.position, q.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        for row in &questions {
            let question = question(row)?;
            if let Some(section) = sections.iter_mut().find(|s| s.id == question.section_id) {
                section.questions.push(question);
            }
        }
        let text = |column: &str| -> Result<Date> {
            let value: String = row.try_get(column)?;
            Date::parse_iso(&value).map_err(|_| corrupt(column, &value))
        };
        Ok(Some(Survey {
            id,
            consultation_id: row.try_get("consultation_id")?,
            consultation_slug: row.try_get("slug")?,
            consultation_title: row.try_get("consultation_title")?,
            opens_on: text("opens_on")?,
            closes_on: text("closes_on")?,
            published: row.try_get::<Option<i64>, _>("published_at")?.is_some(),
            title: row.try_get("title")?,
            intro: row.try_get("intro")?,
            allow_anonymous: row.try_get::<i64, _>("allow_anonymous")? != 0,
            sections,
        }))
    }

    /// Gives a consultation its survey (it may have one).
    pub async fn create_survey(&self, consultation_id: i64, settings: &SurveySettings) -> Result<i64> {
        check_settings(settings)?;
        let mut tx = self.begin_write().await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM surveys WHERE consultation_id = $1")
            .bind(consultation_id)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Invalid("this consultation has a survey already".into()));
        }
        let rows: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO surveys (consultation_id, title, intro, allow_anonymous, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(consultation_id)
        .bind(settings.title.trim())
        .bind(settings.intro.trim())
        .bind(i64::from(settings.allow_anonymous))
        .bind(Timestamp::now().0)
        .fetch_all(&mut *tx)
        .await?;
        let id = crate::only_row(rows)?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_survey(&self, survey_id: i64, settings: &SurveySettings) -> Result<()> {
        check_settings(settings)?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE surveys SET title = $1, intro = $2, allow_anonymous = $3 WHERE id = $4")
            .bind(settings.title.trim())
            .bind(settings.intro.trim())
            .bind(i64::from(settings.allow_anonymous))
            .bind(survey_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a section at the end of the survey.
    pub async fn add_section(&self, survey_id: i64, title: &str, intro: &str) -> Result<i64> {
        check_section(title)?;
        let mut tx = self.begin_write().await?;
        let position: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(position) + 1, 0) FROM survey_sections WHERE survey_id = $1",
        )
        .bind(survey_id)
        .fetch_one(&mut *tx)
        .await?;
        let rows: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO survey_sections (survey_id, position, title, intro) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(survey_id)
        .bind(position)
        .bind(title.trim())
        .bind(intro.trim())
        .fetch_all(&mut *tx)
        .await?;
        let id = crate::only_row(rows)?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_section(&self, section_id: i64, title: &str, intro: &str) -> Result<()> {
        check_section(title)?;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE survey_sections SET title = $1, intro = $2 WHERE id = $3")
            .bind(title.trim())
            .bind(intro.trim())
            .bind(section_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a section and its questions, unless someone has submitted answers to them: those
    /// answers are part of the record and are never thrown away.
    pub async fn delete_section(&self, section_id: i64) -> Result<()> {
        self.delete_unanswered(
            "survey_sections",
            section_id,
            "SELECT COUNT(*) FROM survey_answers a JOIN survey_questions q ON q.id = a.question_id \
             JOIN survey_submissions s ON s.id = a.submission_id \
             WHERE q.section_id = $1 AND s.status = 'submitted'",
            "people have answered questions in this section, so it cannot be deleted",
        )
        .await
    }

    /// Moves a section one place earlier (`up`) or later.
    pub async fn move_section(&self, section_id: i64, up: bool) -> Result<()> {
        self.move_among_siblings("survey_sections", "survey_id", section_id, up).await
    }

    /// Adds a question at the end of a section. The caller checks its condition against the survey
    /// ([`Survey::check_question`]); the store checks what it can alone.
    pub async fn add_question(&self, section_id: i64, new: &NewQuestion) -> Result<i64> {
        refuse_problems(basic_question_problems(new))?;
        let mut tx = self.begin_write().await?;
        let position: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(position) + 1, 0) FROM survey_questions WHERE section_id = $1",
        )
        .bind(section_id)
        .fetch_one(&mut *tx)
        .await?;
        let rows: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO survey_questions (section_id, position, kind, prompt, hint, required, options, \
             condition_question_id, condition_options) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(section_id)
        .bind(position)
        .bind(new.kind.as_str())
        .bind(new.prompt.trim())
        .bind(new.hint.trim())
        .bind(i64::from(new.required))
        .bind(lines(if new.kind.takes_options() { &new.options } else { &[] }))
        .bind(new.condition.as_ref().map(|c| c.question_id))
        .bind(new.condition.as_ref().map_or_else(String::new, |c| lines(&c.options)))
        .fetch_all(&mut *tx)
        .await?;
        let id = crate::only_row(rows)?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_question(&self, question_id: i64, new: &NewQuestion) -> Result<()> {
        refuse_problems(basic_question_problems(new))?;
        if new.condition.as_ref().is_some_and(|c| c.question_id == question_id) {
            return Err(StoreError::Invalid("a question cannot depend on itself".into()));
        }
        let mut tx = self.begin_write().await?;
        let answered: i64 =
            sqlx::query_scalar(ANSWERED_QUESTION).bind(question_id).fetch_one(&mut *tx).await?;
        if answered > 0 {
            let (kind, options): (String, String) =
                sqlx::query_as("SELECT kind, options FROM survey_questions WHERE id = $1")
                    .bind(question_id)
                    .fetch_one(&mut *tx)
                    .await?;
            let kind = QuestionKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?;
            if let Some(problem) = answered_question_change(kind, &split_lines(&options), new) {
                return Err(StoreError::Invalid(problem));
            }
        }
        sqlx::query(
            "UPDATE survey_questions SET kind = $1, prompt = $2, hint = $3, required = $4, options = $5, \
             condition_question_id = $6, condition_options = $7 WHERE id = $8",
        )
        .bind(new.kind.as_str())
        .bind(new.prompt.trim())
        .bind(new.hint.trim())
        .bind(i64::from(new.required))
        .bind(lines(if new.kind.takes_options() { &new.options } else { &[] }))
        .bind(new.condition.as_ref().map(|c| c.question_id))
        .bind(new.condition.as_ref().map_or_else(String::new, |c| lines(&c.options)))
        .bind(question_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes a question nobody has submitted an answer to.
    pub async fn delete_question(&self, question_id: i64) -> Result<()> {
        self.delete_unanswered(
            "survey_questions",
            question_id,
            ANSWERED_QUESTION,
            "people have answered this question, so it cannot be deleted",
        )
        .await
    }

    /// Deletes the row `id` of `table`, or refuses with `refusal` when `count_answered` (given the
    /// id) finds submitted answers that depend on it. The names are this module's constants, never
    /// input, so they can go into the SQL text.
    async fn delete_unanswered(
        &self,
        table: &'static str,
        id: i64,
        count_answered: &'static str,
        refusal: &'static str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let answered: i64 = sqlx::query_scalar(count_answered).bind(id).fetch_one(&mut *tx).await?;
        if answered > 0 {
            return Err(StoreError::Invalid(refusal.into()));
        }
        sqlx::query(&format!("DELETE FROM {table} WHERE id = $1")).bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a question one place earlier (`up`) or later within its section.
    pub async fn move_question(&self, question_id: i64, up: bool) -> Result<()> {
        self.move_among_siblings("survey_questions", "section_id", question_id, up).await
    }

    /// Swaps the row `id` of `table` with its neighbour among the rows sharing its `parent` column,
    /// renumbering their positions from 0. Sections and questions are ordered the same way; the
    /// names are this module's constants, never input, so they can go into the SQL text.
    async fn move_among_siblings(
        &self,
        table: &'static str,
        parent: &'static str,
        id: i64,
        up: bool,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let ids: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT id FROM {table} WHERE {parent} = \
             (SELECT {parent} FROM {table} WHERE id = $1) ORDER BY position, id"
        ))
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        if let Some(order) = moved(&ids, id, up) {
            let update = format!("UPDATE {table} SET position = $1 WHERE id = $2");
            for (position, sibling) in order.iter().enumerate() {
                sqlx::query(&update).bind(position as i64).bind(sibling).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The submission of `who` to this survey, draft or submitted, with its answers.
    pub async fn submission(&self, survey_id: i64, who: Respondent<'_>) -> Result<Option<Submission>> {
        let (clause, key) = respondent_clause(who);
        let sql = format!(
            "SELECT id, survey_id, user_id, email, respondent_type, organisation, submitted_at, response_id \
             FROM survey_submissions \
             WHERE survey_id = $1 AND {clause}"
        );
        let row = sqlx::query(&sql).bind(survey_id);
        let row = match key {
            Key::Id(id) => row.bind(id),
            Key::Text(text) => row.bind(text.to_owned()),
        }
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = row.try_get("id")?;
        let mut answers = Answers::new();
        let rows = sqlx::query(
            "SELECT question_id, value FROM survey_answers WHERE submission_id = $1 ORDER BY question_id, position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            answers.entry(r.try_get("question_id")?).or_default().push(r.try_get("value")?);
        }
        let respondent_type: String = row.try_get("respondent_type")?;
        Ok(Some(Submission {
            id,
            survey_id: row.try_get("survey_id")?,
            user_id: row.try_get("user_id")?,
            email: row.try_get("email")?,
            respondent_type: RespondentType::parse(&respondent_type)
                .ok_or_else(|| corrupt("respondent type", &respondent_type))?,
            organisation: row.try_get("organisation")?,
            submitted_at: row.try_get::<Option<i64>, _>("submitted_at")?.map(Timestamp),
            response_id: row.try_get("response_id")?,
            answers,
        }))
    }

    /// Keeps the answers of `who` to the questions `replacing` (a section's) in their draft,
    /// creating the draft when it is new; `email` (for a confirmation without an account) replaces
    /// the one kept when given. Refused once the submission is submitted. Returns its id.
    pub async fn save_draft(
        &self,
        survey_id: i64,
        who: Respondent<'_>,
        email: Option<&str>,
        answers: &Answers,
        replacing: &[i64],
        now: Timestamp,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let (clause, key) = respondent_clause(who);
        let sql = format!("SELECT id, status FROM survey_submissions WHERE survey_id = $1 AND {clause}");
        let query = sqlx::query(&sql).bind(survey_id);
        let found = match key {
            Key::Id(id) => query.bind(id),
            Key::Text(text) => query.bind(text.to_owned()),
        }
        .fetch_optional(&mut *tx)
        .await?;
        let id = match found {
            Some(row) => {
                let status: String = row.try_get("status")?;
                if status != "draft" {
                    return Err(StoreError::Invalid("these answers have been submitted already".into()));
                }
                let id: i64 = row.try_get("id")?;
                sqlx::query(
                    "UPDATE survey_submissions SET updated_at = $1, email = COALESCE($2, email) WHERE id = $3",
                )
                .bind(now.0)
                .bind(email.map(str::to_owned))
                .bind(id)
                .execute(&mut *tx)
                .await?;
                id
            }
            None => {
                let (user_id, token_hash) = match who {
                    Respondent::Account(id) => (Some(id), None),
                    Respondent::ResumeToken(hash) => (None, Some(hash)),
                };
                let rows: Vec<i64> = sqlx::query_scalar(
                    "INSERT INTO survey_submissions (survey_id, consultation_id, user_id, email, status, \
                     resume_token_hash, created_at, updated_at) \
                     SELECT id, consultation_id, $2, $3, 'draft', $4, $5, $5 FROM surveys WHERE id = $1 \
                     RETURNING id",
                )
                .bind(survey_id)
                .bind(user_id)
                .bind(email.map(str::to_owned))
                .bind(token_hash.map(str::to_owned))
                .bind(now.0)
                .fetch_all(&mut *tx)
                .await?;
                crate::only_row(rows)?
            }
        };
        replace_answers(&mut tx, id, answers, replacing).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Keeps in a draft whether its person answers for themselves or for an organisation.
    pub async fn set_submission_respondent(
        &self,
        submission_id: i64,
        respondent_type: RespondentType,
        organisation: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE survey_submissions SET respondent_type = $1, organisation = $2 \
             WHERE id = $3 AND status = 'draft'",
        )
        .bind(respondent_type.as_str())
        .bind(organisation.trim())
        .bind(submission_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Submits a draft with its final `answers` (all of them; the rest are dropped) and puts
    /// `response` in the register, in one transaction. Returns the response's id. Refused when the
    /// draft was submitted already (a second tab, a double click).
    pub async fn submit_survey(
        &self,
        submission_id: i64,
        answers: &Answers,
        response: &NewResponse,
        now: Timestamp,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE survey_submissions SET status = 'submitted', submitted_at = $1, updated_at = $1, \
             email = COALESCE($2, email), respondent_type = $3, organisation = $4 \
             WHERE id = $5 AND status = 'draft'",
        )
        .bind(now.0)
        .bind(response.email.clone())
        .bind(response.respondent_type.as_str())
        .bind(&response.organisation)
        .bind(submission_id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Invalid("these answers have been submitted already".into()));
        }
        let response_id = insert_response(&mut tx, response, now).await?;
        sqlx::query("UPDATE survey_submissions SET response_id = $1 WHERE id = $2")
            .bind(response_id)
            .bind(submission_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM survey_answers WHERE submission_id = $1")
            .bind(submission_id)
            .execute(&mut *tx)
            .await?;
        insert_answers(&mut tx, submission_id, answers).await?;
        tx.commit().await?;
        Ok(response_id)
    }

    /// Writes submissions that were submitted elsewhere (the demo's synthetic ones) with their rows
    /// in the register, in one transaction: all or none. Each response's `user_id` and `email` are
    /// the submission's.
    pub async fn record_survey_submissions(
        &self,
        survey_id: i64,
        submissions: &[(Answers, NewResponse)],
        now: Timestamp,
    ) -> Result<Vec<i64>> {
        let mut tx = self.begin_write().await?;
        let consultation_id: i64 = sqlx::query_scalar("SELECT consultation_id FROM surveys WHERE id = $1")
            .bind(survey_id)
            .fetch_one(&mut *tx)
            .await?;
        let mut ids = Vec::with_capacity(submissions.len());
        for (answers, response) in submissions {
            if response.consultation_id != consultation_id {
                return Err(StoreError::Invalid("a response belongs to another consultation".into()));
            }
            let response_id = insert_response(&mut tx, response, now).await?;
            let at = response.received_on.start().0 + 12 * 3600;
            let rows: Vec<i64> = sqlx::query_scalar(
                "INSERT INTO survey_submissions (survey_id, consultation_id, user_id, email, status, \
                 respondent_type, organisation, created_at, updated_at, submitted_at, response_id) \
                 VALUES ($1, $2, $3, $4, 'submitted', $5, $6, $7, $7, $7, $8) RETURNING id",
            )
            .bind(survey_id)
            .bind(consultation_id)
            .bind(response.user_id)
            .bind(response.email.clone())
            .bind(response.respondent_type.as_str())
            .bind(&response.organisation)
            .bind(at)
            .bind(response_id)
            .fetch_all(&mut *tx)
            .await?;
            let id = crate::only_row(rows)?;
            insert_answers(&mut tx, id, answers).await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// Every submitted submission's answers to the survey's choice, scale and ranking questions,
    /// counted.
    pub async fn survey_results(&self, survey: &Survey) -> Result<SurveyResults> {
        let submitted: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM survey_submissions WHERE survey_id = $1 AND status = 'submitted'",
        )
        .bind(survey.id)
        .fetch_one(&self.pool)
        .await?;
        let synthetic: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM survey_submissions s JOIN responses r ON r.id = s.response_id \
             WHERE s.survey_id = $1 AND s.status = 'submitted' AND r.source = 'synthetic'",
        )
        .bind(survey.id)
        .fetch_one(&self.pool)
        .await?;
        let answered: HashMap<i64, i64> = sqlx::query(
            "SELECT a.question_id, COUNT(DISTINCT a.submission_id) AS n FROM survey_answers a \
             JOIN survey_submissions s ON s.id = a.submission_id \
             WHERE s.survey_id = $1 AND s.status = 'submitted' GROUP BY a.question_id",
        )
        .bind(survey.id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("question_id")?, r.try_get("n")?)))
        .collect::<Result<_>>()?;
        // Free text is listed, not counted: only the questions answered from a list are grouped.
        let rows = sqlx::query(
            "SELECT a.question_id, a.value, COUNT(*) AS n, CAST(SUM(a.position) AS BIGINT) AS places \
             FROM survey_answers a JOIN survey_submissions s ON s.id = a.submission_id \
             JOIN survey_questions q ON q.id = a.question_id \
             WHERE s.survey_id = $1 AND s.status = 'submitted' AND q.kind NOT IN ('short_text', 'long_text') \
             GROUP BY a.question_id, a.value",
        )
        .bind(survey.id)
        .fetch_all(&self.pool)
        .await?;
        let mut tallies: HashMap<(i64, String), (i64, i64)> = HashMap::new();
        for r in &rows {
            tallies.insert(
                (r.try_get("question_id")?, r.try_get("value")?),
                (r.try_get("n")?, r.try_get("places")?),
            );
        }
        let questions = survey
            .questions()
            .map(|q| {
                let tally = |choice: &str| tallies.get(&(q.id, choice.to_owned())).copied().unwrap_or((0, 0));
                let (counts, average_ranks) = match q.kind {
                    QuestionKind::Ranking => (
                        Vec::new(),
                        q.choices()
                            .into_iter()
                            .map(|c| {
                                let (n, places) = tally(c);
                                // Places are stored from 0; people read the first place as 1.
                                let average = (n > 0).then(|| places as f64 / n as f64 + 1.0);
                                (c.to_owned(), average, n)
                            })
                            .collect(),
                    ),
                    kind if kind.is_choice() => {
                        (q.choices().into_iter().map(|c| (c.to_owned(), tally(c).0)).collect(), Vec::new())
                    }
                    _ => (Vec::new(), Vec::new()),
                };
                QuestionResult {
                    question_id: q.id,
                    answered: answered.get(&q.id).copied().unwrap_or(0),
                    counts,
                    average_ranks,
                }
            })
            .collect();
        Ok(SurveyResults { submitted, synthetic, questions })
    }

    /// One page (from 1) of the submitted answers to a free-text question, newest first, and how
    /// many there are in all.
    pub async fn survey_texts(
        &self,
        question_id: i64,
        page: u32,
        per_page: u32,
    ) -> Result<(Vec<String>, i64)> {
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM survey_answers a JOIN survey_submissions s ON s.id = a.submission_id \
             WHERE a.question_id = $1 AND s.status = 'submitted'",
        )
        .bind(question_id)
        .fetch_one(&self.pool)
        .await?;
        let per_page = per_page.clamp(1, 500);
        let texts = sqlx::query_scalar(
            "SELECT a.value FROM survey_answers a JOIN survey_submissions s ON s.id = a.submission_id \
             WHERE a.question_id = $1 AND s.status = 'submitted' \
             ORDER BY s.submitted_at DESC, s.id DESC LIMIT $2 OFFSET $3",
        )
        .bind(question_id)
        .bind(i64::from(per_page))
        .bind(i64::from(page.max(1) - 1) * i64::from(per_page))
        .fetch_all(&self.pool)
        .await?;
        Ok((texts, total))
    }
}

enum Key<'a> {
    Id(i64),
    Text(&'a str),
}

fn respondent_clause(who: Respondent<'_>) -> (&'static str, Key<'_>) {
    match who {
        Respondent::Account(id) => ("user_id = $2", Key::Id(id)),
        Respondent::ResumeToken(hash) => ("resume_token_hash = $2 AND user_id IS NULL", Key::Text(hash)),
    }
}

async fn replace_answers(
    conn: &mut AnyConnection,
    submission_id: i64,
    answers: &Answers,
    replacing: &[i64],
) -> Result<()> {
    for question_id in replacing {
        sqlx::query("DELETE FROM survey_answers WHERE submission_id = $1 AND question_id = $2")
            .bind(submission_id)
            .bind(question_id)
            .execute(&mut *conn)
            .await?;
    }
    let kept: Answers =
        answers.iter().filter(|(id, _)| replacing.contains(id)).map(|(id, v)| (*id, v.clone())).collect();
    insert_answers(conn, submission_id, &kept).await
}

async fn insert_answers(conn: &mut AnyConnection, submission_id: i64, answers: &Answers) -> Result<()> {
    for (question_id, values) in answers {
        for (position, value) in values.iter().enumerate() {
            sqlx::query(
                "INSERT INTO survey_answers (submission_id, question_id, position, value) VALUES ($1, $2, $3, $4)",
            )
            .bind(submission_id)
            .bind(question_id)
            .bind(position as i64)
            .bind(value)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

fn question(row: &AnyRow) -> Result<Question> {
    let kind: String = row.try_get("kind")?;
    let condition_question: Option<i64> = row.try_get("condition_question_id")?;
    let condition_options: String = row.try_get("condition_options")?;
    Ok(Question {
        id: row.try_get("id")?,
        section_id: row.try_get("section_id")?,
        kind: QuestionKind::parse(&kind).ok_or_else(|| corrupt("question kind", &kind))?,
        prompt: row.try_get("prompt")?,
        hint: row.try_get("hint")?,
        required: row.try_get::<i64, _>("required")? != 0,
        options: split_lines(&row.try_get::<String, _>("options")?),
        condition: condition_question
            .map(|question_id| Condition { question_id, options: split_lines(&condition_options) }),
    })
}

/// Options are kept one a line.
/// Submitted answers to the question `$1`.
const ANSWERED_QUESTION: &str = "SELECT COUNT(*) FROM survey_answers a JOIN survey_submissions s ON s.id = a.submission_id \
     WHERE a.question_id = $1 AND s.status = 'submitted'";

/// What an edit may not change once people have answered a question: its kind, and the options
/// they chose from (answers are kept as the option's words, so a renamed or removed option would
/// lose them from the results). Wording, hints and new options are fine. `None` when the edit is.
fn answered_question_change(kind: QuestionKind, options: &[String], new: &NewQuestion) -> Option<String> {
    if new.kind != kind {
        return Some(format!(
            "people have answered this question, so its kind cannot change: it stays “{}”",
            kind.label()
        ));
    }
    if !kind.takes_options() {
        return None;
    }
    let kept: Vec<&str> = new.options.iter().map(|o| o.trim()).collect();
    options.iter().find(|o| !kept.contains(&o.as_str())).map(|missing| {
        format!(
            "people have answered this question, so its options cannot be removed or reworded: put “{missing}” back \
             (you can add options)"
        )
    })
}

fn lines(options: &[String]) -> String {
    options.iter().map(|o| o.trim()).filter(|o| !o.is_empty()).collect::<Vec<_>>().join("\n")
}

fn split_lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// `ids` with `id` swapped with its neighbour, or `None` when it is at that end already.
fn moved(ids: &[i64], id: i64, up: bool) -> Option<Vec<i64>> {
    let at = ids.iter().position(|&i| i == id)?;
    let other = if up { at.checked_sub(1)? } else { at + 1 };
    if other >= ids.len() {
        return None;
    }
    let mut order = ids.to_vec();
    order.swap(at, other);
    Some(order)
}

fn check_settings(settings: &SurveySettings) -> Result<()> {
    if settings.title.trim().is_empty() {
        return Err(StoreError::Invalid("a survey needs a title".into()));
    }
    Ok(())
}

fn check_section(title: &str) -> Result<()> {
    if title.trim().is_empty() {
        return Err(StoreError::Invalid("a section needs a title".into()));
    }
    Ok(())
}

fn refuse_problems(problems: Vec<QuestionProblem>) -> Result<()> {
    match problems.into_iter().next() {
        Some(p) => Err(StoreError::Invalid(p.message)),
        None => Ok(()),
    }
}
