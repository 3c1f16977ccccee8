//! Posting, replying, editing, deleting, agreeing and sorting, as residents do it through the pages.

use axum::http::StatusCode;
use heard_store::*;

use crate::{CLOSED, OPEN, UPCOMING, discussions_app, discussions_app_with, post_comment};

async fn a_resident_comments_replies_and_sees_both_in_the_thread(backend: Backend) {
    let app = discussions_app(backend).await;
    let anonymous = app.get(OPEN).await;
    anonymous.shows("Sign in</a> or <a href=").lacks("Add your comment");
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let page = alice.get(OPEN).await;
    page.shows(r#"<label for="new-comment">Add your comment</label>"#).lacks("Sign in</a> or");
    let first = post_comment(&alice, OPEN, "Better lighting on the towpath, please.", None).await;
    let (bob, _) = app.signed_in(Role::Resident, "Bob").await;
    let reply = post_comment(&bob, OPEN, "Agreed, it is dark by five.", Some(first)).await;
    // A reply to the reply joins the same thread.
    let nested = post_comment(&alice, OPEN, "And the bins.", Some(reply)).await;
    let page = app.get(OPEN).await;
    page.shows("3 comments");
    let parent = page.html.find("Better lighting on the towpath").unwrap();
    let replies = page.html.find(r#"<ol class="replies" aria-label="Replies to Alice">"#).expect("replies");
    let r1 = page.html.find("Agreed, it is dark by five.").unwrap();
    let r2 = page.html.find("And the bins.").unwrap();
    assert!(parent < replies && replies < r1 && r1 < r2, "replies under their parent, oldest first");
    assert_eq!(app.store.comment(nested).await.unwrap().unwrap().parent_id, Some(first));
}

#[tokio::test]
async fn a_resident_comments_and_replies_on_sqlite() {
    a_resident_comments_replies_and_sees_both_in_the_thread(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_resident_comments_and_replies_on_postgres() {
    a_resident_comments_replies_and_sees_both_in_the_thread(Backend::Postgres).await;
}

#[tokio::test]
async fn a_comment_with_a_problem_comes_back_with_its_text_and_says_what_is_wrong() {
    let app = discussions_app(Backend::Sqlite).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let empty = alice.submit(OPEN, &format!("{OPEN}/comments"), &[("body", "   ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty.shows("There is a problem").shows("Write your comment before posting it.");
    let long = "word ".repeat(1_200);
    let page = alice.submit(OPEN, &format!("{OPEN}/comments"), &[("body", &long)]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows("Your comment is 5,999 characters long; the most is 5,000. Please shorten it.")
        .shows(&format!(">{}</textarea>", long))
        .shows(r#"<button type="submit" class="button">Post comment</button>"#);
    // The page it comes back on posts again.
    let again =
        alice.post(&format!("{OPEN}/comments"), &[("csrf", &page.csrf()), ("body", "Shorter.")]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.comment_page(1, 1, 10, CommentSort::Newest).await.unwrap().total_threads, 1);
}

async fn closed_and_upcoming_discussions_refuse_posts_on_the_page_and_on_a_forged_post(backend: Backend) {
    let app = discussions_app(backend).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let closed = alice.get(CLOSED).await;
    closed.shows("This discussion closed on 1 February 2024").lacks("Add your comment").lacks("<textarea");
    let upcoming = alice.get(UPCOMING).await;
    upcoming.shows("This discussion opens on 1 May 2025.").lacks("Add your comment");
    // A POST made by hand, with a valid token, is refused too, and keeps what was typed.
    let token = alice.get(OPEN).await.csrf();
    for (discussion, says) in [
        (CLOSED, "This discussion closed on 1 February 2024, so it no longer takes comments."),
        (UPCOMING, "This discussion opens on 1 May 2025, and takes comments from then."),
    ] {
        let page = alice
            .post(&format!("{discussion}/comments"), &[("csrf", &token), ("body", "Let me in anyway")])
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{discussion}");
        page.shows(says).shows(">Let me in anyway</textarea>").lacks("Post comment</button>");
    }
    let discussions = app.store.discussion_titles().await.unwrap();
    for (id, _) in discussions {
        assert_eq!(app.store.comment_page(id, 1, 10, CommentSort::Newest).await.unwrap().total_threads, 0);
    }
}

#[tokio::test]
async fn closed_and_upcoming_refuse_posts_on_sqlite() {
    closed_and_upcoming_discussions_refuse_posts_on_the_page_and_on_a_forged_post(Backend::Sqlite).await;
}

#[tokio::test]
async fn closed_and_upcoming_refuse_posts_on_postgres() {
    closed_and_upcoming_discussions_refuse_posts_on_the_page_and_on_a_forged_post(Backend::Postgres).await;
}

#[tokio::test]
async fn closed_discussions_refuse_agreeing_and_replying_too() {
    let app = discussions_app(Backend::Sqlite).await;
    let closed = app.store.discussion("old", "closed-talk").await.unwrap().unwrap();
    let author = app.store.create_user("Old timer", Role::Resident, false).await.unwrap();
    let old = app
        .store
        .add_comment(&NewComment {
            discussion_id: closed.summary.id,
            parent_id: None,
            author_id: author,
            body: "Said while it was open.".into(),
            posted_at: Timestamp(1_705_000_000),
            source: CommentSource::Web,
            flags: vec![],
        })
        .await
        .unwrap();
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let page = alice.get(CLOSED).await;
    page.lacks("Agree<span").lacks("Reply<span").shows("Report<span");
    let token = page.csrf();
    let agree = alice.post(&format!("/comments/{old}/agree"), &[("csrf", &token), ("agree", "1")]).await;
    assert_eq!(agree.status, StatusCode::FORBIDDEN);
    agree.shows("no longer takes comments");
    let reply = alice
        .post(
            &format!("{CLOSED}/comments"),
            &[("csrf", &token), ("body", "late reply"), ("parent_id", &old.to_string())],
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.comment(old).await.unwrap().unwrap().agree_count, 0);
}

async fn an_author_edits_within_fifteen_minutes_and_the_edit_is_marked(backend: Backend) {
    let app = discussions_app(backend).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let id = post_comment(&alice, OPEN, "Frist thoughts.", None).await;
    let page = alice.get(OPEN).await;
    page.shows(&format!(r#"<a href="/comments/{id}/edit?return_to="#));
    let form = alice.get(&format!("/comments/{id}/edit")).await;
    form.shows("<h1>Edit your comment</h1>").shows(">Frist thoughts.</textarea>").shows("15 more minutes");
    let saved = alice
        .post(&format!("/comments/{id}/edit"), &[("csrf", &form.csrf()), ("body", "First thoughts.")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    alice.get(OPEN).await.shows("First thoughts.").shows(r#"<span class="edited">(edited just now)</span>"#);
    assert_eq!(app.store.comment_revisions(id).await.unwrap(), ["Frist thoughts."], "the old words are kept");
    // Others cannot edit it, and nobody can after 15 minutes; what was typed comes back.
    let (bob, _) = app.signed_in(Role::Moderator, "Bob").await;
    let token = bob.get(OPEN).await.csrf();
    let refused =
        bob.post(&format!("/comments/{id}/edit"), &[("csrf", &token), ("body", "Moderated words")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.shows("You can only edit your own comments.");
    app.state.advance_clock(16 * 60);
    alice.get(OPEN).await.lacks(&format!("/comments/{id}/edit"));
    assert_eq!(alice.get(&format!("/comments/{id}/edit")).await.status, StatusCode::FORBIDDEN);
    let late = alice
        .post(&format!("/comments/{id}/edit"), &[("csrf", &token_of(&alice).await), ("body", "Too late")])
        .await;
    assert_eq!(late.status, StatusCode::FORBIDDEN);
    late.shows("The 15 minutes to edit this comment have passed").shows(">Too late</textarea>");
    assert_eq!(app.store.comment(id).await.unwrap().unwrap().body, "First thoughts.");
}

async fn token_of(browser: &crate::Browser) -> String {
    browser.get(OPEN).await.csrf()
}

#[tokio::test]
async fn an_author_edits_within_fifteen_minutes_on_sqlite() {
    an_author_edits_within_fifteen_minutes_and_the_edit_is_marked(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_author_edits_within_fifteen_minutes_on_postgres() {
    an_author_edits_within_fifteen_minutes_and_the_edit_is_marked(Backend::Postgres).await;
}

#[tokio::test]
async fn deleting_leaves_a_placeholder_that_keeps_the_thread_readable() {
    let app = discussions_app(Backend::Sqlite).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let (bob, _) = app.signed_in(Role::Resident, "Bob").await;
    let id = post_comment(&alice, OPEN, "Something I regret saying.", None).await;
    post_comment(&bob, OPEN, "I see what you mean.", Some(id)).await;
    let confirm = alice.get(&format!("/comments/{id}/delete")).await;
    confirm.shows("<h1>Delete your comment?</h1>").shows("Something I regret saying.");
    assert_eq!(
        bob.get(&format!("/comments/{id}/delete")).await.status,
        StatusCode::FORBIDDEN,
        "only the author"
    );
    let done = alice.post(&format!("/comments/{id}/delete"), &[("csrf", &confirm.csrf())]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let page = app.get(OPEN).await;
    page.lacks("Something I regret saying.")
        .shows("This comment was deleted by its author.")
        .shows("I see what you mean.")
        .shows("1 comment");
}

async fn one_agreement_per_person_and_threads_sort_by_newest_oldest_and_most_agreed(backend: Backend) {
    let app = discussions_app(backend).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let (bob, _) = app.signed_in(Role::Resident, "Bob").await;
    let (carol, _) = app.signed_in(Role::Host, "Carol").await;
    let first = post_comment(&alice, OPEN, "First: more benches.", None).await;
    app.state.advance_clock(60);
    let second = post_comment(&alice, OPEN, "Second: more trees.", None).await;
    app.state.advance_clock(60);
    let third = post_comment(&bob, OPEN, "Third: more bins.", None).await;
    for (who, id) in [(&bob, first), (&carol, first), (&carol, second)] {
        let page = who.submit(OPEN, &format!("/comments/{id}/agree"), &[("agree", "1")]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    // Agreeing twice counts once; the button says it is pressed.
    bob.submit(OPEN, &format!("/comments/{first}/agree"), &[("agree", "1")]).await;
    let page = bob.get(OPEN).await;
    page.shows("2 people agree").shows("1 person agrees");
    assert!(page.html.contains(r#"aria-pressed="true">Agree<span class="visually-hidden"> with Alice"#));
    // Nobody agrees with themselves.
    let own = alice.submit(OPEN, &format!("/comments/{first}/agree"), &[("agree", "1")]).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    let order = |html: &str| {
        let mut at: Vec<(usize, i64)> = [first, second, third]
            .iter()
            .map(|id| (html.find(&format!("id=\"comment-{id}\"")).unwrap(), *id))
            .collect();
        at.sort();
        at.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    };
    assert_eq!(order(&app.get(OPEN).await.html), [third, second, first]);
    assert_eq!(order(&app.get(&format!("{OPEN}?sort=oldest")).await.html), [first, second, third]);
    let agreed = app.get(&format!("{OPEN}?sort=most-agreed")).await;
    assert_eq!(order(&agreed.html), [first, second, third]);
    agreed.shows(r#"aria-current="true">Most agreed</a>"#);
    // Taking it back.
    bob.submit(OPEN, &format!("/comments/{first}/agree"), &[("agree", "0")]).await;
    assert_eq!(app.store.comment(first).await.unwrap().unwrap().agree_count, 1);
}

#[tokio::test]
async fn agreements_and_sorting_on_sqlite() {
    one_agreement_per_person_and_threads_sort_by_newest_oldest_and_most_agreed(Backend::Sqlite).await;
}

#[tokio::test]
async fn agreements_and_sorting_on_postgres() {
    one_agreement_per_person_and_threads_sort_by_newest_oldest_and_most_agreed(Backend::Postgres).await;
}

#[tokio::test]
async fn posting_too_fast_is_limited_per_account_and_per_address_and_keeps_the_text() {
    let mut settings = heard_web::Settings::default();
    settings.limits.posts_per_account = heard_web::Rate::per_minute(2);
    settings.limits.posts_per_address = heard_web::Rate::per_minute(3);
    let app = discussions_app_with(Backend::Sqlite, settings).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    post_comment(&alice, OPEN, "one", None).await;
    post_comment(&alice, OPEN, "two", None).await;
    let third = alice.submit(OPEN, &format!("{OPEN}/comments"), &[("body", "three")]).await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    third.shows("You have posted a lot in a short time. Please wait").shows(">three</textarea>");
    // Bob is another account on the same connection: the address limit (3) catches him.
    let (bob, _) = app.signed_in(Role::Resident, "Bob").await;
    let bobs = bob.submit(OPEN, &format!("{OPEN}/comments"), &[("body", "four")]).await;
    assert_eq!(bobs.status, StatusCode::TOO_MANY_REQUESTS, "the address has posted 3 times this minute");
    app.state.advance_clock(61);
    post_comment(&alice, OPEN, "three, later", None).await;
    let discussion = app.store.discussion("parks", "what-would-help").await.unwrap().unwrap();
    assert_eq!(discussion.summary.comment_count, 3);
}

#[tokio::test]
async fn a_host_pins_a_reply_and_it_shows_at_the_top_with_its_badge() {
    let app = discussions_app(Backend::Sqlite).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let (host, _) = app.signed_in(Role::Host, "Dionne").await;
    let question = post_comment(&alice, OPEN, "Will the park gates stay open later?", None).await;
    let answer = post_comment(&host, OPEN, "Yes: from April they close at ten.", Some(question)).await;
    alice.get(OPEN).await.lacks("Pin<span");
    let pinned = host.submit(OPEN, &format!("/comments/{answer}/pin"), &[("pinned", "1")]).await;
    assert_eq!(pinned.status, StatusCode::SEE_OTHER);
    let page = app.get(OPEN).await;
    let box_at = page.html.find("Pinned by the hosts").expect("pinned section");
    let threads_at = page.html.find(r#"<ol class="threads">"#).unwrap();
    assert!(box_at < threads_at);
    page.shows(r#"<span class="badge">Host</span>"#)
        .shows(r#"<span class="badge badge-pinned">Pinned</span>"#);
    assert_eq!(page.count("Yes: from April they close at ten."), 2, "in the pinned box and in its thread");
    host.submit(OPEN, &format!("/comments/{answer}/pin"), &[("pinned", "0")]).await;
    app.get(OPEN).await.lacks("Pinned by the hosts");
}

#[tokio::test]
async fn a_long_comment_in_emoji_and_welsh_is_accepted_whole() {
    let app = discussions_app(Backend::Sqlite).await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    let body = format!("{}\nDiolch yn fawr am wrando.", "\u{1F333}".repeat(4_900));
    let id = post_comment(&alice, OPEN, &body, None).await;
    assert_eq!(app.store.comment(id).await.unwrap().unwrap().body, body);
}

/// Regression: a discussion given a later closing date than its consultation's still took comments
/// after the consultation had closed.
async fn a_discussion_closes_when_its_consultation_does(backend: Backend) {
    let app = discussions_app(backend).await;
    let old = app.store.consultation_by_slug("old").await.unwrap().unwrap().summary;
    let own_date = NewDiscussion {
        slug: "runs-on".into(),
        title: "Runs on".into(),
        intro: "Tell us.".into(),
        opens_on: Date::parse_iso("2024-01-01").unwrap(),
        closes_on: Date::parse_iso("2025-12-31").unwrap(),
        questions: vec![],
        hosts: vec![],
        host_organisation: String::new(),
    };
    app.store.create_discussion(old.id, &own_date).await.unwrap();
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    const RUNS_ON: &str = "/consultations/old/discussions/runs-on";
    let page = alice.get(RUNS_ON).await;
    page.shows("This discussion closed on 1 February 2024").lacks("<textarea");
    let token = alice.get(OPEN).await.csrf();
    let refused =
        alice.post(&format!("{RUNS_ON}/comments"), &[("csrf", &token), ("body", "Still here?")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.shows("so it no longer takes comments").shows(">Still here?</textarea>");
    let d = app.store.discussion("old", "runs-on").await.unwrap().unwrap();
    assert_eq!(
        app.store.comment_page(d.summary.id, 1, 10, CommentSort::Newest).await.unwrap().total_threads,
        0
    );
}

#[tokio::test]
async fn a_discussion_closes_with_its_consultation_on_sqlite() {
    a_discussion_closes_when_its_consultation_does(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_discussion_closes_with_its_consultation_on_postgres() {
    a_discussion_closes_when_its_consultation_does(Backend::Postgres).await;
}
