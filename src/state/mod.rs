//! App-wide state, provided once at the root as typed contexts.

pub mod connection;
