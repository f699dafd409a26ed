//! The browser workspace, served by the intel stage under `/ui/` on its HTTP address.
//!
//! Analysts search, open persons, vehicles, incidents and groups with their network picture,
//! timeline and map, and review matches; force officers triage, read, follow and answer their
//! packages. The pages are static files built into the binary (`ui/`, with cytoscape.js vendored
//! under `ui/vendor/` with its licence); everything they show comes through the JSON gateway onto
//! the same gRPC calls other clients use, made with the signed-in key, so roles, purposes and the
//! audit are those of the API and the UI has no query of its own.
//!
//! - [`session`]: sign-in exchanges a key for a session cookie; CSRF tokens; expiry;
//! - [`pages`]: sign-in and sign-out, the page shells of each area and who may open them;
//! - [`gateway`]: `POST /ui/api/{service}/{method}`, JSON onto the gRPC services;
//! - [`live`]: package updates as server-sent events, and the printable package document;
//! - [`assets`]: the built-in files and the map's geography (force registry and coastline).

pub mod assets;
pub mod gateway;
pub mod live;
pub mod pages;
pub mod session;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use orca_auth::Authenticator;
use orca_intel::access::Gatekeeper;
use orca_intel::{AnalystApi, IntelligenceApi};
use orca_store::Store;
use session::{Session, SessionSettings, Sessions};
use std::sync::Arc;

/// What the workspace's handlers share.
#[derive(Clone)]
pub struct Workspace {
    pub(crate) sessions: Arc<Sessions>,
    pub(crate) authenticator: Arc<Authenticator>,
    /// Writes the workspace's own audit records (sign-in, sign-out, refused pages).
    pub(crate) gate: Gatekeeper,
    pub(crate) analyst: AnalystApi,
    pub(crate) intelligence: IntelligenceApi,
}

impl Workspace {
    pub fn new(
        authenticator: Arc<Authenticator>,
        store: Arc<dyn Store>,
        analyst: AnalystApi,
        intelligence: IntelligenceApi,
        settings: SessionSettings,
    ) -> Self {
        let gate = Gatekeeper::new(authenticator.clone(), store);
        Self { sessions: Arc::new(Sessions::new(settings)), authenticator, gate, analyst, intelligence }
    }

    /// The routes under `/ui`.
    pub fn router(self) -> Router {
        Router::new()
            .route("/ui", get(pages::home))
            .route("/ui/", get(pages::home))
            .route("/ui/sign-in", get(pages::sign_in_form).post(pages::sign_in))
            .route("/ui/sign-out", post(pages::sign_out))
            .route("/ui/analyst", get(pages::analyst_page))
            .route("/ui/analyst/{*page}", get(pages::analyst_page))
            .route("/ui/force", get(pages::force_page))
            .route("/ui/force/{*page}", get(pages::force_page))
            .route("/ui/document/packages/{id}", get(live::package_document))
            .route("/ui/api/intel/stream", get(live::package_events))
            .route("/ui/api/{service}/{method}", post(api))
            .route("/ui/assets/{*path}", get(assets::serve))
            .layer(axum::middleware::map_response(security_headers))
            .with_state(self)
    }

    /// The session a request's cookie names, if it is live.
    pub(crate) fn session(&self, headers: &HeaderMap) -> Option<(String, Session)> {
        let cookies = headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok());
        let token = cookies.filter_map(session::token_from_cookies).next()?.to_owned();
        let session = self.sessions.get(&token)?;
        Some((token, session))
    }
}

/// `POST /ui/api/{service}/{method}`: a signed-in session, its CSRF token in `x-csrf-token`, and a
/// request from this site.
async fn api(
    State(workspace): State<Workspace>,
    Path((service, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Some((_, session)) = workspace.session(&headers) else {
        return gateway::problem(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "not signed in, or the session has ended: sign in again".into(),
        );
    };
    if let Some(refusal) = pages::cross_site_refusal(&headers) {
        return refusal;
    }
    let offered = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !session.csrf_matches(offered) {
        return gateway::problem(
            StatusCode::FORBIDDEN,
            "csrf",
            "the page's CSRF token is missing or wrong: reload the page".into(),
        );
    }
    gateway::call(&workspace, &session, &service, &method, &body).await
}

/// The policy every `/ui` answer carries unless it set its own: only this site's scripts, styles
/// and pictures (style attributes are allowed: the graph library positions its canvases with them;
/// they cannot run script, and no page inserts markup from the server), no framing by other sites, nothing cached, no referrer beyond this site (with
/// `no-referrer` browsers send `Origin: null` on form posts, which the cross-site check refuses),
/// no content sniffing.
pub const PAGE_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; style-src-attr 'unsafe-inline'; script-src 'self'; \
     connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'";

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(PAGE_POLICY));
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response.into_response()
}
