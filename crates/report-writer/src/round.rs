//! The aggregate report of a round (轮次整改情况汇总报告), written from the round's figures as
//! the storage counted them: totals, outcomes, the units furthest behind. The wording follows
//! the kind of inspection and never says it twice after a round name that ends with it.

use rectify_domain::{PartialDate, Rate, RoundReport};

use crate::docx::blocks_to_docx;
use crate::html::blocks_to_html;
use crate::markdown::blocks_to_markdown;
use crate::numbering;
use crate::text::fund_label;
use crate::{Block, WriteError};

/// How many of the units furthest behind the report names.
pub const BEHIND_LISTED: usize = 10;

/// The aggregate report as Markdown.
pub fn render_round_markdown(report: &RoundReport) -> String {
    blocks_to_markdown(&round_blocks(report))
}

/// The aggregate report as one self-contained HTML page.
pub fn render_round_html(report: &RoundReport) -> String {
    blocks_to_html(&round_blocks(report))
}

/// The aggregate report as a GB/T 9704 .docx, laid out like the unit's report.
pub fn render_round_docx(report: &RoundReport) -> Result<Vec<u8>, WriteError> {
    blocks_to_docx(&round_blocks(report))
}

fn percent(rate: Rate) -> Option<String> {
    rate.percent(2).map(|p| format!("{p}%"))
}

/// Title, 一、the totals, 二、the outcomes, 三、the units furthest behind (when any), the next
/// steps, the office and the day the figures were counted.
pub fn round_blocks(report: &RoundReport) -> Vec<Block> {
    let kind = report.kind.as_str();
    let round = report.kind.after(&report.name);
    let mut blocks = vec![Block::Title(format!("关于{round}整改情况的报告"))];
    let mut part = 0;
    let mut heading = |title: &str| {
        part += 1;
        Block::Heading1(format!("{}{title}", numbering::level1(part)))
    };

    blocks.push(heading("整改总体情况"));
    blocks.push(Block::Paragraph(totals_sentence(report)));
    if let Some(units) = units_sentence(report) {
        blocks.push(Block::Paragraph(units));
    }

    blocks.push(heading("整改成效"));
    let outcomes = outcome_sentences(report);
    if outcomes.is_empty() {
        blocks.push(Block::Paragraph("各单位整改台账尚未记录制度建设、资金、问责和会议等整改成效。".to_string()));
    }
    blocks.extend(outcomes.into_iter().map(Block::Paragraph));

    let behind = report.furthest_behind(BEHIND_LISTED);
    if !behind.is_empty() {
        blocks.push(heading("整改进度滞后的单位"));
        let lead = if behind.len() < BEHIND_LISTED {
            format!("以下{}家单位尚未完成全部整改或有整改措施超期，按完成率由低到高排列：", behind.len())
        } else {
            format!("整改进度滞后的前{}家单位（按完成率由低到高排列）：", behind.len())
        };
        blocks.push(Block::Paragraph(lead));
        for (i, u) in behind.iter().enumerate() {
            let mut line = format!(
                "{}{}：反馈问题{}个，已完成整改{}个",
                numbering::level3(i as u32 + 1),
                u.unit,
                u.problems,
                u.closed
            );
            if let Some(p) = percent(u.rate()) {
                line.push_str(&format!("，完成率{p}"));
            }
            if u.overdue_measures > 0 {
                line.push_str(&format!("，超期未完成整改措施{}项", u.overdue_measures));
            }
            line.push('。');
            blocks.push(Block::Paragraph(line));
        }
    }

    blocks.push(heading("下一步工作"));
    blocks.push(Block::Paragraph(format!(
        "持续跟踪各单位整改进展，对整改进度滞后、整改措施超期的单位加强督促指导，对敷衍整改、虚假整改的严肃追责问责，\
         推动{kind}反馈问题全部整改到位，巩固深化{kind}整改成果。"
    )));
    if let Some(office) = report.kind.office() {
        blocks.push(Block::Signature(office));
    }
    blocks.push(Block::Date(PartialDate::from(report.as_of).to_chinese()));
    blocks
}

/// `根据区委巡察工作领导小组统一部署，区委第三轮巡察于2024年3月4日至5月20日共对12家单位开展巡察，
/// 2024年7月15日反馈问题156个。截至…，已完成整改150个，…` — the committee and the dates
/// only when the round's record holds them.
fn totals_sentence(report: &RoundReport) -> String {
    let kind = report.kind.as_str();
    let round = report.kind.after(&report.name);
    let details = &report.details;
    let (problems, closed) = (report.problems(), report.closed());
    let mut out = String::new();
    if let Some(committee) = details.committee() {
        out.push_str(&format!("根据{committee}统一部署，"));
    }
    out.push_str(&round);
    match (details.start(), details.end()) {
        (Some(start), Some(end)) => out.push_str(&format!("于{}至{}", start.to_chinese(), within_year(start, end))),
        (Some(start), None) => out.push_str(&format!("自{}起", start.to_chinese())),
        _ => {}
    }
    out.push_str(&format!("共对{}家单位开展{kind}", report.units.len()));
    if problems == 0 {
        out.push_str("，各单位台账尚未记入反馈问题。");
        return out;
    }
    let fed_back = details.feedback_date().map(|d| d.to_chinese()).unwrap_or_default();
    out.push_str(&format!(
        "，{fed_back}反馈问题{problems}个。截至{}，已完成整改{closed}个",
        PartialDate::from(report.as_of).to_chinese()
    ));
    let open = problems.saturating_sub(closed);
    if open > 0 {
        out.push_str(&format!("，尚未完成{open}个"));
    }
    if let Some(p) = percent(report.rate()) {
        out.push_str(&format!("，整改完成率{p}（{closed}/{problems}）"));
    }
    out.push('。');
    out
}

/// The end of a span in Chinese, without its year when the span starts in the same year
/// (2024年3月4日至5月20日), as official documents write it.
fn within_year(start: PartialDate, end: PartialDate) -> String {
    let text = end.to_chinese();
    let year = format!("{}年", start.year_number());
    match text.strip_prefix(&year) {
        Some(rest) if start.year_number() == end.year_number() && !rest.is_empty() => rest.to_string(),
        _ => text,
    }
}

/// How many units are done, and how many have measures past their deadline.
fn units_sentence(report: &RoundReport) -> Option<String> {
    if report.units.is_empty() {
        return None;
    }
    let done = report.units.iter().filter(|u| u.problems > 0 && u.closed >= u.problems).count();
    let late = report.units.iter().filter(|u| u.overdue_measures > 0).count();
    let mut out = format!("其中，已全部完成整改的单位{done}家");
    if late > 0 {
        out.push_str(&format!("；有整改措施超期未完成的单位{late}家，超期措施共{}项", report.overdue_measures()));
    }
    out.push('。');
    Some(out)
}

/// Rules, funds, accountability and meetings, each a sentence when the ledgers record any.
fn outcome_sentences(report: &RoundReport) -> Vec<String> {
    let mut out = Vec::new();
    let rules = report.rules_made + report.rules_revised;
    if rules > 0 {
        let parts: Vec<String> = [("新建", report.rules_made), ("修订", report.rules_revised)]
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(label, n)| format!("{label}{n}项"))
            .collect();
        out.push(format!("建立完善制度{rules}项（{}）。", parts.join("、")));
    }
    let funds: Vec<String> = report
        .funds
        .iter()
        .filter(|f| f.amount.fen() > 0)
        .map(|f| format!("{}{}", fund_label(f.kind), f.amount))
        .collect();
    match funds.len() {
        0 => {}
        1 => out.push(format!("{}。", funds.concat())),
        _ => out.push(format!("{}，合计{}。", funds.join("、"), report.funds_total())),
    }
    let people: Vec<String> = report
        .accountability
        .iter()
        .flat_map(|a| {
            let persons = (a.persons > 0).then(|| format!("{}{}人", a.kind, a.persons));
            let times = (a.person_times > 0).then(|| format!("{}{}人次", a.kind, a.person_times));
            persons.into_iter().chain(times)
        })
        .collect();
    if !people.is_empty() {
        out.push(format!("对相关责任人{}。", people.join("、")));
    }
    let meetings: Vec<String> =
        report.meetings.iter().filter(|m| m.count > 0).map(|m| format!("{}{}次", m.kind, m.count)).collect();
    if !meetings.is_empty() {
        out.push(format!("召开{}。", meetings.join("、")));
    }
    out
}
