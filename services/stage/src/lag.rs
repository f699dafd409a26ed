use orca_eventlog::EventLog;
use orca_store::Store;

/// Records in `topics` not yet accounted for in the store by `consumer`.
pub async fn lag(
    log: &dyn EventLog,
    store: &dyn Store,
    consumer: &str,
    topics: &[String],
) -> Result<u64, Box<dyn std::error::Error + Send + Sync>> {
    let (done, end) = progress(log, store, consumer, topics).await?;
    Ok(end - done)
}

/// Records in `topics` that `consumer` has accounted for in the store, and all there are so far.
pub async fn progress(
    log: &dyn EventLog,
    store: &dyn Store,
    consumer: &str,
    topics: &[String],
) -> Result<(u64, u64), Box<dyn std::error::Error + Send + Sync>> {
    let stored = store.offsets(consumer).await?;
    let (mut accounted, mut total) = (0, 0);
    for topic in topics {
        for (partition, end) in log.end_offsets(topic).await?.into_iter().enumerate() {
            let done = stored
                .iter()
                .find(|o| &o.topic == topic && o.partition as usize == partition)
                .map_or(0, |o| o.next_offset);
            accounted += done.min(end);
            total += end;
        }
    }
    Ok((accounted, total))
}

/// Lag of a stage by its name and topics.
pub async fn stage_lag(
    log: &dyn EventLog,
    store: &dyn Store,
    stage: &dyn crate::Stage,
) -> Result<u64, Box<dyn std::error::Error + Send + Sync>> {
    lag(log, store, stage.name(), &stage.input_topics()).await
}
