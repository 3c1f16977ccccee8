//! Who may do what: the one table of roles and actions, and the checks handlers start with.
//!
//! | action | resident | host | moderator | admin |
//! |---|---|---|---|---|
//! | post, reply, agree, report; edit and delete their own | yes | yes | yes | yes |
//! | pin a comment | | yes | yes | yes |
//! | moderation queue, hide, restore, block, the log | | | yes | yes |
//! | `/admin/consultations`: create, edit and publish consultations; events, registrations, notes | | yes | | yes |
//! | build a consultation's survey, read its results | | yes | | yes |
//! | `/admin`: accounts and roles | | | | yes |
//! | enter responses that came by email, post, phone or at events; import them; the register | | yes | | yes |
//! | analyse responses: start and compare runs, review themes and quotes, publish a run | | yes | | yes |
//! | withdraw what was published: a consultation, its results, a run in public results | | | | yes |
//!
//! Anonymous visitors may only read. A blocked person may sign in, download their data and delete
//! their account, but not post, agree or report.

use heard_store::{Account, Comment, Role, Timestamp};

use crate::WebError;
use crate::auth::{SignedIn, Visitor};

/// How long after posting a comment its author may edit it.
pub const EDIT_WINDOW_SECS: i64 = 15 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Post, reply, agree, report: taking part.
    TakePart,
    Pin,
    Moderate,
    /// The back office of consultations: drafts, editing, publishing, events and their notes.
    ManageConsultations,
    /// Build a consultation's survey and read its results: the back office of a consultation,
    /// for the staff who run it (hosts) and administrators.
    BuildSurvey,
    Administer,
    /// Enter and import responses from every channel, read the register and its attachments:
    /// the consultation team's work, which hosts do and moderators (who judge comments) do not.
    EnterResponses,
    /// Analyse a consultation's responses: start runs, review their themes and quotes, compare
    /// them, and put a run in the published results. The consultation team's work, like entering
    /// responses: hosts and administrators.
    Analyse,
    /// Take down what the public could see: withdraw a published consultation, its published
    /// results, or a run from results already public. Each with a reason, in the staff log. A
    /// decision for administrators, not every member of staff.
    Withdraw,
}

pub fn allows(role: Role, action: Action) -> bool {
    match action {
        Action::TakePart => true,
        Action::Pin => matches!(role, Role::Host | Role::Moderator | Role::Admin),
        Action::Moderate => matches!(role, Role::Moderator | Role::Admin),
        Action::ManageConsultations => matches!(role, Role::Host | Role::Admin),
        Action::BuildSurvey => matches!(role, Role::Host | Role::Admin),
        Action::Administer => role == Role::Admin,
        Action::EnterResponses => matches!(role, Role::Host | Role::Admin),
        Action::Analyse => matches!(role, Role::Host | Role::Admin),
        Action::Withdraw => role == Role::Admin,
    }
}

/// The signed-in visitor, if they may do `action`: anonymous visitors are sent to sign in (and back
/// to `next`), others without the role are refused.
pub fn require<'a>(visitor: &'a Visitor, action: Action, next: &str) -> Result<&'a SignedIn, WebError> {
    let Some(session) = &visitor.session else {
        return Err(WebError::SignInRequired { next: next.to_owned() });
    };
    if !allows(session.account.user.role, action) {
        return Err(WebError::forbidden(
            "You do not have access to this page",
            match action {
                Action::Administer => "Only administrators can manage accounts and roles.",
                Action::Moderate => {
                    "Only moderators can see the moderation queue and log, or hide and block."
                }
                Action::Pin => "Only hosts and moderators can pin comments.",
                Action::ManageConsultations => {
                    "Only hosts and administrators can manage consultations and their events."
                }
                Action::BuildSurvey => {
                    "Only the consultation's staff can build its survey and read its results."
                }
                Action::EnterResponses => {
                    "Only the consultation's hosts and administrators can enter responses and read the register."
                }
                Action::Analyse => {
                    "Only the consultation's hosts and administrators can analyse its responses."
                }
                Action::Withdraw => {
                    "Only administrators can withdraw a published consultation or its results."
                }
                Action::TakePart => "You cannot do this.",
            },
        ));
    }
    Ok(session)
}

/// Why a blocked person may not take part, if they are blocked.
pub fn blocked_message(account: &Account) -> Option<String> {
    account.blocked.as_ref().map(|b| {
        format!(
            "Your account has been blocked from posting, agreeing and reporting, because: {}. You can still \
             download your data or delete your account.",
            b.reason
        )
    })
}

/// Whether `account` may edit `comment` now: their own, not deleted or hidden, within the window.
pub fn may_edit(account: &Account, comment: &Comment, now: Timestamp) -> bool {
    comment.author.id == account.user.id
        && comment.is_public()
        && now.0 - comment.posted_at.0 <= EDIT_WINDOW_SECS
        && account.blocked.is_none()
}

/// Whether `actor` may block `subject`: only people of a lower role, and never themselves.
pub fn may_block(actor: Role, subject: Role) -> bool {
    rank(subject) < rank(actor) && allows(actor, Action::Moderate)
}

fn rank(role: Role) -> u8 {
    match role {
        Role::Resident => 0,
        Role::Host => 1,
        Role::Moderator => 2,
        Role::Admin => 3,
    }
}
