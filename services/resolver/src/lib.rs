//! Resolver service: drives orca-resolve from the incident log to the resolution log
