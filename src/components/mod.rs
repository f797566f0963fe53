//! Reusable components, one per file.

pub mod error_panel;
pub mod field;
pub mod group_type_table;
