//! The report as a list of typed blocks: the one structure every output format renders.

use std::collections::HashSet;

use rectify_domain::{Disclosure, Ledger, Measure, Problem, Responsibility, Status};

use crate::numbering::{self, parse_item_number, strip_measure_ordinal};
use crate::punct::to_full_width_punctuation as fw;
use crate::text::{self, kind_word, non_blank};
use crate::{Audience, Layout, ReportOptions};

/// One element of the report, carrying its text with its number already in front.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// 标题 — 2号 方正小标宋简体, centred.
    Title(String),
    /// 一级标题 `一、…` — 黑体.
    Heading1(String),
    /// 二级标题 `（一）…` — 楷体.
    Heading2(String),
    /// 三级标题 `1.…` — 仿宋.
    Heading3(String),
    /// 正文段落, first line indented two characters.
    Paragraph(String),
    /// 发文机关署名.
    Signature(String),
    /// 成文日期 in Arabic numerals: `2024年7月23日`.
    Date(String),
}

impl Block {
    pub fn text(&self) -> &str {
        match self {
            Block::Title(t)
            | Block::Heading1(t)
            | Block::Heading2(t)
            | Block::Heading3(t)
            | Block::Paragraph(t)
            | Block::Signature(t)
            | Block::Date(t) => t,
        }
    }
}

/// Builds the report: title, opening, 一、organisation and figures, 二、problem by problem,
/// 三、next steps, feedback channels, signature and date.
pub fn build_blocks(ledger: &Ledger, opts: &ReportOptions) -> Vec<Block> {
    let kind = kind_word(ledger);
    let mut blocks = Vec::new();
    let title = match (non_blank(ledger.title.as_deref()), non_blank(ledger.unit.as_deref())) {
        (Some(t), _) => t.to_string(),
        (None, Some(unit)) => format!("{unit}关于{kind}整改进展情况的通报"),
        (None, None) => format!("关于{kind}整改进展情况的通报"),
    };
    blocks.push(Block::Title(fw(&title)));
    blocks.push(Block::Paragraph(text::opening(ledger, opts.audience)));

    let mut part = 0;
    let mut next_part = || {
        part += 1;
        numbering::level1(part)
    };

    let organisation = text::organisation(ledger, opts.audience);
    let figures = text::statistics_sentence(ledger, opts);
    let indicators: Vec<String> = opts.indicators.iter().map(|i| fw(&i.sentence())).collect();
    if organisation.is_some() || figures.is_some() || !indicators.is_empty() {
        blocks.push(Block::Heading1(format!("{}{kind}整改工作开展情况", next_part())));
        blocks.extend(organisation.into_iter().chain(figures).chain(indicators).map(Block::Paragraph));
    }

    let problems = problem_blocks(ledger, opts);
    if !problems.is_empty() {
        blocks.push(Block::Heading1(format!("{}{kind}反馈问题整改落实情况", next_part())));
        blocks.extend(problems);
    }

    blocks.push(Block::Heading1(format!("{}下一步工作措施", next_part())));
    let steps: Vec<String> = opts.next_steps.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).map(fw).collect();
    let steps = if steps.is_empty() { text::default_next_steps(ledger) } else { steps };
    blocks.extend(steps.into_iter().map(Block::Paragraph));

    blocks.extend(text::contacts(ledger).into_iter().map(Block::Paragraph));
    if let Some(unit) = non_blank(ledger.unit.as_deref()) {
        blocks.push(Block::Signature(unit.to_string()));
    }
    if let Some(date) = ledger.report_date {
        blocks.push(Block::Date(date.to_chinese()));
    }
    blocks
}

fn visible(problem: &Problem, audience: Audience) -> bool {
    audience == Audience::Internal || problem.disclosure.is_public()
}

/// Part 二: the problems in the chosen layout, each as `N.title`, its measures and its status.
fn problem_blocks(ledger: &Ledger, opts: &ReportOptions) -> Vec<Block> {
    let mut out = Vec::new();
    match opts.layout {
        Layout::ByAspect => {
            let mut shown_aspects = 0;
            for (ai, aspect) in ledger.aspects.iter().enumerate() {
                if !aspect.problems.iter().any(|p| visible(p, opts.audience)) {
                    continue;
                }
                shown_aspects += 1;
                if let Some(title) = non_blank(aspect.title.as_deref()) {
                    let n = if opts.renumber {
                        shown_aspects
                    } else {
                        aspect.number.as_deref().and_then(parse_item_number).unwrap_or(ai as u32 + 1)
                    };
                    out.push(Block::Heading2(format!("{}{}", numbering::level2(n), fw(title))));
                }
                let mut shown = 0;
                for (pi, problem) in aspect.problems.iter().enumerate() {
                    if !visible(problem, opts.audience) {
                        continue;
                    }
                    shown += 1;
                    let n = if opts.renumber {
                        shown
                    } else {
                        problem.number.as_deref().and_then(parse_item_number).unwrap_or(pi as u32 + 1)
                    };
                    push_problem(&mut out, n, problem, opts.audience);
                }
            }
        }
        Layout::Flat => {
            let all: Vec<&Problem> = ledger.problems().collect();
            let printed: Vec<Option<u32>> =
                all.iter().map(|p| p.number.as_deref().and_then(parse_item_number)).collect();
            let mut seen = HashSet::new();
            let own_numbers_usable = printed.iter().all(|n| n.is_some_and(|n| seen.insert(n)));
            let mut shown = 0;
            for (i, problem) in all.iter().enumerate() {
                if !visible(problem, opts.audience) {
                    continue;
                }
                shown += 1;
                let n = match (opts.renumber, own_numbers_usable) {
                    (true, _) => shown,
                    (false, true) => printed.get(i).copied().flatten().unwrap_or(i as u32 + 1),
                    (false, false) => i as u32 + 1,
                };
                push_problem(&mut out, n, problem, opts.audience);
            }
        }
    }
    out
}

fn push_problem(out: &mut Vec<Block>, n: u32, problem: &Problem, audience: Audience) {
    out.push(Block::Heading3(format!("{}{}", numbering::level3(n), fw(problem.title.trim()))));
    if audience == Audience::Internal {
        if let Some(d) = non_blank(problem.description.as_deref()) {
            out.push(Block::Paragraph(format!("问题表现：{}", ensure_full_stop(&fw(d)))));
        }
        if let Some(r) = responsibility_line(&problem.responsibility) {
            out.push(Block::Paragraph(r));
        }
        if let Some(reason) = withheld_reason(problem.disclosure) {
            out.push(Block::Paragraph(format!("公开属性：不予公开（{reason}）。")));
        }
    }
    if let Some(measures) = measures_paragraph(&problem.measures, audience) {
        out.push(Block::Paragraph(format!("整改情况：{measures}")));
    }
    if problem.status != Status::Unknown {
        out.push(Block::Paragraph(format!("整改状态：{}。", problem.status.label_zh())));
    }
}

/// `一是……。二是……。` — the writer numbers the measures itself, so a text that already opens
/// with `一是` is not numbered twice; a single measure is printed without an ordinal.
fn measures_paragraph(measures: &[Measure], audience: Audience) -> Option<String> {
    let texts: Vec<String> = measures
        .iter()
        .map(|m| {
            let (_, body) = strip_measure_ordinal(m.text.as_str());
            let mut body = fw(body.trim());
            if audience == Audience::Internal
                && let Some(deadline) = m.deadline
            {
                body = format!("{}（完成时限：{}）", trim_end_mark(&body), deadline.to_chinese());
            }
            body
        })
        .filter(|t| !t.is_empty())
        .collect();
    let count = texts.len();
    let parts: Vec<String> = texts
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let last = i + 1 == count;
            let t = if last { ensure_full_stop(&t) } else { ensure_end_mark(&t) };
            if count == 1 { t } else { format!("{}{t}", numbering::measure_ordinal(i as u32 + 1)) }
        })
        .collect();
    (!parts.is_empty()).then(|| parts.concat())
}

fn responsibility_line(r: &Responsibility) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(v) = non_blank(r.first_responsible.as_deref()) {
        parts.push(format!("第一责任人：{v}"));
    }
    if let Some(v) = non_blank(r.leader.as_deref()) {
        parts.push(format!("责任领导：{v}"));
    }
    let depts: Vec<&str> = r.departments.iter().map(|d| d.trim()).filter(|d| !d.is_empty()).collect();
    if !depts.is_empty() {
        parts.push(format!("责任部门：{}", depts.join("、")));
    }
    if let Some(v) = non_blank(r.liaison.as_deref()) {
        parts.push(format!("联络员：{v}"));
    }
    (!parts.is_empty()).then(|| format!("{}。", parts.join("；")))
}

fn withheld_reason(d: Disclosure) -> Option<&'static str> {
    match d {
        Disclosure::Public => None,
        Disclosure::WithheldSecret => Some("涉及党和国家秘密"),
        Disclosure::WithheldPendingCase => Some("涉及正在查办的案件"),
        Disclosure::WithheldOther => Some("经领导小组同意不予公开"),
    }
}

const END_MARKS: [char; 5] = ['。', '；', '！', '？', '…'];

fn trim_end_mark(t: &str) -> &str {
    t.trim_end_matches(|c: char| END_MARKS.contains(&c) || c == '，' || c == '、')
}

/// Ends a measure that is followed by another one: keeps its own 。 or ；, else adds 。.
fn ensure_end_mark(t: &str) -> String {
    if t.ends_with(END_MARKS) || t.ends_with('”') {
        t.to_string()
    } else {
        format!("{}。", t.trim_end_matches(['，', '、']))
    }
}

/// Ends the last sentence of a paragraph with 。 (a trailing ； becomes 。).
fn ensure_full_stop(t: &str) -> String {
    if t.ends_with(['。', '！', '？', '…', '”']) { t.to_string() } else { format!("{}。", trim_end_mark(t)) }
}
