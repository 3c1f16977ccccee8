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
}

impl ConsultationSummary {
    pub fn status(&self, today: Date) -> Status {
        Status::on(today, self.opens_on, self.closes_on)
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

#[derive(Debug, Clone)]
pub struct NewComment {
    pub discussion_id: i64,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub body: String,
    pub posted_at: Timestamp,
    pub source: CommentSource,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comment {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub author: User,
    pub body: String,
    pub posted_at: Timestamp,
    pub source: CommentSource,
}

/// One page of a discussion: top-level comments, newest first, each with its replies, oldest first.
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
