//! Resetting a forgotten password by email: ask for a link, follow it once, choose a new password.
//!
//! Asking always gets the same answer, as fast, whether or not the address has an account (the
//! account is looked up and the link made and mailed by a job, `jobs.rs`), so the form cannot be
//! used to find out who is registered. A link lasts an hour and works once; using it
//! signs the person out everywhere else.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use heard_store::Timestamp;
use serde::Deserialize;

use super::accounts::{MIN_PASSWORD_CHARS, MessagePage, login_account_bucket, over_rate, with_cookie};
use super::{limited_message, page_response};
use crate::auth::{Posted, Visitor, hash_password_blocking, random_token, sha256_hex, start_session};
use crate::nav::Nav;
use crate::{AppState, Mailer, WebError};

/// How long a reset link works.
pub const RESET_LINK_SECS: i64 = 3600;

#[derive(Template)]
#[template(path = "password_reset_request.html")]
struct RequestPage {
    nav: Nav,
    csrf: String,
    email: String,
    error: Option<String>,
    available: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    email: String,
}

#[tracing::instrument(skip_all)]
pub async fn request_form(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    request_page(&state, &visitor, String::new(), None, StatusCode::OK)
}

#[tracing::instrument(skip_all)]
pub async fn request(
    State(state): State<AppState>,
    posted: Posted<RequestForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    if state.mailer().is_none() {
        return request_page(&state, &visitor, form.email, None, StatusCode::SERVICE_UNAVAILABLE);
    }
    let email = form.email.trim().to_owned();
    if !email.contains('@') {
        let why = "Enter the email address you registered with, like name@example.com.".to_owned();
        return request_page(&state, &visitor, form.email, Some(why), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let bucket = format!("reset:address:{}", sha256_hex(&visitor.address));
    if let Some(wait) =
        over_rate(&state, &bucket, state.settings().limits.password_resets_per_address).await?
    {
        let why =
            format!("Many reset links have been asked for from your connection. {}", limited_message(wait));
        return request_page(&state, &visitor, form.email, Some(why), StatusCode::TOO_MANY_REQUESTS);
    }
    // Everything that depends on whether the address has an account is the job's, so the answer
    // comes as fast either way.
    state.queue_password_reset(email).await?;
    let page = MessagePage {
        nav: Nav::for_visitor(&visitor),
        title: "Check your email".into(),
        paragraphs: vec![
            "If an account uses that email address, we have sent it a link to choose a new password. The link \
             works once, for an hour."
                .into(),
            "If nothing arrives within a few minutes, check your spam folder, or ask again.".into(),
        ],
        links: vec![("/login".into(), "Back to sign in".into())],
    };
    page_response(&page, StatusCode::OK, None)
}

/// Makes a reset link for the account with `email`, if there is one, and mails it (the job a
/// reset request queues). The error is the job's, tried again later: it names no address.
pub(crate) async fn send_reset_link(state: &AppState, mailer: &Mailer, email: &str) -> Result<(), String> {
    let store_error = |e: heard_store::StoreError| format!("making a password reset link: {e}");
    let Some(account) = state.store().account_by_email(email).await.map_err(store_error)? else {
        return Ok(());
    };
    let token = random_token();
    let now = state.now();
    state
        .store()
        .create_password_reset(account.user.id, &sha256_hex(&token), now, Timestamp(now.0 + RESET_LINK_SECS))
        .await
        .map_err(store_error)?;
    let link = format!("{}/password-reset/{token}", state.settings().public_url.trim_end_matches('/'));
    let body = format!(
        "Hello {},\n\nSomeone, probably you, asked to reset the password of your account on heard.\n\n\
         To choose a new password, open this link within an hour:\n\n{link}\n\n\
         If you did not ask for this, you can ignore this email: your password stays as it is.\n",
        account.user.display_name
    );
    mailer.send(&account.email, "Reset your password", body).await?;
    tracing::info!(user.id = account.user.id, "password reset link sent");
    Ok(())
}

fn request_page(
    state: &AppState,
    visitor: &Visitor,
    email: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (csrf, set_cookie) = visitor.form_token(state.settings().secure_cookies);
    let page = RequestPage {
        nav: Nav::for_visitor(visitor),
        csrf,
        email,
        error,
        available: state.mailer().is_some(),
    };
    page_response(&page, status, set_cookie)
}

#[derive(Template)]
#[template(path = "password_reset.html")]
struct ResetPage {
    nav: Nav,
    csrf: String,
    token: String,
    error: Option<String>,
    min_password: usize,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    password: String,
}

#[tracing::instrument(skip_all)]
pub async fn reset_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    if state.store().password_reset_user(&sha256_hex(&token), state.now()).await?.is_none() {
        return expired(&visitor);
    }
    reset_page(&state, &visitor, token, None, StatusCode::OK)
}

#[tracing::instrument(skip_all)]
pub async fn reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    posted: Posted<ResetForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let chars = form.password.chars().count();
    if !(MIN_PASSWORD_CHARS..=256).contains(&chars) {
        let why =
            format!("Your new password needs at least {MIN_PASSWORD_CHARS} characters (and at most 256).");
        return reset_page(&state, &visitor, token, Some(why), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let hash = hash_password_blocking(form.password).await?;
    let Some(user_id) =
        state.store().complete_password_reset(&sha256_hex(&token), &hash, state.now()).await?
    else {
        return expired(&visitor);
    };
    tracing::info!(user.id = user_id, "password reset");
    // The owner has shown they hold the address: wrong passwords others tried no longer slow them.
    if let Some(account) = state.store().account(user_id).await? {
        state.store().clear_failures(&login_account_bucket(&account.email)).await?;
    }
    let session = start_session(&state, &visitor, user_id).await?;
    Ok(with_cookie(Redirect::to("/account").into_response(), session))
}

fn reset_page(
    state: &AppState,
    visitor: &Visitor,
    token: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (csrf, set_cookie) = visitor.form_token(state.settings().secure_cookies);
    let page =
        ResetPage { nav: Nav::for_visitor(visitor), csrf, token, error, min_password: MIN_PASSWORD_CHARS };
    page_response(&page, status, set_cookie)
}

fn expired(visitor: &Visitor) -> Result<Response, WebError> {
    let page = MessagePage {
        nav: Nav::for_visitor(visitor),
        title: "This link has expired".into(),
        paragraphs: vec![
            "Password reset links work once, for an hour. Ask for a new one if you still need it.".into(),
        ],
        links: vec![("/password-reset".into(), "Ask for a new link".into())],
    };
    page_response(&page, StatusCode::GONE, None)
}
