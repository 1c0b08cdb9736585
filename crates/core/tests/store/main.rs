//! The SQLite cache against real files in a temporary directory: schema,
//! pulls, reconcile, re-open alerts, the portfolio and panel queries, and
//! the app's own records (runs, audit, local alerts, settings).

mod support;

mod panels;
mod portfolio;
mod pulls;
mod records;
mod search;
mod tally;
