//! Withdrawing what was published, by administrators only, each behind a confirmation page with a
//! reason for the staff log; and publishing results after a page saying what staff have not
//! checked, with reviewed themes only if they choose. On both databases.

use axum::http::StatusCode;
use heard_store::*;

use crate::results::analysed;
use crate::{discussions_app, post_comment};

const HUB: &str = "/admin/consultations/parks";
const WITHDRAW: &str = "/admin/consultations/parks/withdraw";
const TALK: &str = "/consultations/parks/discussions/what-would-help";

async fn an_administrator_withdraws_a_consultation_and_its_address_says_so(backend: Backend) {
    let app = discussions_app(backend).await; // 1 March 2025: parks is open
    let (host, _) = app.signed_in(Role::Host, "Harriet").await;
    let (admin, _) = app.signed_in(Role::Admin, "Ada").await;
    let (alice, _) = app.signed_in(Role::Resident, "Alice").await;
    post_comment(&alice, TALK, "More benches by the pond, please.", None).await;

    // Not every member of staff: a host neither sees the step nor can take it.
    host.get(HUB).await.lacks("Withdraw the consultation");
    assert_eq!(host.get(WITHDRAW).await.status, StatusCode::FORBIDDEN);
    let token = host.get(HUB).await.csrf();
    let refused = host.post(WITHDRAW, &[("csrf", &token), ("reason", "Mine to take down")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    admin.get(HUB).await.shows(&format!(
        r#"<a href="{WITHDRAW}" class="button button-warning">Withdraw the consultation…</a>"#
    ));
    admin
        .get(WITHDRAW)
        .await
        .shows("<h1>Withdraw this consultation?</h1>")
        .shows("Its page at /consultations/parks says only that City Hall withdrew it on 1 March 2025")
        .shows("Its discussions, survey and events are taken down")
        .shows(r#"<textarea id="reason" name="reason""#)
        .shows(r#"<button type="submit" class="button button-warning">Withdraw the consultation</button>"#);
    // Alice has the discussion open, and writes while it is being withdrawn.
    let alice_token = alice.get(TALK).await.csrf();

    // No reason, no withdrawal: the page comes back saying why.
    let page = admin.submit(WITHDRAW, WITHDRAW, &[("reason", "  ")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.html);
    page.shows("There is a problem").shows("Say why: the reason goes in the staff log");
    assert!(app.store.consultation_by_slug("parks").await.unwrap().is_some(), "nothing changed");

    let page =
        admin.submit(WITHDRAW, WITHDRAW, &[("reason", "Published before the plan was signed off")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    assert_eq!(page.location(), HUB);
    admin
        .get(HUB)
        .await
        .shows(r#"<p class="stage stage-withdrawn">Withdrawn</p>"#)
        .shows("Withdrew the consultation: Published before the plan was signed off")
        .shows("<td>Ada</td>")
        .lacks("Withdraw the consultation…")
        .lacks("Close now");

    // The public site: gone from the lists, and its address says plainly what happened.
    let public = app.browser("203.0.113.9");
    public.get("/").await.lacks("The parks plan").shows("The old plan");
    for path in ["/consultations/parks", TALK, "/consultations/parks/events", "/consultations/parks/results"]
    {
        let page = public.get(path).await;
        assert_eq!(page.status, StatusCode::GONE, "{path}: {}", page.html);
        page.shows("The parks plan has been withdrawn")
            .shows("City Hall withdrew this consultation on 1 March 2025")
            .lacks("signed off");
    }
    assert_eq!(admin.get("/consultations/parks").await.status, StatusCode::GONE, "staff are told too");
    // Open data follows.
    assert_eq!(public.get("/api/v1/consultations/parks").await.status, StatusCode::NOT_FOUND);
    assert_eq!(public.get("/consultations/parks/open-data.zip").await.status, StatusCode::NOT_FOUND);
    let listed = public.get("/api/v1/consultations").await;
    listed.lacks("\"parks\"").shows("\"old\"");
    // Alice's comment, sent after it was withdrawn, is refused and her words come back to copy.
    let sent = alice
        .post(&format!("{TALK}/comments"), &[("csrf", &alice_token), ("body", "And a water fountain.")])
        .await;
    assert_eq!(sent.status, StatusCode::GONE);
    sent.shows("has been withdrawn").shows("And a water fountain.");
    // Everything it received is kept for staff.
    let parks = app.store.consultation_for_staff("parks").await.unwrap().unwrap().summary.id;
    assert_eq!(app.store.register_breakdown(parks).await.unwrap().total.responses, 1);
}

#[tokio::test]
async fn withdrawing_a_consultation_on_sqlite() {
    an_administrator_withdraws_a_consultation_and_its_address_says_so(Backend::Sqlite).await;
}

#[tokio::test]
async fn withdrawing_a_consultation_on_postgres() {
    an_administrator_withdraws_a_consultation_and_its_address_says_so(Backend::Postgres).await;
}

async fn publishing_results_shows_what_is_unchecked_and_withdrawn_results_leave(backend: Backend) {
    let (app, old, run, _) = analysed(backend).await;
    let run_page = format!("/admin/consultations/old/analysis/runs/{run}");
    let publish_run = format!("{run_page}/publish");
    let (host, _) = app.signed_in(Role::Host, "Hannah").await;
    let (admin, _) = app.signed_in(Role::Admin, "Ada").await;
    let themes = app.store.run_themes(run).await.unwrap();
    let now = app.state.now();
    app.store
        .set_theme_reviewed(themes[0].id, true, admin_id(&app, "ada@example.org").await, now)
        .await
        .unwrap();

    // Putting the run in the results first says what becomes public and what nobody checked.
    host.get(&run_page)
        .await
        .shows(&format!(r#"<a href="{publish_run}" class="button">Publish in the results…</a>"#));
    host.get(&publish_run)
        .await
        .shows("<h1>Put this analysis in the results?</h1>")
        .shows("2 themes with their counts and shares of the 4 texts read; 1 of them reviewed.")
        .shows("0 approved quotes; 3 offered and not approved, which stay private.")
        .shows("a stance line read by the engine and not checked by staff, such as: “Of these, 50% agreed")
        .shows("Not reviewed yet: &ldquo;Toilets&rdquo;.")
        .shows(r#"<input type="checkbox" id="reviewed_only" name="reviewed_only" value="yes">"#);
    let page =
        host.submit(&publish_run, &publish_run, &[("published", "yes"), ("reviewed_only", "yes")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    host.get(&run_page).await.shows("This run's reviewed themes, with their approved quotes");

    // Publishing the results shows the same for every run in them, and the same choice.
    let publish = "/admin/consultations/old/publish-results";
    host.get(publish)
        .await
        .shows("<h1>Publish the results?</h1>")
        .shows("<h2 id=\"run-preview-1\">Analysis: All responses, every channel</h2>")
        .shows("Not reviewed yet: &ldquo;Toilets&rdquo;.")
        .shows(r#"name="reviewed_only""#);
    let page = host.submit(publish, publish, &[("reviewed_only", "yes")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let public = app.browser("203.0.113.9");
    let results = public.get("/consultations/old/results").await;
    assert_eq!(results.status, StatusCode::OK);
    results.shows("Opening hours").lacks(">Toilets<");
    public.get("/consultations/old").await.lacks("Results expected").shows("Read what we heard");

    // Withdrawing the results: administrators only, with a reason.
    let withdraw = "/admin/consultations/old/withdraw-results";
    host.get("/admin/consultations/old").await.lacks("Withdraw the results");
    assert_eq!(host.get(withdraw).await.status, StatusCode::FORBIDDEN);
    host.get(&run_page).await.shows("only an administrator can withdraw this run from them");
    admin.get("/admin/consultations/old").await.shows("Withdraw the results…");
    admin.get(withdraw).await.shows("<h1>Withdraw the published results?</h1>");
    let page = admin.submit(withdraw, withdraw, &[]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.shows("Say why");
    let page = admin.submit(withdraw, withdraw, &[("reason", "The Hackney letters were left out")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let gone = public.get("/consultations/old/results").await;
    assert_eq!(gone.status, StatusCode::GONE);
    gone.shows("These results have been withdrawn").shows("withdrawn on 1 March 2025").lacks("Opening hours");
    public
        .get("/consultations/old")
        .await
        .shows("The results we published were withdrawn on 1 March 2025")
        .lacks("Results expected")
        .lacks("Results published")
        .lacks(r#"href="/consultations/old/results""#);
    assert_eq!(public.get("/api/v1/consultations/old/results").await.status, StatusCode::NOT_FOUND);
    admin
        .get("/admin/consultations/old")
        .await
        .shows("Withdrew the published results: The Hackney letters were left out")
        .shows("Publish results…");
    let log = app.store.staff_log(old).await.unwrap();
    assert_eq!(log[0].action, StaffAction::WithdrawResults);
    assert_eq!(log[0].actor.as_ref().unwrap().display_name, "Ada");
}

async fn admin_id(app: &crate::TestApp, email: &str) -> i64 {
    app.store.account_by_email(email).await.unwrap().unwrap().user.id
}

#[tokio::test]
async fn publishing_and_withdrawing_results_on_sqlite() {
    publishing_results_shows_what_is_unchecked_and_withdrawn_results_leave(Backend::Sqlite).await;
}

#[tokio::test]
async fn publishing_and_withdrawing_results_on_postgres() {
    publishing_results_shows_what_is_unchecked_and_withdrawn_results_leave(Backend::Postgres).await;
}

async fn a_run_in_public_results_is_withdrawn_by_an_administrator_with_a_reason(backend: Backend) {
    let (app, old, run, analyst) = analysed(backend).await;
    let now = app.state.now();
    app.store.publish_run(run, RunPublication::AllThemes, analyst, now).await.unwrap();
    assert!(app.store.publish_results(old, analyst, now).await.unwrap());
    let run_page = format!("/admin/consultations/old/analysis/runs/{run}");
    let withdraw = format!("{run_page}/withdraw");
    let (host, _) = app.signed_in(Role::Host, "Hannah").await;
    let (admin, _) = app.signed_in(Role::Admin, "Ada").await;
    // The quiet "take out" is refused once the results are public, whoever sends it.
    let token = host.get(&run_page).await.csrf();
    let page = host.post(&format!("{run_page}/publish"), &[("csrf", &token), ("published", "no")]).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    page.shows("an administrator withdraws the run from them, with a reason");
    assert_eq!(host.get(&withdraw).await.status, StatusCode::FORBIDDEN);

    admin.get(&run_page).await.shows(&format!(r#"<a href="{withdraw}" class="button button-warning">"#));
    admin.get(&withdraw).await.shows("<h1>Withdraw this analysis from the results?</h1>");
    let page = admin.submit(&withdraw, &withdraw, &[("reason", "")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = admin.submit(&withdraw, &withdraw, &[("reason", "Themes merged wrongly")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let results = app.browser("203.0.113.9").get("/consultations/old/results").await;
    assert_eq!(results.status, StatusCode::OK, "the rest of the results stays");
    results.lacks("Opening hours");
    admin
        .get("/admin/consultations/old")
        .await
        .shows(&format!("Took an analysis out of the published results: run {run}: Themes merged wrongly"));
}

#[tokio::test]
async fn withdrawing_a_run_on_sqlite() {
    a_run_in_public_results_is_withdrawn_by_an_administrator_with_a_reason(Backend::Sqlite).await;
}

#[tokio::test]
async fn withdrawing_a_run_on_postgres() {
    a_run_in_public_results_is_withdrawn_by_an_administrator_with_a_reason(Backend::Postgres).await;
}
