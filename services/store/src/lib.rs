//! State store trait with SQLite and PostgreSQL implementations (sqlx)
