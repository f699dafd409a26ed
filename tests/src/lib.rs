//! End-to-end tests across services
