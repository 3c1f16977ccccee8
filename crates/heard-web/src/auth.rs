//! Who is asking, and may they: sessions from cookies, Argon2id password hashes, random tokens,
//! the visitor's address for rate limits, and the CSRF check every form POST passes through.
//!
//! - A signed-in visitor carries `heard_session`, a random token whose SHA-256 is the session's key
//!   in the database; their forms carry the session's CSRF token.
//! - A visitor who is not signed in gets `heard_form`, a random token, when a page shows them a form
//!   (sign in, register, reset a password); the form carries the same value (double submit). Public
//!   pages never set it, so they stay cacheable.
//! - Both cookies are `HttpOnly; SameSite=Lax; Path=/` (and `Secure` when configured).

use std::net::SocketAddr;
use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Multipart, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use base64::Engine;
use heard_store::{Account, Role, Timestamp};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{AppState, WebError};

pub const SESSION_COOKIE: &str = "heard_session";
pub const FORM_COOKIE: &str = "heard_form";
/// How long a session lasts from signing in.
pub const SESSION_SECS: i64 = 30 * 86_400;
/// The largest form body accepted: a 5,000-character comment of emoji is 60 KB once percent-encoded.
pub(crate) const MAX_FORM_BYTES: usize = 256 * 1024;

/// The person making a request: signed in or not, and where from.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub session: Option<SignedIn>,
    /// The anonymous form token from the `heard_form` cookie.
    form_cookie: Option<String>,
    /// The visitor's address, for rate limits only (never logged, stored only hashed).
    pub address: String,
}

#[derive(Debug, Clone)]
pub struct SignedIn {
    pub account: Account,
    pub csrf_token: String,
    pub token_hash: String,
}

impl Visitor {
    pub fn account(&self) -> Option<&Account> {
        self.session.as_ref().map(|s| &s.account)
    }

    pub fn role(&self) -> Option<Role> {
        self.account().map(|a| a.user.role)
    }

    pub fn user_id(&self) -> Option<i64> {
        self.account().map(|a| a.user.id)
    }

    /// The token this visitor's next form must carry, and the cookie to set when a visitor who is
    /// not signed in has none yet.
    pub fn form_token(&self, secure: bool) -> (String, Option<HeaderValue>) {
        if let Some(session) = &self.session {
            return (session.csrf_token.clone(), None);
        }
        if let Some(token) = &self.form_cookie {
            return (token.clone(), None);
        }
        let token = random_token();
        let cookie = cookie(FORM_COOKIE, &token, None, secure);
        (token, Some(cookie))
    }

    /// Whether `submitted` is the token this visitor's forms carry.
    fn csrf_matches(&self, submitted: Option<&str>) -> bool {
        let expected = match &self.session {
            Some(session) => Some(session.csrf_token.as_str()),
            None => self.form_cookie.as_deref(),
        };
        match (expected, submitted) {
            (Some(expected), Some(submitted)) if !expected.is_empty() => {
                expected.as_bytes().ct_eq(submitted.as_bytes()).into()
            }
            _ => false,
        }
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Visitor, WebError> {
        let address = client_address(parts, state.settings().trust_forwarded_for);
        let session_token = cookie_value(&parts.headers, SESSION_COOKIE);
        let form_cookie = cookie_value(&parts.headers, FORM_COOKIE).filter(|t| !t.is_empty());
        let session = match session_token {
            Some(token) if !token.is_empty() => {
                let token_hash = sha256_hex(&token);
                state.store().session(&token_hash, state.now()).await?.map(|s| SignedIn {
                    account: s.account,
                    csrf_token: s.csrf_token,
                    token_hash,
                })
            }
            _ => None,
        };
        Ok(Visitor { session, form_cookie, address })
    }
}

/// A form POST that passed the CSRF check: the visitor, the form, and every field as sent (for
/// fields that repeat, such as the comments ticked in the moderation queue).
pub struct Posted<T> {
    pub visitor: Visitor,
    pub form: T,
    pub fields: Vec<(String, String)>,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<Posted<T>, WebError> {
        let (mut parts, body) = request.into_parts();
        let visitor = Visitor::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| WebError::BadRequest("The form was too large to send.".into()))?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| WebError::BadRequest("The form could not be read.".into()))?;
        let submitted = fields.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str());
        if !visitor.csrf_matches(submitted) {
            // Whatever was typed is shown back, so that a form that expired loses nothing.
            let typed =
                fields.iter().find(|(k, _)| k == "body").map(|(_, v)| v.clone()).filter(|b| !b.is_empty());
            tracing::warn!(route = %route(&parts), "form refused: missing or wrong CSRF token");
            return Err(WebError::CsrfRefused { typed });
        }
        // PostgreSQL cannot store a NUL character and SQLite can: refused here for every form, the
        // same on both. (A comment's `body` is checked by its form, which shows the text again.)
        if let Some((name, _)) =
            fields.iter().find(|(name, value)| name != "body" && value.contains(heard_store::NUL))
        {
            return Err(WebError::BadRequest(heard_store::nul_message(&format!("The field “{name}”"))));
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| WebError::BadRequest("The form could not be read.".into()))?;
        Ok(Posted { visitor, form, fields })
    }
}

/// A file chosen in a form with a file input.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    /// The form field it came in.
    pub field: String,
    /// The name the browser gave it (the person's own file name, without their folders).
    pub file_name: String,
    pub content: Vec<u8>,
}

/// A form POST with files (`multipart/form-data`) that passed the CSRF check: the visitor, every
/// text field as sent, and the files chosen. Nothing in it has been stored yet; a handler that takes
/// it runs only when the form carried the visitor's token.
pub struct PostedFiles {
    pub visitor: Visitor,
    pub fields: Vec<(String, String)>,
    pub files: Vec<UploadedFile>,
    /// The body went past the route's size limit: the fields before the cut are kept (forms put
    /// their file last), the file being read when it came is dropped.
    pub too_large: bool,
}

impl PostedFiles {
    /// The value of text field `name`, or "" when it was not sent.
    pub fn field(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// The file chosen in field `name`, if one was (an empty file input sends a nameless, empty part).
    pub fn file(&self, name: &str) -> Option<&UploadedFile> {
        self.files.iter().find(|f| f.field == name)
    }
}

impl FromRequest<AppState> for PostedFiles {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<PostedFiles, WebError> {
        let (mut parts, body) = request.into_parts();
        let visitor = Visitor::from_request_parts(&mut parts, state).await?;
        let route = route(&parts);
        let unreadable = || WebError::BadRequest("The form could not be read.".into());
        let body =
            axum::body::Body::from_stream(PieceByPiece { body: body.into_data_stream(), handed: false });
        let mut multipart = Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| unreadable())?;
        let mut fields = Vec::new();
        let mut files = Vec::new();
        let mut too_large = false;
        loop {
            let mut field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    too_large = true;
                    break;
                }
                Err(_) => return Err(unreadable()),
            };
            let name = field.name().unwrap_or_default().to_owned();
            match field.file_name().map(str::to_owned) {
                Some(file_name) => {
                    let mut content = Vec::new();
                    let read = loop {
                        match field.chunk().await {
                            Ok(Some(chunk)) => content.extend_from_slice(&chunk),
                            Ok(None) => break Ok(()),
                            Err(e) => break Err(e),
                        }
                    };
                    match read {
                        Ok(()) if file_name.is_empty() && content.is_empty() => {}
                        Ok(()) => files.push(UploadedFile { field: name, file_name, content }),
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                            too_large = true;
                            break;
                        }
                        Err(_) => return Err(unreadable()),
                    }
                }
                None => match field.text().await {
                    Ok(value) => fields.push((name, value)),
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        too_large = true;
                        break;
                    }
                    Err(_) => return Err(unreadable()),
                },
            }
        }
        let submitted = fields.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str());
        if too_large && submitted.is_none() {
            // Cut off before even the token: nothing of the form arrived to show again.
            return Err(WebError::BadRequest(
                "The form was too large to send. Go back and choose a smaller file.".into(),
            ));
        }
        if !visitor.csrf_matches(submitted) {
            let typed = fields
                .iter()
                .find(|(k, _)| k == "text" || k == "body")
                .map(|(_, v)| v.clone())
                .filter(|t| !t.is_empty());
            tracing::warn!(route = %route, "form with files refused: missing or wrong CSRF token");
            return Err(WebError::CsrfRefused { typed });
        }
        Ok(PostedFiles { visitor, fields, files, too_large })
    }
}

/// A request body handed on one piece per poll. The multipart parser reads for as long as data is
/// ready, so a body over the size limit (all of it ready, as on a fast connection) failed before
/// the parser gave out the fields in front of the file; piece by piece, those fields come out first
/// and the form can be shown again with them.
struct PieceByPiece<S> {
    body: S,
    handed: bool,
}

impl<S: futures_util::Stream + Unpin> futures_util::Stream for PieceByPiece<S> {
    type Item = S::Item;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<S::Item>> {
        if self.handed {
            self.handed = false;
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        let next = std::pin::Pin::new(&mut self.body).poll_next(cx);
        self.handed = next.is_ready();
        next
    }
}

/// An Argon2id hash (PHC string) of `password`, with a random salt. Slow on purpose: call it from
/// a blocking thread ([`hash_password_blocking`]) in a handler.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).map_err(|e| format!("no randomness for a salt: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| format!("encoding a salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| format!("hashing a password: {e}"))
}

pub async fn hash_password_blocking(password: String) -> Result<String, WebError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| WebError::Internal(format!("password hashing task: {e}")))?
        .map_err(WebError::Internal)
}

/// Checks a password against a stored hash; `None` checks against a stand-in, so that an unknown
/// email address takes as long to refuse as a wrong password.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, WebError> {
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| stand_in_hash().to_owned());
        let ok = PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        known && ok
    })
    .await
    .map_err(|e| WebError::Internal(format!("password checking task: {e}")))
}

fn stand_in_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}

/// 32 random bytes, URL-safe base64: session, CSRF and reset tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the operating system provides randomness");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, the whole site; `max_age` in seconds (`None`: a
/// browser-session cookie; `Some(0)`: delete it).
pub fn cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut text = format!("{name}={value}; HttpOnly; SameSite=Lax; Path=/");
    if let Some(age) = max_age {
        text.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).expect("cookie values are URL-safe base64")
}

/// Starts a session for `user_id`: stores it and returns the cookie to set. The old session this
/// browser had, if any, ends (a new token on every sign-in).
pub async fn start_session(
    state: &AppState,
    visitor: &Visitor,
    user_id: i64,
) -> Result<HeaderValue, WebError> {
    if let Some(old) = &visitor.session {
        state.store().delete_session(&old.token_hash).await?;
    }
    let token = random_token();
    let now = state.now();
    state
        .store()
        .create_session(user_id, &sha256_hex(&token), &random_token(), now, Timestamp(now.0 + SESSION_SECS))
        .await?;
    Ok(cookie(SESSION_COOKIE, &token, Some(SESSION_SECS), state.settings().secure_cookies))
}

/// The template of the route a request matched (`/password-reset/{token}`), for logs: the path
/// itself can hold a token (a reset link, an event's cancel key, a survey's resume link).
pub fn route(parts: &Parts) -> String {
    crate::request_log::route_of(&parts.extensions)
}

/// A local path to go back to after a form, or `None` if `path` could lead off the site.
pub fn local_path(path: &str) -> Option<&str> {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(|c| c.is_control() || c.is_whitespace());
    ok.then_some(path)
}

pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

pub(crate) fn client_address(parts: &Parts, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for
        && let Some(forwarded) = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(last) = forwarded.rsplit(',').next().map(str::trim).filter(|s| !s.is_empty())
    {
        return last.to_owned();
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |ConnectInfo(addr)| addr.ip().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery staple").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        let parsed = PasswordHash::new(&hash).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse battery staple", &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"wrong", &parsed).is_err());
        assert_ne!(hash, hash_password("correct horse battery staple").unwrap(), "salted");
    }

    #[test]
    fn only_local_paths_are_followed_after_a_form() {
        assert_eq!(local_path("/consultations/x?page=2"), Some("/consultations/x?page=2"));
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "", "javascript:alert(1)", "/a b"] {
            assert_eq!(local_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn tokens_are_random_and_cookies_are_http_only_and_same_site() {
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 43);
        let c = cookie(SESSION_COOKIE, "abc", Some(60), true);
        assert_eq!(
            c.to_str().unwrap(),
            "heard_session=abc; HttpOnly; SameSite=Lax; Path=/; Max-Age=60; Secure"
        );
    }
}
