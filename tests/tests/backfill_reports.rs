//! `orca db backfill-reports` on a data directory whose reports were accepted before ORCA kept
//! them on their claims (migration 0009): it reads them back from the incident log, with their
//! face templates due as the schedule says, so the hourly run and erasure can work on them; run
//! again, it changes nothing.

use anyhow::{Result, ensure};
use orca_tests::{Orca, World};
use sqlx::Row;

async fn kept(db: &sqlx::AnyPool) -> Result<(i64, i64)> {
    let row = sqlx::query("SELECT COUNT(body), COUNT(faces_until_ms) FROM ingest_keys").fetch_one(db).await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

#[tokio::test(flavor = "multi_thread")]
async fn reports_accepted_before_they_were_kept_are_kept_from_the_incident_log() -> Result<()> {
    let orca = &Orca::locate()?;
    let scratch = tempfile::tempdir()?;
    let world = World::simulate(orca, 3, 300, &scratch.path().join("world")).await?;
    let data = scratch.path().join("data");
    let totals = orca.ingest_embedded(&world.incidents, &data).await?;
    ensure!(totals.accepted > 0, "{totals:?}");

    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(&format!("sqlite://{}", data.join("orca.db").display())).await?;
    let (bodies, with_faces) = kept(&db).await?;
    ensure!(bodies as u64 == totals.accepted && with_faces > 0, "{bodies} kept, {with_faces} with faces");
    // As a data directory of an earlier ORCA would be.
    sqlx::query("UPDATE ingest_keys SET body = NULL, faces_until_ms = NULL").execute(&db).await?;

    let run = || {
        let mut command = orca.command(["db", "backfill-reports", "--data-dir"]);
        command.arg(&data);
        orca.run(command)
    };
    let said = run().await?;
    ensure!(said.contains(&format!("{0} reports read from the incident log; {0} kept", totals.accepted)), "{said}");
    ensure!(kept(&db).await? == (bodies, with_faces), "the same reports and face dates as when first kept");
    let again = run().await?;
    ensure!(again.contains("; 0 kept on their claims"), "{again}");
    let missing = orca.command(["db", "backfill-reports", "--data-dir", "/nonexistent-orca-dir"]);
    ensure!(orca.run(missing).await.is_err_and(|e| format!("{e:#}").contains("holds no ORCA data")));
    Ok(())
}
