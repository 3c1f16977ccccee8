//! Reporting, the moderation queue, hiding and restoring with a reason, blocking, and the log.

use axum::http::StatusCode;
use heard_store::*;

use crate::{Browser, OPEN, TestApp, discussions_app, discussions_app_with, post_comment};

async fn report(browser: &Browser, id: i64, reason: &str) -> crate::Page {
    let form = format!("/comments/{id}/report");
    browser.submit(&form, &form, &[("reason", reason)]).await
}

async fn three_reports_hold_a_comment_and_a_moderator_hides_it_with_a_reason(backend: Backend) {
    let app = discussions_app(backend).await;
    let (author, _) = app.signed_in(Role::Resident, "Mallory").await;
    let id = post_comment(&author, OPEN, "You are all idiots.", None).await;
    let form = {
        let (first, _) = app.signed_in(Role::Resident, "Reporter One").await;
        let form = first.get(&format!("/comments/{id}/report")).await;
        form.shows("<h1>Report a comment</h1>")
            .shows("You are all idiots.")
            .shows(r#"<label for="reason-respectful">Be respectful</label>"#)
            .shows("Stay on topic");
        let missing = first.post(&format!("/comments/{id}/report"), &[("csrf", &form.csrf())]).await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        missing.shows("Choose the guideline the comment breaks.");
        let done = report(&first, id, "respectful").await;
        done.shows("Thank you for your report").shows("A moderator will read the comment");
        let twice = report(&first, id, "respectful").await;
        twice.shows("You had already reported this comment.");
        form
    };
    let _ = form;
    let (second, _) = app.signed_in(Role::Resident, "Reporter Two").await;
    report(&second, id, "respectful").await;
    app.get(OPEN).await.shows("You are all idiots.");
    let (third, _) = app.signed_in(Role::Resident, "Reporter Three").await;
    report(&third, id, "on-topic").await.shows("it is now hidden until a moderator reviews it");
    app.get(OPEN)
        .await
        .lacks("You are all idiots.")
        .shows("This comment is hidden while a moderator reviews it.");

    let (moderator, _) = app.signed_in(Role::Moderator, "Mo").await;
    let queue = moderator.get("/moderation?filter=reported").await;
    queue
        .shows("Reported: 1 comment")
        .shows("You are all idiots.")
        .shows("Held for review after reports")
        .shows("Reported 3 times: Be respectful (2), Stay on topic (1)");
    let hidden = moderator
        .post(
            "/moderation/comments",
            &[
                ("csrf", &queue.csrf()),
                ("comment", &id.to_string()),
                ("decision", "hide"),
                ("guideline", "respectful"),
                ("note", "Name-calling"),
                ("filter", "reported"),
            ],
        )
        .await;
    assert_eq!(hidden.status, StatusCode::SEE_OTHER);
    moderator.get(hidden.location()).await.shows("1 comment hidden.").shows("Reported: 0 comments");
    let page = app.get(OPEN).await;
    page.lacks("You are all idiots.")
        .shows(r##"Removed by a moderator: <a href="/guidelines#respectful">Be respectful</a>"##);
    // The words are kept, unchanged, for the record; moderators see them.
    assert_eq!(app.store.comment(id).await.unwrap().unwrap().body, "You are all idiots.");
    moderator
        .get("/moderation?filter=hidden")
        .await
        .shows("You are all idiots.")
        .shows("Hidden: Be respectful");
    let log = moderator.get("/moderation/log").await;
    log.shows("Hid a comment")
        .shows("Be respectful: Name-calling")
        .shows("Held for review")
        .shows("heard (automatic)")
        .shows(">Mo<");
}

#[tokio::test]
async fn reports_hold_and_moderators_hide_on_sqlite() {
    three_reports_hold_a_comment_and_a_moderator_hides_it_with_a_reason(Backend::Sqlite).await;
}

#[tokio::test]
async fn reports_hold_and_moderators_hide_on_postgres() {
    three_reports_hold_a_comment_and_a_moderator_hides_it_with_a_reason(Backend::Postgres).await;
}

#[tokio::test]
async fn the_number_of_reports_that_hold_a_comment_is_configurable() {
    let settings = heard_web::Settings { reports_to_hold: 1, ..heard_web::Settings::default() };
    let app = discussions_app_with(Backend::Sqlite, settings).await;
    let (author, _) = app.signed_in(Role::Resident, "Author").await;
    let id = post_comment(&author, OPEN, "Buy cheap watches at my shop.", None).await;
    let (reporter, _) = app.signed_in(Role::Resident, "Reporter").await;
    report(&reporter, id, "on-topic").await.shows("now hidden until a moderator reviews it");
    assert_eq!(app.store.comment(id).await.unwrap().unwrap().visibility, Visibility::Held);
}

#[tokio::test]
async fn bulk_actions_need_a_choice_and_a_reason_and_keep_the_selection_on_an_error() {
    let app = discussions_app(Backend::Sqlite).await;
    let (author, _) = app.signed_in(Role::Resident, "Author").await;
    let a = post_comment(&author, OPEN, "Spam one", None).await;
    let b = post_comment(&author, OPEN, "Spam two", None).await;
    let c = post_comment(&author, OPEN, "A fair point", None).await;
    let (moderator, _) = app.signed_in(Role::Moderator, "Mo").await;
    let queue = moderator.get("/moderation?filter=all").await;
    queue.shows("All comments: 3 comments");
    let token = queue.csrf();
    let (a, b, c) = (a.to_string(), b.to_string(), c.to_string());
    let none = moderator
        .post(
            "/moderation/comments",
            &[("csrf", &token), ("decision", "hide"), ("guideline", "on-topic"), ("filter", "all")],
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    none.shows("Tick at least one comment.");
    let no_guideline = moderator
        .post(
            "/moderation/comments",
            &[
                ("csrf", &token),
                ("comment", &a),
                ("comment", &b),
                ("decision", "hide"),
                ("note", "spam"),
                ("filter", "all"),
            ],
        )
        .await;
    assert_eq!(no_guideline.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_guideline
        .shows("Choose the guideline the comments break.")
        .shows(&format!(r#"id="select-{a}" name="comment" value="{a}" checked"#))
        .shows(&format!(r#"id="select-{b}" name="comment" value="{b}" checked"#))
        .lacks(&format!(r#"value="{c}" checked"#))
        .shows(">spam</textarea>");
    let done = moderator
        .post(
            "/moderation/comments",
            &[
                ("csrf", &token),
                ("comment", &a),
                ("comment", &b),
                ("decision", "hide"),
                ("guideline", "on-topic"),
                ("filter", "all"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(done.location().contains("changed=2"), "{}", done.location());
    let page = app.get(OPEN).await;
    assert_eq!(page.count("Removed by a moderator:"), 2);
    page.shows("A fair point");
    // Restoring needs a reason.
    let unexplained = moderator
        .post("/moderation/comments", &[("csrf", &token), ("comment", &a), ("decision", "restore")])
        .await;
    assert_eq!(unexplained.status, StatusCode::UNPROCESSABLE_ENTITY);
    unexplained.shows("Say why you publish or restore them, for the log.");
    let restored = moderator
        .post(
            "/moderation/comments",
            &[
                ("csrf", &token),
                ("comment", &a),
                ("decision", "restore"),
                ("note", "It was a joke between friends"),
            ],
        )
        .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    app.get(OPEN).await.shows("Spam one").lacks("Spam two");
    moderator.get("/moderation/log").await.shows("Restored a comment").shows("It was a joke between friends");
}

#[tokio::test]
async fn the_queue_filters_by_discussion() {
    let app = discussions_app(Backend::Sqlite).await;
    let (author, _) = app.signed_in(Role::Resident, "Author").await;
    post_comment(&author, OPEN, "In the parks discussion", None).await;
    let (moderator, _) = app.signed_in(Role::Moderator, "Mo").await;
    let parks = app.store.discussion("parks", "what-would-help").await.unwrap().unwrap().summary.id;
    let closed = app.store.discussion("old", "closed-talk").await.unwrap().unwrap().summary.id;
    let queue = moderator.get("/moderation?filter=all").await;
    queue.shows(r#"<option value="1">The parks plan: Talk about parks</option>"#);
    moderator
        .get(&format!("/moderation?filter=all&discussion={parks}"))
        .await
        .shows("In the parks discussion");
    moderator
        .get(&format!("/moderation?filter=all&discussion={closed}"))
        .await
        .lacks("In the parks discussion")
        .shows("Nothing here.");
}

async fn a_blocked_member_cannot_post_agree_or_report_but_keeps_their_account(backend: Backend) {
    let app = discussions_app(backend).await;
    let (mallory, mallory_id) = app.signed_in(Role::Resident, "Mallory").await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let alices = post_comment(&alice, OPEN, "A calm comment", None).await;
    let (moderator, _) = app.signed_in(Role::Moderator, "Mo").await;
    let member = moderator.get(&format!("/moderation/users/{mallory_id}")).await;
    member.shows("<h1>Mallory</h1>").shows("Can take part").shows("Why block them?");
    let no_reason = moderator
        .post(
            &format!("/moderation/users/{mallory_id}/block"),
            &[("csrf", &member.csrf()), ("blocked", "1"), ("reason", " ")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_reason.shows("Say why, for the moderation log.");
    let blocked = moderator
        .post(
            &format!("/moderation/users/{mallory_id}/block"),
            &[("csrf", &member.csrf()), ("blocked", "1"), ("reason", "Repeated abuse")],
        )
        .await;
    assert_eq!(blocked.status, StatusCode::SEE_OTHER);
    moderator
        .get(&format!("/moderation/users/{mallory_id}"))
        .await
        .shows("Blocked since 1 March 2025: Repeated abuse");

    let page = mallory.get(OPEN).await;
    page.shows(
        "Your account has been blocked from posting, agreeing and reporting, because: Repeated abuse.",
    )
    .lacks("Add your comment")
    .lacks("Agree<span");
    let token = page.csrf();
    let post = mallory.post(&format!("{OPEN}/comments"), &[("csrf", &token), ("body", "I am back")]).await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    post.shows("Repeated abuse").shows(">I am back</textarea>");
    let agree = mallory.post(&format!("/comments/{alices}/agree"), &[("csrf", &token), ("agree", "1")]).await;
    assert_eq!(agree.status, StatusCode::FORBIDDEN);
    assert_eq!(mallory.get(&format!("/comments/{alices}/report")).await.status, StatusCode::FORBIDDEN);
    // Still their account: they can see it and take their data.
    mallory.get("/account").await.shows("Repeated abuse");
    assert_eq!(mallory.get("/account/data").await.status, StatusCode::OK);
    // Moderators cannot block each other or administrators; administrators can block moderators.
    let (other_mod, other_mod_id) = app.signed_in(Role::Moderator, "Other Mo").await;
    let _ = other_mod;
    let refused = moderator
        .post(
            &format!("/moderation/users/{other_mod_id}/block"),
            &[("csrf", &member.csrf()), ("reason", "x")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let (admin, _) = app.signed_in(Role::Admin, "Ada").await;
    let page = admin.get(&format!("/moderation/users/{other_mod_id}")).await;
    let ok = admin
        .post(
            &format!("/moderation/users/{other_mod_id}/block"),
            &[("csrf", &page.csrf()), ("reason", "Left the team")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    // Unblocking, logged too.
    let page = moderator.get(&format!("/moderation/users/{mallory_id}")).await;
    page.shows("Why unblock them?");
    moderator
        .post(
            &format!("/moderation/users/{mallory_id}/block"),
            &[("csrf", &page.csrf()), ("blocked", "0"), ("reason", "Apologised")],
        )
        .await;
    post_comment(&mallory, OPEN, "Sorry, everyone.", None).await;
    let log = moderator.get("/moderation/log").await;
    log.shows("Blocked a member").shows("Repeated abuse").shows("Unblocked a member").shows("Apologised");
}

#[tokio::test]
async fn blocking_on_sqlite() {
    a_blocked_member_cannot_post_agree_or_report_but_keeps_their_account(Backend::Sqlite).await;
}

#[tokio::test]
async fn blocking_on_postgres() {
    a_blocked_member_cannot_post_agree_or_report_but_keeps_their_account(Backend::Postgres).await;
}

#[tokio::test]
async fn an_admin_gives_roles_and_the_change_is_logged() {
    let app = TestApp::new(Backend::Sqlite, "2025-03-01").await;
    let (admin, admin_id) = app.signed_in(Role::Admin, "Ada").await;
    let dionne = app.account(Role::Resident, "Dionne", "dionne@example.org").await;
    let page = admin.get("/admin").await;
    page.shows("<h1>Accounts and roles</h1>").shows("dionne@example.org").shows("admin (you)");
    let done =
        admin.post(&format!("/admin/users/{dionne}/role"), &[("csrf", &page.csrf()), ("role", "host")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.account(dionne).await.unwrap().unwrap().user.role, Role::Host);
    let own = admin
        .post(&format!("/admin/users/{admin_id}/role"), &[("csrf", &page.csrf()), ("role", "resident")])
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    let bad = admin
        .post(&format!("/admin/users/{dionne}/role"), &[("csrf", &page.csrf()), ("role", "emperor")])
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    admin.get("/moderation/log").await.shows("Changed a role").shows("from resident to host");
}
