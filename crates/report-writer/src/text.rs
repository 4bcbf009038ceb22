//! The generated sentences of the report. Each one is assembled only from what the ledger knows:
//! a clause whose fact is missing is dropped, never printed with a blank.

use rectify_domain::{FundKind, Ledger, Member, PartialDate, Statistics};

use crate::numbering;
use crate::{Audience, ReportOptions};

/// The word for the kind of inspection the ledger records (巡察 unless it says 巡视, 审计 or
/// 专项检查).
pub(crate) fn kind_word(ledger: &Ledger) -> &'static str {
    ledger.inspection.kind.unwrap_or_default().as_str()
}

/// `2022年7月4日至9月20日`: the year is not repeated when both ends share it.
pub(crate) fn date_range(start: &PartialDate, end: &PartialDate) -> String {
    let from = start.to_chinese();
    let to = end.to_chinese();
    let same_year = start.year_number() == end.year_number() && !matches!(end, PartialDate::Year(_));
    let to = if same_year { to.split_once('年').map_or(to.clone(), |(_, rest)| rest.to_string()) } else { to };
    format!("{from}至{to}")
}

/// The opening paragraph: who inspected whom and when, when the feedback came, and why the
/// report is published.
pub(crate) fn opening(ledger: &Ledger, audience: Audience) -> String {
    let kind = kind_word(ledger);
    let insp = &ledger.inspection;
    let mut out = String::new();
    if let Some(round) = non_blank(insp.round.as_deref()) {
        // A round named 第五轮巡察 is not followed by 巡察 again.
        let kind_after = if round.ends_with(kind) { "" } else { kind };
        out.push_str(&format!("按照{round}{kind_after}工作安排，"));
    }
    let period = match (&insp.start, &insp.end) {
        (Some(s), Some(e)) => Some(format!("于{}", date_range(s, e))),
        (Some(s), None) => Some(format!("自{}起", s.to_chinese())),
        _ => None,
    };
    // The feedback document is cited in brackets after the feedback it names.
    let feedback_document =
        non_blank(insp.feedback_document.as_deref()).map(|d| format!("（{}）", book_title(d))).unwrap_or_default();
    let inspector = non_blank(insp.inspector.as_deref());
    if inspector.is_some() || period.is_some() {
        let who = inspector.map_or_else(|| format!("{kind}组"), str::to_string);
        let whom = non_blank(ledger.unit.as_deref()).unwrap_or("我单位");
        // A feedback document addressed to the unit under a former name says so, so the one
        // sentence does not seem to name two units (局党组 here, 委员会党组 in the title).
        let former =
            ledger.organisation.former_names.iter().map(|f| f.name.as_str()).find(|name| {
                insp.feedback_document.as_deref().is_some_and(|d| d.contains(name)) && !whom.contains(name)
            });
        let whom = match former {
            Some(name) => format!("{whom}（原{name}）"),
            None => whom.to_owned(),
        };
        out.push_str(&format!("{who}{}对{whom}进行了{kind}", period.unwrap_or_default()));
        if let Some(fb) = &insp.feedback_date {
            out.push_str(&format!("，并于{}反馈了{kind}意见", fb.to_chinese()));
            out.push_str(&feedback_document);
        }
        out.push('。');
    } else if let Some(fb) = &insp.feedback_date {
        out.push_str(&format!("{}，{kind}组反馈了{kind}意见{feedback_document}。", fb.to_chinese()));
    }
    match audience {
        Audience::Public => {
            out.push_str(&format!("根据党务公开原则和{kind}工作有关要求，现将{kind}整改进展情况予以公布。"))
        }
        Audience::Internal => out.push_str(&format!("现将{kind}整改进展情况通报如下。")),
    }
    out
}

/// How the unit organised the work: leading group, work team, liaison and meetings. `None`
/// when the ledger records none of them.
pub(crate) fn organisation(ledger: &Ledger, audience: Audience) -> Option<String> {
    let kind = kind_word(ledger);
    let org = &ledger.organisation;
    let mut clauses = Vec::new();
    if !org.leading_group.is_empty() {
        clauses.push(format!("成立{kind}整改工作领导小组，{}", members(&org.leading_group, audience)));
    }
    if !org.work_team.is_empty() {
        clauses.push(format!("成立整改工作专班，{}", members(&org.work_team, audience)));
    }
    // A liaison already listed in the work team is not announced twice.
    let liaison_in_team = |name: &str| org.work_team.iter().any(|m| m.name.as_str() == name);
    if let Some(liaison) = non_blank(org.liaison.as_deref()).filter(|l| !liaison_in_team(l)) {
        clauses.push(match audience {
            Audience::Public => "明确联络员".to_string(),
            Audience::Internal => format!("明确联络员{liaison}"),
        });
    }
    let meetings = meetings(ledger);
    if !meetings.is_empty() {
        clauses.push(meetings);
    }
    if clauses.is_empty() {
        return None;
    }
    Some(format!("{kind}反馈后，{}。", clauses.join("；")))
}

/// Members grouped by role in order of appearance. Public: `设组长1名、副组长2名`; internal:
/// `组长张三，副组长李四、王五`.
fn members(list: &[Member], audience: Audience) -> String {
    let mut roles: Vec<(&str, Vec<&str>)> = Vec::new();
    for m in list {
        match roles.iter_mut().find(|(r, _)| *r == m.role.as_str()) {
            Some((_, names)) => names.push(m.name.as_str()),
            None => roles.push((m.role.as_str(), vec![m.name.as_str()])),
        }
    }
    match audience {
        Audience::Public => {
            let parts: Vec<String> = roles.iter().map(|(r, n)| format!("{r}{}名", n.len())).collect();
            format!("设{}", parts.join("、"))
        }
        Audience::Internal => {
            let parts: Vec<String> = roles.iter().map(|(r, n)| format!("{r}{}", n.join("、"))).collect();
            parts.join("，")
        }
    }
}

/// `2023年3月10日召开专题民主生活会，召开党组会3次（…）`.
fn meetings(ledger: &Ledger) -> String {
    let mut kinds: Vec<(&str, Vec<Option<PartialDate>>)> = Vec::new();
    for m in &ledger.outcomes.meetings {
        match kinds.iter_mut().find(|(k, _)| *k == m.kind.as_str()) {
            Some((_, dates)) => dates.push(m.date),
            None => kinds.push((m.kind.as_str(), vec![m.date])),
        }
    }
    let parts: Vec<String> = kinds
        .iter()
        .map(|(kind, dates)| match dates.as_slice() {
            [Some(d)] => format!("{}召开{kind}", d.to_chinese()),
            [None] => format!("召开{kind}"),
            _ => {
                let mut known: Vec<PartialDate> = dates.iter().flatten().copied().collect();
                known.sort();
                let when = if known.is_empty() { String::new() } else { format!("（{}）", date_list(&known)) };
                format!("召开{kind}{}次{when}", dates.len())
            }
        })
        .collect();
    parts.join("，")
}

/// `2023年6月25日、8月15日、2024年1月5日`: a year is written only when it changes.
fn date_list(dates: &[PartialDate]) -> String {
    let mut year = None;
    let parts: Vec<String> = dates
        .iter()
        .map(|d| {
            let full = d.to_chinese();
            let short = match d {
                PartialDate::Year(_) => None,
                _ if year == Some(d.year_number()) => full.split_once('年').map(|(_, rest)| rest.to_string()),
                _ => None,
            };
            year = Some(d.year_number());
            short.unwrap_or(full)
        })
        .collect();
    parts.join("、")
}

/// The headline figures in one sentence, e.g. `截至2024年7月23日，巡察反馈的4个方面30个问题中，
/// 已完成整改19个，正在整改11个，整改完成率63.33%（19/30）；细化整改措施119条；…`.
///
/// `None` when the ledger holds no figure at all.
pub fn statistics_sentence(ledger: &Ledger, opts: &ReportOptions) -> Option<String> {
    let stats = ledger.statistics();
    let kind = kind_word(ledger);
    let mut clauses: Vec<String> = Vec::new();
    // Without statuses the problem clause is only a scope ("针对…个问题") that reads on into the
    // next clause with a comma.
    let mut scope_only = false;
    if let Some((problems, has_status)) = problem_clause(ledger, &stats, kind) {
        clauses.push(problems);
        scope_only = !has_status;
    }
    let measures = if stats.measures_total > 0 { Some(stats.measures_total) } else { ledger.claimed.measures };
    if let Some(n) = measures.filter(|&n| n > 0) {
        let mut clause = format!("细化整改措施{n}条");
        if stats.measures_completed > 0 {
            clause.push_str(&format!("，已完成{}条", stats.measures_completed));
        }
        clauses.push(clause);
    }
    if let Some(rules) = rules_clause(&stats) {
        clauses.push(rules);
    }
    let funds: Vec<String> = stats
        .funds
        .iter()
        .filter(|f| f.amount.fen() > 0)
        .map(|f| format!("{}{}", fund_label(f.kind), f.amount))
        .collect();
    if !funds.is_empty() {
        clauses.push(funds.join("、"));
    }
    if let Some(acc) = accountability_clause(ledger, &stats, opts) {
        clauses.push(acc);
    }
    if clauses.is_empty() {
        return None;
    }
    let lead = ledger.report_date.map(|d| format!("截至{}，", d.to_chinese())).unwrap_or_default();
    let body = match clauses.split_first() {
        Some((scope, rest)) if scope_only && !rest.is_empty() => format!("{scope}，{}", rest.join("；")),
        _ => clauses.join("；"),
    };
    Some(format!("{lead}{body}。"))
}

/// The problem counts and whether they include statuses.
fn problem_clause(ledger: &Ledger, stats: &Statistics, kind: &str) -> Option<(String, bool)> {
    let counts = &stats.problems;
    let total = if counts.total > 0 { counts.total } else { ledger.claimed.problems? };
    if total == 0 {
        return None;
    }
    let titled = ledger.aspects.iter().any(|a| a.title.is_some());
    let aspects = if titled && stats.aspects > 0 { Some(stats.aspects) } else { ledger.claimed.aspects };
    let scope = match aspects.filter(|&a| a > 0) {
        Some(a) => format!("{kind}反馈的{a}个方面{total}个问题"),
        None => format!("{kind}反馈的{total}个问题"),
    };
    // A ledger that only lists problems (a parsed report) knows no status: say nothing about
    // completion rather than print a false 0%.
    if counts.total == 0 || counts.unknown == counts.total {
        return Some((format!("针对{scope}"), false));
    }
    let mut parts = vec![format!("已完成整改{}个", counts.completed)];
    let others = [
        ("正在整改", counts.still_in_progress()),
        ("长期坚持", counts.long_term),
        ("延期整改", counts.extended),
        ("未完成", counts.not_done),
        ("整改状态待核实", counts.unknown),
    ];
    parts.extend(others.iter().filter(|(_, n)| *n > 0).map(|(label, n)| format!("{label}{n}个")));
    if let Some(p) = stats.completion.percent(ledger.policy.rate_decimals) {
        parts.push(format!("整改完成率{p}%（{}/{}）", stats.completion.numerator, stats.completion.denominator));
    }
    Some((format!("{scope}中，{}", parts.join("，")), true))
}

fn rules_clause(stats: &Statistics) -> Option<String> {
    match (stats.rules_made, stats.rules_revised) {
        (0, 0) => None,
        (made, 0) => Some(format!("新制定制度{made}项")),
        (0, revised) => Some(format!("修订完善制度{revised}项")),
        (made, revised) => Some(format!("制定修订制度{}项（新制定{made}项、修订完善{revised}项）", made + revised)),
    }
}

pub(crate) fn fund_label(kind: FundKind) -> &'static str {
    match kind {
        FundKind::Refunded => "清退资金",
        FundKind::Recovered => "追缴资金",
        FundKind::LossesAvoided => "挽回经济损失",
    }
}

/// `对相关责任人通报批评3人、批评教育17人、诫勉0人`. People and person-times stay apart.
fn accountability_clause(ledger: &Ledger, stats: &Statistics, opts: &ReportOptions) -> Option<String> {
    let mut items: Vec<String> = Vec::new();
    let fixed = opts.fixed_accountability_kinds.as_deref().unwrap_or_default();
    let mut push_kind = |kind: &str, zero_allowed: bool| {
        let total = stats.accountability.iter().find(|t| t.kind == kind);
        let (persons, times) = total.map_or((0, 0), |t| (t.persons, t.person_times));
        let names = match opts.audience {
            Audience::Internal => persons_of(ledger, kind),
            Audience::Public => String::new(),
        };
        if persons > 0 || (times == 0 && zero_allowed) {
            items.push(format!("{kind}{persons}人{names}"));
        }
        if times > 0 {
            let names = if persons > 0 { String::new() } else { names };
            items.push(format!("{kind}{times}人次{names}"));
        }
    };
    for kind in fixed {
        push_kind(kind, true);
    }
    for t in &stats.accountability {
        if !fixed.contains(&t.kind) {
            push_kind(&t.kind, false);
        }
    }
    (!items.is_empty()).then(|| format!("对相关责任人{}", items.join("、")))
}

/// `（张三、李四）` — internal version only.
fn persons_of(ledger: &Ledger, kind: &str) -> String {
    let names: Vec<&str> = ledger
        .outcomes
        .accountability
        .iter()
        .filter(|a| a.kind.as_str() == kind)
        .flat_map(|a| a.persons.iter().map(String::as_str))
        .filter(|n| !n.trim().is_empty())
        .collect();
    if names.is_empty() { String::new() } else { format!("（{}）", names.join("、")) }
}

/// Part 三 when the unit gave no text: commitments tied to the ledger's own figures.
pub(crate) fn default_next_steps(ledger: &Ledger) -> Vec<String> {
    let stats = ledger.statistics();
    let kind = kind_word(ledger);
    let c = &stats.problems;
    let mut items: Vec<(String, String)> = Vec::new();
    let open = c.still_in_progress() + c.extended + c.not_done;
    if open > 0 {
        items.push((
            "抓好后续整改".into(),
            format!("对尚未完成整改的{open}个问题，严格按照整改方案和时间节点持续推进，确保整改到位。"),
        ));
    }
    if c.long_term > 0 {
        items.push((
            "坚持长期整改".into(),
            format!("对需要长期坚持的{}个问题，持续跟踪推进，定期检查整改成效。", c.long_term),
        ));
    }
    if c.completed > 0 {
        items.push((
            "巩固整改成果".into(),
            format!("对已完成整改的{}个问题，适时开展“回头看”，防止问题反弹回潮。", c.completed),
        ));
    }
    if stats.rules_total() > 0 {
        items.push((
            "健全长效机制".into(),
            format!("抓好已制定修订的{}项制度的执行，推动整改成果转化为长效机制。", stats.rules_total()),
        ));
    }
    if items.is_empty() {
        items.push(("深化成果运用".into(), format!("持续巩固深化{kind}整改成果，以整改促进各项工作。")));
    }
    items.into_iter().zip(1..).map(|((head, body), n)| format!("{}{head}。{body}", numbering::level2(n))).collect()
}

/// The public feedback channels, one line each; empty when the ledger has none.
pub(crate) fn contacts(ledger: &Ledger) -> Vec<String> {
    let c = &ledger.contacts;
    let kind = kind_word(ledger);
    let mut lines = Vec::new();
    let join = |v: &[String], sep: &str| -> Option<String> {
        let kept: Vec<&str> = v.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
        (!kept.is_empty()).then(|| kept.join(sep))
    };
    let fields = [
        ("联系电话", join(&c.phones, "、")),
        ("电子邮箱", join(&c.emails, "、")),
        ("通讯地址", join(&c.addresses, "；")),
        ("邮政编码", join(&c.postcodes, "、")),
    ];
    for (label, value) in fields {
        if let Some(v) = value {
            lines.push(format!("{label}：{v}"));
        }
    }
    if !lines.is_empty() {
        lines.insert(0, format!("欢迎广大干部群众对{kind}整改落实情况进行监督。如有意见建议，请通过以下方式反映。"));
    }
    lines
}

/// `《名称》`, adding the marks when the ledger stored a bare name.
pub(crate) fn book_title(name: &str) -> String {
    let t = name.trim();
    if t.starts_with('《') { t.to_string() } else { format!("《{t}》") }
}

pub(crate) fn non_blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_named_with_its_kind_does_not_repeat_it() {
        let mut ledger = Ledger::from_json(
            r#"{"title":null,"unit":"某局党组","report_date":null,
                "inspection":{"inspector":null,"start":null,"end":null,"feedback_date":null},
                "claimed":{"aspects":null,"problems":null,"measures":null,"completed":null,"in_progress":null,
                  "completion_rate_percent":null,"rules_made_or_revised":null,"funds_recovered_wan_yuan":null,
                  "accountability":{}},
                "aspects":[],"named_documents":[],
                "contacts":{"phones":[],"emails":[],"addresses":[],"postcodes":[]}}"#,
        )
        .unwrap();
        ledger.inspection.round = Some("区委第五轮巡察".into());
        assert!(opening(&ledger, Audience::Public).starts_with("按照区委第五轮巡察工作安排，"));
        ledger.inspection.round = Some("区委第五轮".into());
        assert!(opening(&ledger, Audience::Public).starts_with("按照区委第五轮巡察工作安排，"));
    }

    /// Issue 12: the sentence named the unit as 局党组 and, in the cited title, 委员会党组.
    #[test]
    fn a_feedback_document_to_a_former_name_is_explained_in_the_same_sentence() {
        let mut ledger = Ledger::from_json(
            r#"{"title":null,"unit":"中共某市住房和城乡建设局党组","report_date":null,
                "inspection":{"inspector":"市委第三巡察组","start":"2024-03","end":"2024-05","feedback_date":"2024-06"},
                "claimed":{"aspects":null,"problems":null,"measures":null,"completed":null,"in_progress":null,
                  "completion_rate_percent":null,"rules_made_or_revised":null,"funds_recovered_wan_yuan":null,
                  "accountability":{}},
                "aspects":[],"named_documents":[],
                "contacts":{"phones":[],"emails":[],"addresses":[],"postcodes":[]},
                "organisation":{"former_names":[{"name":"某市住房和城乡建设委员会党组","until":"2024-01"}]}}"#,
        )
        .unwrap();
        ledger.inspection.feedback_document = Some("关于对某市住房和城乡建设委员会党组巡察情况的反馈意见".into());
        let text = opening(&ledger, Audience::Public);
        assert!(text.contains("对中共某市住房和城乡建设局党组（原某市住房和城乡建设委员会党组）进行了巡察"), "{text}");
        // A title naming the unit as it is now needs no note.
        ledger.inspection.feedback_document = Some("关于对中共某市住房和城乡建设局党组巡察情况的反馈意见".into());
        let text = opening(&ledger, Audience::Public);
        assert!(text.contains("对中共某市住房和城乡建设局党组进行了巡察") && !text.contains("（原"), "{text}");
    }
}
