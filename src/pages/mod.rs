//! One module per route.

pub mod connect;
pub mod group_types;
pub mod not_found;
