//! The emails moderation sends, when mail is set up: to moderators when the checks before posting
//! flag a comment because someone may be at risk, and to an author whose comment a moderator hid,
//! naming the guideline. Neither carries the comment's words (they can hold what someone would not
//! want in an inbox, and moderators read them signed in); each is queued for the job worker, and the log
//! names accounts by id, never by address.

use heard_store::HiddenNotice;

use crate::AppState;

/// Tells every moderator and administrator with an address that comment `comment_id`, in
/// `discussion_title`, needs a safeguarding review. `held` says whether it is waiting unpublished.
pub async fn safeguarding_raised(state: &AppState, comment_id: i64, discussion_title: &str, held: bool) {
    if state.mailer().is_none() {
        return;
    }
    let moderators = match state.store().moderator_addresses().await {
        Ok(list) => list,
        Err(e) => {
            tracing::error!(comment.id = comment_id, error = %e, "finding moderators to tell of a safeguarding flag");
            return;
        }
    };
    let public_url = state.settings().public_url.trim_end_matches('/').to_owned();
    let state_line = if held {
        "It is held: nobody else can see it until a moderator publishes it or hides it."
    } else {
        "It is published (this site publishes such comments and flags them), so please read it soon."
    };
    for (user_id, address) in moderators {
        let body = format!(
            "A comment in \"{discussion_title}\" may mean that someone is at risk, so the checks before posting \
             flagged it for a safeguarding review.\n\n{state_line}\n\nRead it and decide what to do:\n\
             {public_url}/moderation/comments/{comment_id}\n\nThe safeguarding tab of the moderation queue lists \
             every comment flagged this way:\n{public_url}/moderation?filter=safeguarding\n\n\
             This email does not include the comment's words: read them signed in.\n"
        );
        state
            .queue_mail(
                address,
                "A comment needs a safeguarding review",
                body,
                Some(user_id),
                "safeguarding alert",
            )
            .await;
    }
}

/// Tells the authors of the comments a moderator has just hidden which guideline each broke.
pub async fn comments_hidden(state: &AppState, comment_ids: &[i64]) {
    if state.mailer().is_none() {
        return;
    }
    if comment_ids.is_empty() {
        return;
    }
    let notices = match state.store().hidden_notices(comment_ids).await {
        Ok(list) => list,
        Err(e) => {
            tracing::error!(error = %e, "finding the authors of hidden comments");
            return;
        }
    };
    let public_url = state.settings().public_url.trim_end_matches('/').to_owned();
    for notice in notices {
        let body = hidden_body(&notice, &public_url);
        state
            .queue_mail(
                notice.email,
                "A moderator has removed your comment",
                body,
                Some(notice.author_id),
                "removal notice",
            )
            .await;
    }
}

fn hidden_body(notice: &HiddenNotice, public_url: &str) -> String {
    let g = notice.guideline;
    format!(
        "Hello {name},\n\nA moderator has removed your comment in \"{discussion}\" because it does not keep to \
         this community guideline:\n\n    {title}\n    (for example: {hint})\n\nRead the guidelines here:\n{public_url}/guidelines#{key}\n\n\
         Your comment now shows as \"Removed by a moderator: {title}\". Its words are kept, unchanged, for the \
         moderation record; nobody else can read them. You are welcome to keep taking part:\n\
         {public_url}/consultations/{consultation}/discussions/{slug}\n",
        name = notice.display_name,
        discussion = notice.discussion_title,
        title = g.title(),
        hint = g.hint(),
        key = g.key(),
        consultation = notice.consultation_slug,
        slug = notice.discussion_slug,
    )
}
