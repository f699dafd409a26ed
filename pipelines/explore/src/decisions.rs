//! The answers to analysts' decisions, as the resolver reported them on the resolutions log, kept so
//! the service that took a decision can tell the analyst what became of it.

use orca_model::DecisionResult;
use rustc_hash::FxHashMap;
use std::collections::VecDeque;

/// Answers kept (the oldest are forgotten first); a decision is answered within seconds.
const KEPT: usize = 10_000;

#[derive(Clone, Debug, Default)]
pub struct DecisionLog {
    results: FxHashMap<String, DecisionResult>,
    order: VecDeque<String>,
}

impl DecisionLog {
    pub fn record(&mut self, result: DecisionResult) {
        if self.results.insert(result.decision_id.clone(), result.clone()).is_none() {
            self.order.push_back(result.decision_id);
        }
        while self.order.len() > KEPT {
            if let Some(oldest) = self.order.pop_front() {
                self.results.remove(&oldest);
            }
        }
    }

    pub fn get(&self, decision_id: &str) -> Option<&DecisionResult> {
        self.results.get(decision_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_answers_are_forgotten_first() {
        let mut log = DecisionLog::default();
        for i in 0..KEPT + 5 {
            log.record(DecisionResult { decision_id: format!("D{i}"), applied: true, message: String::new() });
        }
        assert!(log.get("D0").is_none() && log.get("D4").is_none());
        assert!(log.get("D5").is_some() && log.get(&format!("D{}", KEPT + 4)).is_some());
    }
}
