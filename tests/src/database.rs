//! A fresh PostgreSQL database per test (`orca_e2e_<pid>_<random>`), created through the server
//! `ORCA_TEST_POSTGRES` names and dropped when the test ends, whether it passed or not.

use anyhow::{Context, Result};
use sqlx::Connection;
use std::hash::{BuildHasher, RandomState};

pub struct Database {
    admin_url: String,
    pub name: String,
    /// The URL the stages use.
    pub url: String,
    dropped: bool,
}

impl Database {
    /// Creates an empty database; ORCA's stages create the tables on start-up.
    pub async fn create(admin_url: &str) -> Result<Self> {
        let name = format!("orca_e2e_{}_{:016x}", std::process::id(), RandomState::new().hash_one(0u8));
        let mut connection = sqlx::PgConnection::connect(admin_url)
            .await
            .with_context(|| format!("connecting to PostgreSQL at `{admin_url}` (ORCA_TEST_POSTGRES)"))?;
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut connection).await?;
        connection.close().await?;
        Ok(Self { url: with_database(admin_url, &name), admin_url: admin_url.to_owned(), name, dropped: false })
    }

    /// Drops the database (closing the connections left to it).
    pub async fn drop_database(mut self) -> Result<()> {
        self.dropped = true;
        drop_database(&self.admin_url, &self.name).await
    }
}

async fn drop_database(admin_url: &str, name: &str) -> Result<()> {
    let mut connection = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut connection).await?;
    connection.close().await?;
    Ok(())
}

impl Drop for Database {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // A failed test still removes its database; a runtime of its own, since this may run
        // inside the test's runtime.
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let cleanup = std::thread::spawn(move || -> Result<()> {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(drop_database(&admin_url, &name))
        });
        if let Ok(Err(error)) = cleanup.join() {
            eprintln!("could not drop the test database `{}`: {error:#}", self.name);
        }
    }
}

/// `admin_url` with its database replaced by `name` (query parameters kept).
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin_url, String::new()),
    };
    let authority_end = base.find("://").map_or(0, |scheme| scheme + 3);
    let server = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    format!("{server}/{name}{query}")
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_only_the_database() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@db/postgres?sslmode=disable", "x"),
            "postgres://u:p@db/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://db:5432", "x"), "postgres://db:5432/x");
    }
}
