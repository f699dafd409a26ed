//! Wiring: config, telemetry, shutdown, and running the stages embedded or distributed
