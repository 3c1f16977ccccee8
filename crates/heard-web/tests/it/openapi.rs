//! A small validator for the part of OpenAPI 3.0's schemas that `openapi.json` uses: `$ref` to
//! `#/components/schemas`, `type` (object, array, string, integer, number, boolean), `properties`,
//! `required`, `additionalProperties: false`, `items`, `nullable`, `enum`, `minimum` and `maximum`.
//! Anything else in a schema is a problem too, so the document cannot drift past what is checked.

use serde_json::Value;

/// The OpenAPI document as the site serves it.
pub struct OpenApi {
    pub doc: Value,
}

const KNOWN: [&str; 14] = [
    "$ref",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "nullable",
    "enum",
    "minimum",
    "maximum",
    "description",
    "format",
    "default",
    "title",
];

impl OpenApi {
    pub fn new(doc: Value) -> OpenApi {
        OpenApi { doc }
    }

    /// The schema of the GET answer to `template` ("/api/v1/consultations/{slug}") with `status`.
    #[track_caller]
    pub fn response_schema(&self, template: &str, status: u16) -> &Value {
        let schema = &self.doc["paths"][template]["get"]["responses"][status.to_string()]["content"]["application/json"]
            ["schema"];
        assert!(!schema.is_null(), "the document describes no {status} answer to GET {template}");
        schema
    }

    /// Every way `value` differs from the answer the document describes; empty when it matches.
    pub fn problems(&self, template: &str, status: u16, value: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        self.check(self.response_schema(template, status), value, "$", &mut problems);
        problems
    }

    /// Asserts that `body` (JSON text) is the answer the document describes.
    #[track_caller]
    pub fn assert_matches(&self, template: &str, status: u16, body: &str) -> Value {
        let value: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
        let problems = self.problems(template, status, &value);
        assert!(
            problems.is_empty(),
            "GET {template} ({status}) does not match the document:\n{}\n{body}",
            problems.join("\n")
        );
        value
    }

    pub fn check(&self, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
        let Some(schema) = schema.as_object() else {
            problems.push(format!("{at}: the schema is not an object"));
            return;
        };
        for key in schema.keys() {
            if !KNOWN.contains(&key.as_str()) {
                problems.push(format!("{at}: the validator does not know the schema keyword {key:?}"));
            }
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = reference.strip_prefix("#/components/schemas/").unwrap_or(reference);
            let target = &self.doc["components"]["schemas"][name];
            if target.is_null() {
                problems.push(format!("{at}: {reference} names no schema"));
            } else {
                self.check(target, value, at, problems);
            }
            return;
        }
        if value.is_null() {
            if schema.get("nullable") != Some(&Value::Bool(true)) {
                problems.push(format!("{at}: null, but the schema is not nullable"));
            }
            return;
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            problems.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
        let kind = schema.get("type").and_then(Value::as_str).unwrap_or("");
        let fits = match kind {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            other => {
                problems.push(format!("{at}: the schema has no type the validator knows ({other:?})"));
                return;
            }
        };
        if !fits {
            problems.push(format!("{at}: expected {kind}, got {value}"));
            return;
        }
        if let Some(n) = value.as_f64() {
            if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
                && n < min
            {
                problems.push(format!("{at}: {n} is below the minimum {min}"));
            }
            if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
                && n > max
            {
                problems.push(format!("{at}: {n} is above the maximum {max}"));
            }
        }
        if let Some(items) = value.as_array() {
            let item_schema = schema.get("items").unwrap_or(&Value::Null);
            for (i, item) in items.iter().enumerate() {
                self.check(item_schema, item, &format!("{at}[{i}]"), problems);
            }
        }
        if let Some(fields) = value.as_object() {
            let properties = schema.get("properties").and_then(Value::as_object);
            for required in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
                let name = required.as_str().unwrap_or_default();
                if !fields.contains_key(name) {
                    problems.push(format!("{at}: the required field {name:?} is missing"));
                }
            }
            let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
            for (name, field) in fields {
                match properties.and_then(|p| p.get(name)) {
                    Some(field_schema) => self.check(field_schema, field, &format!("{at}.{name}"), problems),
                    None if closed => problems.push(format!("{at}: the field {name:?} is not in the schema")),
                    None => {}
                }
            }
        }
    }
}
