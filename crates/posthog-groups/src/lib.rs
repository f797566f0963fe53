//! PostHog's "Groups types" API as plain Rust: models, one request builder and one decoder
//! per endpoint, typed errors and client-side validation. Sans-IO: no HTTP client here, so
//! every behaviour is tested natively against the contract's literal JSON.

pub mod cache;
pub mod capability;
pub mod compare;
pub mod computed;
pub mod configuration;
pub mod connection;
pub mod decode;
pub mod definitions;
pub mod error;
pub mod format;
pub mod host;
pub mod merge;
pub mod model;
pub mod oauth;
pub mod placement;
pub mod project_metrics;
pub mod request;
pub mod retry;
pub mod sparkline;
pub mod usage;
pub mod validate;

pub use connection::{ApiKey, Connection};
pub use error::{ApiError, ErrorBody};
pub use host::Host;
pub use model::{
    FilterSource, Filters, GroupType, GroupTypeNames, KeyRecord, Metric, MetricDisplay,
    MetricDraft, MetricFormat, MetricMath, MetricPatch, Page,
};
pub use request::{Method, ProjectId, Request};
pub use usage::{Group, GroupRef, GroupsPage, MetricValue, UsageMetrics};
