//! Browser sessions: an API key exchanged once for a random session token kept in a cookie.
//!
//! The cookie is `HttpOnly` (no script can read it), `SameSite=Strict` (no other site's page can
//! send it), scoped to `/ui`, and `Secure` when the server is reached over TLS. The key itself
//! stays on the server, in memory, for the life of the session: every call the browser makes is
//! made to the gRPC services with that key, so the same authentication, roles and audit apply as
//! for any other client. Each session has its own CSRF token, required on every change.
//!
//! Sessions end on sign-out, after [`SessionSettings::idle`] without a request, after
//! [`SessionSettings::lifetime`] in all, and when the process restarts (they are not stored).

use orca_auth::Caller;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The session cookie's name.
pub const COOKIE: &str = "orca_session";

#[derive(Clone, Debug)]
pub struct SessionSettings {
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, used or not.
    pub lifetime: Duration,
    /// Most sessions held at once; sign-in is refused beyond it (memory is bounded).
    pub max_sessions: usize,
    /// Mark the cookie `Secure` (set when the HTTP listener serves TLS).
    pub secure_cookie: bool,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(30 * 60),
            lifetime: Duration::from_secs(12 * 3600),
            max_sessions: 10_000,
            secure_cookie: false,
        }
    }
}

/// One signed-in browser.
#[derive(Clone, Debug)]
pub struct Session {
    /// The principal the key authenticated as at sign-in.
    pub caller: Caller,
    /// The key, sent as `authorization` on every call made for this session.
    pub key: SecretString,
    /// Sent back by the page on every change (header `x-csrf-token`, or form field `csrf`).
    pub csrf: String,
    started: Instant,
    last_seen: Instant,
}

/// The live sessions of this process, by the SHA-256 of their token (the token itself is only in
/// the browser's cookie).
pub struct Sessions {
    settings: SessionSettings,
    live: Mutex<HashMap<String, Session>>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct TooManySessions;

impl Sessions {
    pub fn new(settings: SessionSettings) -> Self {
        Self { settings, live: Mutex::new(HashMap::new()) }
    }

    /// Starts a session for a key that has authenticated as `caller`; returns the token for the
    /// cookie and the session.
    pub fn start(&self, caller: Caller, key: SecretString) -> Result<(String, Session), TooManySessions> {
        let now = Instant::now();
        let mut live = self.live.lock().expect("sessions lock");
        if live.len() >= self.settings.max_sessions {
            live.retain(|_, session| !self.expired(session, now));
            if live.len() >= self.settings.max_sessions {
                return Err(TooManySessions);
            }
        }
        let token = random_token();
        let session = Session { caller, key, csrf: random_token(), started: now, last_seen: now };
        live.insert(orca_auth::hash_key(&token), session.clone());
        Ok((token, session))
    }

    /// The session of `token`, if it is live; using it keeps it alive.
    pub fn get(&self, token: &str) -> Option<Session> {
        let now = Instant::now();
        let hash = orca_auth::hash_key(token);
        let mut live = self.live.lock().expect("sessions lock");
        let session = live.get_mut(&hash)?;
        if self.expired(session, now) {
            live.remove(&hash);
            return None;
        }
        session.last_seen = now;
        Some(session.clone())
    }

    /// Ends the session of `token` (sign-out).
    pub fn end(&self, token: &str) {
        self.live.lock().expect("sessions lock").remove(&orca_auth::hash_key(token));
    }

    fn expired(&self, session: &Session, now: Instant) -> bool {
        now.duration_since(session.last_seen) >= self.settings.idle
            || now.duration_since(session.started) >= self.settings.lifetime
    }

    /// The `Set-Cookie` value that gives the browser `token`.
    pub fn cookie(&self, token: &str) -> String {
        let secure = if self.settings.secure_cookie { "; Secure" } else { "" };
        format!(
            "{COOKIE}={token}; Path=/ui; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
            self.settings.lifetime.as_secs()
        )
    }

    /// The `Set-Cookie` value that removes the cookie.
    pub fn removal_cookie(&self) -> String {
        let secure = if self.settings.secure_cookie { "; Secure" } else { "" };
        format!("{COOKIE}=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
    }
}

impl Session {
    /// Whether `offered` is this session's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, offered: &str) -> bool {
        let (a, b) = (self.csrf.as_bytes(), offered.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// A gRPC request carrying this session's key.
    pub fn request<T>(&self, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        let bearer = format!("Bearer {}", self.key.expose_secret());
        if let Ok(value) = bearer.parse() {
            request.metadata_mut().insert("authorization", value);
        }
        request.extensions_mut().insert(orca_intel::access::FromWorkspace);
        request
    }
}

/// The session token in a `Cookie` header, if there is one.
pub fn token_from_cookies(header: &str) -> Option<&str> {
    header
        .split(';')
        .map(str::trim)
        .find_map(|pair| pair.strip_prefix(COOKIE)?.strip_prefix('='))
        .filter(|t| !t.is_empty())
}

/// 256 random bits from the operating system's CSPRNG (through `rand`'s thread generator), in hex.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use orca_store::PrincipalKind;

    fn caller() -> Caller {
        Caller { key_id: "kent-1".into(), kind: PrincipalKind::Force, subject: "kent".into(), holder: String::new() }
    }

    fn sessions(settings: SessionSettings) -> Sessions {
        Sessions::new(settings)
    }

    #[test]
    fn a_session_is_found_by_its_token_only_and_ends_on_sign_out() {
        let sessions = sessions(SessionSettings::default());
        let (token, session) = sessions.start(caller(), SecretString::from("orca_force_x")).unwrap();
        assert_eq!(token.len(), 64);
        assert_eq!(sessions.get(&token).unwrap().caller, caller());
        assert!(sessions.get(&session.csrf).is_none(), "the CSRF token is not a session token");
        assert!(sessions.get("").is_none());
        sessions.end(&token);
        assert!(sessions.get(&token).is_none());
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_only_with_tls() {
        let plain = sessions(SessionSettings::default()).cookie("abc");
        assert_eq!(plain, "orca_session=abc; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=43200");
        let tls = sessions(SessionSettings { secure_cookie: true, ..SessionSettings::default() });
        assert!(tls.cookie("abc").ends_with("; Secure"));
        assert!(tls.removal_cookie().contains("Max-Age=0"));
    }

    #[test]
    fn an_idle_session_ends_and_a_long_one_ends_even_in_use() {
        let settings = SessionSettings {
            idle: Duration::from_secs(60),
            lifetime: Duration::from_secs(150),
            ..SessionSettings::default()
        };
        let sessions = sessions(settings);
        let (token, _) = sessions.start(caller(), SecretString::from("k")).unwrap();
        // Expiry is checked against a session moved into the past (no waiting in tests).
        let mut live = sessions.live.lock().unwrap();
        let session = live.values_mut().next().unwrap();
        session.last_seen -= Duration::from_secs(61);
        drop(live);
        assert!(sessions.get(&token).is_none(), "idle for longer than allowed");

        let (token, _) = sessions.start(caller(), SecretString::from("k")).unwrap();
        let mut live = sessions.live.lock().unwrap();
        let session = live.values_mut().next().unwrap();
        session.started -= Duration::from_secs(151);
        drop(live);
        assert!(sessions.get(&token).is_none(), "older than the lifetime, though just used");
    }

    #[test]
    fn sign_in_is_refused_when_the_session_table_is_full_of_live_sessions() {
        let sessions = sessions(SessionSettings { max_sessions: 2, ..SessionSettings::default() });
        sessions.start(caller(), SecretString::from("k")).unwrap();
        sessions.start(caller(), SecretString::from("k")).unwrap();
        assert_eq!(sessions.start(caller(), SecretString::from("k")).unwrap_err(), TooManySessions);
    }

    #[test]
    fn csrf_tokens_must_match_exactly_and_cookies_are_parsed_among_others() {
        let sessions = sessions(SessionSettings::default());
        let (_, session) = sessions.start(caller(), SecretString::from("k")).unwrap();
        assert!(session.csrf_matches(&session.csrf.clone()));
        assert!(!session.csrf_matches(""));
        assert!(!session.csrf_matches(&session.csrf[1..]));
        assert_eq!(token_from_cookies("a=1; orca_session=xyz; b=2"), Some("xyz"));
        assert_eq!(token_from_cookies("orca_session="), None);
        assert_eq!(token_from_cookies("orca_sessionx=1"), None);
    }
}
