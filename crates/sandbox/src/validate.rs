//! Metric validation with Django REST Framework's rules and messages, one error per answer
//! (the first, in serializer field order), as PostHog's API reports them.

use crate::api_error::ApiError;
use crate::model::Metric;
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
    /// PUT: required fields as for create; optional fields not given keep their values (DRF).
    Replace(&'a Metric),
    /// PATCH: nothing required; fields not given keep their values.
    Patch(&'a Metric),
}

/// Validate a request body into the metric it describes (the id is left as in `mode`, or empty).
pub fn validate_metric(body: &Value, mode: Mode<'_>) -> Result<Metric, ApiError> {
    let obj = body.as_object().ok_or_else(|| {
        ApiError::validation(
            "invalid",
            format!(
                "Invalid data. Expected a dictionary, but got {}.",
                python_type(body)
            ),
            None,
        )
    })?;
    let (mut metric, required) = match mode {
        Mode::Create => (default_metric(), true),
        Mode::Replace(existing) => (existing.clone(), true),
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
    check_math(&metric)?;
    Ok(metric)
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
                "invalid",
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

/// DRF `IntegerField`: integers, integral floats and strings of them ("30", "30.0").
fn integer_field(v: &Value, attr: &str) -> Result<i64, ApiError> {
    let invalid = || ApiError::validation("invalid", "A valid integer is required.", Some(attr));
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            })
            .ok_or_else(invalid),
        Value::String(s) => {
            // DRF strips a trailing ".000" before int(), which itself ignores surrounding spaces.
            let trimmed = s.trim_end();
            let no_decimal = match trimmed.rfind('.') {
                Some(dot) if trimmed[dot + 1..].chars().all(|c| c == '0') => &trimmed[..dot],
                _ => trimmed,
            };
            no_decimal.trim().parse::<i64>().map_err(|_| invalid())
        }
        _ => Err(invalid()),
    }
}

/// `filters`: a JSON object, checked only for its `source` shape, stored exactly as given.
fn filters_field(v: &Value) -> Result<Value, ApiError> {
    let obj = v.as_object().ok_or_else(|| {
        ApiError::validation(
            "invalid",
            format!(
                "Expected a dictionary of items but got type \"{}\".",
                python_type(v)
            ),
            Some("filters"),
        )
    })?;
    match obj.get("source") {
        None => {}
        Some(Value::String(s)) if s == "events" => {}
        Some(Value::String(s)) if s == "data_warehouse" => {
            let complete = ["table_name", "timestamp_field", "key_field"]
                .iter()
                .all(|k| obj.get(*k).is_some_and(python_truthy));
            if !complete {
                return Err(ApiError::validation(
                    "invalid",
                    "Data warehouse metrics require table_name, timestamp_field, key_field.",
                    Some("filters"),
                ));
            }
        }
        Some(other) => {
            return Err(ApiError::validation(
                "invalid",
                format!("Unknown source: {}", python_repr(other)),
                Some("filters"),
            ))
        }
    }
    Ok(v.clone())
}

/// The cross-field rule between `math` and `math_property`, checked on the merged result.
fn check_math(metric: &Metric) -> Result<(), ApiError> {
    let has_property = metric
        .math_property
        .as_deref()
        .is_some_and(|p| !p.is_empty());
    if metric.math == "sum" && !has_property {
        return Err(ApiError::validation(
            "invalid_input",
            "math_property is required when math is 'sum'.",
            Some("math_property"),
        ));
    }
    if metric.math == "count" && has_property {
        return Err(ApiError::validation(
            "invalid_input",
            "math_property must be empty when math is 'count'.",
            Some("math_property"),
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
fn python_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

/// Python's `repr()` of a JSON value, for "Unknown source: 'x'".
fn python_repr(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{s}'"),
        other => python_str(other),
    }
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
