//! The Manage365 engine: everything the desktop app and the CLI do, with no
//! Tauri in it.
//!
//! Data flows one way on reads and back on writes:
//!
//! ```text
//! Graph ──HTTP──▶ graph ──▶ sync ──▶ store (SQLite, WAL) ──▶ service ──▶ shell / cli
//!                  ▲                                            │
//!                  └──────── auth, gdap ◀───── update_incident ─┘
//! ```
//!
//! - [`model`]: the domain in the product's words (`true_positive`).
//! - [`views`]: the read models and queries the front ends receive.
//! - [`graph`]: the one HTTP client for every tenant: tokens, paging,
//!   throttling, error classification, and the wire mapping.
//! - [`auth`]: settings, credentials in the OS keychain, sign-in flows.
//! - [`gdap`]: customer tenants, their roles and what they allow.
//! - [`store`]: the SQLite cache; the only module that speaks SQL.
//! - [`sync`]: the background scheduler and one sync run.
//! - [`service`]: the use cases both front ends call.
//! - [`settings`]: the analyst's non-secret settings.
//! - [`connect`]: where the Graph connection's credential comes from.
//! - [`error`]: the top-level error and its stable codes.

#![warn(missing_docs)]

pub mod auth;
pub mod connect;
pub mod error;
pub mod gdap;
pub mod graph;
pub mod model;
mod raw_json;
pub mod service;
pub mod settings;

pub mod store;
pub mod sync;

pub mod views;

pub use error::{Error, ErrorCode, Result};
