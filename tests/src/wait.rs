//! Waiting on conditions. External processes give no events to wait on, so the tests poll a
//! status with a short interval until it holds or a deadline passes; a timeout names what was
//! awaited and the last thing seen.

use anyhow::{Result, bail};
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// How often a condition is checked.
const INTERVAL: Duration = Duration::from_millis(50);

/// Checks `check` until it yields a value. `Ok(None)` means "not yet"; an error also means "not
/// yet" (a service may be restarting) and is reported if the deadline passes.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let deadline = Instant::now() + timeout;
    let mut last = String::from("the condition never held");
    loop {
        match check().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(error) => last = format!("last error: {error:#}"),
        }
        if Instant::now() >= deadline {
            bail!("timed out after {:.0?} waiting for {what} ({last})", timeout);
        }
        tokio::time::sleep(INTERVAL).await;
    }
}

/// Checks `check` until it returns `true`.
pub async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool>>,
{
    wait_for(what, timeout, || {
        let outcome = check();
        async move { outcome.await.map(|done| done.then_some(())) }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_timeout_names_what_was_awaited_and_the_last_error() {
        let error = wait_until("the answer", Duration::from_secs(1), || async { anyhow::bail!("no answer yet") })
            .await
            .expect_err("never holds");
        let message = error.to_string();
        assert!(message.contains("waiting for the answer"), "{message}");
        assert!(message.contains("no answer yet"), "{message}");
    }

    #[tokio::test(start_paused = true)]
    async fn returns_the_value_once_the_condition_holds() {
        let mut calls = 0;
        let value = wait_for("the third call", Duration::from_secs(5), || {
            calls += 1;
            let done = calls == 3;
            async move { Ok(done.then_some(calls)) }
        })
        .await
        .expect("holds on the third call");
        assert_eq!(value, 3);
    }
}
