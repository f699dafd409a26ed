//! Ingest service: authenticates retailers, validates incidents, appends them to the incident log (gRPC and HTTP)
