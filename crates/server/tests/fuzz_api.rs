//! A deterministic fuzz of the HTTP surface, on each backend: every route of the table (with the
//! parameters and body schemas the server's own `/api/openapi.json` describes, where it does) is
//! called as every role and anonymously with generated path parameters (valid, absent, 0, -1,
//! huge, non-numeric, unicode), query strings (limit/offset extremes, junk) and bodies (the
//! schema's shape with one field mutated: wrong types, empty, very long, nested junk; non-JSON;
//! the wrong content type). No answer may be a server error (≥ 500) and nothing may panic.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Duration;
use common::{Signed, send};
use rectify_auth::{Clock, allows};
use rectify_domain::roles::Role;
use rectify_server::authz::{Access, Kind, RouteRule, Target, table};
use rectify_server::{AppState, router};
use rectify_storage::{RoleGrant, Store};
use serde_json::Value;

/// How many generated requests of a route go to the roles it admits (spread over them), besides
/// one well-formed request per role and one generated request per refused role. CI runs the
/// default; `RECTIFY_FUZZ_VARIANTS` and `RECTIFY_FUZZ_SEED` explore further by hand.
const VARIANTS_PER_ROUTE: usize = 48;

fn from_env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Panics anywhere in the process while the fuzz runs (handlers, spawned tasks).
static PANICS: AtomicUsize = AtomicUsize::new(0);

/// A small deterministic generator (SplitMix64): the same requests on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// The ids a well-formed request names.
struct World {
    app: Router,
    clock: std::sync::Arc<rectify_auth::FixedClock>,
    inspection: i64,
    aspect: i64,
    problem: i64,
    measure: i64,
    lookback_item: i64,
    sha256: String,
    /// An account the administrators' routes may change without locking out a fuzzing role.
    victim: i64,
    _dir: tempfile::TempDir,
}

async fn world(store: Store, dir: tempfile::TempDir) -> World {
    let clock = common::clock();
    let (inspection, _) = common::demo_with_accounts(&store, &clock).await;
    let victim = common::account(&store, "fuzzvictim", RoleGrant::everywhere(Role::Department), clock.as_ref()).await;
    let measures = store.list_measures(inspection, None).await.unwrap();
    let record = measures
        .iter()
        .find(|m| !matches!(m.measure.status, Some(rectify_domain::Status::Completed)))
        .expect("the demo has an open measure");
    let (sha256, lookback_items) =
        common::evidence_and_lookback(&store, &dir.path().join("evidence"), &clock, inspection, record.id, "fuzz")
            .await;
    let state = AppState::new(store.clone()).with_clock(clock.clone()).with_evidence_dir(dir.path().join("evidence"));
    World {
        app: router(state),
        clock,
        inspection,
        aspect: store.list_aspects(inspection).await.unwrap()[0].id,
        problem: record.problem_id,
        measure: record.id,
        lookback_item: lookback_items.first().copied().unwrap_or(1),
        sha256,
        victim,
        _dir: dir,
    }
}

impl World {
    /// The value of a path parameter in a well-formed request.
    fn valid(&self, rule: &RouteRule, name: &str) -> String {
        match (name, rule.target) {
            ("sha256", _) => self.sha256.clone(),
            ("token", _) => "no-such-upload".into(),
            ("file", _) => "ledger.xlsx".into(),
            ("*path", _) => "app.css".into(),
            ("code" | "unit", _) => "1".into(),
            (_, Target::Inspection) => self.inspection.to_string(),
            (_, Target::Aspect) => self.aspect.to_string(),
            (_, Target::Problem) => self.problem.to_string(),
            (_, Target::Measure) => self.measure.to_string(),
            (_, Target::LookbackItem) => self.lookback_item.to_string(),
            _ if rule.path.contains("/users/") || rule.path.contains("/roles/") => self.victim.to_string(),
            _ => "1".into(),
        }
    }

    async fn sign_in(&self, username: &str, role: Role) -> Signed {
        self.clock.advance(Duration::seconds(30));
        let at = role.is_admin().then(|| self.clock.now());
        common::signed(&self.app, username, at).await
    }
}

/// The names of a route pattern's parameters, in order (`{*path}` as `*path`).
fn parameters(path: &str) -> Vec<&str> {
    path.split('{').skip(1).filter_map(|s| s.split('}').next()).collect()
}

/// Path parameter values no handler should answer with a server error.
const ODD_IDS: &[&str] = &[
    "0",
    "-1",
    "987654321",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999",
    "abc",
    "1.5",
    "1e3",
    "%E6%95%B4%E6%94%B9",
    "%00",
    "%F0%9F%98%80",
    "%FF%FE",
    "..%2F..%2Fetc%2Fpasswd",
    "1%20OR%201%3D1",
    "%20",
];

/// Query values for every declared parameter, and for `limit` and `offset` on every list.
const ODD_QUERY: &[&str] = &[
    "",
    "0",
    "-1",
    "1",
    "500",
    "501",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "1e9",
    "NaN",
    "abc",
    "%E6%95%B4%E6%94%B9",
    "%00",
    "%FF",
    "%25",
];

/// Raw JSON put in place of one field of a well-formed body.
fn junk_values() -> Vec<String> {
    let long = format!("\"{}\"", "整".repeat(40_000));
    let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
    [
        "null",
        "true",
        "0",
        "-1",
        "1.5",
        "-9223372036854775809",
        "18446744073709551616",
        "1e308",
        "\"\"",
        "\" \"",
        "\"\\u0000\"",
        "\"整改😀\\u202e<script>\"",
        "\"2026-02-30\"",
        "\"9999-99-99\"",
        "\"-1\"",
        "[]",
        "[null,1,\"a\",{}]",
        "{}",
        "{\"a\":{\"b\":[{\"c\":null}]}}",
    ]
    .into_iter()
    .map(str::to_owned)
    .chain([long, deep])
    .collect()
}

/// Whole bodies that are not the JSON a route wants.
fn junk_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let json = "application/json";
    vec![
        (json, Vec::new()),
        (json, b"not json".to_vec()),
        (json, b"{".to_vec()),
        (json, b"[]".to_vec()),
        (json, b"null".to_vec()),
        (json, b"\"\"".to_vec()),
        (json, b"{\"a\":1,\"a\":2}".to_vec()),
        (json, vec![0xFF, 0xFE, 0x00, b'{']),
        (json, format!("{}{}", "{\"a\":".repeat(2000), "}".repeat(2000)).into_bytes()),
        ("text/plain", b"{}".to_vec()),
        ("application/x-www-form-urlencoded", b"a=1&b=%FF".to_vec()),
        (
            "multipart/form-data; boundary=x",
            b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--\r\n".to_vec(),
        ),
        ("multipart/form-data", b"no boundary".to_vec()),
        ("application/json; charset=gbk", b"{}".to_vec()),
    ]
}

/// Form fields the pages read, each given junk in turn.
const FORM_FIELDS: &[&str] = &[
    "version",
    "text",
    "title",
    "reason",
    "date",
    "deadline",
    "action",
    "message",
    "name",
    "unit",
    "username",
    "password",
    "email",
    "next",
    "points",
    "answer",
    "token",
    "role",
    "department",
    "value",
    "kind",
    "limit",
    "offset",
    "q",
    "status",
    "ids",
    "scheduled_for",
    "sample_size",
    "result",
    "current",
    "new",
    "confirm",
    "secret",
    "code",
];

/// Form values, URL-encoded.
const FORM_JUNK: &[&str] = &[
    "",
    "-1",
    "9223372036854775808",
    "abc",
    "%E6%95%B4%E6%94%B9",
    "%00",
    "%FF%FE",
    "%3Cscript%3E",
    "2026-02-30",
    "https%3A%2F%2Fevil.example%2F",
    "%2F%2Fevil.example",
];

/// The fields of the JSON bodies that the OpenAPI description shows only as `Object`.
fn common_fields() -> Value {
    serde_json::json!({
        "version": 0, "text": "整改落实", "title": "标题", "description": "问题表现", "reason": "理由",
        "message": "请抓紧", "deadline": "2026-12-31", "unit": "某某区某局", "name": "名称", "action": "start",
        "points": 1, "email": "a@example.com", "duplicate_id": 1, "duplicate_version": 0, "first": "一",
        "second": "二", "position": 0, "kind": "immediate", "departments": ["办公室"], "value": 1.5,
        "date": "2026-12-01", "status": "in_progress", "number": "1", "category": "政治建设"
    })
}

/// A schema's instance, `$ref`s resolved in `doc`; `depth` stops recursive schemas.
fn instance(doc: &Value, schema: &Value, depth: usize) -> Value {
    if depth > 6 {
        return Value::Null;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or_default();
        return instance(doc, &doc["components"]["schemas"][name], depth + 1);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema.get(key).and_then(Value::as_array).and_then(|a| a.first()) {
            return instance(doc, first, depth + 1);
        }
    }
    let kind = match &schema["type"] {
        Value::String(s) => s.as_str(),
        Value::Array(types) => types.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "null",
    };
    match kind {
        "object" => {
            let mut out = serde_json::Map::new();
            if let Some(props) = schema["properties"].as_object() {
                for (name, s) in props {
                    out.insert(name.clone(), instance(doc, s, depth + 1));
                }
            }
            Value::Object(out)
        }
        "array" => Value::Array(vec![instance(doc, &schema["items"], depth + 1)]),
        "integer" => Value::from(1),
        "number" => Value::from(1.5),
        "boolean" => Value::Bool(true),
        "string" => match schema["format"].as_str() {
            Some("date") => Value::from("2026-12-01"),
            Some("date-time") => Value::from("2026-12-01T08:00:00Z"),
            _ => match schema["enum"].as_array().and_then(|e| e.first()) {
                Some(first) => first.clone(),
                None => Value::from("整改落实"),
            },
        },
        _ => Value::Null,
    }
}

/// One generated request of a route, before the caller's session is added.
#[derive(Clone)]
struct Call {
    uri: String,
    content_type: Option<String>,
    body: Vec<u8>,
    /// Leave out the CSRF token (header or form field).
    no_csrf: bool,
}

/// What the OpenAPI document says about one operation.
struct Operation {
    query: Vec<String>,
    body: Option<Value>,
    json: bool,
}

fn operation(doc: &Value, rule: &RouteRule) -> Operation {
    let op = &doc["paths"][rule.path][rule.method.to_lowercase()];
    let query = op["parameters"]
        .as_array()
        .map(|ps| {
            ps.iter().filter(|p| p["in"] == "query").filter_map(|p| p["name"].as_str().map(str::to_owned)).collect()
        })
        .unwrap_or_default();
    let content = &op["requestBody"]["content"];
    let json_schema = content["application/json"].get("schema").cloned();
    let body = json_schema.map(|s| instance(doc, &s, 0));
    let json = body.is_some() || (rule.path.starts_with("/api/") && content.get("multipart/form-data").is_none());
    Operation { query, body, json }
}

/// The well-formed request and the generated ones of a route.
fn calls(w: &World, doc: &Value, rule: &RouteRule, rng: &mut Rng) -> (Call, Vec<Call>) {
    let op = operation(doc, rule);
    let names = parameters(rule.path);
    let uri_with = |odd: Option<(&str, &str)>| {
        let mut uri = rule.path.to_owned();
        for name in &names {
            let value = match odd {
                Some((n, v)) if n == *name => v.to_owned(),
                _ => w.valid(rule, name),
            };
            uri = uri.replace(&format!("{{{name}}}"), &value);
        }
        uri
    };
    let valid_uri = uri_with(None);
    let write = !matches!(rule.method, "GET" | "DELETE");
    let multipart =
        rule.kind == Kind::ApiUpload || rule.path.ends_with("/progress") || rule.path == "/documents/upload";
    let form_body = |fields: &[(&str, String)]| -> Vec<u8> {
        fields.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&").into_bytes()
    };
    let valid_body: (Option<String>, Vec<u8>) = if !write {
        (None, Vec::new())
    } else if multipart {
        let (ct, body) =
            multipart_form(&[("version", "-1"), ("text", "进展"), ("date", "2026-11-30")], Some(common::PDF));
        (Some(ct), body)
    } else if op.json {
        let body = op.body.clone().unwrap_or_else(|| Value::Object(Default::default()));
        (Some("application/json".into()), body.to_string().into_bytes())
    } else {
        (Some("application/x-www-form-urlencoded".into()), Vec::new())
    };
    let valid =
        Call { uri: valid_uri.clone(), content_type: valid_body.0.clone(), body: valid_body.1.clone(), no_csrf: false };
    let mut out = Vec::new();
    // Path parameters.
    for name in &names {
        for odd in ODD_IDS {
            out.push(Call { uri: uri_with(Some((name, odd))), ..valid.clone() });
        }
    }
    // Query strings: the declared parameters, and paging on everything that is read.
    let mut query_names = op.query.clone();
    if rule.method == "GET" {
        for n in ["limit", "offset"] {
            if !query_names.iter().any(|q| q == n) {
                query_names.push(n.to_owned());
            }
        }
    }
    for name in &query_names {
        for odd in ODD_QUERY {
            out.push(Call { uri: format!("{valid_uri}?{name}={odd}"), ..valid.clone() });
        }
    }
    for junk in
        ["%", "a=%ZZ", "limit=1&limit=2", "a[]=1&a[b]=2", "&&&==", "x=%F0%9F%98%80%00", "next=%2F%2Fevil.example"]
    {
        out.push(Call { uri: format!("{valid_uri}?{junk}"), ..valid.clone() });
    }
    if write {
        out.push(Call { no_csrf: true, ..valid.clone() });
        if op.json && !multipart {
            // One field at a time replaced by junk, or left out.
            // A body documented only as an object gets the fields the handlers commonly read.
            let base =
                op.body.clone().filter(|b| b.as_object().is_some_and(|o| !o.is_empty())).unwrap_or_else(common_fields);
            let fields: Vec<String> = base.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
            for field in &fields {
                for junk in junk_values() {
                    let mut body = base.clone();
                    body[field.as_str()] = Value::from("\u{1}JUNK\u{1}");
                    let text = body.to_string().replace("\"\\u0001JUNK\\u0001\"", &junk);
                    out.push(Call {
                        content_type: Some("application/json".into()),
                        body: text.into_bytes(),
                        ..valid.clone()
                    });
                }
                let mut body = base.clone();
                body.as_object_mut().unwrap().remove(field);
                out.push(Call {
                    content_type: Some("application/json".into()),
                    body: body.to_string().into_bytes(),
                    ..valid.clone()
                });
            }
            let mut extra = base.clone();
            if let Some(o) = extra.as_object_mut() {
                o.insert("unexpected".into(), Value::from("x".repeat(10_000)));
            }
            out.push(Call {
                content_type: Some("application/json".into()),
                body: extra.to_string().into_bytes(),
                ..valid.clone()
            });
        }
        if multipart {
            for (name, value) in
                [("version", "abc"), ("version", "99999999999999999999"), ("date", "2026-02-30"), ("text", "")]
            {
                let (ct, body) = multipart_form(&[(name, value)], None);
                out.push(Call { content_type: Some(ct), body, ..valid.clone() });
            }
            let long = "整".repeat(100_000);
            let (ct, body) =
                multipart_form(&[("version", "-1"), ("text", &long)], Some(b"MZ\x90\x00not an evidence file"));
            out.push(Call { content_type: Some(ct), body, ..valid.clone() });
            let (ct, body) = multipart_form(&[("version", "-1"), ("text", "x")], Some(b"PK\x03\x04\x00\x00broken zip"));
            out.push(Call { content_type: Some(ct), body, ..valid.clone() });
        }
        if !op.json {
            for field in FORM_FIELDS {
                let odd = FORM_JUNK[rng.below(FORM_JUNK.len())];
                out.push(Call { body: form_body(&[(field, odd.to_owned())]), ..valid.clone() });
            }
            let long = "%E6%95%B4".repeat(50_000);
            out.push(Call { body: form_body(&[("text", long.clone()), ("title", long)]), ..valid.clone() });
        }
        for (ct, body) in junk_bodies() {
            out.push(Call { content_type: Some(ct.to_owned()), body, ..valid.clone() });
        }
    }
    rng.shuffle(&mut out);
    (valid, out)
}

fn multipart_form(fields: &[(&str, &str)], file: Option<&[u8]>) -> (String, Vec<u8>) {
    let boundary = "----fuzzboundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    if let Some(bytes) = file {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"证明.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The request of `call` as `who` (or a visitor with the sign-in page's form token).
fn request(rule: &RouteRule, call: &Call, who: Option<&Signed>, visitor: &(String, String)) -> Request<Body> {
    let mut builder = Request::builder().method(rule.method).uri(&call.uri);
    let (cookie, token) =
        who.map_or((visitor.0.as_str(), visitor.1.as_str()), |s| (s.cookie.as_str(), s.csrf.as_str()));
    builder = builder.header(header::COOKIE, cookie);
    if !call.no_csrf {
        builder = builder.header("x-csrf-token", token);
    }
    let mut body = call.body.clone();
    if let Some(ct) = &call.content_type {
        builder = builder.header(header::CONTENT_TYPE, ct);
        // Forms carry their token in the body.
        if ct == "application/x-www-form-urlencoded" && !call.no_csrf && !rule.path.starts_with("/api/") {
            let mut with = format!("csrf_token={token}").into_bytes();
            if !body.is_empty() {
                with.push(b'&');
            }
            with.extend(body);
            body = with;
        } else if ct.starts_with("multipart/form-data; boundary=----fuzzboundary") && !call.no_csrf {
            let mut with =
                format!("------fuzzboundary\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n")
                    .into_bytes();
            with.extend(body);
            body = with;
        }
    }
    builder.body(Body::from(body)).unwrap()
}

fn admitted(rule: &RouteRule, role: Option<Role>) -> bool {
    match (rule.access, role) {
        (Access::Public, _) => true,
        (_, None) => false,
        (Access::Account | Access::SignedIn, Some(_)) => true,
        (Access::AnyOf(permissions), Some(role)) => permissions.iter().any(|p| allows(Some(role), *p)),
    }
}

/// Routes that end the caller's session go last, and destructive ones after the others.
fn order(rule: &RouteRule) -> u8 {
    match (rule.method, rule.path) {
        ("DELETE", "/api/session") | ("POST", "/logout") => 3,
        ("DELETE", _) => 2,
        (_, p) if p.ends_with("/merge") || p.ends_with("/retire") || p.ends_with("/split") => 2,
        ("GET", _) => 0,
        _ => 1,
    }
}

async fn fuzz(name: &str, store: Store, dir: tempfile::TempDir) {
    let started = std::time::Instant::now();
    let w = world(store, dir).await;
    let doc = send(&w.app, Request::get("/api/openapi.json").body(Body::empty()).unwrap()).await.json();
    let documented =
        doc["paths"].as_object().map_or(0, |p| p.values().map(|i| i.as_object().map_or(0, |o| o.len())).sum());
    let visitor = common::anonymous_form(&w.app).await;
    let mut sessions = Vec::new();
    for (username, role) in common::DEMO_ACCOUNTS {
        sessions.push((Some(role), Some(w.sign_in(username, role).await)));
    }
    sessions.push((None, None));
    let mut rules = table();
    rules.sort_by_key(order);
    let mut rng = Rng(from_env("RECTIFY_FUZZ_SEED", 0x5EED_0013));
    let variants = from_env("RECTIFY_FUZZ_VARIANTS", VARIANTS_PER_ROUTE as u64) as usize;
    let (mut sent, mut failures) = (0usize, Vec::new());
    let mut check = |rule: &RouteRule, call: &Call, role: Option<Role>, status: StatusCode, body: &str| {
        sent += 1;
        if status.is_server_error() {
            let shown: String = call.body.iter().take(120).map(|&b| b as char).collect();
            failures.push(format!(
                "{} {} as {role:?} ({:?}, {shown:?}): {status} {}",
                rule.method,
                call.uri.chars().take(200).collect::<String>(),
                call.content_type,
                body.chars().take(300).collect::<String>()
            ));
        }
    };
    for rule in &rules {
        let (valid, generated) = calls(&w, &doc, rule, &mut rng);
        let admitted_roles: Vec<usize> = (0..sessions.len()).filter(|&i| admitted(rule, sessions[i].0)).collect();
        let mut generated = generated.into_iter();
        for (i, (role, session)) in sessions.iter().enumerate() {
            // Sign-out is called once per role, with the session's last request.
            let mut mine = vec![valid.clone()];
            if !admitted_roles.contains(&i) {
                mine.extend(generated.next());
            }
            for call in &mine {
                let a = send(&w.app, request(rule, call, session.as_ref(), &visitor)).await;
                check(rule, call, *role, a.status, &a.text());
            }
        }
        if admitted_roles.is_empty() || order(rule) == 3 {
            continue;
        }
        for (k, call) in generated.take(variants).enumerate() {
            let (role, session) = &sessions[admitted_roles[k % admitted_roles.len()]];
            let a = send(&w.app, request(rule, &call, session.as_ref(), &visitor)).await;
            check(rule, &call, *role, a.status, &a.text());
        }
    }
    eprintln!(
        "fuzz_api on {name}: {} routes ({documented} documented operations), {sent} requests, {} server errors, {:.1} s",
        rules.len(),
        failures.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{} answers ≥ 500 on {name}:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_as_every_role_answers_generated_requests_without_a_server_error() {
    // Server errors are logged with their cause; the failures below point to them.
    let _ = tracing_subscriber::fmt().with_env_filter("error").with_test_writer().try_init();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
    for (name, store, dir) in common::backends().await {
        fuzz(name, store, dir).await;
    }
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "a panic while fuzzing (see the log above)");
}

/// Found by the fuzz above on PostgreSQL: a NUL character in a path, a query, a JSON body or a
/// form reached the database, which cannot store one, and the answer was 500. It is refused on
/// the way in, alike on both backends.
#[tokio::test]
async fn a_nul_character_is_refused_as_a_bad_request_on_both_backends() {
    for (name, store, dir) in common::backends().await {
        let w = world(store, dir).await;
        let auditor = w.sign_in("auditor", Role::AuditAdmin).await;
        let liaison = w.sign_in("liaison", Role::UnitLiaison).await;
        let get =
            |uri: &str, s: &Signed| Request::get(uri).header(header::COOKIE, &s.cookie).body(Body::empty()).unwrap();
        for (uri, who) in [
            ("/api/audit?target_kind=%00", &auditor),
            ("/api/audit/export.csv?action=a%00b", &auditor),
            ("/api/evidence/%00", &liaison),
            ("/public/units/%00/feedback", &liaison),
            ("/public/units/%00/qr.svg", &liaison),
        ] {
            let a = send(&w.app, get(uri, who)).await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "{name} {uri}: {}", a.text());
        }
        let login = Request::post("/api/session")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"username":"a\u0000","password":"x"}"#))
            .unwrap();
        let a = send(&w.app, login).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{name}: {}", a.text());
        let form = Request::post(format!("/measures/{}/edit", w.measure))
            .header(header::COOKIE, &liaison.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf_token={}&op=save&version=0&text=%00", liaison.csrf)))
            .unwrap();
        let a = send(&w.app, form).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{name}: {}", a.text());
        let (ct, body) = multipart_form(&[("version", "0"), ("text", "进展\0")], None);
        let progress = Request::post(format!("/api/measures/{}/progress", w.measure))
            .header(header::COOKIE, &liaison.cookie)
            .header("x-csrf-token", &liaison.csrf)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap();
        let a = send(&w.app, progress).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{name}: {}", a.text());
        // A well-formed value still passes.
        let a = send(&w.app, get("/api/audit?target_kind=measure", &auditor)).await;
        assert_eq!(a.status, StatusCode::OK, "{name}: {}", a.text());
    }
}
