//! Integration tests: the real router on an ephemeral port, a fresh SQLite
//! file per test (or, with `HEARTH_TEST_BACKEND=postgres`, a fresh
//! PostgreSQL database per test; some tests use PostgreSQL either way),
//! driven over HTTP like a browser would.

mod account_mail;
mod accounts;
mod authz;
mod blocking_gaps;
mod chat;
mod cluster;
mod crash;
mod endpoints;
mod hardening;
mod headers;
mod helpers;
mod leaving;
mod live;
mod live_hardening;
mod media;
mod migrations;
mod notifications;
mod posts;
mod search;
mod security;
mod sessions;
mod social;
mod two_factor;
mod video;
