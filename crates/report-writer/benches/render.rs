//! Rendering cost: one unit of 30 problems / 120 measures in md, html and docx (goal: docx
//! ≤ 20 ms), and 2,000 such units as a batch on two worker threads.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rectify_domain::{Aspect, Ledger, Measure, NonEmptyText, PartialDate, Problem, Status};
use rectify_report_writer::{ReportOptions, render_docx, render_html, render_markdown};

fn text(s: String) -> NonEmptyText {
    NonEmptyText::new(s).unwrap_or_else(|_| unreachable!("generated text is never blank"))
}

/// A fictional unit: 3 aspects × 10 problems × 4 measures.
fn unit(seed: usize) -> Ledger {
    let mut l = Ledger::empty();
    l.unit = Some(format!("中共某某县第{seed}局党组"));
    l.report_date = "2024-07-23".parse::<PartialDate>().ok();
    l.aspects = (0..3)
        .map(|a| Aspect {
            number: Some((a + 1).to_string()),
            title: Some(format!("关于第{}方面问题的整改", a + 1)),
            problems: (0..10)
                .map(|p| {
                    let status = if p % 3 == 0 { Status::InProgress } else { Status::Completed };
                    let mut problem =
                        Problem::new(Some((p + 1).to_string()), text(format!("针对第{a}-{p}项工作落实不到位的问题")), status);
                    problem.measures = (0..4)
                        .map(|m| {
                            Measure::from_text(text(format!(
                                "第{m}项措施：修订完善相关制度，于2023年11月组织专题培训，督促责任部门逐项整改落实到位，确保按期完成整改任务"
                            )))
                        })
                        .collect();
                    problem
                })
                .collect(),
        })
        .collect();
    l
}

fn single(c: &mut Criterion) {
    let ledger = unit(1);
    let opts = ReportOptions::for_ledger(&ledger);
    c.bench_function("markdown_30_problems", |b| b.iter(|| render_markdown(black_box(&ledger), &opts)));
    c.bench_function("html_30_problems", |b| b.iter(|| render_html(black_box(&ledger), &opts)));
    c.bench_function("docx_30_problems", |b| b.iter(|| render_docx(black_box(&ledger), &opts)));
}

fn batch(c: &mut Criterion) {
    let ledgers: Vec<Ledger> = (0..2000).map(unit).collect();
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    group.bench_function("docx_2000_units_2_threads", |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                let (left, right) = ledgers.split_at(ledgers.len() / 2);
                let workers: Vec<_> = [left, right]
                    .into_iter()
                    .map(|part| {
                        s.spawn(move || {
                            part.iter()
                                .filter_map(|l| render_docx(l, &ReportOptions::for_ledger(l)).ok())
                                .map(|bytes| bytes.len())
                                .sum::<usize>()
                        })
                    })
                    .collect();
                workers.into_iter().map(|w| w.join().unwrap_or(0)).sum::<usize>()
            })
        })
    });
    group.finish();
}

criterion_group!(benches, single, batch);
criterion_main!(benches);
