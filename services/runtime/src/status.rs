//! What each local stage is doing, for `/readyz` and the `orca_stage_active` gauge.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Taking the lease or restoring state.
    Starting = 0,
    /// Holding the stage's lease and consuming.
    Active = 1,
    /// Another process holds the stage's lease; this one takes over if it lapses.
    Standby = 2,
    /// Failed, or stopped for good; restarting if it can.
    Failed = 3,
}

/// One stage's [`Phase`], shared between its supervisor and the HTTP surface.
#[derive(Clone, Debug)]
pub struct StageStatus {
    stage: &'static str,
    phase: Arc<AtomicU8>,
}

impl StageStatus {
    pub fn new(stage: &'static str, phase: Phase) -> Self {
        let status = Self { stage, phase: Arc::new(AtomicU8::new(phase as u8)) };
        status.set(phase);
        status
    }

    pub fn stage(&self) -> &'static str {
        self.stage
    }

    pub fn set(&self, phase: Phase) {
        self.phase.store(phase as u8, Ordering::Release);
        let active = if phase == Phase::Active { 1.0 } else { 0.0 };
        metrics::gauge!("orca_stage_active", "stage" => self.stage).set(active);
    }

    pub fn get(&self) -> Phase {
        match self.phase.load(Ordering::Acquire) {
            0 => Phase::Starting,
            1 => Phase::Active,
            2 => Phase::Standby,
            _ => Phase::Failed,
        }
    }

    /// Active and standing by both count as ready: a standby is doing its job.
    pub fn is_ready(&self) -> bool {
        matches!(self.get(), Phase::Active | Phase::Standby)
    }
}
