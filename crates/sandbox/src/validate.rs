//! Metric validation with Django REST Framework's rules and messages, one error per answer
//! (the first, in serializer field order, field errors before object-level rules), with the
//! codes drf-exceptions-hog reports (DRF's generic `invalid` becomes `invalid_input`), as
//! PostHog's `GroupUsageMetricSerializer` (ee/clickhouse/views/groups.py) answers.

use crate::api_error::ApiError;
use crate::model::{Metric, WarehouseTable};
use serde_json::{Map, Value};

/// Allowed `format` values.
pub const FORMATS: &[&str] = &["numeric", "currency"];
/// Allowed `display` values.
pub const DISPLAYS: &[&str] = &["number", "sparkline"];
/// Allowed `math` values.
pub const MATHS: &[&str] = &["count", "sum"];

/// What a write starts from: nothing (create) or the stored metric (PUT / PATCH).
#[derive(Debug, Clone, Copy)]
pub enum Mode<'a> {
    /// POST: `name` and `filters` required, defaults for the rest.
    Create,
    /// PUT, DRF's full update: `name` and `filters` required, and every field with a default
    /// that is not given goes back to it (numeric, 7, number, count). `math_property` has no
    /// default, so the stored one stays when it is not given.
    Replace(&'a Metric),
    /// PATCH: nothing required; fields not given keep their values.
    Patch(&'a Metric),
}

/// What validation needs to know of the project the metric is in.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The project's data-warehouse tables (a `data_warehouse` metric must name one).
    pub tables: &'a [WarehouseTable],
}

/// Validate a request body into the metric it describes (the id is left as in `mode`, or
/// empty): the body must be an object, then each field in declared order (the first error
/// wins), then the serializer's `validate()` on the merged result.
pub fn validate_metric(body: &Value, mode: Mode<'_>, ctx: Context<'_>) -> Result<Metric, ApiError> {
    let obj = match body {
        // DRF's Serializer.errors: a null body is "No data provided", not "may not be null".
        Value::Null => return Err(ApiError::validation("null", "No data provided", None)),
        Value::Object(obj) => obj,
        other => {
            return Err(ApiError::validation(
                "invalid_input",
                format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    python_type(other)
                ),
                None,
            ))
        }
    };
    let (mut metric, required) = match mode {
        Mode::Create => (default_metric(), true),
        Mode::Replace(existing) => (
            Metric {
                id: existing.id.clone(),
                math_property: existing.math_property.clone(),
                ..default_metric()
            },
            true,
        ),
        Mode::Patch(existing) => (existing.clone(), false),
    };
    if let Some(v) = field(obj, "name", required)? {
        metric.name = char_field(v, "name", 255, false)?.unwrap_or_default();
    }
    if let Some(v) = field(obj, "format", false)? {
        metric.format = choice_field(v, "format", FORMATS)?;
    }
    if let Some(v) = field(obj, "interval", false)? {
        metric.interval = integer_field(v, "interval")?;
    }
    if let Some(v) = field(obj, "display", false)? {
        metric.display = choice_field(v, "display", DISPLAYS)?;
    }
    if let Some(v) = field(obj, "filters", required)? {
        metric.filters = filters_field(v)?;
    }
    if let Some(v) = field(obj, "math", false)? {
        metric.math = choice_field(v, "math", MATHS)?;
    }
    if let Some(v) = obj.get("math_property") {
        // Nullable: null is a value here, not an error.
        metric.math_property = if v.is_null() {
            None
        } else {
            char_field(v, "math_property", 255, true)?
        };
    }
    check_object(&metric, ctx)?;
    Ok(metric)
}

/// What the database refuses after validation passed, as an unhandled error (500): PostHog's
/// `interval` is a Postgres `integer`, and the serializer's IntegerField sets no bounds.
pub fn check_storable(metric: &Metric) -> Result<(), ApiError> {
    match i32::try_from(metric.interval) {
        Ok(_) => Ok(()),
        Err(_) => Err(ApiError::server_error()),
    }
}

fn default_metric() -> Metric {
    Metric {
        id: String::new(),
        name: String::new(),
        format: "numeric".into(),
        interval: 7,
        display: "number".into(),
        math: "count".into(),
        math_property: None,
        filters: Value::Object(Map::new()),
    }
}

/// The value of a key, or the DRF errors for a missing required one and for null.
fn field<'a>(
    obj: &'a Map<String, Value>,
    attr: &str,
    required: bool,
) -> Result<Option<&'a Value>, ApiError> {
    match obj.get(attr) {
        None if required => Err(ApiError::validation(
            "required",
            "This field is required.",
            Some(attr),
        )),
        None => Ok(None),
        Some(Value::Null) => Err(ApiError::validation(
            "null",
            "This field may not be null.",
            Some(attr),
        )),
        Some(v) => Ok(Some(v)),
    }
}

/// DRF `CharField`: numbers become strings, whitespace is trimmed, length counted in characters.
pub fn char_field(
    v: &Value,
    attr: &str,
    max: usize,
    allow_blank: bool,
) -> Result<Option<String>, ApiError> {
    let text = match v {
        Value::Null => return Ok(None),
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => {
            return Err(ApiError::validation(
                "invalid_input",
                "Not a valid string.",
                Some(attr),
            ))
        }
    };
    if text.is_empty() && !allow_blank {
        return Err(ApiError::validation(
            "blank",
            "This field may not be blank.",
            Some(attr),
        ));
    }
    if text.chars().count() > max {
        return Err(ApiError::validation(
            "max_length",
            format!("Ensure this field has no more than {max} characters."),
            Some(attr),
        ));
    }
    Ok(Some(text))
}

/// DRF `ChoiceField`: compares the value's Python `str()` with the choices.
fn choice_field(v: &Value, attr: &str, choices: &[&str]) -> Result<String, ApiError> {
    let text = python_str(v);
    if choices.contains(&text.as_str()) {
        Ok(text)
    } else {
        Err(ApiError::validation(
            "invalid_choice",
            format!("\"{text}\" is not a valid choice."),
            Some(attr),
        ))
    }
}

/// DRF `IntegerField`: integers, integral floats and strings Python's `int()` reads once a
/// trailing `.000` is cut ("30", " 30", "30.0", "+30", "1_000"); strings over 1000 characters
/// are refused before that.
fn integer_field(v: &Value, attr: &str) -> Result<i64, ApiError> {
    let invalid =
        || ApiError::validation("invalid_input", "A valid integer is required.", Some(attr));
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| {
                // Python writes floats from 1e16 up with an exponent, which int() refuses.
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 1.0e16)
                    .map(|f| f as i64)
            })
            .ok_or_else(invalid),
        Value::String(s) if s.chars().count() > 1000 => Err(ApiError::validation(
            "max_string_length",
            "String value too large.",
            Some(attr),
        )),
        Value::String(s) => {
            let trimmed = s.trim_end();
            let no_decimal = match trimmed.rfind('.') {
                Some(dot) if trimmed[dot + 1..].chars().all(|c| c == '0') => &trimmed[..dot],
                _ => trimmed,
            };
            python_int(no_decimal).ok_or_else(invalid)
        }
        _ => Err(invalid()),
    }
}

/// Python's `int()` of a string: surrounding whitespace, one sign, and single underscores
/// between digits; `None` where Python raises `ValueError` (or the value leaves i64).
pub fn python_int(text: &str) -> Option<i64> {
    let t = text.trim();
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let bytes = digits.as_bytes();
    let well_formed = !bytes.is_empty()
        && bytes.first().is_some_and(u8::is_ascii_digit)
        && bytes.last().is_some_and(u8::is_ascii_digit)
        && bytes.iter().all(|b| b.is_ascii_digit() || *b == b'_')
        && !digits.contains("__");
    if !well_formed {
        return None;
    }
    let value: i64 = digits.replace('_', "").parse().ok()?;
    Some(if negative { -value } else { value })
}

/// `filters`: DRF's `DictField`, stored exactly as given; its `source` is checked by the
/// object-level rules ([`check_object`]), after every field.
fn filters_field(v: &Value) -> Result<Value, ApiError> {
    if v.is_object() {
        return Ok(v.clone());
    }
    Err(ApiError::validation(
        "not_a_dict",
        format!(
            "Expected a dictionary of items but got type \"{}\".",
            python_type(v)
        ),
        Some("filters"),
    ))
}

/// The serializer's `validate()`: by `filters.source` (absent, null or "events": events;
/// "data_warehouse"; anything else refused), the math rules, and for the data warehouse first
/// its three fields, then math, then the table, in PostHog's order.
fn check_object(metric: &Metric, ctx: Context<'_>) -> Result<(), ApiError> {
    let source = metric.filters.get("source").unwrap_or(&Value::Null);
    match source {
        Value::Null => check_math(metric, false),
        Value::String(s) if s == "events" => check_math(metric, false),
        Value::String(s) if s == "data_warehouse" => {
            let complete = ["table_name", "timestamp_field", "key_field"]
                .iter()
                .all(|k| metric.filters.get(*k).is_some_and(python_truthy));
            if !complete {
                return Err(invalid(
                    "Data warehouse metrics require table_name, timestamp_field, key_field.",
                    "filters",
                ));
            }
            check_math(metric, true)?;
            let table = &metric.filters["table_name"];
            // Django compares the stored name with str() of the value: 5 finds a table "5".
            let name = python_str(table);
            if !ctx.tables.iter().any(|t| t.name == name) {
                return Err(invalid(
                    format!(
                        "Data warehouse table {} does not exist.",
                        python_repr(table)
                    ),
                    "filters",
                ));
            }
            Ok(())
        }
        other => Err(invalid(
            format!("Unknown source: {}", python_repr(other)),
            "filters",
        )),
    }
}

/// A message raised by the serializer's `validate()`: DRF's code `invalid`, which
/// drf-exceptions-hog reports as `invalid_input`.
fn invalid(detail: impl Into<String>, attr: &str) -> ApiError {
    ApiError::validation("invalid_input", detail, Some(attr))
}

/// The rule between `math` and `math_property` (for the data warehouse the "sum" message
/// names the column).
fn check_math(metric: &Metric, warehouse: bool) -> Result<(), ApiError> {
    let has_property = metric
        .math_property
        .as_deref()
        .is_some_and(|p| !p.is_empty());
    if metric.math == "sum" && !has_property {
        return Err(invalid(
            if warehouse {
                "math_property (column to sum) is required when math is 'sum'."
            } else {
                "math_property is required when math is 'sum'."
            },
            "math_property",
        ));
    }
    if metric.math == "count" && has_property {
        return Err(invalid(
            "math_property must be empty when math is 'count'.",
            "math_property",
        ));
    }
    Ok(())
}

/// Python's type name for a JSON value, as DRF puts it in messages.
pub fn python_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Python's `str()` of a JSON value (what DRF prints in "is not a valid choice").
pub fn python_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

/// Python's `repr()` of a JSON value, for "Unknown source: 'x'": single quotes unless the
/// text holds one and no double quote, backslashes and control characters escaped.
pub fn python_repr(v: &Value) -> String {
    let Value::String(s) = v else {
        return python_str(v);
    };
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn python_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}
