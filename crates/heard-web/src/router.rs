//! Every route of the site, in one place.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};

use crate::AppState;
use crate::controllers::analysis;
use crate::controllers::{
    accounts, admin, api, backoffice, comments, consultation, discussion, events, exports, home, moderation,
    pages, password_reset, response_edit, responses, results, survey, survey_admin,
};

pub fn router(state: AppState) -> Router {
    // Open data, for programs: every request counts against the address's API limit.
    let open_data = Router::new()
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/v1/consultations", get(api::consultations))
        .route("/api/v1/consultations/{slug}", get(api::consultation))
        .route("/api/v1/consultations/{slug}/discussions", get(api::discussions))
        .route("/api/v1/consultations/{slug}/discussions/{discussion}/comments", get(api::comments))
        .route("/api/v1/consultations/{slug}/survey/results", get(api::survey_results))
        .route("/api/v1/consultations/{slug}/results", get(api::results))
        .route("/consultations/{slug}/open-data.zip", get(exports::open_data))
        .route_layer(middleware::from_fn_with_state(state.clone(), api::limited));
    Router::new()
        .merge(open_data)
        .route("/", get(home::show))
        .route("/consultations/{slug}", get(consultation::show))
        .route("/consultations/{slug}/results", get(results::show))
        .route("/consultations/{slug}/results/figures.csv", get(results::figures_csv))
        .route("/consultations/{slug}/events", get(events::show))
        .route(
            "/consultations/{slug}/events/{id}/register",
            get(events::register_form).post(events::register),
        )
        .route("/consultations/{slug}/events/{id}/cancel", post(events::cancel))
        .route(
            "/consultations/{slug}/events/{id}/cancel/{key}",
            get(events::cancel_form).post(events::cancel_by_link),
        )
        .route("/consultations/{slug}/discussions/{discussion}", get(discussion::show))
        .route("/consultations/{slug}/discussions/{discussion}/comments", post(comments::post))
        .route("/consultations/{slug}/survey", get(survey::start))
        .route("/consultations/{slug}/survey/start", post(survey::begin))
        .route("/consultations/{slug}/survey/sections/{number}", get(survey::section).post(survey::answer))
        .route("/consultations/{slug}/survey/submitted", get(survey::submitted))
        .route("/consultations/{slug}/survey/resume/{token}", get(survey::resume))
        .route("/comments/{id}/posted", get(comments::posted))
        .route("/comments/{id}/edit", get(comments::edit_form).post(comments::edit))
        .route("/comments/{id}/delete", get(comments::delete_form).post(comments::delete))
        .route("/comments/{id}/agree", post(comments::agree))
        .route("/comments/{id}/report", get(comments::report_form).post(comments::report))
        .route("/comments/{id}/pin", post(comments::pin))
        .route("/register", get(accounts::register_form).post(accounts::register))
        .route("/login", get(accounts::login_form).post(accounts::login))
        .route("/logout", post(accounts::logout))
        .route("/account", get(accounts::account))
        .route("/account/data", get(accounts::data))
        .route("/account/confirm", post(accounts::resend_confirmation))
        .route("/account/confirm/{token}", get(accounts::confirm_form).post(accounts::confirm))
        .route("/account/special-category/withdraw", post(accounts::withdraw_consent))
        .route("/account/delete", get(accounts::delete_form).post(accounts::delete))
        .route("/password-reset", get(password_reset::request_form).post(password_reset::request))
        .route("/password-reset/{token}", get(password_reset::reset_form).post(password_reset::reset))
        .route("/moderation", get(moderation::queue))
        .route("/moderation/comments", post(moderation::bulk))
        .route("/moderation/comments/{id}", get(moderation::comment).post(moderation::decide))
        .route("/moderation/log", get(moderation::log))
        .route("/moderation/users/{id}", get(moderation::member))
        .route("/moderation/users/{id}/block", post(moderation::block))
        .route("/admin", get(admin::show))
        .route("/admin/users/{id}/role", post(admin::set_role))
        .route("/admin/consultations", get(backoffice::list))
        .route("/admin/consultations/new", get(backoffice::new_form).post(backoffice::create))
        .route("/admin/consultations/{slug}", get(backoffice::hub))
        .route("/admin/consultations/{slug}/edit", get(backoffice::edit_form).post(backoffice::update))
        .route(
            "/admin/consultations/{slug}/publish",
            get(backoffice::publish_confirm).post(backoffice::publish),
        )
        .route(
            "/admin/consultations/{slug}/publish-results",
            get(backoffice::publish_results_confirm).post(backoffice::publish_results),
        )
        .route("/admin/consultations/{slug}/close", get(backoffice::close_confirm).post(backoffice::close))
        .route(
            "/admin/consultations/{slug}/withdraw",
            get(backoffice::withdraw_confirm).post(backoffice::withdraw),
        )
        .route(
            "/admin/consultations/{slug}/withdraw-results",
            get(backoffice::withdraw_results_confirm).post(backoffice::withdraw_results),
        )
        .route("/admin/consultations/{slug}/events", get(events::staff_list))
        .route("/admin/consultations/{slug}/events/new", get(events::new_form).post(events::create))
        .route("/admin/consultations/{slug}/events/{id}", get(events::staff_event))
        .route("/admin/consultations/{slug}/events/{id}/edit", get(events::edit_form).post(events::update))
        .route("/admin/consultations/{slug}/events/{id}/notes", post(events::record_notes))
        .route("/admin/consultations/{slug}/survey", get(survey_admin::show).post(survey_admin::settings))
        .route("/admin/consultations/{slug}/survey/sections", post(survey_admin::add_section))
        .route(
            "/admin/consultations/{slug}/survey/sections/{id}",
            get(survey_admin::section_form).post(survey_admin::edit_section),
        )
        .route("/admin/consultations/{slug}/survey/sections/{id}/move", post(survey_admin::move_section))
        .route("/admin/consultations/{slug}/survey/sections/{id}/delete", post(survey_admin::delete_section))
        .route(
            "/admin/consultations/{slug}/survey/sections/{id}/questions",
            get(survey_admin::new_question_form).post(survey_admin::add_question),
        )
        .route(
            "/admin/consultations/{slug}/survey/questions/{id}",
            get(survey_admin::question_form).post(survey_admin::edit_question),
        )
        .route("/admin/consultations/{slug}/survey/questions/{id}/move", post(survey_admin::move_question))
        .route(
            "/admin/consultations/{slug}/survey/questions/{id}/delete",
            post(survey_admin::delete_question),
        )
        .route("/admin/consultations/{slug}/survey/results", get(survey_admin::results))
        .route(
            "/admin/consultations/{slug}/responses/new",
            get(responses::new_form)
                .post(responses::create)
                .layer(DefaultBodyLimit::max(crate::files::MAX_UPLOAD_BODY_BYTES)),
        )
        .route("/admin/consultations/{slug}/responses", get(responses::register))
        .route(
            "/admin/consultations/{slug}/responses/import",
            get(responses::import_form)
                .post(responses::import)
                .layer(DefaultBodyLimit::max(responses::MAX_IMPORT_BYTES + 64 * 1024)),
        )
        .route("/admin/consultations/{slug}/responses/entered", get(responses::entered))
        .route("/admin/consultations/{slug}/responses/attachments/{id}", get(responses::attachment))
        .route(
            "/admin/consultations/{slug}/responses/{id}",
            get(response_edit::form).post(response_edit::correct),
        )
        .route("/admin/consultations/{slug}/responses/{id}/delete", post(response_edit::delete))
        .route("/admin/consultations/{slug}/export/responses.csv", get(exports::responses_csv))
        .route("/admin/consultations/{slug}/export/responses.xlsx", get(exports::responses_xlsx))
        .route("/admin/consultations/{slug}/analysis", get(analysis::runs))
        .route("/admin/consultations/{slug}/analysis/new", get(analysis::new_form).post(analysis::start))
        .route("/admin/consultations/{slug}/analysis/compare", get(analysis::compare))
        .route("/admin/consultations/{slug}/analysis/runs/{run}", get(analysis::run))
        .route(
            "/admin/consultations/{slug}/analysis/runs/{run}/publish",
            get(analysis::publish_confirm).post(analysis::publish),
        )
        .route(
            "/admin/consultations/{slug}/analysis/runs/{run}/withdraw",
            get(analysis::withdraw_confirm).post(analysis::withdraw),
        )
        .route("/admin/consultations/{slug}/analysis/runs/{run}/themes/{theme}", get(analysis::theme))
        .route(
            "/admin/consultations/{slug}/analysis/runs/{run}/themes/{theme}/rename",
            post(analysis::rename),
        )
        .route(
            "/admin/consultations/{slug}/analysis/runs/{run}/themes/{theme}/reviewed",
            post(analysis::reviewed),
        )
        .route("/admin/consultations/{slug}/analysis/runs/{run}/themes/{theme}/merge", post(analysis::merge))
        .route("/admin/consultations/{slug}/analysis/runs/{run}/themes/{theme}/split", post(analysis::split))
        .route(
            "/admin/consultations/{slug}/analysis/runs/{run}/themes/{theme}/quotes",
            post(analysis::offer_quote),
        )
        .route(
            "/admin/consultations/{slug}/analysis/runs/{run}/themes/{theme}/quotes/{quote}",
            post(analysis::approve_quote),
        )
        .route(
            "/admin/consultations/{slug}/analysis/runs/{run}/themes/{theme}/we-did",
            post(analysis::we_did),
        )
        .route("/guidelines", get(pages::guidelines))
        .route("/support", get(pages::support))
        .route("/accessibility", get(pages::accessibility))
        .route("/privacy", get(pages::privacy))
        .route("/static/style.css", get(pages::stylesheet))
        .route("/static/survey.js", get(survey::script))
        .route("/static/favicon.svg", get(pages::favicon))
        .route("/favicon.ico", get(pages::favicon))
        .route("/healthz", get(pages::health))
        .route("/readyz", get(pages::ready))
        .route("/metrics", get(crate::metrics::show))
        .fallback(pages::not_found)
        .layer(middleware::from_fn(crate::outage::keep_typed))
        .layer(middleware::from_fn_with_state(state.clone(), crate::cache::layer))
        .layer(middleware::from_fn_with_state(state.clone(), crate::security::request_timeout))
        .layer(middleware::map_response_with_state(state.clone(), crate::security::headers))
        .layer(middleware::from_fn_with_state(state.clone(), crate::request_log::layer))
        .layer(compression())
        .with_state(state)
}

/// Answers sent compressed, gzip or brotli, to a browser that says it reads them (the discussion
/// page of 200 comments is 174 KB as HTML): at level 4 of each, which costs a fraction of the
/// highest levels' time for most of their gain. Small answers, images (but SVG), and the downloads
/// that are zip files already (the open data, spreadsheets) are sent as they are. Outside the page
/// cache, which keeps pages uncompressed for every visitor.
fn compression() -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{NotForContentType, Predicate};
    use tower_http::compression::{CompressionLayer, CompressionLevel, DefaultPredicate};
    CompressionLayer::new().quality(CompressionLevel::Precise(4)).compress_when(
        DefaultPredicate::new()
            .and(NotForContentType::const_new("application/zip"))
            .and(NotForContentType::const_new("application/vnd.openxmlformats")),
    )
}
