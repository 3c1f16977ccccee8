//! The checks before publishing, as residents meet them: personal data held back and shown marked,
//! posting with it removed, editing instead, and the guidance and flags that incident reports and
//! words about someone at risk bring.

use axum::http::StatusCode;
use heard_store::*;

use heard_web::{SafeguardingPolicy, Settings};

use crate::{Browser, OPEN, Page, TestApp, discussions_app, discussions_app_with, post_comment};

const WITH_DATA: &str = "The gate is locked at six. Ring me on 07700 900123 or email alex.smith@example.org.";
const REDACTED: &str =
    "The gate is locked at six. Ring me on [phone number removed] or email [email removed].";

fn comments_action() -> String {
    format!("{OPEN}/comments")
}

/// Every comment and reply of the open discussion, oldest first, as stored.
async fn stored(app: &TestApp) -> Vec<Comment> {
    let d = app.store.discussion("parks", "what-would-help").await.unwrap().unwrap();
    let page = app.store.comment_page(d.summary.id, 1, 100, CommentSort::Oldest).await.unwrap();
    page.threads.into_iter().flat_map(|t| std::iter::once(t.comment).chain(t.replies)).collect()
}

/// Sends the form on a page that showed what the checks found, pressing the button `choice`.
async fn choose(
    browser: &Browser,
    review: &Page,
    action: &str,
    choice: &str,
    fields: &[(&str, &str)],
) -> Page {
    let token = review.csrf();
    let mut all = vec![("csrf", token.as_str()), ("choice", choice)];
    all.extend_from_slice(fields);
    browser.post(action, &all).await
}

async fn personal_data_is_held_back_and_shown_marked(backend: Backend) {
    let app = discussions_app(backend).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let page = alice.submit(OPEN, &comments_action(), &[("body", WITH_DATA)]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    page.shows("<h1>Check your comment before it is posted</h1>")
        .shows("We found a phone number and an email address in what you wrote.")
        .shows("Nothing has been posted yet.")
        .shows(r#"<mark>07700 900123<span class="visually-hidden"> (phone number)</span></mark>"#)
        .shows(r#"<mark>alex.smith@example.org<span class="visually-hidden"> (email address)</span></mark>"#)
        .shows("The gate is locked at six. Ring me on <mark>")
        .shows(r#"<button type="submit" name="choice" value="edit" class="button button-secondary">Edit my comment</button>"#)
        .shows(r#"<button type="submit" name="choice" value="redact" class="button">Post with these parts removed</button>"#)
        .shows(&format!(r#"<input type="hidden" name="body" value="{}">"#, WITH_DATA))
        .lacks("<textarea");
    assert!(page.headers["cache-control"].to_str().unwrap().contains("no-store"));
    assert!(stored(&app).await.is_empty(), "nothing is published");
    // Nor does the page count as a post against the limits, nor the discussion show anything.
    app.get(OPEN).await.lacks("07700").lacks("Ring me on");
}

#[tokio::test]
async fn personal_data_is_held_back_on_sqlite() {
    personal_data_is_held_back_and_shown_marked(Backend::Sqlite).await;
}

#[tokio::test]
async fn personal_data_is_held_back_on_postgres() {
    personal_data_is_held_back_and_shown_marked(Backend::Postgres).await;
}

async fn posting_with_the_parts_removed_stores_only_the_redacted_text(backend: Backend) {
    let app = discussions_app(backend).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let review = alice.submit(OPEN, &comments_action(), &[("body", WITH_DATA)]).await;
    // The redacted text is worked out again from the text sent: a field claiming to be it is ignored.
    let page = choose(
        &alice,
        &review,
        &comments_action(),
        "redact",
        &[("body", WITH_DATA), ("redacted", "Ring me on 07700 900123"), ("return_to", OPEN)],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let all = stored(&app).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].body, REDACTED);
    assert!(all[0].flags.is_empty());
    assert_eq!(page.location(), format!("{OPEN}#comment-{}", all[0].id));
    app.get(OPEN).await.shows(REDACTED).lacks("07700").lacks("alex.smith");

    // A reply, and an edit, go the same way; the edit keeps no copy of the personal data.
    let (bob, _) = app.signed_in(Role::Resident, "Bob").await;
    let parent = all[0].id.to_string();
    let reply = [("body", "Mine is SW1A 1AA, by the gate."), ("parent_id", parent.as_str())];
    let review = bob.submit(OPEN, &comments_action(), &reply).await;
    review
        .shows("<h1>Check your reply before it is posted</h1>")
        .shows("Edit my reply")
        .shows(r#"<input type="hidden" name="parent_id" value=""#);
    let page = choose(&bob, &review, &comments_action(), "redact", &reply).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let all = stored(&app).await;
    assert_eq!(all[1].body, "Mine is [postcode removed], by the gate.");
    assert_eq!(all[1].parent_id, Some(all[0].id));

    let edit = format!("/comments/{}/edit", all[1].id);
    let new_text = [("body", "Mine is SW1A 1AA. Call 020 7946 0018.")];
    let review = bob.submit(&edit, &edit, &new_text).await;
    assert_eq!(review.status, StatusCode::OK);
    review.shows("We found a postcode and a phone number").shows(&format!(r#"action="{edit}""#));
    assert_eq!(
        stored(&app).await[1].body,
        "Mine is [postcode removed], by the gate.",
        "unchanged until chosen"
    );
    let page = choose(&bob, &review, &edit, "redact", &new_text).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let id = all[1].id;
    assert_eq!(
        app.store.comment(id).await.unwrap().unwrap().body,
        "Mine is [postcode removed]. Call [phone number removed]."
    );
    for old in app.store.comment_revisions(id).await.unwrap() {
        assert!(!old.contains("SW1A") && !old.contains("7946"), "no personal data kept: {old}");
    }
}

#[tokio::test]
async fn posting_redacted_on_sqlite() {
    posting_with_the_parts_removed_stores_only_the_redacted_text(Backend::Sqlite).await;
}

#[tokio::test]
async fn posting_redacted_on_postgres() {
    posting_with_the_parts_removed_stores_only_the_redacted_text(Backend::Postgres).await;
}

async fn choosing_to_edit_gives_the_text_back_in_the_form(backend: Backend) {
    let app = discussions_app(backend).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let review = alice.submit(OPEN, &comments_action(), &[("body", WITH_DATA)]).await;
    let page =
        choose(&alice, &review, &comments_action(), "edit", &[("body", WITH_DATA), ("return_to", OPEN)])
            .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    page.shows("<h1>Add your comment</h1>")
        .shows(&format!(">{WITH_DATA}</textarea>"))
        .shows("Take out the personal details we found: “07700 900123” (phone number) and “alex.smith@example.org” (email address).")
        .shows(r#"aria-describedby="body-hint to-remove""#)
        .shows(r#"<button type="submit" class="button">Post comment</button>"#)
        .lacks("<mark>");
    assert!(stored(&app).await.is_empty(), "still nothing published");
    // Sending the text back unchanged shows it marked again; taking the details out posts it.
    let again = alice.post(&comments_action(), &[("csrf", &page.csrf()), ("body", WITH_DATA)]).await;
    again.shows("<mark>07700 900123");
    let fixed = "The gate is locked at six. Ask at the cafe.";
    let posted = alice.post(&comments_action(), &[("csrf", &page.csrf()), ("body", fixed)]).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    assert_eq!(stored(&app).await.iter().map(|c| c.body.as_str()).collect::<Vec<_>>(), [fixed]);

    // Editing a posted comment: the same choice, and the comment stays as it was meanwhile.
    let id = stored(&app).await[0].id;
    let edit = format!("/comments/{id}/edit");
    let review = alice.submit(&edit, &edit, &[("body", WITH_DATA)]).await;
    let page = choose(&alice, &review, &edit, "edit", &[("body", WITH_DATA)]).await;
    assert_eq!(page.status, StatusCode::OK);
    page.shows("<h1>Edit your comment</h1>").shows(&format!(">{WITH_DATA}</textarea>")).shows("Save changes");
    assert_eq!(app.store.comment(id).await.unwrap().unwrap().body, fixed);
}

#[tokio::test]
async fn choosing_to_edit_on_sqlite() {
    choosing_to_edit_gives_the_text_back_in_the_form(Backend::Sqlite).await;
}

#[tokio::test]
async fn choosing_to_edit_on_postgres() {
    choosing_to_edit_gives_the_text_back_in_the_form(Backend::Postgres).await;
}

async fn an_incident_report_is_posted_with_the_police_guidance(backend: Backend) {
    let app = discussions_app(backend).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let text = "Last night someone broke into my car by the park gates.";
    let page = alice.submit(OPEN, &comments_action(), &[("body", text)]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let all = stored(&app).await;
    assert_eq!(all.len(), 1, "an incident report is still posted");
    assert_eq!(all[0].body, text);
    assert_eq!(all[0].flags, [CheckFlag::IncidentReport]);
    let id = all[0].id;
    assert!(page.location().starts_with(&format!("/comments/{id}/posted?")), "{}", page.location());
    let confirmation = alice.get(page.location()).await;
    assert_eq!(confirmation.status, StatusCode::OK);
    confirmation
        .shows("<h1>Your comment is posted</h1>")
        .shows("To report a crime or an incident")
        .shows(r#"In an emergency, call <a href="tel:999">999</a>."#)
        .shows(r#"Otherwise, call <a href="tel:101">101</a>, or report it online"#)
        .shows(&format!(r#"<a href="{OPEN}#comment-{id}">See your comment in the discussion</a>"#))
        .lacks("Are you, or is someone else, at risk?");
    // Only its author sees the page; anyone else goes to the comment.
    let other = app.get(page.location()).await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
    assert_eq!(other.location(), format!("{OPEN}#comment-{id}"));
    // With personal data too, the guidance shows on the page that holds it back.
    let both = "I want to report a burglary at 12 Acacia Avenue last night.";
    let review = alice.submit(OPEN, &comments_action(), &[("body", both)]).await;
    assert_eq!(review.status, StatusCode::OK);
    review.shows("<mark>").shows("To report a crime or an incident");
}

#[tokio::test]
async fn incident_guidance_on_sqlite() {
    an_incident_report_is_posted_with_the_police_guidance(Backend::Sqlite).await;
}

#[tokio::test]
async fn incident_guidance_on_postgres() {
    an_incident_report_is_posted_with_the_police_guidance(Backend::Postgres).await;
}

/// With `--safeguarding publish-and-flag`: posted at once, support first, flagged for moderators.
/// (Held by default: `safeguarding.rs`.)
async fn words_about_someone_at_risk_offer_support_and_reach_the_moderators(backend: Backend) {
    let settings = Settings { safeguarding: SafeguardingPolicy::PublishAndFlag, ..Settings::default() };
    let app = discussions_app_with(backend, settings).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let ordinary = post_comment(&alice, OPEN, "More benches by the pond, please.", None).await;
    let text = "I have been feeling really suicidal lately, and nobody listens.";
    let page = alice.submit(OPEN, &comments_action(), &[("body", text)]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let flagged = stored(&app).await.into_iter().find(|c| c.body == text).expect("posted");
    assert_eq!(flagged.flags, [CheckFlag::Safeguarding]);
    assert_eq!(flagged.visibility, Visibility::Visible, "published at once under this setting");
    app.get(OPEN).await.shows(text);
    let confirmation = alice.get(page.location()).await;
    confirmation
        .shows("<h1>Your comment is posted</h1>")
        .shows(r#"<section class="notice notice-urgent support-prompt" aria-labelledby="support-heading">"#)
        .shows(r#"<a href="/support">Find support: people you can talk to, day or night</a>"#)
        .shows(r#"call <a href="tel:999">999</a> now"#);
    // The support prompt comes before anything else on the page.
    assert!(
        confirmation.html.find("support-heading").unwrap()
            < confirmation.html.find("See your comment").unwrap()
    );

    let (mo, _) = app.signed_in(Role::Moderator, "Mo").await;
    let queue = mo.get("/moderation?filter=flagged").await;
    assert_eq!(queue.status, StatusCode::OK);
    queue
        .shows(text)
        .shows(r#"<span class="badge badge-flag">Safeguarding</span>"#)
        .lacks("More benches by the pond");
    assert!(app.store.comment(ordinary).await.unwrap().unwrap().flags.is_empty());
    // An edit that raises the flag reaches the queue too.
    let edit = format!("/comments/{ordinary}/edit");
    let page = alice.submit(&edit, &edit, &[("body", "My partner hits me when he's been drinking.")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    assert!(page.location().contains("edited=1"));
    alice.get(page.location()).await.shows("<h1>Your changes are saved</h1>").shows("Find support");
    mo.get("/moderation?filter=flagged").await.shows("My partner hits me");
}

#[tokio::test]
async fn safeguarding_reaches_the_queue_on_sqlite() {
    words_about_someone_at_risk_offer_support_and_reach_the_moderators(Backend::Sqlite).await;
}

#[tokio::test]
async fn safeguarding_reaches_the_queue_on_postgres() {
    words_about_someone_at_risk_offer_support_and_reach_the_moderators(Backend::Postgres).await;
}
