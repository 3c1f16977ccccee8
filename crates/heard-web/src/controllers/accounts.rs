//! Joining, signing in and out, and a person's own account: what heard holds about them, the
//! download of it, confirming its email address, and deleting it.
//!
//! An address typed on the register page links nothing until its owner follows the link mailed to
//! it (`/account/confirm/TOKEN`, a page with a button: following a link alone changes nothing). A
//! site without mail cannot confirm addresses, so its residents' accounts stay unconfirmed and the
//! account page says what that means.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use heard_store::{
    AccountDeletion, Demographics, MAX_DISPLAY_NAME, NewAccount, PREFER_NOT_TO_SAY, RateLimit, Role,
    StoreError, Timestamp, email_key,
};
use serde::Deserialize;

use super::{FieldError, limited_message, page_response};
use crate::auth::{
    Posted, SESSION_COOKIE, Visitor, cookie, hash_password_blocking, local_path, random_token, sha256_hex,
    start_session, verify_password,
};
use crate::nav::Nav;
use crate::settings::Rate;
use crate::{AppState, WebError};

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
const MAX_PASSWORD_CHARS: usize = 256;

pub const AGE_BANDS: [&str; 7] =
    ["16 to 24", "25 to 34", "35 to 44", "45 to 54", "55 to 64", "65 to 74", "75 or over"];
pub const GENDERS: [&str; 4] = ["Woman", "Man", "Non-binary", "In another way"];
pub const ETHNIC_GROUPS: [&str; 5] = [
    "Asian or Asian British",
    "Black, Black British, Caribbean or African",
    "Mixed or multiple ethnic groups",
    "White",
    "Another ethnic group",
];
pub const DISABILITY: [&str; 2] = ["Yes", "No"];

/// How long a link confirming an email address works.
pub const CONFIRM_LINK_SECS: i64 = 2 * 86_400;

/// Links to confirm an address one account may ask to be sent again in an hour.
const CONFIRMATIONS_PER_ACCOUNT_PER_HOUR: i64 = 5;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    display_name: String,
    email: String,
    password: String,
    /// "yes" or "no".
    sixteen: Option<String>,
    borough: String,
    age_band: String,
    gender: String,
    ethnic_group: String,
    disability: String,
    /// "yes" when they give explicit consent to keep `ethnic_group` and `disability`.
    special_consent: Option<String>,
    next: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    nav: Nav,
    csrf: String,
    form: RegisterForm,
    errors: Vec<FieldError>,
    boroughs: Vec<String>,
    /// What an area is called, as the operator wrote it ("London borough", "ward").
    area_noun: String,
    questions: Vec<Question>,
    /// Ethnic group and disability: special-category data, kept only with explicit consent.
    special_questions: Vec<Question>,
}

/// One optional question about who a resident is.
struct Question {
    name: &'static str,
    legend: &'static str,
    options: Vec<&'static str>,
    chosen: String,
}

impl RegisterPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    fn sixteen_is(&self, answer: &str) -> bool {
        self.form.sixteen.as_deref() == Some(answer)
    }

    fn borough_is(&self, borough: &str) -> bool {
        self.form.borough == borough
    }
}

#[derive(Template)]
#[template(path = "under_16.html")]
struct UnderSixteenPage {
    nav: Nav,
}

#[tracing::instrument(skip_all)]
pub async fn register_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<NextQuery>,
) -> Result<Response, WebError> {
    let form = RegisterForm { next: query.next.unwrap_or_default(), ..RegisterForm::default() };
    register_page(&state, &visitor, form, Vec::new(), StatusCode::OK)
}

#[tracing::instrument(skip_all)]
pub async fn register(
    State(state): State<AppState>,
    posted: Posted<RegisterForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    if form.sixteen.as_deref() == Some("no") {
        // Nothing is kept of what an under-16 typed.
        return Ok(Html(UnderSixteenPage { nav: Nav::for_visitor(&visitor) }.render()?).into_response());
    }
    let mut errors = validate_registration(&form, state.store().areas());
    if !errors.is_empty() {
        return register_page(&state, &visitor, form, errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let rate = state.settings().limits.registrations_per_address;
    if let Some(wait) =
        over_rate(&state, &format!("register:address:{}", sha256_hex(&visitor.address)), rate).await?
    {
        errors.push(FieldError::new(
            "display_name",
            format!("Many accounts have been made from your connection recently. {}", limited_message(wait)),
        ));
        return register_page(&state, &visitor, form, errors, StatusCode::TOO_MANY_REQUESTS);
    }
    let optional = |value: &str| Some(value.to_owned()).filter(|v| !v.is_empty());
    // Consent is recorded with the answers it is for, and only then.
    let consent = form.special_consent.as_deref() == Some("yes")
        && [&form.ethnic_group, &form.disability].iter().any(|v| !v.is_empty() && *v != PREFER_NOT_TO_SAY);
    let new = NewAccount {
        display_name: form.display_name.trim().to_owned(),
        email: form.email.trim().to_owned(),
        password_hash: hash_password_blocking(form.password.clone()).await?,
        role: Role::Resident,
        borough: optional(&form.borough),
        demographics: Demographics {
            age_band: optional(&form.age_band),
            gender: optional(&form.gender),
            ethnic_group: optional(&form.ethnic_group),
            disability: optional(&form.disability),
        },
        created_at: state.now(),
        // Anyone can type any address: it is theirs once they follow the link mailed to it.
        email_confirmed: false,
        special_category_consent: consent,
    };
    let created = state.store().create_account(&new).await;
    // With mail set up, a new account and an address that has one already get the same page, and
    // the address is told by email, so the form cannot be used to find out who is registered.
    if state.mailer().is_some() && matches!(created, Ok(_) | Err(StoreError::EmailTaken)) {
        let site = state.settings().public_url.trim_end_matches('/').to_owned();
        match created {
            Ok(user_id) => {
                tracing::info!(user.id = user_id, "account created");
                let link = new_confirmation_link(&state, user_id).await?;
                let body = format!(
                    "Hello {},\n\nYour account on heard is ready. Sign in with this email address and the \
                     password you chose:\n\n{site}/login\n\n\
                     Please confirm that this email address is yours by opening this link within two days:\n\n\
                     {link}\n\n\
                     Until you do, anything sent from this address (an email, a letter, a place at an event) is \
                     not linked with your account.\n\n\
                     If you did not register, someone else typed your address: do not open the link, and tell us \
                     by replying to this email.\n",
                    new.display_name
                );
                state
                    .queue_mail(
                        new.email,
                        "Confirm your email address",
                        body,
                        Some(user_id),
                        "welcome email with a confirmation link",
                    )
                    .await;
            }
            Err(_) => {
                let owner = state.store().account_by_email(&new.email).await?;
                if let Some(owner) = owner {
                    tracing::info!(
                        user.id = owner.user.id,
                        "registration with an address that has an account"
                    );
                    let body = format!(
                        "Hello {},\n\nSomeone, probably you, tried to register on heard with this email address, \
                         which has an account already. Sign in here:\n\n{site}/login\n\n\
                         If you have forgotten your password, choose a new one here:\n\n{site}/password-reset\n\n\
                         If it was not you, you can ignore this email: nothing has changed.\n",
                        owner.user.display_name
                    );
                    state
                        .queue_mail(
                            owner.email,
                            "You already have an account",
                            body,
                            Some(owner.user.id),
                            "notice of a second registration",
                        )
                        .await;
                }
            }
        }
        return check_your_email(&visitor);
    }
    let user_id = match created {
        Ok(id) => id,
        Err(StoreError::EmailTaken) => {
            errors.push(FieldError::new(
                "email",
                "There is already an account with this email address. Sign in, or reset your password if you \
                 have forgotten it.",
            ));
            return register_page(&state, &visitor, form, errors, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(StoreError::Invalid(why)) => {
            errors.push(FieldError::new("display_name", capitalise(&why)));
            return register_page(&state, &visitor, form, errors, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(user.id = user_id, "account created");
    let session = start_session(&state, &visitor, user_id).await?;
    let to = local_path(&form.next).unwrap_or("/account");
    Ok(with_cookie(Redirect::to(to).into_response(), session))
}

/// What registering says when mail is set up, whether the address was new or had an account.
fn check_your_email(visitor: &Visitor) -> Result<Response, WebError> {
    let page = MessagePage {
        nav: Nav::for_visitor(visitor),
        title: "Check your email".into(),
        paragraphs: vec![
            "We have sent an email to the address you gave, saying how to sign in, with a link to confirm the \
             address is yours."
                .into(),
            "If nothing arrives within a few minutes, check your spam folder.".into(),
        ],
        links: vec![("/login".into(), "Sign in".into())],
    };
    page_response(&page, StatusCode::OK, None)
}

fn validate_registration(form: &RegisterForm, areas: &heard_store::Areas) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = form.display_name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("display_name", "Enter the name to show beside your comments."));
    } else if name.chars().count() > MAX_DISPLAY_NAME {
        errors.push(FieldError::new(
            "display_name",
            format!("Your display name is too long: use at most {MAX_DISPLAY_NAME} characters."),
        ));
    } else if name.eq_ignore_ascii_case(heard_store::FORMER_MEMBER) {
        errors.push(FieldError::new(
            "display_name",
            "Choose another display name: this one is kept for deleted accounts.",
        ));
    }
    let email = form.email.trim();
    if email.is_empty() {
        errors.push(FieldError::new("email", "Enter your email address."));
    } else if !looks_like_email(email) {
        errors.push(FieldError::new("email", "Enter an email address like name@example.com."));
    }
    let password_chars = form.password.chars().count();
    if password_chars < MIN_PASSWORD_CHARS {
        errors.push(FieldError::new(
            "password",
            format!("Your password needs at least {MIN_PASSWORD_CHARS} characters. A few random words make a strong one."),
        ));
    } else if password_chars > MAX_PASSWORD_CHARS {
        errors.push(FieldError::new(
            "password",
            format!("Your password can be at most {MAX_PASSWORD_CHARS} characters."),
        ));
    }
    if form.sixteen.as_deref() != Some("yes") {
        errors.push(FieldError::new("sixteen-yes", "Tell us whether you are 16 or over."));
    }
    if !form.borough.is_empty() && !areas.contains(&form.borough) {
        errors.push(FieldError::new(
            "borough",
            format!("Choose your {} from the list, or leave it blank.", areas.noun()),
        ));
    }
    for (field, value, options) in [
        ("age_band", &form.age_band, &AGE_BANDS[..]),
        ("gender", &form.gender, &GENDERS[..]),
        ("ethnic_group", &form.ethnic_group, &ETHNIC_GROUPS[..]),
        ("disability", &form.disability, &DISABILITY[..]),
    ] {
        if !value.is_empty() && value != PREFER_NOT_TO_SAY && !options.contains(&value.as_str()) {
            errors.push(FieldError::new(field, "Choose one of the answers, or leave it blank."));
        }
    }
    let special = |v: &str| !v.is_empty() && v != PREFER_NOT_TO_SAY;
    if (special(&form.ethnic_group) || special(&form.disability))
        && form.special_consent.as_deref() != Some("yes")
    {
        errors.push(FieldError::new(
            "special_consent",
            "Tick the box to let us keep your answers about ethnic group and disability, or set them to \
             \"Not answered\": without your consent we do not keep them.",
        ));
    }
    errors
}

fn register_page(
    state: &AppState,
    visitor: &Visitor,
    mut form: RegisterForm,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Result<Response, WebError> {
    if errors.iter().any(|e| e.field == "password") {
        form.password.clear();
    }
    let (csrf, set_cookie) = visitor.form_token(state.settings().secure_cookies);
    let question = |name, legend, options: &[&'static str], chosen: &str| Question {
        name,
        legend,
        options: options.iter().copied().chain([PREFER_NOT_TO_SAY]).collect(),
        chosen: chosen.to_owned(),
    };
    let questions = vec![
        question("age_band", "How old are you?", &AGE_BANDS, &form.age_band),
        question("gender", "What is your gender?", &GENDERS, &form.gender),
    ];
    let special_questions = vec![
        question("ethnic_group", "What is your ethnic group?", &ETHNIC_GROUPS, &form.ethnic_group),
        question("disability", "Do you consider yourself to be disabled?", &DISABILITY, &form.disability),
    ];
    let page = RegisterPage {
        nav: Nav::for_visitor(visitor),
        csrf,
        form,
        errors,
        boroughs: state.store().areas().names().to_vec(),
        area_noun: state.store().areas().noun().to_owned(),
        questions,
        special_questions,
    };
    page_response(&page, status, set_cookie)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
    next: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Nav,
    csrf: String,
    email: String,
    next: String,
    error: Option<String>,
    /// Whether a password reset can be sent by email here.
    can_reset: bool,
}

#[tracing::instrument(skip_all)]
pub async fn login_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(query): Query<NextQuery>,
) -> Result<Response, WebError> {
    login_page(&state, &visitor, String::new(), query.next.unwrap_or_default(), None, StatusCode::OK)
}

/// Signs in. Every refusal says the same thing whether or not the address has an account.
/// Wrong passwords slow down whoever sends them, doubling the wait each time up to a most: first
/// for the account from that address (so the owner, elsewhere, signs in as usual), then for the
/// account from anywhere (guesses spread over many addresses), and, far more generously, for the
/// address whatever the account (many people can share one address behind a proxy).
#[tracing::instrument(skip_all)]
pub async fn login(State(state): State<AppState>, posted: Posted<LoginForm>) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let store = state.store();
    let now = state.now();
    let limits = state.settings().limits;
    let account_bucket = login_account_bucket(&form.email);
    let pair_bucket = format!("{account_bucket}:address:{}", sha256_hex(&visitor.address));
    let address_bucket = format!("login:address:{}", sha256_hex(&visitor.address));
    let refuse = |message: String, status| {
        login_page(&state, &visitor, form.email.clone(), form.next.clone(), Some(message), status)
    };
    for bucket in [&pair_bucket, &account_bucket, &address_bucket] {
        if let Some(wait) = store.locked_for(bucket, now).await? {
            return refuse(locked_message(wait), StatusCode::TOO_MANY_REQUESTS);
        }
    }
    let credentials = store.credentials(&form.email).await?;
    let ok =
        verify_password(form.password.clone(), credentials.as_ref().map(|c| c.password_hash.clone())).await?;
    let Some(credentials) = credentials.filter(|_| ok) else {
        let mut wait = None;
        for (bucket, policy) in [
            (&pair_bucket, &limits.login_account_address),
            (&account_bucket, &limits.login_account),
            (&address_bucket, &limits.login_address),
        ] {
            wait = wait.max(store.record_failure(bucket, now, policy).await?);
        }
        tracing::info!("sign-in refused");
        return match wait {
            Some(wait) => refuse(locked_message(wait), StatusCode::TOO_MANY_REQUESTS),
            None => refuse(
                "The email address or password is not right. Check them and try again.".into(),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        };
    };
    store.clear_failures(&pair_bucket).await?;
    store.clear_failures(&account_bucket).await?;
    let session = start_session(&state, &visitor, credentials.user_id).await?;
    tracing::info!(user.id = credentials.user_id, "signed in");
    let to = local_path(&form.next).unwrap_or("/");
    Ok(with_cookie(Redirect::to(to).into_response(), session))
}

/// The bucket counting wrong passwords for the account with `email` (whether it exists or not).
pub fn login_account_bucket(email: &str) -> String {
    format!("login:account:{}", sha256_hex(&email_key(email)))
}

fn locked_message(wait_secs: i64) -> String {
    let minutes = (wait_secs + 59) / 60;
    format!(
        "There have been too many attempts to sign in. For your security, please wait {} and try again, or \
         reset your password.",
        if minutes == 1 { "a minute".to_owned() } else { format!("{minutes} minutes") }
    )
}

fn login_page(
    state: &AppState,
    visitor: &Visitor,
    email: String,
    next: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (csrf, set_cookie) = visitor.form_token(state.settings().secure_cookies);
    let page = LoginPage {
        nav: Nav::for_visitor(visitor),
        csrf,
        email,
        next,
        error,
        can_reset: state.mailer().is_some(),
    };
    page_response(&page, status, set_cookie)
}

#[derive(Debug, Deserialize)]
pub struct Empty {}

#[tracing::instrument(skip_all)]
pub async fn logout(State(state): State<AppState>, posted: Posted<Empty>) -> Result<Response, WebError> {
    if let Some(session) = &posted.visitor.session {
        state.store().delete_session(&session.token_hash).await?;
    }
    let gone = cookie(SESSION_COOKIE, "", Some(0), state.settings().secure_cookies);
    Ok(with_cookie(Redirect::to("/").into_response(), gone))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    nav: Nav,
    csrf: String,
    name: String,
    email: String,
    /// When the address was confirmed ("3 March 2025"), if it was.
    confirmed_on: Option<String>,
    /// Whether this site can send a confirmation link.
    can_confirm: bool,
    role: &'static str,
    borough: String,
    /// What an area is called here ("London borough"), or `None` on a site without areas where the
    /// person gave none.
    area_label: Option<String>,
    answers: Vec<(&'static str, String)>,
    /// When consent to keep the answers about ethnic group and disability was given.
    consent_on: Option<String>,
    blocked: Option<String>,
    joined: String,
}

#[tracing::instrument(skip_all)]
pub async fn account(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    let Some(session) = &visitor.session else {
        return Err(WebError::SignInRequired { next: "/account".into() });
    };
    let a = &session.account;
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "Not given".into());
    let page = AccountPage {
        nav: Nav::for_visitor(&visitor),
        csrf: session.csrf_token.clone(),
        name: a.user.display_name.clone(),
        email: a.email.clone(),
        confirmed_on: a.email_confirmed_at.map(|at| state.local_date(at).long()),
        can_confirm: state.mailer().is_some(),
        role: a.user.role.badge(),
        borough: shown(&a.borough),
        area_label: (!state.store().areas().is_empty() || a.borough.is_some())
            .then(|| state.store().areas().label()),
        answers: vec![
            ("Age", shown(&a.demographics.age_band)),
            ("Gender", shown(&a.demographics.gender)),
            ("Ethnic group", shown(&a.demographics.ethnic_group)),
            ("Disabled", shown(&a.demographics.disability)),
        ],
        consent_on: a.special_category_consent_at.map(|at| state.local_date(at).long()),
        blocked: crate::policy::blocked_message(a),
        joined: state.local_date(a.created_at).long(),
    };
    page_response(&page, StatusCode::OK, None)
}

/// Makes a link that confirms the account's current address, and returns it.
async fn new_confirmation_link(state: &AppState, user_id: i64) -> Result<String, WebError> {
    let token = random_token();
    let now = state.now();
    state
        .store()
        .create_email_confirmation(user_id, &sha256_hex(&token), now, Timestamp(now.0 + CONFIRM_LINK_SECS))
        .await?;
    Ok(format!("{}/account/confirm/{token}", state.settings().public_url.trim_end_matches('/')))
}

/// Sends the signed-in person a new link to confirm their address.
#[tracing::instrument(skip_all)]
pub async fn resend_confirmation(
    State(state): State<AppState>,
    posted: Posted<Empty>,
) -> Result<Response, WebError> {
    let Posted { visitor, .. } = posted;
    let Some(session) = &visitor.session else {
        return Err(WebError::SignInRequired { next: "/account".into() });
    };
    let account = &session.account;
    let message = |title: &str, paragraphs: Vec<String>, status| {
        let page = MessagePage {
            nav: Nav::for_visitor(&visitor),
            title: title.into(),
            paragraphs,
            links: vec![("/account".into(), "Back to your account".into())],
        };
        page_response(&page, status, None)
    };
    if account.email_confirmed() {
        return message(
            "Your email address is confirmed",
            vec!["There is nothing more to do.".into()],
            StatusCode::OK,
        );
    }
    if state.mailer().is_none() {
        return message(
            "This site cannot send email",
            vec!["Email is not set up on this site, so your address cannot be confirmed here.".into()],
            StatusCode::SERVICE_UNAVAILABLE,
        );
    }
    let rate = Rate::per_hour(CONFIRMATIONS_PER_ACCOUNT_PER_HOUR);
    if let Some(wait) = over_rate(&state, &format!("confirm:account:{}", account.user.id), rate).await? {
        return message(
            "We have sent several links already",
            vec![format!("Check your email, including your spam folder. {}", limited_message(wait))],
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let link = new_confirmation_link(&state, account.user.id).await?;
    let body = format!(
        "Hello {},\n\nPlease confirm that this email address is yours by opening this link within two days:\n\n\
         {link}\n\nIf you did not ask for this, you can ignore this email.\n",
        account.user.display_name
    );
    state
        .queue_mail(
            account.email.clone(),
            "Confirm your email address",
            body,
            Some(account.user.id),
            "confirmation link",
        )
        .await;
    message(
        "Check your email",
        vec![
            format!(
                "We have sent a link to {} to confirm it is yours. It works for two days.",
                account.email
            ),
            "If nothing arrives within a few minutes, check your spam folder.".into(),
        ],
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "confirm_email.html")]
struct ConfirmEmailPage {
    nav: Nav,
    csrf: String,
    token: String,
}

/// The page a confirmation link opens: a button, so that a mail program fetching the link to
/// look at it confirms nothing.
#[tracing::instrument(skip_all)]
pub async fn confirm_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    if state.store().email_confirmation_user(&sha256_hex(&token), state.now()).await?.is_none() {
        return confirmation_expired(&visitor);
    }
    let (csrf, set_cookie) = visitor.form_token(state.settings().secure_cookies);
    let page = ConfirmEmailPage { nav: Nav::for_visitor(&visitor), csrf, token };
    page_response(&page, StatusCode::OK, set_cookie)
}

#[tracing::instrument(skip_all)]
pub async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    posted: Posted<Empty>,
) -> Result<Response, WebError> {
    let Posted { visitor, .. } = posted;
    let Some(user_id) = state.store().confirm_email(&sha256_hex(&token), state.now()).await? else {
        return confirmation_expired(&visitor);
    };
    tracing::info!(user.id = user_id, "email address confirmed");
    let signed_in = visitor.user_id() == Some(user_id);
    let page = MessagePage {
        nav: Nav::for_visitor(&visitor),
        title: "Your email address is confirmed".into(),
        paragraphs: vec![
            "Thank you. Responses you send from this address, by email, by post or at an event, are now linked \
             with your account: they are counted once with your comments and survey answers, are in the data \
             you can download, and are deleted with your account if you delete it."
                .into(),
        ],
        links: vec![if signed_in {
            ("/account".into(), "Go to your account".into())
        } else {
            ("/login".into(), "Sign in".into())
        }],
    };
    page_response(&page, StatusCode::OK, None)
}

fn confirmation_expired(visitor: &Visitor) -> Result<Response, WebError> {
    let page = MessagePage {
        nav: Nav::for_visitor(visitor),
        title: "This link has expired".into(),
        paragraphs: vec![
            "Links to confirm an email address work once, for two days. Sign in and ask for a new one on your \
             account page."
                .into(),
        ],
        links: vec![("/account".into(), "Your account".into())],
    };
    page_response(&page, StatusCode::GONE, None)
}

/// Withdraws consent to keep the answers about ethnic group and disability, which are deleted.
#[tracing::instrument(skip_all)]
pub async fn withdraw_consent(
    State(state): State<AppState>,
    posted: Posted<Empty>,
) -> Result<Response, WebError> {
    let Some(user_id) = posted.visitor.user_id() else {
        return Err(WebError::SignInRequired { next: "/account".into() });
    };
    state.store().withdraw_special_category_consent(user_id).await?;
    tracing::info!(user.id = user_id, "special-category consent withdrawn");
    Ok(Redirect::to("/account").into_response())
}

/// Everything heard holds about the signed-in person, as a JSON download.
#[tracing::instrument(skip_all)]
pub async fn data(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    let Some(user_id) = visitor.user_id() else {
        return Err(WebError::SignInRequired { next: "/account/data".into() });
    };
    let export = state.store().account_export(user_id).await?.ok_or(WebError::NotFound)?;
    let json =
        serde_json::to_string_pretty(&export).map_err(|e| WebError::Internal(format!("export: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"heard-my-data.json\""),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        json,
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteAccountForm {
    password: String,
    /// "keep" or "remove".
    comments: String,
    /// Survey answers and responses linked to the account: "remove", or "keep" them anonymously.
    words: String,
}

#[derive(Template)]
#[template(path = "delete_account.html")]
struct DeleteAccountPage {
    nav: Nav,
    csrf: String,
    comments: String,
    words: String,
    /// What the account holds, counted ("3 comments"), so the choices are concrete.
    holdings: Vec<String>,
    /// Whether the address is confirmed (else responses sent from it are not the account's).
    confirmed: bool,
    error: Option<FieldError>,
}

impl DeleteAccountPage {
    async fn new(
        state: &AppState,
        visitor: &Visitor,
        form: &DeleteAccountForm,
        error: Option<FieldError>,
    ) -> Result<DeleteAccountPage, WebError> {
        let session =
            visitor.session.as_ref().ok_or(WebError::SignInRequired { next: "/account/delete".into() })?;
        let mut holdings = Vec::new();
        if let Some(export) = state.store().account_export(session.account.user.id).await? {
            let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
            let comments = export.comments.iter().filter(|c| !c.deleted).count();
            let drafts = export.survey_submissions.iter().filter(|s| s.status == "draft").count();
            let submitted = export.survey_submissions.len() - drafts;
            let sent = export.responses.iter().filter(|r| r.source != "survey").count();
            for (n, one, many) in [
                (comments, "comment or reply", "comments and replies"),
                (submitted, "survey you answered", "surveys you answered"),
                (drafts, "survey you started and saved", "surveys you started and saved"),
                (export.event_registrations.len(), "place at an event", "places at events"),
                (
                    sent,
                    "response sent by email, post or phone or at an event",
                    "responses sent by email, post or phone or at events",
                ),
            ] {
                if n > 0 {
                    holdings.push(count(n, one, many));
                }
            }
        }
        Ok(DeleteAccountPage {
            nav: Nav::for_visitor(visitor),
            csrf: session.csrf_token.clone(),
            comments: form.comments.clone(),
            words: form.words.clone(),
            holdings,
            confirmed: session.account.email_confirmed(),
            error,
        })
    }
}

#[tracing::instrument(skip_all)]
pub async fn delete_form(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    if visitor.session.is_none() {
        return Err(WebError::SignInRequired { next: "/account/delete".into() });
    }
    let form = DeleteAccountForm { comments: "keep".into(), words: "remove".into(), ..Default::default() };
    let page = DeleteAccountPage::new(&state, &visitor, &form, None).await?;
    page_response(&page, StatusCode::OK, None)
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub nav: Nav,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub links: Vec<(String, String)>,
}

/// Deletes the signed-in person's account once they confirm with their password.
#[tracing::instrument(skip_all)]
pub async fn delete(
    State(state): State<AppState>,
    posted: Posted<DeleteAccountForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let Some(session) = &visitor.session else {
        return Err(WebError::SignInRequired { next: "/account/delete".into() });
    };
    let refuse = async |error: FieldError| -> Result<Response, WebError> {
        let page = DeleteAccountPage::new(&state, &visitor, &form, Some(error)).await?;
        page_response(&page, StatusCode::UNPROCESSABLE_ENTITY, None)
    };
    if form.comments != "keep" && form.comments != "remove" {
        return refuse(FieldError::new("comments-keep", "Choose what should happen to your comments.")).await;
    }
    if form.words != "keep" && form.words != "remove" {
        return refuse(FieldError::new(
            "words-remove",
            "Choose what should happen to your survey answers and other responses.",
        ))
        .await;
    }
    let user_id = session.account.user.id;
    let credentials = state.store().credentials(&session.account.email).await?;
    let ok = verify_password(form.password.clone(), credentials.map(|c| c.password_hash)).await?;
    if !ok {
        return refuse(FieldError::new(
            "password",
            "That password is not right. Enter the password you sign in with.",
        ))
        .await;
    }
    let choice = AccountDeletion {
        remove_comments: form.comments == "remove",
        keep_words_anonymously: form.words == "keep",
    };
    state.store().delete_account(user_id, &choice, state.now()).await?;
    tracing::info!(
        user.id = user_id,
        remove_comments = choice.remove_comments,
        keep_words_anonymously = choice.keep_words_anonymously,
        "account deleted"
    );
    let page = MessagePage {
        nav: Nav { user: None, offer_sign_in: true },
        title: "Your account has been deleted".into(),
        paragraphs: vec![
            "We have deleted your email address, password, your answers about yourself, your saved surveys and \
             your places at events."
                .into(),
            if choice.remove_comments {
                "Your comments have been removed. Replies to them stay, under a note that the comment was deleted. \
                 A comment our checks flagged because someone may be at risk is kept for our moderators, hidden \
                 from everyone else."
                    .into()
            } else {
                "Your comments stay in the discussions, shown as written by a former member.".into()
            },
            if choice.keep_words_anonymously {
                "Your survey answers and other responses stay, with nothing that says they are yours.".into()
            } else {
                "Your survey answers and other responses have been removed.".into()
            },
            "Thank you for taking part.".into(),
        ],
        links: vec![("/".into(), "See all consultations".into())],
    };
    let gone = cookie(SESSION_COOKIE, "", Some(0), state.settings().secure_cookies);
    page_response(&page, StatusCode::OK, Some(gone))
}

/// Counts one attempt against `rate` in `bucket`; the seconds to wait when over it.
pub async fn over_rate(state: &AppState, bucket: &str, rate: Rate) -> Result<Option<i64>, WebError> {
    match state.store().rate_limit(bucket, state.now(), rate.window_secs, rate.limit).await? {
        RateLimit::Allowed => Ok(None),
        RateLimit::Limited { retry_after } => Ok(Some(retry_after)),
    }
}

/// Counts one attempt against each of `buckets` (one statement per window length); the seconds
/// to wait when over any of them.
pub async fn over_rates(state: &AppState, buckets: &[(&str, Rate)]) -> Result<Option<i64>, WebError> {
    let mut windows: Vec<i64> = buckets.iter().map(|(_, rate)| rate.window_secs).collect();
    windows.sort_unstable();
    windows.dedup();
    let mut wait = None;
    for window in windows {
        let group: Vec<(&str, i64)> =
            buckets.iter().filter(|(_, r)| r.window_secs == window).map(|(b, r)| (*b, r.limit)).collect();
        for outcome in state.store().rate_limits(&group, state.now(), window).await? {
            if let RateLimit::Limited { retry_after } = outcome {
                wait = wait.max(Some(retry_after));
            }
        }
    }
    Ok(wait)
}

pub fn with_cookie(mut response: Response, cookie: HeaderValue) -> Response {
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// Whether a trimmed address looks like one: something, "@", a domain with a dot, no spaces.
pub(super) fn looks_like_email(email: &str) -> bool {
    email.contains('@')
        && !email.contains(char::is_whitespace)
        && email.rsplit('@').next().unwrap_or("").contains('.')
}

pub(super) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str().trim_end_matches('.')),
        None => String::new(),
    }
}
