//! The readable outline printed by `rectify parse FILE`.

use std::fmt::Write;

use rectify_domain::{Status, WanYuan};

use crate::{ClaimedFigure, Parsed};

fn or_unknown(v: Option<impl ToString>) -> String {
    v.map_or_else(|| "（未识别）".to_string(), |v| v.to_string())
}

fn status_zh(s: Status) -> &'static str {
    match s {
        Status::Completed => "已完成",
        Status::InProgress => "正在整改",
        Status::LongTerm => "长期坚持",
        Status::Unknown => "状态未注明",
        other => other.label_zh(),
    }
}

fn amounts(list: &[WanYuan]) -> String {
    list.iter().map(ToString::to_string).collect::<Vec<_>>().join("、")
}

/// A Chinese outline of what was read: title, unit, date, inspection, claimed figures, aspects
/// → problems [status] → numbered measures with their dates, amounts and documents, contacts.
pub fn outline(parsed: &Parsed) -> String {
    let l = &parsed.ledger;
    let mut out = String::new();
    let _ = writeln!(out, "标题：{}", or_unknown(l.title.as_deref()));
    let _ = writeln!(out, "单位：{}", or_unknown(l.unit.as_deref()));
    let _ = writeln!(out, "日期：{}", or_unknown(l.report_date.map(|d| d.to_chinese())));
    let i = &l.inspection;
    let _ = writeln!(
        out,
        "巡察：{}；进驻 {} 至 {}；反馈 {}",
        or_unknown(i.inspector.as_deref()),
        or_unknown(i.start.map(|d| d.to_chinese())),
        or_unknown(i.end.map(|d| d.to_chinese())),
        or_unknown(i.feedback_date.map(|d| d.to_chinese())),
    );

    let c = &l.claimed;
    let mut figures = Vec::new();
    let counts = [
        ("方面", c.aspects),
        ("问题", c.problems),
        ("措施", c.measures),
        ("已完成", c.completed),
        ("正在整改", c.in_progress),
        ("制度", c.rules_made_or_revised),
    ];
    for (name, v) in counts {
        if let Some(v) = v {
            figures.push(format!("{name}{v}"));
        }
    }
    if let Some(r) = c.completion_rate_percent {
        figures.push(format!("完成率{r}%"));
    }
    if let Some(f) = c.funds_recovered_wan_yuan {
        figures.push(format!("资金{f}"));
    }
    for (kind, n) in &c.accountability.0 {
        figures.push(format!("{kind}{n}人"));
    }
    let _ = writeln!(out, "通报所称：{}", if figures.is_empty() { "（无）".to_string() } else { figures.join("，") });

    let other: Vec<String> = parsed
        .spans
        .claimed
        .iter()
        .filter(|c| matches!(c.figure, ClaimedFigure::Categories | ClaimedFigure::SubProblems | ClaimedFigure::Tasks))
        .map(|c| c.excerpt.clone())
        .collect();
    if !other.is_empty() {
        let _ = writeln!(out, "其他粒度（台账无此字段）：{}", other.join("，"));
    }

    let _ = writeln!(out, "体裁：{}", parsed.genre.label_zh());
    let _ = writeln!(out, "识读说明：");
    for n in &parsed.notes {
        let line = n.line.map_or(String::new(), |l| format!("[第{l}行] "));
        let _ = writeln!(out, "  {}（把握{}）：{line}{}", n.topic.label_zh(), n.confidence.label_zh(), n.message);
    }

    let problems: usize = l.aspects.iter().map(|a| a.problems.len()).sum();
    let measures: usize = l.measures().count();
    let _ = writeln!(out, "识别：{}个方面，{}个问题，{}条措施", l.aspects.len(), problems, measures);

    for (ai, a) in l.aspects.iter().enumerate() {
        let _ = writeln!(out);
        let heading = match (&a.number, &a.title) {
            (Some(n), Some(t)) => format!("（{n}）{t}"),
            (None, Some(t)) => t.clone(),
            (Some(n), None) => format!("（{n}）"),
            (None, None) => "（未分方面）".to_string(),
        };
        let line = parsed.spans.aspects.get(ai).and_then(|s| s.line);
        let _ = writeln!(out, "{heading}{}", line.map_or(String::new(), |l| format!("  [第{l}行]")));
        for (pi, p) in a.problems.iter().enumerate() {
            let span = parsed.spans.aspects.get(ai).and_then(|s| s.problems.get(pi));
            let number = p.number.as_deref().map_or(String::new(), |n| format!("{n}. "));
            let extra = span
                .filter(|s| !s.title_amounts_wan_yuan.is_empty())
                .map_or(String::new(), |s| format!("（金额 {}）", amounts(&s.title_amounts_wan_yuan)));
            let line = span.map_or(String::new(), |s| format!("  [第{}行]", s.line));
            let _ = writeln!(out, "  {number}{} [{}]{extra}{line}", p.title, status_zh(p.status));
            for (mi, m) in p.measures.iter().enumerate() {
                let mut text: String = m.text.chars().take(60).collect();
                if m.text.chars().count() > 60 {
                    text.push('…');
                }
                let _ = writeln!(out, "    {}. {text}", mi + 1);
                let mut facts = Vec::new();
                if !m.dates.is_empty() {
                    let d: Vec<String> = m.dates.iter().map(ToString::to_string).collect();
                    facts.push(format!("日期 {}", d.join("、")));
                }
                if !m.amounts_wan_yuan.is_empty() {
                    facts.push(format!("金额 {}", amounts(&m.amounts_wan_yuan)));
                }
                if !m.documents.is_empty() {
                    facts.push(format!("文件 {}", m.documents.join("")));
                }
                if !facts.is_empty() {
                    let _ = writeln!(out, "       {}", facts.join("；"));
                }
            }
        }
    }

    let ct = &l.contacts;
    let _ = writeln!(out);
    let _ = writeln!(out, "联系方式：");
    let rows = [("电话", &ct.phones), ("邮箱", &ct.emails), ("地址", &ct.addresses), ("邮编", &ct.postcodes)];
    for (name, list) in rows {
        if !list.is_empty() {
            let _ = writeln!(out, "  {name}：{}", list.join("，"));
        }
    }
    out
}
