//! `/admin`: the accounts and their roles, for administrators only.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use heard_store::Role;
use serde::Deserialize;

use super::page_response;
use crate::auth::{Posted, Visitor};
use crate::nav::Nav;
use crate::policy::{self, Action};
use crate::{AppState, WebError};

const ACCOUNTS_LIMIT: i64 = 1_000;
const ROLES: [Role; 4] = [Role::Resident, Role::Host, Role::Moderator, Role::Admin];

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    nav: Nav,
    csrf: String,
    rows: Vec<AccountRow>,
    roles: Vec<(&'static str, &'static str)>,
    /// Each consultation's slug and title, for its register of responses.
    consultations: Vec<(String, String)>,
}

struct AccountRow {
    id: i64,
    name: String,
    email: String,
    role: &'static str,
    joined: String,
    blocked: bool,
    is_me: bool,
}

#[tracing::instrument(skip_all)]
pub async fn show(State(state): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    let session = policy::require(&visitor, Action::Administer, "/admin")?;
    let me = session.account.user.id;
    let rows = state
        .store()
        .accounts(ACCOUNTS_LIMIT)
        .await?
        .into_iter()
        .map(|a| AccountRow {
            id: a.user.id,
            name: a.user.display_name,
            email: a.email,
            role: a.user.role.as_str(),
            joined: state.local_date(a.created_at).long(),
            blocked: a.blocked.is_some(),
            is_me: a.user.id == me,
        })
        .collect();
    let page = AdminPage {
        nav: Nav::for_visitor(&visitor),
        csrf: session.csrf_token.clone(),
        rows,
        roles: ROLES.into_iter().map(|r| (r.as_str(), r.badge())).collect(),
        consultations: state
            .store()
            .all_consultations()
            .await?
            .into_iter()
            .map(|c| (c.slug, c.title))
            .collect(),
    };
    page_response(&page, StatusCode::OK, None)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoleForm {
    role: String,
}

/// Gives an account another role (logged). Administrators cannot change their own, so that the
/// last one cannot lock everyone out.
#[tracing::instrument(skip_all, fields(user.id = id))]
pub async fn set_role(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    posted: Posted<RoleForm>,
) -> Result<Response, WebError> {
    let Posted { visitor, form, .. } = posted;
    let session = policy::require(&visitor, Action::Administer, "/admin")?;
    let role =
        Role::parse(&form.role).ok_or_else(|| WebError::BadRequest("Choose one of the roles.".into()))?;
    if id == session.account.user.id {
        return Err(WebError::forbidden("You cannot change your own role", "Ask another administrator."));
    }
    state.store().account(id).await?.ok_or(WebError::NotFound)?;
    state.store().set_role(id, role, session.account.user.id, state.now()).await?;
    tracing::info!(user.id = id, role = role.as_str(), "role changed");
    Ok(Redirect::to("/admin").into_response())
}
