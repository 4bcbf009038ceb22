//! Parse throughput over a large generated corpus of reports in the genre.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rectify_report_reader::{Document, parse};

const WORDS: [&str; 12] = [
    "加强组织领导",
    "完善制度机制",
    "开展专项检查",
    "压实主体责任",
    "规范资金管理",
    "强化监督执纪",
    "组织集中学习",
    "建立工作台账",
    "推进问题整改",
    "召开专题会议",
    "落实责任清单",
    "健全长效机制",
];

/// One report with `aspects` × `problems` items, every measure with dates, amounts and documents.
fn report(seed: usize, aspects: usize, problems: usize) -> String {
    let mut t = format!(
        "中共某某区第{seed}局党组 关于巡察整改进展情况的通报\n\n根据区委统一部署，区委第五巡察组于2022年7月4日至9月20日对中共某某区第{seed}局党组进行了巡察，并于2023年2月13日反馈了巡察意见。\n\n一、整改工作开展情况\n\n对照反馈的{aspects}个方面{}个问题，细化整改措施{}条，通报批评3人，批评教育17人。\n\n二、巡察反馈问题整改情况\n\n",
        aspects * problems,
        aspects * problems * 3
    );
    for a in 0..aspects {
        t.push_str(&format!(
            "（{}）关于{}方面的整改\n\n",
            rectify_domain::numerals::to_chinese(a as u32 + 1),
            WORDS[a % 12]
        ));
        for p in 0..problems {
            let w = |k: usize| WORDS[(seed + a + p + k) % 12];
            t.push_str(&format!(
                "{}. 针对{}不到位的问题。一是{}，于2023年{}月制定《{}办法》，落实资金{}.5万元。二是{}，{}月{}日召开会议，\n\n{}。**三是**{}，清退3000元。\n整改状态：已完成\n\n",
                p + 1, w(0), w(1), p % 12 + 1, w(2), p + 1, w(3), (p + 3) % 12 + 1, p % 28 + 1, w(4), w(5)
            ));
        }
    }
    t.push_str("三、下一步工作\n\n持续巩固整改成果。\n\n欢迎广大干部群众监督。联系电话：021-12345678\n\n邮政编码：201199\n\n中共某某区某某局党组\n2024年7月23日\n");
    t
}

fn corpus() -> Vec<Document> {
    (0..200).map(|i| Document::from_text(&report(i, 4, 10))).collect()
}

fn bench(c: &mut Criterion) {
    let docs = corpus();
    let bytes: usize = docs.iter().flat_map(|d| d.lines.iter()).map(|l| l.len() + 1).sum();
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.bench_function("corpus", |b| {
        b.iter(|| {
            for d in &docs {
                black_box(parse(black_box(d)));
            }
        })
    });
    let big = Document::from_text(&report(7, 40, 60));
    let big_bytes: usize = big.lines.iter().map(|l| l.len() + 1).sum();
    group.throughput(Throughput::Bytes(big_bytes as u64));
    group.bench_function("one_large_report", |b| b.iter(|| black_box(parse(black_box(&big)))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
