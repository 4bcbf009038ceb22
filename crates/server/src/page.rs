//! The overview page at `/`: the stored inspections with their headline figures and links to
//! the JSON. Deliberately small and script-free; the full web UI is a later piece of work.

use std::fmt::Write as _;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use crate::AppState;
use crate::api::{InspectionDto, StatisticsDto, statistics_of};
use crate::error::ApiError;

/// The page has one inline style sheet and nothing else.
const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

const STYLE: &str = "body{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;margin:2rem auto;\
max-width:60rem;padding:0 1rem;color:#222;line-height:1.6}h1{font-size:1.6rem;border-bottom:3px solid #b00;\
padding-bottom:.4rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;\
padding:.3rem .6rem;text-align:left}th{background:#f5f5f5}td.n{text-align:right}section{margin-bottom:2rem}\
.meta{color:#555}footer{color:#777;font-size:.9rem}";

/// 巡察整改管理系统 — overview of the stored inspections.
#[utoipa::path(get, path = "/", tag = "system",
    responses((status = 200, description = "Overview page in Chinese", content_type = "text/html")))]
pub(crate) async fn index(State(state): State<AppState>) -> Result<Response, ApiError> {
    let inspections = state.store().list_inspections().await?;
    let mut rows = Vec::with_capacity(inspections.len());
    for summary in inspections {
        let stats = statistics_of(&state, summary.id).await?;
        rows.push((InspectionDto::from(summary), stats));
    }
    let mut response = Html(render(&rows)).into_response();
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    Ok(response)
}

fn render(rows: &[(InspectionDto, StatisticsDto)]) -> String {
    let mut html = String::with_capacity(4096);
    html.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = write!(html, "<title>巡察整改管理系统</title>\n<style>{STYLE}</style>\n</head>\n<body>\n");
    html.push_str("<h1>巡察整改管理系统</h1>\n");
    if rows.is_empty() {
        html.push_str("<p>数据库中尚无巡察整改台账。</p>\n");
    }
    for (inspection, stats) in rows {
        section(&mut html, inspection, stats);
    }
    html.push_str(
        "<footer>接口说明：<a href=\"/api/openapi.json\">/api/openapi.json</a> · \
         运行状态：<a href=\"/healthz\">/healthz</a></footer>\n</body>\n</html>\n",
    );
    html
}

fn section(html: &mut String, i: &InspectionDto, stats: &StatisticsDto) {
    let s = &stats.statistics;
    let heading = i.title.as_deref().or(i.unit.as_deref()).unwrap_or("未命名台账");
    let _ = writeln!(html, "<section>\n<h2>{}</h2>", escape(heading));
    let mut meta = Vec::new();
    if let Some(unit) = &i.unit {
        meta.push(format!("被巡察单位：{}", escape(unit)));
    }
    if let Some(inspector) = &i.inspector {
        meta.push(format!("巡察组：{}", escape(inspector)));
    }
    if let Some(date) = &i.feedback_date {
        meta.push(format!("反馈日期：{}", escape(date)));
    }
    if let Some(date) = &i.report_date {
        meta.push(format!("通报日期：{}", escape(date)));
    }
    if !meta.is_empty() {
        let _ = writeln!(html, "<p class=\"meta\">{}</p>", meta.join("；"));
    }
    let rate = match &stats.completion.percent {
        Some(p) => format!("{}%（{}/{}）", escape(p), stats.completion.numerator, stats.completion.denominator),
        None => "—".to_string(),
    };
    html.push_str("<table>\n<tr><th>方面</th><th>问题</th><th>整改措施</th><th>已完成问题</th><th>正在整改</th>");
    html.push_str("<th>长期坚持</th><th>整改完成率</th><th>建章立制</th><th>涉及资金</th></tr>\n");
    let _ = writeln!(
        html,
        "<tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
         <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}项</td>\
         <td class=\"n\">{}</td></tr>\n</table>",
        s.aspects,
        s.problems.total,
        s.measures_total,
        s.problems.completed,
        s.problems.still_in_progress(),
        s.problems.long_term,
        rate,
        s.rules_total(),
        escape(&s.funds_total().to_string()),
    );
    let id = i.id;
    let _ = writeln!(
        html,
        "<p>数据接口：<a href=\"/api/inspections/{id}\">台账</a> · <a href=\"/api/inspections/{id}/problems\">问题</a> · \
         <a href=\"/api/inspections/{id}/measures\">整改措施</a> · <a href=\"/api/inspections/{id}/statistics\">统计</a></p>\n</section>"
    );
}

/// Escapes text for HTML element content and quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert_eq!(escape("关于巡察整改进展情况的通报"), "关于巡察整改进展情况的通报");
    }
}
