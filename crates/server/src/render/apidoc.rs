//! The OpenAPI description as a page people read (数据接口说明): every operation grouped by
//! tag, with its method, path, summary, parameters, request body and answers. Rendered on the
//! server from the description itself, so it lists exactly what `/api/openapi.json` does.

use serde::Serialize;
use serde_json::Value as Json;

/// The methods an OpenAPI path item may hold, in the order the page lists them.
const METHODS: [&str; 8] = ["get", "post", "put", "patch", "delete", "head", "options", "trace"];

/// One group of operations (an OpenAPI tag).
#[derive(Debug, Serialize)]
pub(crate) struct Group {
    pub tag: String,
    /// The tag in Chinese, when it has a name.
    pub label: String,
    pub operations: Vec<Operation>,
}

/// One method on one path.
#[derive(Debug, Serialize)]
pub(crate) struct Operation {
    pub method: String,
    pub path: String,
    /// An anchor for links to the operation.
    pub anchor: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub parameters: Vec<Parameter>,
    /// The body's media type and schema, e.g. `application/json` · `LoginRequest`.
    pub body: Option<String>,
    pub responses: Vec<Answer>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Parameter {
    pub name: String,
    /// 路径, 查询, 请求头 or Cookie.
    pub place: &'static str,
    pub required: bool,
    pub kind: String,
    pub description: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Answer {
    pub status: String,
    pub description: String,
    pub schema: Option<String>,
}

/// What a tag (or the first segment of a path) is called in Chinese.
fn tag_label(tag: &str) -> String {
    let label = match tag {
        "system" | "healthz" | "openapi.json" | "docs" => "系统",
        "session" | "me" => "登录与会话",
        "inspections" => "巡察台账",
        "aspects" => "台账编辑",
        "lookback-items" | "lookbacks" => "回头看",
        "users" | "roles" => "用户与权限管理",
        "common-problems" => "共性问题",
        "notification-settings" | "deliveries" => "消息通知",
        "problems" => "问题",
        "measures" => "整改措施",
        "editing" => "台账编辑",
        "workflow" => "办理流程",
        "supervision" => "督办催办",
        "lookback" => "回头看",
        "audit" => "审计日志",
        "admin" => "用户与权限管理",
        "rounds" => "巡察轮次",
        "evaluations" => "整改评估",
        "search" => "检索",
        "notifications" => "消息通知",
        other => return other.to_owned(),
    };
    label.to_owned()
}

/// The group of an operation without a tag: the first segment of its path after `/api/`.
fn path_group(path: &str) -> String {
    let rest = path.strip_prefix("/api/").unwrap_or(path).trim_start_matches('/');
    let segment = rest.split('/').next().unwrap_or_default();
    if segment.is_empty() || segment == "healthz" || segment == "openapi.json" || segment == "docs" {
        "system".to_owned()
    } else {
        segment.to_owned()
    }
}

fn text(v: &Json, key: &str) -> Option<String> {
    v.get(key).and_then(Json::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// A schema as a short type: the referenced component's name, `string`, `array<…>`, …
fn schema_name(schema: &Json) -> String {
    if let Some(r) = schema.get("$ref").and_then(Json::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_owned();
    }
    if let Some(items) = schema.get("items") {
        return format!("array<{}>", schema_name(items));
    }
    match schema.get("type") {
        Some(Json::String(t)) => t.clone(),
        Some(Json::Array(types)) => {
            types.iter().filter_map(Json::as_str).filter(|t| *t != "null").collect::<Vec<_>>().join(" | ")
        }
        _ => "object".to_owned(),
    }
}

/// The first media type of a `content` map with its schema.
fn content(v: &Json) -> Option<(String, Option<String>)> {
    let (media, body) = v.get("content")?.as_object()?.iter().next()?;
    Some((media.clone(), body.get("schema").map(schema_name)))
}

fn parameter(p: &Json) -> Parameter {
    Parameter {
        name: text(p, "name").unwrap_or_default(),
        place: match p.get("in").and_then(Json::as_str) {
            Some("path") => "路径",
            Some("query") => "查询",
            Some("header") => "请求头",
            Some("cookie") => "Cookie",
            _ => "其他",
        },
        required: p.get("required").and_then(Json::as_bool).unwrap_or(false),
        kind: p.get("schema").map(schema_name).unwrap_or_default(),
        description: text(p, "description"),
    }
}

fn operation(path: &str, method: &str, op: &Json, shared: &[Json]) -> Operation {
    let own = op.get("parameters").and_then(Json::as_array).map(Vec::as_slice).unwrap_or_default();
    let body = op.get("requestBody").and_then(content).map(|(media, schema)| match schema {
        Some(s) => format!("{media} · {s}"),
        None => media,
    });
    let responses = op
        .get("responses")
        .and_then(Json::as_object)
        .map(|r| {
            r.iter()
                .map(|(status, answer)| Answer {
                    status: status.clone(),
                    description: text(answer, "description").unwrap_or_default(),
                    schema: content(answer).and_then(|(_, s)| s),
                })
                .collect()
        })
        .unwrap_or_default();
    let anchor: String = format!("{method}-{path}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
        .collect();
    Operation {
        method: method.to_uppercase(),
        path: path.to_owned(),
        anchor,
        summary: text(op, "summary"),
        description: text(op, "description").filter(|d| Some(d) != text(op, "summary").as_ref()),
        parameters: shared.iter().chain(own).map(parameter).collect(),
        body,
        responses,
    }
}

/// The operations of a description (as JSON), grouped by their first tag, groups and operations
/// in the order of the paths.
pub(crate) fn groups(doc: &Json) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Json::as_object) else { return groups };
    for (path, item) in paths {
        let shared = item.get("parameters").and_then(Json::as_array).map(Vec::as_slice).unwrap_or_default();
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let tag = op
                .get("tags")
                .and_then(Json::as_array)
                .and_then(|t| t.first())
                .and_then(Json::as_str)
                .map_or_else(|| path_group(path), str::to_owned);
            let operation = operation(path, method, op, shared);
            match groups.iter_mut().find(|g| g.tag == tag) {
                Some(g) => g.operations.push(operation),
                None => groups.push(Group { label: tag_label(&tag), tag, operations: vec![operation] }),
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_grouped_by_tag_with_their_parameters_and_answers() {
        let doc = serde_json::json!({
            "paths": {
                "/api/a/{id}": {
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                    "get": {"tags": ["inspections"], "summary": "One", "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": ["integer", "null"]}, "description": "at most"}
                    ], "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}},
                    "patch": {"tags": ["editing"], "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/B"}}}},
                        "responses": {"409": {"description": "stale"}}}
                },
                "/api/b": {"get": {"tags": ["inspections"], "responses": {}}},
                "/api/lookback-items/{id}": {"patch": {"responses": {}}}
            }
        });
        let groups = groups(&doc);
        assert_eq!(groups.iter().map(|g| g.label.as_str()).collect::<Vec<_>>(), ["巡察台账", "台账编辑", "回头看"]);
        let get = &groups[0].operations[0];
        assert_eq!((get.method.as_str(), get.path.as_str()), ("GET", "/api/a/{id}"));
        let params: Vec<_> =
            get.parameters.iter().map(|p| (p.name.as_str(), p.place, p.required, p.kind.as_str())).collect();
        assert_eq!(params, [("id", "路径", true, "integer"), ("limit", "查询", false, "integer")]);
        assert_eq!(get.responses[0].schema.as_deref(), Some("A"));
        assert_eq!(groups[0].operations[1].path, "/api/b");
        assert_eq!(groups[1].operations[0].body.as_deref(), Some("application/json · B"));
        assert_eq!(groups[1].operations[0].anchor, "patch-_api_a__id_");
    }
}
