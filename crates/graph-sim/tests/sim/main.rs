//! Integration tests of graph-sim over loopback HTTP, one binary with a
//! module per area.

mod common;
mod conformance;
mod control;
mod faults;
mod fixtures;
mod identity;
mod schema;
mod security;
mod users;
