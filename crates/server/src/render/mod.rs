//! The render kit: the templates (embedded, compiled once), the layout every staff page shares,
//! the portal's layout, and the formatting of dates, money, names and labels. It renders what it
//! is given; it reads nothing from the store and knows no route.

pub mod apidoc;
pub mod assets;
pub mod figures;
pub mod format;
pub mod labels;
pub mod panel;
pub mod rows;

use std::sync::LazyLock;

use axum::response::Html;
use minijinja::{Environment, UndefinedBehavior, Value, context};
use rectify_auth::Permission;

use crate::error::AppError;
use crate::service::scope::sets::{DOCUMENTS, READ, REVIEW};
use crate::service::session::Principal;

/// Every template, embedded so that the binary needs no files beside it.
const TEMPLATES_SOURCES: [(&str, &str); 54] = [
    ("layout.html", include_str!("../../templates/layout.html")),
    ("home.html", include_str!("../../templates/home.html")),
    ("round_print.html", include_str!("../../templates/round_print.html")),
    ("round_edit.html", include_str!("../../templates/round_edit.html")),
    ("ledger.html", include_str!("../../templates/ledger.html")),
    ("ledger_table.html", include_str!("../../templates/ledger_table.html")),
    ("problem.html", include_str!("../../templates/problem.html")),
    ("measure.html", include_str!("../../templates/measure.html")),
    ("dashboard.html", include_str!("../../templates/dashboard.html")),
    ("supervision_notice.html", include_str!("../../templates/supervision_notice.html")),
    ("print_layout.html", include_str!("../../templates/print_layout.html")),
    ("ledger_print.html", include_str!("../../templates/ledger_print.html")),
    ("documents.html", include_str!("../../templates/documents.html")),
    ("preview.html", include_str!("../../templates/preview.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("timeline.html", include_str!("../../templates/timeline.html")),
    ("history.html", include_str!("../../templates/history.html")),
    ("outcomes.html", include_str!("../../templates/outcomes.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("account.html", include_str!("../../templates/account.html")),
    ("inbox.html", include_str!("../../templates/inbox.html")),
    ("audit.html", include_str!("../../templates/audit.html")),
    ("notifications.html", include_str!("../../templates/notifications.html")),
    ("admin_notifications.html", include_str!("../../templates/admin_notifications.html")),
    ("workflow.html", include_str!("../../templates/workflow.html")),
    ("admin_users.html", include_str!("../../templates/admin_users.html")),
    ("admin_roles.html", include_str!("../../templates/admin_roles.html")),
    ("admin_policy.html", include_str!("../../templates/admin_policy.html")),
    ("portal_layout.html", include_str!("../../templates/portal_layout.html")),
    ("portal_index.html", include_str!("../../templates/portal_index.html")),
    ("portal_report.html", include_str!("../../templates/portal_report.html")),
    ("portal_feedback.html", include_str!("../../templates/portal_feedback.html")),
    ("portal_thanks.html", include_str!("../../templates/portal_thanks.html")),
    ("portal_lookup.html", include_str!("../../templates/portal_lookup.html")),
    ("portal_qr.html", include_str!("../../templates/portal_qr.html")),
    ("portal_error.html", include_str!("../../templates/portal_error.html")),
    ("portal_inbox.html", include_str!("../../templates/portal_inbox.html")),
    ("portal_item.html", include_str!("../../templates/portal_item.html")),
    ("lookback.html", include_str!("../../templates/lookback.html")),
    ("rounds.html", include_str!("../../templates/rounds.html")),
    ("round.html", include_str!("../../templates/round.html")),
    ("evaluations.html", include_str!("../../templates/evaluations.html")),
    ("evaluation.html", include_str!("../../templates/evaluation.html")),
    ("ledger_edit.html", include_str!("../../templates/ledger_edit.html")),
    ("problem_edit.html", include_str!("../../templates/problem_edit.html")),
    ("inspection_new.html", include_str!("../../templates/inspection_new.html")),
    ("search.html", include_str!("../../templates/search.html")),
    ("common_problems.html", include_str!("../../templates/common_problems.html")),
    ("common_problems_cascade.html", include_str!("../../templates/common_problems_cascade.html")),
    ("api_docs.html", include_str!("../../templates/api_docs.html")),
    ("spot_checks.html", include_str!("../../templates/spot_checks.html")),
    ("spot_round.html", include_str!("../../templates/spot_round.html")),
    ("portal_spot_checks.html", include_str!("../../templates/portal_spot_checks.html")),
    ("progress_retry.html", include_str!("../../templates/progress_retry.html")),
];

/// Every template of the UI and the portal, compiled once.
pub(crate) static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // Printing or looping over a missing value is a template bug; `{% if x %}` stays allowed.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    for (name, source) in TEMPLATES_SOURCES {
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "template does not compile");
        }
    }
    env
});

/// Fields every staff page's layout reads.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Chrome {
    /// Which navigation item is current: `home`, `ledger`, `dashboard` or `documents`.
    pub nav: &'static str,
    /// The page's own title, before the system name.
    pub title: String,
    /// Breadcrumb links above the title; the current page is the last entry, without href.
    pub crumbs: Vec<Crumb>,
    /// Where 整改台账 and 统计分析 lead: the inspection in view, else the latest one.
    pub inspection_id: Option<i64>,
    pub csrf: String,
    /// The date lights are computed for, in Chinese.
    pub today: String,
    pub asset_version: &'static str,
    /// Who is signed in (`None` on the sign-in page and for visitors).
    #[serde(skip)]
    pub viewer: Option<Viewer>,
    /// The navigation's count of feedback awaiting an answer (`None`: no 群众意见 link).
    #[serde(skip)]
    pub feedback_nav: Option<usize>,
    /// The signed-in account's unread notifications (`None`: no 消息 link).
    #[serde(skip)]
    pub unread: Option<u64>,
}

impl Chrome {
    /// The layout of a page outside any feature's navigation (errors, sign-in).
    pub(crate) fn bare(title: &str, principal: Option<&Principal>) -> Chrome {
        Chrome {
            nav: "",
            title: title.to_owned(),
            crumbs: vec![Crumb::link("首页", "/"), Crumb::here(title)],
            inspection_id: None,
            csrf: String::new(),
            today: String::new(),
            asset_version: assets::version(),
            viewer: principal.map(Viewer::of),
            feedback_nav: None,
            unread: None,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

impl Crumb {
    pub(crate) fn link(label: impl Into<String>, href: impl Into<String>) -> Self {
        Crumb { label: label.into(), href: Some(href.into()) }
    }

    pub(crate) fn here(label: impl Into<String>) -> Self {
        Crumb { label: label.into(), href: None }
    }

    /// The trail of a page under round `id`: 首页 › 巡察轮次 › the round › `then`….
    pub(crate) fn under_round(id: i64, name: impl Into<String>, then: impl IntoIterator<Item = Crumb>) -> Vec<Crumb> {
        let mut trail = vec![
            Crumb::link("首页", "/"),
            Crumb::link("巡察轮次", "/rounds"),
            Crumb::link(name, format!("/rounds/{id}")),
        ];
        trail.extend(then);
        trail
    }
}

/// Who is signed in, for the layout's navigation and account menu.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Viewer {
    pub name: String,
    pub roles: String,
    pub can_read: bool,
    pub can_documents: bool,
    pub can_inbox: bool,
    pub can_audit: bool,
    /// 系统管理员: accounts.
    pub can_manage_users: bool,
    pub can_manage_settings: bool,
    /// 安全管理员: roles and the security policy.
    pub can_manage_roles: bool,
    pub can_manage_policy: bool,
    /// 巡察办: draws look-back samples and reopens closed problems (反弹重办).
    pub can_look_back: bool,
    /// 双随机抽查: reads or manages a unit's spot checks.
    pub can_spot_check: bool,
    /// 巡察办: creates an inspection for a unit in the browser.
    pub can_create_inspection: bool,
    /// Must change the password or enrol TOTP first: the navigation is hidden.
    pub restricted: bool,
}

impl Viewer {
    pub(crate) fn of(p: &Principal) -> Viewer {
        Viewer {
            name: p.user.display_name.clone(),
            roles: p.roles().iter().map(|r| r.label_zh()).collect::<Vec<_>>().join("、"),
            can_read: p.may(READ),
            can_documents: p.may(DOCUMENTS),
            can_inbox: p.may(REVIEW),
            can_audit: p.may(&[Permission::ReadAuditTrail]),
            can_manage_users: p.may(&[Permission::ManageUsers]),
            can_manage_settings: p.may(&[Permission::ManageSettings]),
            can_manage_roles: p.may(&[Permission::ManageRoles]),
            can_manage_policy: p.may(&[Permission::ManageSecurityPolicy]),
            can_look_back: p.may(&[Permission::RunLookBack]),
            can_spot_check: p.may(crate::service::spot_checks::READ),
            can_create_inspection: crate::service::editing::may_create(p),
            restricted: p.restriction.is_some(),
        }
    }
}

/// A serialisable value as a template value.
pub(crate) fn ser<T: serde::Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

/// Renders staff template `name` with the layout fields and `page`.
/// JSON to place inside a `<script>` element: every `<`, `>` and `&` written as a JSON escape
/// (`\u003c`…), which only strings can hold and which JSON reads back as the same text, so that
/// no `</script`, `<!--` or `<script` inside the data can end or change the script element
/// (HTML's script data states).
pub(crate) fn script_json(value: &impl serde::Serialize) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "{}".into());
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            _ => out.push(c),
        }
    }
    out
}

pub(crate) fn render(name: &str, chrome: &Chrome, page: Value) -> Result<Html<String>, AppError> {
    let template = TEMPLATES.get_template(name)?;
    let html = template.render(context! {
        chrome => ser(chrome),
        viewer => ser(&chrome.viewer),
        feedback_nav => chrome.feedback_nav,
        unread => chrome.unread,
        ..page
    })?;
    Ok(Html(html))
}

/// What the portal's layout reads.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Site {
    /// `reports`, `lookup`, `spot_checks` or empty.
    nav: &'static str,
    title: String,
    asset_version: &'static str,
}

/// The portal's layout fields of a page.
pub(crate) fn site(nav: &'static str, title: impl Into<String>) -> Site {
    Site { nav, title: title.into(), asset_version: assets::version() }
}

/// Renders portal template `name` (its context carries `site`).
pub(crate) fn render_public(name: &str, page: Value) -> Result<Html<String>, AppError> {
    Ok(Html(TEMPLATES.get_template(name)?.render(page)?))
}

/// The staff error page's HTML, for `principal` (the layout shows who is signed in).
pub(crate) fn error_page(principal: Option<&Principal>, heading: &str, message: &str) -> Html<String> {
    let chrome = Chrome::bare(heading, principal);
    match render("error.html", &chrome, context! { heading, message }) {
        Ok(html) => html,
        Err(e) => {
            tracing::error!(error = %e, "error page could not be rendered");
            Html(format!("{}：{}", format::escape(heading), format::escape(message)))
        }
    }
}

/// The portal's error page HTML.
pub(crate) fn public_error_page(heading: &str, message: &str) -> Html<String> {
    match render_public("portal_error.html", context! { site => ser(site("", heading)), heading, message }) {
        Ok(html) => html,
        Err(e) => {
            tracing::error!(error = %e, "portal error page could not be rendered");
            Html(format!("{}：{}", format::escape(heading), format::escape(message)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES_SOURCES {
            env.add_template(name, source).unwrap_or_else(|e| panic!("{name}: {e:#}"));
        }
    }

    #[test]
    fn templates_escape_html() {
        let chrome = Chrome {
            nav: "home",
            title: "<b>x</b>".into(),
            crumbs: vec![Crumb::here("<i>")],
            inspection_id: None,
            csrf: String::new(),
            today: String::new(),
            asset_version: "1",
            viewer: None,
            feedback_nav: None,
            unread: None,
        };
        let html = render("error.html", &chrome, context! { heading => "<script>", message => "a&b", status => 404 })
            .unwrap()
            .0;
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;") && html.contains("a&amp;b"));
        assert!(!html.contains("<b>x</b>") && !html.contains("<i>"));
    }
}

#[cfg(test)]
mod script_json_tests {
    use super::script_json;

    #[test]
    fn script_json_hides_every_markup_start_and_reads_back() {
        let data = serde_json::json!({ "name": "a</script><!--<script>x&y-->" });
        let text = script_json(&data);
        for bad in ["<", ">", "&"] {
            assert!(!text.contains(bad), "{text}");
        }
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), data);
    }
}
