//! App-wide state and the pure logic behind the screens. Contexts are provided once at the
//! root; everything else here is plain functions with native tests.

pub mod capabilities;
pub mod compare;
pub mod config;
pub mod connection;
pub mod embed;
pub mod explain;
pub mod filters_edit;
pub mod group_search;
pub mod host_choice;
pub mod metric_form;
pub mod metric_list;
pub mod move_metrics;
pub mod names;
pub mod notice;
pub mod pending_deletes;
pub mod pickers;
pub mod project_list;
pub mod rename;
pub mod rename_session;
pub mod sign_in;
pub mod theme;
pub mod transfer;
pub mod url;
