//! One module per route.

pub mod compare;
pub mod connect;
pub mod group_types;
pub mod lazy;
pub mod metric;
pub mod metric_form;
pub mod not_found;
pub mod oauth_callback;
pub mod old_address;
pub mod project_metrics;
