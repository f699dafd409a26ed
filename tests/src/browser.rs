//! Headless Chromium driven over the Chrome DevTools Protocol, for the workspace's browser tests and
//! page timings: a page to navigate, type into, click, read, wait on and photograph.
//!
//! The protocol is JSON over one WebSocket (tokio-tungstenite), so the client is small: commands
//! are sent one at a time and answered in order, and events are skipped. Chromium is Debian's
//! `chromium` (`infra/chromium.sh` installs it); each browser has its own profile in a temporary
//! directory and is killed when dropped.

use anyhow::{Context, Result, anyhow, bail};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How every test runs Chromium: headless, without a sandbox (tests run as root in CI), a GPU,
/// shared memory, first-run screens or extensions.
pub const HEADLESS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--hide-scrollbars",
];

/// Longest a page is waited on before a test fails with what it waited for.
const WAIT: Duration = Duration::from_secs(30);

pub struct Browser {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    session: String,
    next_id: u64,
    _chromium: Child,
    _profile: tempfile::TempDir,
}

/// The Chromium binary on `PATH`.
pub fn chromium() -> Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
        .context("headless Chromium is needed: run infra/chromium.sh to install it")
}

impl Browser {
    /// Starts headless Chromium with a 1400x1000 window and opens one blank page.
    pub async fn launch() -> Result<Self> {
        let profile = tempfile::tempdir()?;
        let mut chromium = Command::new(chromium()?)
            .args(HEADLESS)
            .args(["--remote-debugging-port=0", "--window-size=1400,1000"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .env("HOME", profile.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting chromium")?;
        let stderr = chromium.stderr.take().context("chromium's stderr")?;
        let mut lines = BufReader::new(stderr).lines();
        let endpoint = tokio::time::timeout(WAIT, async {
            while let Some(line) = lines.next_line().await? {
                if let Some(endpoint) = line.strip_prefix("DevTools listening on ") {
                    return Ok(endpoint.trim().to_owned());
                }
            }
            bail!("chromium exited before it listened for DevTools")
        })
        .await
        .context("chromium did not start within 30 s")??;
        // Keep draining stderr so Chromium never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let (socket, _) = tokio_tungstenite::connect_async(&endpoint).await.context("connecting to DevTools")?;
        let mut browser = Self { socket, session: String::new(), next_id: 0, _chromium: chromium, _profile: profile };
        let target = browser.browser_command("Target.createTarget", json!({ "url": "about:blank" })).await?;
        let target_id = target["targetId"].as_str().context("a target id")?.to_owned();
        let attached =
            browser.browser_command("Target.attachToTarget", json!({ "targetId": target_id, "flatten": true })).await?;
        browser.session = attached["sessionId"].as_str().context("a session id")?.to_owned();
        browser.command("Page.enable", json!({})).await?;
        browser.command("Runtime.enable", json!({})).await?;
        Ok(browser)
    }

    async fn send(&mut self, method: &str, params: Value, session: Option<String>) -> Result<Value> {
        self.send_within(method, params, session, WAIT).await
    }

    async fn send_within(
        &mut self,
        method: &str,
        params: Value,
        session: Option<String>,
        within: Duration,
    ) -> Result<Value> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = Value::String(session);
        }
        self.socket.send(Message::text(message.to_string())).await?;
        let answer = tokio::time::timeout(within, async {
            while let Some(message) = self.socket.next().await {
                let Message::Text(text) = message? else { continue };
                let value: Value = serde_json::from_str(&text)?;
                if value["id"].as_u64() == Some(id) {
                    return Ok(value);
                }
            }
            bail!("DevTools closed the connection")
        })
        .await
        .with_context(|| format!("no answer to {method} within {} s", within.as_secs()))??;
        if let Some(error) = answer.get("error") {
            bail!("{method} failed: {error}");
        }
        Ok(answer["result"].clone())
    }

    async fn browser_command(&mut self, method: &str, params: Value) -> Result<Value> {
        self.send(method, params, None).await
    }

    /// A DevTools command to the page.
    pub async fn command(&mut self, method: &str, params: Value) -> Result<Value> {
        let session = self.session.clone();
        self.send(method, params, Some(session)).await
    }

    /// Evaluates `expression` in the page (awaiting a promise) and returns its value.
    pub async fn eval(&mut self, expression: &str) -> Result<Value> {
        self.eval_within(expression, WAIT).await
    }

    async fn eval_within(&mut self, expression: &str, within: Duration) -> Result<Value> {
        let params =
            json!({ "expression": expression, "awaitPromise": true, "returnByValue": true, "userGesture": true });
        let session = self.session.clone();
        let result = self.send_within("Runtime.evaluate", params, Some(session), within).await?;
        if let Some(exception) = result.get("exceptionDetails") {
            let text = exception["exception"]["description"].as_str().or(exception["text"].as_str()).unwrap_or("?");
            bail!("the page threw: {text}");
        }
        Ok(result["result"]["value"].clone())
    }

    /// Waits until `condition` (a JavaScript expression) is truthy in the page and returns its
    /// value; fails with `what` after 30 s. The page checks every 20 ms, answering at least every
    /// quarter second, so a navigation in between (which ends the page's scripts) is waited out
    /// and the check goes on in the next page.
    pub async fn wait_for(&mut self, condition: &str, what: &str) -> Result<Value> {
        let check = format!(
            "new Promise((resolve) => {{ const until = Date.now() + 250; const poll = () => {{ \
             let value; try {{ value = ({condition}); }} catch (e) {{}} \
             if (value) resolve(value); else if (Date.now() > until) resolve(null); \
             else setTimeout(poll, 20); }}; poll(); }})"
        );
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match self.eval_within(&check, Duration::from_secs(5)).await {
                Ok(Value::Null) | Ok(Value::Bool(false)) => {}
                Ok(value) => return Ok(value),
                // The page navigated while it was checking, or the new page has no context yet.
                Err(error) if is_navigation(&error) => {}
                Err(error) => return Err(error.context(format!("waiting for {what}"))),
            }
            if tokio::time::Instant::now() > deadline {
                let at = self.eval("location.href").await.unwrap_or_default();
                bail!("timed out after {} s waiting for {what} at {at}", WAIT.as_secs());
            }
        }
    }

    /// Runs `action` (JavaScript that starts a navigation: a click, a form submission, an
    /// address) and waits for the new page to say it has drawn itself, to ask the user something
    /// (an open dialog), or to be a page without scripts (such as a refusal).
    pub async fn navigating(&mut self, action: &str) -> Result<()> {
        self.eval("window.__orcaOld = true").await?;
        self.eval(&format!("setTimeout(() => {{ {action} }}, 0); true")).await?;
        self.wait_for(
            "!window.__orcaOld && document.readyState === 'complete' && \
             (document.body?.dataset.rendered === 'true' || !!document.querySelector('dialog[open]') || \
              !document.querySelector('script[type=module]'))",
            "the next page to render",
        )
        .await?;
        Ok(())
    }

    /// Opens `url` and waits for it to render.
    pub async fn goto(&mut self, url: &str) -> Result<()> {
        self.navigating(&format!("location.assign({})", serde_json::to_string(url)?)).await
    }

    /// Types `text` into the element `selector` as a user would (focus, then keystrokes' text).
    pub async fn type_into(&mut self, selector: &str, text: &str) -> Result<()> {
        let found = self.eval(&format!("(() => {{ const e = document.querySelector({0}); if (!e) return false; e.focus(); e.value = ''; return true; }})()", serde_json::to_string(selector)?)).await?;
        if found != Value::Bool(true) {
            return Err(anyhow!("no `{selector}` on the page to type into"));
        }
        self.command("Input.insertText", json!({ "text": text })).await?;
        Ok(())
    }

    /// Clicks the element `selector`.
    pub async fn click(&mut self, selector: &str) -> Result<()> {
        let clicked = self
            .eval(&format!(
                "(() => {{ const e = document.querySelector({0}); if (!e) return false; e.click(); return true; }})()",
                serde_json::to_string(selector)?
            ))
            .await?;
        if clicked != Value::Bool(true) {
            return Err(anyhow!("no `{selector}` on the page to click"));
        }
        Ok(())
    }

    /// The text of `selector` ("" when absent).
    pub async fn text(&mut self, selector: &str) -> Result<String> {
        let value = self
            .eval(&format!("document.querySelector({})?.innerText ?? ''", serde_json::to_string(selector)?))
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// Milliseconds from the start of navigation to the page's `orca-rendered` mark.
    pub async fn render_ms(&mut self) -> Result<f64> {
        let value = self.eval("performance.getEntriesByName('orca-rendered')[0]?.startTime ?? null").await?;
        value.as_f64().context("the page has no `orca-rendered` mark")
    }

    /// Saves a PNG of the whole page to `path`.
    pub async fn screenshot(&mut self, path: &Path) -> Result<()> {
        let shot =
            self.command("Page.captureScreenshot", json!({ "format": "png", "captureBeyondViewport": true })).await?;
        let data = shot["data"].as_str().context("screenshot data")?;
        let bytes = base64_decode(data)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
    }

    /// The browser's cookies, as DevTools reports them (with `httpOnly`, `sameSite`, `secure`).
    pub async fn cookies(&mut self) -> Result<Vec<Value>> {
        let cookies = self.command("Network.getCookies", json!({})).await?;
        Ok(cookies["cookies"].as_array().cloned().unwrap_or_default())
    }
}

/// Whether a DevTools error means the page went away under a command (a navigation).
fn is_navigation(error: &anyhow::Error) -> bool {
    let text = format!("{error:#}");
    ["navigated or closed", "context was destroyed", "Cannot find context", "no answer to"]
        .iter()
        .any(|m| text.contains(m))
}

/// Standard base64 (DevTools' screenshots), without a dependency for it.
fn base64_decode(text: &str) -> Result<Vec<u8>> {
    let value = |c: u8| -> Result<u32> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => bail!("not base64: {c}"),
        } as u32)
    };
    let bytes: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_decodes_padded_and_unpadded_text() {
        assert_eq!(super::base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(super::base64_decode("aGVsbG8h").unwrap(), b"hello!");
        assert_eq!(super::base64_decode("aGk").unwrap(), b"hi");
    }
}
