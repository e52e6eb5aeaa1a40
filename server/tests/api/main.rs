//! Integration tests: the real router on an ephemeral port, a fresh SQLite
//! file per test (and PostgreSQL where noted), driven over HTTP like a
//! browser would.

mod accounts;
mod helpers;
mod live;
mod migrations;
mod posts;
mod security;
