//! Maps librdkafka errors onto [`Error`], deciding which are worth retrying.

use rdkafka::error::{KafkaError, RDKafkaErrorCode};

use crate::Error;

pub(crate) fn broker_error(operation: &'static str, error: KafkaError) -> Error {
    let code = error.rdkafka_error_code();
    // A broker shutting down answers produce requests with UNKNOWN_SERVER_ERROR (Tansu does);
    // the producer is idempotent and ingest dedupes by reference, so sending again is safe.
    let unknown_produce = operation == "produce" && code == Some(RDKafkaErrorCode::Unknown);
    let retryable = unknown_produce || code.is_some_and(is_retryable_code);
    Error::Broker { operation, retryable, cause: Box::new(error) }
}

/// Errors that say "not now" (brokers down, leaders moving, timeouts, rebalances) rather than
/// "never" (bad config, authorisation, invalid requests).
fn is_retryable_code(code: RDKafkaErrorCode) -> bool {
    use RDKafkaErrorCode::*;
    matches!(
        code,
        BrokerTransportFailure
            | Resolve
            | MessageTimedOut
            | AllBrokersDown
            | OperationTimedOut
            | QueueFull
            | TimedOutQueue
            | WaitingForCoordinator
            | Retry
            | LeaderNotAvailable
            | NotLeaderForPartition
            | RequestTimedOut
            | BrokerNotAvailable
            | ReplicaNotAvailable
            | NetworkException
            | CoordinatorLoadInProgress
            | CoordinatorNotAvailable
            | NotCoordinator
            | NotEnoughReplicas
            | NotEnoughReplicasAfterAppend
            | IllegalGeneration
            | UnknownMemberId
            | RebalanceInProgress
            | KafkaStorageError
            | FencedLeaderEpoch
            | UnknownLeaderEpoch
            | OffsetNotAvailable
            | PreferredLeaderNotAvailable
            | EligibleLeadersNotAvailable
            | ThrottlingQuotaExceeded
            | UnstableOffsetCommit
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unavailable_brokers_are_retryable_and_bad_requests_are_not() {
        assert!(
            broker_error("produce", KafkaError::MessageProduction(RDKafkaErrorCode::AllBrokersDown)).is_retryable()
        );
        assert!(broker_error("commit", KafkaError::ConsumerCommit(RDKafkaErrorCode::RequestTimedOut)).is_retryable());
        assert!(
            !broker_error("produce", KafkaError::MessageProduction(RDKafkaErrorCode::MessageSizeTooLarge))
                .is_retryable()
        );
        assert!(!broker_error("create", KafkaError::ClientCreation("bad property".into())).is_retryable());
        assert!(broker_error("produce", KafkaError::MessageProduction(RDKafkaErrorCode::Unknown)).is_retryable());
        assert!(!broker_error("metadata", KafkaError::MetadataFetch(RDKafkaErrorCode::Unknown)).is_retryable());
    }
}
