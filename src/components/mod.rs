//! Reusable components, one per file.

pub mod capability_summary;
pub mod delete_group_type;
pub mod dialog;
pub mod error_panel;
pub mod field;
pub mod group_type_table;
pub mod host_picker;
pub mod key_field;
pub mod not_connected;
pub mod notice;
pub mod rename_bar;
pub mod rename_refused;
