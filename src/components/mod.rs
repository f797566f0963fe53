//! Reusable components, one per file.

pub mod capability_summary;
pub mod copy_metric;
pub mod delete_group_type;
pub mod dialog;
pub mod embed_bridge;
pub mod error_panel;
pub mod field;
pub mod filters_editor;
pub mod group_type_table;
pub mod group_type_tabs;
pub mod host_picker;
pub mod import_metrics;
pub mod key_field;
pub mod metric_fields;
pub mod metric_table;
pub mod metric_tools;
pub mod not_connected;
pub mod notice;
pub mod offline_notice;
pub mod pager;
pub mod pending_deletes_bar;
pub mod rename_bar;
pub mod rename_refused;
pub mod slow_notice;
