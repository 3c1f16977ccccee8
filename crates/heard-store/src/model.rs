//! The domain records the store reads and writes: consultations and what they hold, people, comments.

use serde::Serialize;

use crate::date::{Date, Timestamp};

/// Where a consultation stands, derived from its dates and today's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Upcoming,
    Open,
    Closed,
}

impl Status {
    pub fn on(today: Date, opens: Date, closes: Date) -> Status {
        if today < opens {
            Status::Upcoming
        } else if today <= closes {
            Status::Open
        } else {
            Status::Closed
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Upcoming => "Upcoming",
            Status::Open => "Open",
            Status::Closed => "Closed",
        }
    }
}

/// Where a consultation stands in its life: draft, scheduled, open, closed, results published, or
/// withdrawn. Only the publishing and withdrawing steps are stored (as instants); opening and
/// closing follow the dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Draft,
    Scheduled,
    Open,
    Closed,
    ResultsPublished,
    /// Published, then withdrawn by an administrator: no public page finds it any more.
    Withdrawn,
}

impl Stage {
    pub fn of(published: bool, results_published: bool, status: Status) -> Stage {
        match (published, status) {
            (false, _) => Stage::Draft,
            (true, Status::Upcoming) => Stage::Scheduled,
            (true, Status::Open) => Stage::Open,
            (true, Status::Closed) if results_published => Stage::ResultsPublished,
            (true, Status::Closed) => Stage::Closed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::Scheduled => "scheduled",
            Stage::Open => "open",
            Stage::Closed => "closed",
            Stage::ResultsPublished => "results_published",
            Stage::Withdrawn => "withdrawn",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Draft => "Draft",
            Stage::Scheduled => "Scheduled",
            Stage::Open => "Open",
            Stage::Closed => "Closed",
            Stage::ResultsPublished => "Results published",
            Stage::Withdrawn => "Withdrawn",
        }
    }
}

/// What a person may do; a host is staff speaking in a discussion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Resident,
    Host,
    Moderator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Host => "host",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "resident" => Role::Resident,
            "host" => Role::Host,
            "moderator" => Role::Moderator,
            "admin" => Role::Admin,
            _ => return None,
        })
    }

    /// The badge shown beside a name in a discussion.
    pub fn badge(self) -> &'static str {
        match self {
            Role::Resident => "Community Member",
            Role::Host => "Host",
            Role::Moderator => "Moderator",
            Role::Admin => "Staff",
        }
    }
}

/// A way to respond other than the discussions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    Survey,
    Events,
    Email,
    Post,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Survey => "survey",
            ChannelKind::Events => "events",
            ChannelKind::Email => "email",
            ChannelKind::Post => "post",
        }
    }

    pub fn parse(s: &str) -> Option<ChannelKind> {
        Some(match s {
            "survey" => ChannelKind::Survey,
            "events" => ChannelKind::Events,
            "email" => ChannelKind::Email,
            "post" => ChannelKind::Post,
            _ => return None,
        })
    }
}

/// Where a comment came from: typed on the site, imported from a saved page, or generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentSource {
    Web,
    Import,
    Synthetic,
}

impl CommentSource {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentSource::Web => "web",
            CommentSource::Import => "import",
            CommentSource::Synthetic => "synthetic",
        }
    }

    pub fn parse(s: &str) -> Option<CommentSource> {
        Some(match s {
            "web" => CommentSource::Web,
            "import" => CommentSource::Import,
            "synthetic" => CommentSource::Synthetic,
            _ => return None,
        })
    }
}

/// Everything needed to publish a consultation, written in one transaction.
#[derive(Debug, Clone)]
pub struct NewConsultation {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub organisation: String,
    /// Who responds, as the count line says it: "1,622 Londoners have responded".
    pub respondent_noun: String,
    pub opens_on: Date,
    pub closes_on: Date,
    /// The count recorded before heard held every response (for example from a saved page).
    pub recorded_responses: Option<i64>,
    pub results_expected: Option<String>,
    /// How to ask for a document in an accessible format.
    pub accessible_formats: String,
    pub objectives: Vec<NewObjective>,
    pub timeline: Vec<TimelineEntry>,
    pub documents: Vec<Document>,
    pub channels: Vec<Channel>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewObjective {
    pub title: String,
    pub summary: String,
    pub commitments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    pub on_date: Date,
    pub title: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub title: String,
    pub url: String,
    /// "PDF, 2.1 MB", "Web page".
    pub format: String,
    pub easy_read: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Channel {
    pub kind: ChannelKind,
    pub title: String,
    pub detail: String,
    /// An email address, a postal address (lines separated by newlines) or a link.
    pub address: String,
}

/// A consultation as listed on the home page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsultationSummary {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub organisation: String,
    pub respondent_noun: String,
    pub opens_on: Date,
    pub closes_on: Date,
    pub recorded_responses: Option<i64>,
    /// False for a draft, which only staff see.
    pub published: bool,
    pub results_published: bool,
    /// When an administrator withdrew it (staff still see it; the public does not).
    pub withdrawn_at: Option<Timestamp>,
    /// When published results were last withdrawn, if they are not out again since.
    pub results_withdrawn_at: Option<Timestamp>,
}

impl ConsultationSummary {
    pub fn status(&self, today: Date) -> Status {
        Status::on(today, self.opens_on, self.closes_on)
    }

    pub fn stage(&self, today: Date) -> Stage {
        if self.withdrawn_at.is_some() {
            return Stage::Withdrawn;
        }
        Stage::of(self.published, self.results_published, self.status(today))
    }
}

/// A consultation with everything its page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Consultation {
    pub summary: ConsultationSummary,
    pub results_expected: Option<String>,
    pub accessible_formats: String,
    pub objectives: Vec<NewObjective>,
    pub timeline: Vec<TimelineEntry>,
    pub documents: Vec<Document>,
    pub channels: Vec<Channel>,
    pub discussions: Vec<DiscussionSummary>,
}

#[derive(Debug, Clone)]
pub struct NewDiscussion {
    pub slug: String,
    pub title: String,
    pub intro: String,
    pub opens_on: Date,
    pub closes_on: Date,
    pub questions: Vec<String>,
    /// Staff who join the discussion, by user id.
    pub hosts: Vec<i64>,
    /// "MOPAC", as in "Alex, Chervonne and Dionne from MOPAC".
    pub host_organisation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiscussionSummary {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub intro: String,
    pub opens_on: Date,
    pub closes_on: Date,
    pub comment_count: i64,
}

impl DiscussionSummary {
    pub fn status(&self, today: Date) -> Status {
        Status::on(today, self.opens_on, self.closes_on)
    }
}

/// A discussion as the forms that post to it need it: where it is, what it is called and when it
/// is open. One query, whatever the number of comments (a [`DiscussionSummary`] counts them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiscussionRef {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub opens_on: Date,
    pub closes_on: Date,
    pub consultation_slug: String,
}

impl DiscussionRef {
    pub fn status(&self, today: Date) -> Status {
        Status::on(today, self.opens_on, self.closes_on)
    }

    /// Its page: "/consultations/SLUG/discussions/SLUG".
    pub fn path(&self) -> String {
        format!("/consultations/{}/discussions/{}", self.consultation_slug, self.slug)
    }
}

/// A discussion with its questions and hosts, and the consultation it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discussion {
    pub summary: DiscussionSummary,
    pub consultation: ConsultationSummary,
    pub questions: Vec<String>,
    pub hosts: Vec<User>,
    pub host_organisation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: i64,
    pub display_name: String,
    pub role: Role,
    pub synthetic: bool,
}

/// What a deleted account's name becomes wherever its comments stay.
pub const FORMER_MEMBER: &str = "Former member";

/// The install's areas (wards, boroughs, districts), the operator's list: what a resident picks as
/// where they live, what staff enter and imports name for a response, and what the results break
/// down by. An install may have none: then nobody is asked, and no response names one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Areas {
    /// What one is called, in lower case: "borough", "ward", "London borough".
    noun: String,
    names: Vec<String>,
}

/// Why an operator's list of areas was refused, naming its line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct AreasError {
    pub line: usize,
    pub message: String,
}

impl Areas {
    /// No areas: nobody is asked where they live.
    pub fn none() -> Areas {
        Areas { noun: "area".into(), names: Vec::new() }
    }

    /// London's 32 boroughs and the City of London: the demo's list.
    pub fn london() -> Areas {
        Areas {
            noun: "London borough".into(),
            names: LONDON_BOROUGHS.iter().map(|b| (*b).to_owned()).collect(),
        }
    }

    /// An operator's list: one name a line; blank lines and lines starting with `#` are skipped.
    /// A name given twice (in any case) is refused. `noun` is what one is called ("ward").
    pub fn parse(text: &str, noun: &str) -> std::result::Result<Areas, AreasError> {
        let mut names: Vec<String> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let name = line.trim().trim_start_matches('\u{feff}');
            if name.is_empty() || name.starts_with('#') {
                continue;
            }
            let problem = |message: String| AreasError { line: n + 1, message };
            if name.chars().count() > 100 {
                return Err(problem(format!(
                    "{name:?} is too long for an area's name (at most 100 characters)"
                )));
            }
            if name.chars().any(char::is_control) {
                return Err(problem("an area's name cannot hold control characters".into()));
            }
            if let Some(earlier) = names.iter().find(|e| e.eq_ignore_ascii_case(name)) {
                return Err(problem(format!("{name:?} is already listed as {earlier:?}")));
            }
            names.push(name.to_owned());
        }
        let noun = noun.trim();
        Ok(Areas { noun: if noun.is_empty() { "area".into() } else { noun.to_lowercase() }, names })
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// "borough": what one area is called, in lower case.
    pub fn noun(&self) -> &str {
        &self.noun
    }

    /// "Borough": the noun to start a label with.
    pub fn label(&self) -> String {
        let mut chars = self.noun.chars();
        chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
    }

    /// The area as the list spells it, matched in any case.
    pub fn find(&self, name: &str) -> Option<&str> {
        let name = name.trim();
        self.names.iter().find(|a| a.eq_ignore_ascii_case(name)).map(String::as_str)
    }

    /// Whether `name` is one of the areas, exactly as listed.
    pub fn contains(&self, name: &str) -> bool {
        self.names.iter().any(|a| a == name)
    }
}

/// The 32 London boroughs and the City of London, as a resident picks where they live.
pub const LONDON_BOROUGHS: [&str; 33] = [
    "Barking and Dagenham",
    "Barnet",
    "Bexley",
    "Brent",
    "Bromley",
    "Camden",
    "City of London",
    "Croydon",
    "Ealing",
    "Enfield",
    "Greenwich",
    "Hackney",
    "Hammersmith and Fulham",
    "Haringey",
    "Harrow",
    "Havering",
    "Hillingdon",
    "Hounslow",
    "Islington",
    "Kensington and Chelsea",
    "Kingston upon Thames",
    "Lambeth",
    "Lewisham",
    "Merton",
    "Newham",
    "Redbridge",
    "Richmond upon Thames",
    "Southwark",
    "Sutton",
    "Tower Hamlets",
    "Waltham Forest",
    "Wandsworth",
    "Westminster",
];

/// The optional questions about who a resident is, asked so that the analysis can say whose voices
/// were heard. Each answer may be left out, or be "prefer not to say" ([`PREFER_NOT_TO_SAY`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Demographics {
    pub age_band: Option<String>,
    pub gender: Option<String>,
    pub ethnic_group: Option<String>,
    pub disability: Option<String>,
}

pub const PREFER_NOT_TO_SAY: &str = "Prefer not to say";

/// A person signing up, with their password already hashed.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub display_name: String,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub borough: Option<String>,
    pub demographics: Demographics,
    pub created_at: Timestamp,
    /// Whether the address is known to be theirs already: accounts the operator makes (`heard
    /// users create`) are; one made on the register page is not until its owner follows the link
    /// mailed to it.
    pub email_confirmed: bool,
    /// Whether the person gave explicit consent to keep their answers about ethnic group and
    /// disability (special-category data, UK GDPR Art. 9(2)(a)); without it the store refuses them.
    pub special_category_consent: bool,
}

/// A person who can sign in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account {
    pub user: User,
    pub email: String,
    pub borough: Option<String>,
    pub demographics: Demographics,
    pub blocked: Option<Block>,
    pub created_at: Timestamp,
    /// When its owner showed the address is theirs (by the link mailed to it). Until then the
    /// address links nothing: no letter, email, event place or survey answer sent from it is counted
    /// as theirs, shown in their data or deleted with their account.
    pub email_confirmed_at: Option<Timestamp>,
    /// When they gave explicit consent to keep their answers about ethnic group and disability.
    pub special_category_consent_at: Option<Timestamp>,
}

impl Account {
    pub fn email_confirmed(&self) -> bool {
        self.email_confirmed_at.is_some()
    }
}

/// Why and since when a person may no longer post.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    pub at: Timestamp,
    pub reason: String,
}

/// What signing in checks a password against.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user_id: i64,
    pub password_hash: String,
}

/// A signed-in visitor: who they are and the token their forms must carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub account: Account,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

/// What a fixed-window rate limit said about one more attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimit {
    Allowed,
    /// Over the limit; the window ends in this many seconds.
    Limited {
        retry_after: i64,
    },
}

/// How failures lock a bucket: after `free_failures` in a row, each further failure locks it for
/// `base_secs`, doubling each time up to `max_secs`. Failures older than `forget_after_secs` are
/// forgotten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub free_failures: i64,
    pub base_secs: i64,
    pub max_secs: i64,
    pub forget_after_secs: i64,
}

/// What happened to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportOutcome {
    Reported,
    /// This person had reported the comment already; nothing changed.
    AlreadyReported,
    /// This report reached the threshold: the comment is held for review.
    Held,
}

/// A moderator's decision on comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Hide(Guideline),
    Restore,
}

/// Which comments the moderation queue lists: its tabs, safeguarding first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueFilter {
    /// Every comment the checks flagged because someone may be at risk, kept for the record
    /// whatever happened since (published, hidden, deleted, its author's account deleted); those
    /// still held first.
    #[default]
    Safeguarding,
    /// Reported and not yet reviewed, and held for review.
    Reported,
    /// Flagged by the checks before posting (either flag).
    Flagged,
    /// Hidden by a moderator.
    Hidden,
    /// Every comment, newest first.
    All,
}

impl QueueFilter {
    pub const ALL: [QueueFilter; 5] = [
        QueueFilter::Safeguarding,
        QueueFilter::Reported,
        QueueFilter::Flagged,
        QueueFilter::Hidden,
        QueueFilter::All,
    ];

    pub fn key(self) -> &'static str {
        match self {
            QueueFilter::Safeguarding => "safeguarding",
            QueueFilter::Reported => "reported",
            QueueFilter::Flagged => "flagged",
            QueueFilter::Hidden => "hidden",
            QueueFilter::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<QueueFilter> {
        QueueFilter::ALL.into_iter().find(|f| f.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            QueueFilter::Safeguarding => "Safeguarding",
            QueueFilter::Reported => "Reported",
            QueueFilter::Flagged => "Flagged by the checks",
            QueueFilter::Hidden => "Hidden",
            QueueFilter::All => "All comments",
        }
    }
}

/// Why a held comment is held: enough reports, or the checks before posting (someone may be at
/// risk). Told apart by its log: the checks' hold is logged with [`HELD_BY_THE_CHECKS`].
pub const HELD_BY_THE_CHECKS: &str = "Held by the checks before posting: someone may be at risk";

/// A comment a moderator hid, with what its author needs to be told by email.
#[derive(Debug, Clone, PartialEq)]
pub struct HiddenNotice {
    pub comment_id: i64,
    pub author_id: i64,
    /// The author's address; only accounts that have one (not deleted, not imported) get a notice.
    pub email: String,
    pub display_name: String,
    pub guideline: Guideline,
    pub discussion_title: String,
    pub consultation_slug: String,
    pub discussion_slug: String,
}

/// One comment in the moderation queue, with where it was posted and why it is there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueItem {
    pub comment: Comment,
    /// Held by the checks before posting (rather than by reports), and not yet reviewed.
    pub held_by_checks: bool,
    pub consultation_slug: String,
    pub discussion_slug: String,
    pub discussion_title: String,
    /// Unresolved reports, per guideline, most reported first.
    pub open_reports: Vec<(Guideline, i64)>,
    pub author_blocked: bool,
}

/// What a moderation log entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogAction {
    Hold,
    Hide,
    Restore,
    Block,
    Unblock,
    Pin,
    Unpin,
    SetRole,
}

impl LogAction {
    pub const ALL: [LogAction; 8] = [
        LogAction::Hold,
        LogAction::Hide,
        LogAction::Restore,
        LogAction::Block,
        LogAction::Unblock,
        LogAction::Pin,
        LogAction::Unpin,
        LogAction::SetRole,
    ];

    pub fn key(self) -> &'static str {
        match self {
            LogAction::Hold => "hold",
            LogAction::Hide => "hide",
            LogAction::Restore => "restore",
            LogAction::Block => "block",
            LogAction::Unblock => "unblock",
            LogAction::Pin => "pin",
            LogAction::Unpin => "unpin",
            LogAction::SetRole => "set-role",
        }
    }

    pub fn parse(s: &str) -> Option<LogAction> {
        LogAction::ALL.into_iter().find(|a| a.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            LogAction::Hold => "Held for review",
            LogAction::Hide => "Hid a comment",
            LogAction::Restore => "Restored a comment",
            LogAction::Block => "Blocked a member",
            LogAction::Unblock => "Unblocked a member",
            LogAction::Pin => "Pinned a comment",
            LogAction::Unpin => "Unpinned a comment",
            LogAction::SetRole => "Changed a role",
        }
    }
}

/// One line of the moderation log: who did what, when, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    pub id: i64,
    pub at: Timestamp,
    /// `None`: heard itself (holding a comment after reports).
    pub actor: Option<User>,
    pub action: LogAction,
    pub comment_id: Option<i64>,
    pub subject: Option<User>,
    pub reason: String,
}

/// Everything heard holds about one person, for "download your data".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountExport {
    pub account: Account,
    pub comments: Vec<ExportedComment>,
    pub agreed_with: Vec<i64>,
    pub reports: Vec<ExportedReport>,
    /// Survey answers: drafts and submissions of the account, and submissions sent without
    /// signing in from its confirmed address.
    pub survey_submissions: Vec<ExportedSubmission>,
    /// Places at events: the account's, and those taken with its confirmed address.
    pub event_registrations: Vec<ExportedEventRegistration>,
    /// Every response in the register that is theirs: by the account, or sent from its confirmed
    /// address (emails, letters, calls staff typed in or imported), with their texts.
    pub responses: Vec<ExportedResponse>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedSubmission {
    pub id: i64,
    pub consultation: String,
    pub survey: String,
    /// "draft" or "submitted".
    pub status: String,
    pub email: Option<String>,
    pub respondent_type: String,
    pub organisation: String,
    pub started_at: Timestamp,
    pub updated_at: Timestamp,
    pub submitted_at: Option<Timestamp>,
    /// Its entry in the register ("r5"), once submitted.
    pub response: Option<String>,
    pub answers: Vec<ExportedAnswer>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedAnswer {
    pub question: String,
    /// The choice, each ticked option, the ranking in order, or the text.
    pub answer: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedEventRegistration {
    pub consultation: String,
    pub event: String,
    pub on_date: String,
    pub name: String,
    pub email: Option<String>,
    pub registered_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedResponse {
    /// Its key in the register ("r5").
    pub id: String,
    pub consultation: String,
    pub channel: String,
    pub source: String,
    pub received_on: String,
    pub respondent_type: String,
    pub organisation: String,
    pub borough: String,
    /// "account" when the account sent it, "email address" when it came from the address.
    pub linked_by: String,
    pub texts: Vec<crate::ResponseText>,
    /// The names of files sent with it (a scanned letter); the files themselves are kept in the
    /// register and can be asked for.
    pub attachments: Vec<String>,
}

/// What deleting an account does with what the person wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccountDeletion {
    /// Delete their comments (each leaves the placeholder any deleted comment leaves), rather than
    /// keep them under [`FORMER_MEMBER`]. A comment flagged for safeguarding is not deleted: it is
    /// held, hidden from the public, for the moderators.
    pub remove_comments: bool,
    /// Keep their survey answers and the responses linked to them (letters, emails, calls), with
    /// nothing that says whose they are (no address, borough or attached file), rather than delete
    /// them.
    pub keep_words_anonymously: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedComment {
    pub id: i64,
    pub consultation: String,
    pub discussion: String,
    pub reply_to: Option<i64>,
    pub body: String,
    pub posted_at: Timestamp,
    pub edited_at: Option<Timestamp>,
    pub deleted: bool,
    pub visibility: Visibility,
    /// Earlier versions of the text, oldest first.
    pub earlier_versions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportedReport {
    pub comment_id: i64,
    pub reason: Guideline,
    pub at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewComment {
    pub discussion_id: i64,
    /// The comment replied to. A reply to a reply joins its thread: replies are one level deep.
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub body: String,
    pub posted_at: Timestamp,
    pub source: CommentSource,
    /// What the checks before posting raised, for the moderators' queue.
    pub flags: Vec<CheckFlag>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comment {
    pub id: i64,
    pub discussion_id: i64,
    pub parent_id: Option<i64>,
    pub author: User,
    /// Empty once its author deleted it.
    pub body: String,
    pub posted_at: Timestamp,
    pub source: CommentSource,
    pub edited_at: Option<Timestamp>,
    pub deleted: bool,
    pub visibility: Visibility,
    pub agree_count: i64,
    pub pinned: bool,
    pub flags: Vec<CheckFlag>,
}

impl Comment {
    /// Whether its text may be shown to the public: not deleted, held or hidden.
    pub fn is_public(&self) -> bool {
        !self.deleted && self.visibility == Visibility::Visible
    }
}

/// Whether the public sees a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "state", content = "guideline")]
pub enum Visibility {
    Visible,
    /// Hidden automatically after enough reports, until a moderator reviews it.
    Held,
    /// Hidden by a moderator for breaking a guideline.
    Hidden(Guideline),
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Visible => "visible",
            Visibility::Held => "held",
            Visibility::Hidden(_) => "hidden",
        }
    }
}

/// A community guideline: what a report names, and what a hidden comment says it broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Guideline {
    #[serde(rename = "respectful")]
    Respectful,
    #[serde(rename = "safe")]
    Safe,
    #[serde(rename = "on-topic")]
    OnTopic,
    #[serde(rename = "lawful")]
    Lawful,
}

impl Guideline {
    pub const ALL: [Guideline; 4] =
        [Guideline::Respectful, Guideline::Safe, Guideline::OnTopic, Guideline::Lawful];

    pub fn key(self) -> &'static str {
        match self {
            Guideline::Respectful => "respectful",
            Guideline::Safe => "safe",
            Guideline::OnTopic => "on-topic",
            Guideline::Lawful => "lawful",
        }
    }

    pub fn parse(s: &str) -> Option<Guideline> {
        Guideline::ALL.into_iter().find(|g| g.key() == s)
    }

    /// The guideline's heading on the guidelines page.
    pub fn title(self) -> &'static str {
        match self {
            Guideline::Respectful => "Be respectful",
            Guideline::Safe => "Keep it safe",
            Guideline::OnTopic => "Stay on topic",
            Guideline::Lawful => "Keep within the law",
        }
    }

    /// One line saying what breaking it looks like, for the report form.
    pub fn hint(self) -> &'static str {
        match self {
            Guideline::Respectful => "insults, harassment, threats, or attacks on people for who they are",
            Guideline::Safe => "details that identify someone, or a crime or incident reported here",
            Guideline::OnTopic => "off topic, advertising, spam or the same message again and again",
            Guideline::Lawful => "defamatory, could prejudice a court case, or shared without the right to",
        }
    }
}

/// What the checks before posting raised about a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckFlag {
    /// Words suggesting someone is at risk.
    Safeguarding,
    /// A crime or incident reported in a comment.
    IncidentReport,
}

impl CheckFlag {
    pub fn key(self) -> &'static str {
        match self {
            CheckFlag::Safeguarding => "safeguarding",
            CheckFlag::IncidentReport => "incident_report",
        }
    }

    pub fn parse(s: &str) -> Option<CheckFlag> {
        match s {
            "safeguarding" => Some(CheckFlag::Safeguarding),
            "incident_report" => Some(CheckFlag::IncidentReport),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CheckFlag::Safeguarding => "Safeguarding",
            CheckFlag::IncidentReport => "Incident report",
        }
    }
}

/// How a discussion's threads are ordered; replies always read oldest first under their parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommentSort {
    #[default]
    Newest,
    Oldest,
    MostAgreed,
}

impl CommentSort {
    pub const ALL: [CommentSort; 3] = [CommentSort::Newest, CommentSort::Oldest, CommentSort::MostAgreed];

    pub fn key(self) -> &'static str {
        match self {
            CommentSort::Newest => "newest",
            CommentSort::Oldest => "oldest",
            CommentSort::MostAgreed => "most-agreed",
        }
    }

    pub fn parse(s: &str) -> Option<CommentSort> {
        CommentSort::ALL.into_iter().find(|c| c.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            CommentSort::Newest => "Newest first",
            CommentSort::Oldest => "Oldest first",
            CommentSort::MostAgreed => "Most agreed",
        }
    }
}

/// One page of a discussion: top-level comments in the order asked for, each with its replies,
/// oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommentPage {
    pub threads: Vec<Thread>,
    pub page: u32,
    pub per_page: u32,
    /// Top-level comments in the whole discussion.
    pub total_threads: i64,
}

impl CommentPage {
    pub fn page_count(&self) -> u32 {
        let per = i64::from(self.per_page.max(1));
        ((self.total_threads + per - 1) / per).max(1) as u32
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Thread {
    pub comment: Comment,
    pub replies: Vec<Comment>,
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.rfc3339())
    }
}

/// A discussion with all its comments, to be written at once (an import, or the demo's generator).
#[derive(Debug, Clone)]
pub struct DiscussionImport {
    /// Created when no consultation has its slug; otherwise the discussion joins the existing one.
    pub consultation: NewConsultation,
    /// Its `hosts` are added to by `host_names`.
    pub discussion: NewDiscussion,
    /// Hosts by display name: an existing host of that name is reused, else one is created.
    pub host_names: Vec<String>,
    pub comments: Vec<ImportedComment>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportedComment {
    pub author: String,
    pub role: Role,
    pub body: String,
    pub posted_at: Timestamp,
    pub source: CommentSource,
    /// The index, in the same import, of the comment this one replies to.
    pub reply_to: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOutcome {
    pub consultation_id: i64,
    pub consultation_created: bool,
    pub discussion_id: i64,
    pub comments: usize,
}
