//! Sign-in, sign-out and the page shells of the two areas.
//!
//! A shell is the same small document for every page of an area: the page's script reads the
//! address and draws the page from gateway calls. Who may open an area is decided here, before the
//! shell is sent: analysts open `/ui/analyst/…`, force officers `/ui/force/…`; anyone else gets a
//! refusal page (audited), and nobody signed in is sent to sign in first. Retailer keys do not
//! sign in: retailers submit through ingest.

use crate::Workspace;
use axum::Form;
use axum::extract::{OriginalUri, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use orca_auth::{Caller, PrincipalKind, SecretString};
use orca_intel::access::Access;
use orca_model::ForceRegistry;
use serde::Deserialize;
use std::fmt::Write;

/// The two areas of the workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    Analyst,
    Force,
}

impl Area {
    fn of(caller: &Caller) -> Option<Self> {
        match caller.kind {
            PrincipalKind::Analyst => Some(Area::Analyst),
            PrincipalKind::Force => Some(Area::Force),
            PrincipalKind::Retailer => None,
        }
    }

    fn home(self) -> &'static str {
        match self {
            Area::Analyst => "/ui/analyst/search",
            Area::Force => "/ui/force/packages",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Area::Analyst => "analyst",
            Area::Force => "force",
        }
    }
}

/// `/ui`: the caller's own start page, or sign-in.
pub async fn home(State(workspace): State<Workspace>, headers: HeaderMap) -> Response {
    match workspace.session(&headers).and_then(|(_, s)| Area::of(&s.caller)) {
        Some(area) => Redirect::to(area.home()).into_response(),
        None => Redirect::to("/ui/sign-in").into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct Next {
    #[serde(default)]
    next: String,
}

pub async fn sign_in_form(Query(next): Query<Next>) -> Response {
    Html(sign_in_document(&next.next, None)).into_response()
}

#[derive(Deserialize)]
pub struct SignIn {
    #[serde(default)]
    key: String,
    #[serde(default)]
    next: String,
}

/// `POST /ui/sign-in`: checks the key, starts a session and sets its cookie.
pub async fn sign_in(State(workspace): State<Workspace>, headers: HeaderMap, Form(form): Form<SignIn>) -> Response {
    if let Some(refusal) = cross_site_refusal(&headers) {
        return refusal;
    }
    let refuse =
        |status: StatusCode, message: &str| (status, Html(sign_in_document(&form.next, Some(message)))).into_response();
    let key = form.key.trim();
    if key.is_empty() {
        return refuse(StatusCode::BAD_REQUEST, "Enter your ORCA key.");
    }
    let caller = match workspace.authenticator.authenticate_key(key).await {
        Ok(caller) => caller,
        Err(error) => {
            audit(&workspace, None, "sign-in", "ui", "denied", &error.public_message()).await;
            return refuse(StatusCode::UNAUTHORIZED, "That key is not valid. Check it and try again.");
        }
    };
    let Some(area) = Area::of(&caller) else {
        audit(&workspace, Some(&caller), "sign-in", "ui", "denied", "retailer keys submit through ingest").await;
        return refuse(
            StatusCode::FORBIDDEN,
            "Retailer keys submit incidents through ingest; the workspace is for OPAL analysts and force officers.",
        );
    };
    let (token, _) = match workspace.sessions.start(caller.clone(), SecretString::from(key.to_owned())) {
        Ok(started) => started,
        Err(_) => return refuse(StatusCode::SERVICE_UNAVAILABLE, "Too many people are signed in; try again later."),
    };
    audit(&workspace, Some(&caller), "sign-in", "ui", "allowed", area.name()).await;
    let next = if form.next.starts_with(&format!("/ui/{}", area.name())) && !form.next.contains("//") {
        form.next.as_str()
    } else {
        area.home()
    };
    let cookie = workspace.sessions.cookie(&token);
    (StatusCode::SEE_OTHER, [(header::SET_COOKIE, cookie), (header::LOCATION, next.to_owned())]).into_response()
}

#[derive(Deserialize)]
pub struct SignOut {
    #[serde(default)]
    csrf: String,
}

/// `POST /ui/sign-out`: ends the session (with its CSRF token, so no other site can sign you out).
pub async fn sign_out(State(workspace): State<Workspace>, headers: HeaderMap, Form(form): Form<SignOut>) -> Response {
    if let Some((token, session)) = workspace.session(&headers) {
        if !session.csrf_matches(&form.csrf) {
            return (StatusCode::FORBIDDEN, "the sign-out form is stale: reload the page").into_response();
        }
        workspace.sessions.end(&token);
        audit(&workspace, Some(&session.caller), "sign-out", "ui", "allowed", "").await;
    }
    let removal = workspace.sessions.removal_cookie();
    (StatusCode::SEE_OTHER, [(header::SET_COOKIE, removal), (header::LOCATION, "/ui/sign-in".to_owned())])
        .into_response()
}

pub async fn analyst_page(state: State<Workspace>, headers: HeaderMap, uri: OriginalUri) -> Response {
    page(state, headers, uri, Area::Analyst).await
}

pub async fn force_page(state: State<Workspace>, headers: HeaderMap, uri: OriginalUri) -> Response {
    page(state, headers, uri, Area::Force).await
}

/// The shell of `area`, for a session of that area.
async fn page(
    State(workspace): State<Workspace>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    area: Area,
) -> Response {
    let Some((_, session)) = workspace.session(&headers) else {
        let next: String = url_encode(uri.path());
        return Redirect::to(&format!("/ui/sign-in?next={next}")).into_response();
    };
    let own = Area::of(&session.caller);
    if own != Some(area) {
        audit(&workspace, Some(&session.caller), "open-page", uri.path(), "denied", "another area's page").await;
        let home = own.map_or("/ui/sign-in", Area::home);
        return (StatusCode::FORBIDDEN, Html(refusal_document(&session.caller, area, home))).into_response();
    }
    Html(shell(&session.caller, &session.csrf, area)).into_response()
}

/// A refusal when a change comes from another site's page (the browser says so in `Origin` or
/// `Sec-Fetch-Site`); `None` when it does not.
pub fn cross_site_refusal(headers: &HeaderMap) -> Option<Response> {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let fetch_site_ok = value("sec-fetch-site").is_none_or(|site| site == "same-origin" || site == "none");
    let origin_ok = match (value("origin"), value("host")) {
        (Some(origin), Some(host)) => origin.split_once("://").is_some_and(|(_, rest)| rest == host),
        (Some(_), None) => false,
        (None, _) => true,
    };
    (!(fetch_site_ok && origin_ok)).then(|| {
        crate::gateway::problem(StatusCode::FORBIDDEN, "cross-site", "requests from other sites are refused".into())
    })
}

/// Writes an audit record of a workspace event (through the same gatekeeper as every read, so it
/// is bounded and shaped like the others). A failure is logged there; signing in or refusing a page
/// discloses nothing, so it goes ahead.
async fn audit(
    workspace: &Workspace,
    caller: Option<&Caller>,
    action: &str,
    resource: &str,
    outcome: &str,
    detail: &str,
) {
    let action = format!("ui-{action}");
    match caller {
        Some(caller) => {
            let access = Access { caller: caller.clone(), purpose: String::new() };
            let _ = workspace.gate.audit(&access, &action, resource, outcome, detail.to_owned()).await;
        }
        None => workspace.gate.audit_unauthenticated(&action, resource, "", detail).await,
    }
}

/// A force's display name, or its slug.
fn force_name(slug: &str) -> &str {
    ForceRegistry::global().get(slug).map_or(slug, |force| force.name.as_str())
}

fn who(caller: &Caller) -> String {
    match caller.kind {
        PrincipalKind::Force => format!("{} ({})", caller.subject, force_name(&caller.subject)),
        _ => format!("{} (OPAL analyst)", caller.subject),
    }
}

fn shell(caller: &Caller, csrf: &str, area: Area) -> String {
    let mut out = String::with_capacity(2048);
    let (script, nav): (&str, &[(&str, &str)]) = match area {
        Area::Analyst => (
            "analyst.js",
            &[
                ("/ui/analyst/search", "Search"),
                ("/ui/analyst/groups", "Groups"),
                ("/ui/analyst/review", "Review queue"),
            ],
        ),
        Area::Force => ("force.js", &[("/ui/force/packages", "Packages")]),
    };
    let force = caller.force().unwrap_or("");
    let _ = write!(
        out,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ORCA</title><link rel="icon" href="data:,"><meta name="orca-csrf" content="{csrf}"><meta name="orca-area" content="{area}"><meta name="orca-force" content="{force}">
<meta name="orca-force-name" content="{force_name}"><link rel="stylesheet" href="/ui/assets/app.css">"#,
        csrf = escape(csrf),
        area = area.name(),
        force = escape(force),
        force_name = escape(force_name(force)),
    );
    if area == Area::Analyst {
        out.push_str(r#"<script src="/ui/assets/vendor/cytoscape.min.js" defer></script>"#);
    }
    let _ = write!(
        out,
        r##"<script type="module" src="/ui/assets/{script}"></script></head><body>
<a class="skip" href="#main">Skip to content</a>
<header class="bar"><a class="brand" href="/ui/">ORCA</a><nav aria-label="Workspace">"##
    );
    for (href, label) in nav {
        let _ = write!(out, r#"<a href="{href}">{label}</a>"#);
    }
    let _ = write!(
        out,
        r#"</nav><span class="who">{who}</span><form method="post" action="/ui/sign-out"><input type="hidden" name="csrf" value="{csrf}"><button type="submit">Sign out</button></form></header>
<div id="purpose" class="purpose" aria-live="polite"></div>
<main id="main" tabindex="-1"><p class="muted">Loading…</p></main>
<footer>OFFICIAL-SENSITIVE · every read is recorded in the audit log with your purpose</footer></body></html>"#,
        who = escape(&who(caller)),
        csrf = escape(csrf),
    );
    out
}

fn sign_in_document(next: &str, problem: Option<&str>) -> String {
    // Only a workspace address is ever followed; a longer one is not echoed back.
    let next: String = next.chars().take(200).collect();
    let problem = problem.map_or(String::new(), |p| format!(r#"<p class="error" role="alert">{}</p>"#, escape(p)));
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · ORCA</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/ui/assets/app.css"></head><body class="sign-in">
<main id="main"><h1>ORCA</h1><p>Organised retail crime intelligence for OPAL analysts and police forces.</p>{problem}
<form method="post" action="/ui/sign-in"><label for="key">Your ORCA key</label>
<input id="key" name="key" type="password" autocomplete="off" autofocus required>
<input type="hidden" name="next" value="{next}"><button type="submit">Sign in</button></form>
<p class="muted">OFFICIAL-SENSITIVE. Use of this system is recorded: every read is audited with its purpose.</p></main></body></html>"#,
        next = escape(&next),
    )
}

fn refusal_document(caller: &Caller, area: Area, home: &str) -> String {
    let what = match area {
        Area::Analyst => "This page is for OPAL analysts.",
        Area::Force => "This page is for force officers.",
    };
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not available · ORCA</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/assets/app.css"></head><body class="sign-in"><main id="main">
<h1 id="refused">Not available to you</h1><p>{what} You are signed in as {who}. The attempt has been recorded.</p>
<p><a href="{home}">Go to your workspace</a></p></main></body></html>"#,
        who = escape(&who(caller)),
    )
}

/// Text made safe for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A path made safe for a query parameter.
fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_keys_and_addresses_cannot_break_out_of_the_page() {
        assert_eq!(escape(r#"<script>"x" & 'y'"#), "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;");
        assert_eq!(escape("a\u{1b}[2Jb"), "a [2Jb");
        assert_eq!(url_encode("/ui/force/packages/PKG 1?x=<y>"), "/ui/force/packages/PKG%201%3Fx%3D%3Cy%3E");
    }

    #[test]
    fn changes_from_another_site_are_refused_and_same_site_ones_pass() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, value.parse().unwrap());
            }
            map
        };
        assert!(cross_site_refusal(&headers(&[])).is_none(), "no browser headers: a script or curl");
        assert!(
            cross_site_refusal(&headers(&[("origin", "http://127.0.0.1:8080"), ("host", "127.0.0.1:8080")])).is_none()
        );
        assert!(cross_site_refusal(&headers(&[("sec-fetch-site", "same-origin")])).is_none());
        assert!(
            cross_site_refusal(&headers(&[("origin", "https://evil.example"), ("host", "127.0.0.1:8080")])).is_some()
        );
        assert!(cross_site_refusal(&headers(&[("sec-fetch-site", "cross-site")])).is_some());
    }
}
