//! Fictional ledgers for the tests (no real unit, no real person).
#![allow(dead_code)]

use rectify_domain::*;

pub fn text(s: &str) -> NonEmptyText {
    NonEmptyText::new(s).unwrap()
}

pub fn date(s: &str) -> PartialDate {
    s.parse().unwrap()
}

pub fn measure(t: &str) -> Measure {
    Measure::from_text(text(t))
}

pub fn problem(number: &str, title: &str, status: Status, measures: &[&str]) -> Problem {
    let mut p = Problem::new(Some(number.to_string()), text(title), status);
    p.measures = measures.iter().map(|m| measure(m)).collect();
    p
}

pub fn member(role: &str, name: &str) -> Member {
    Member { role: text(role), name: text(name) }
}

/// Names of individuals that the public version must never print.
pub const PERSONS: [&str; 6] = ["甄士隐", "贾雨村", "冷子兴", "林如海", "封肃", "娇杏"];

/// A county bureau with three titled aspects; problem 3 of aspect （二） is withheld, so the
/// public version shows 1, 2, 4 there.
pub fn grouped_ledger() -> Ledger {
    let mut l = Ledger::empty();
    l.unit = Some("中共某某县文化和旅游局党组".into());
    l.report_date = Some(date("2024-07-23"));
    l.inspection = Inspection {
        inspector: Some("县委第二巡察组".into()),
        start: Some(date("2023-03-06")),
        end: Some(date("2023-05-12")),
        feedback_date: Some(date("2023-06-20")),
        round: None,
        kind: None,
        feedback_document: None,
    };
    let mut a1 = Aspect {
        number: Some("一".into()),
        title: Some("关于贯彻落实党的路线方针政策不够到位方面".into()),
        problems: vec![
            problem(
                "1",
                "针对理论学习不够深入的问题",
                Status::Completed,
                &["一是制定《党组理论学习中心组学习制度》，每月集中学习一次。", "二是开展专题读书班2期。"],
            ),
            problem("2", "针对意识形态责任制落实不够有力的问题", Status::InProgress, &["完善意识形态工作责任清单"]),
        ],
    };
    a1.problems[0].responsibility = Responsibility {
        first_responsible: Some(PERSONS[0].into()),
        leader: Some(PERSONS[1].into()),
        departments: vec!["办公室".into()],
        liaison: None,
    };
    a1.problems[0].measures[0].deadline = Some(date("2023-09"));
    let mut withheld = problem("3", "针对某项目招标程序问题", Status::InProgress, &["配合有关部门调查"]);
    withheld.disclosure = Disclosure::WithheldPendingCase;
    let a2 = Aspect {
        number: Some("二".into()),
        title: Some("关于落实全面从严治党责任有差距方面".into()),
        problems: vec![
            problem(
                "1",
                "针对财务报销审核不严的问题",
                Status::Completed,
                &["一是修订《财务报销管理办法》；", "二是清退违规发放补贴7.132万元"],
            ),
            problem("2", "针对公务用车管理不规范的问题", Status::LongTerm, &["建立公务用车使用台账,每季度检查一次"]),
            withheld,
            problem(
                "4",
                "针对廉政风险排查不全面的问题",
                Status::Completed,
                &["一是开展廉政风险排查。", "二是制定防控措施12条。"],
            ),
        ],
    };
    let a3 = Aspect {
        number: Some("三".into()),
        title: Some("关于落实上轮巡察整改不够彻底方面".into()),
        problems: vec![problem(
            "1",
            "针对上轮巡察问题整改不彻底的问题",
            Status::Extended,
            &["对照上轮问题清单逐项复核"],
        )],
    };
    l.aspects = vec![a1, a2, a3];
    l.organisation = Organisation {
        former_names: vec![],
        leading_group: vec![member("组长", PERSONS[0]), member("副组长", PERSONS[1]), member("副组长", PERSONS[2])],
        work_team: vec![],
        liaison: Some(PERSONS[3].into()),
    };
    l.outcomes = Outcomes {
        rules: vec![
            Rule {
                title: DocumentTitle::new("《党组理论学习中心组学习制度》").unwrap(),
                action: RuleAction::Made,
                date: None,
                measure: None,
            },
            Rule {
                title: DocumentTitle::new("财务报销管理办法").unwrap(),
                action: RuleAction::Revised,
                date: None,
                measure: None,
            },
        ],
        funds: vec![Fund {
            kind: FundKind::Refunded,
            amount_wan_yuan: WanYuan::parse_wan_yuan("7.132").unwrap(),
            date: None,
            measure: None,
            note: None,
        }],
        accountability: vec![
            Accountability {
                kind: text("通报批评"),
                count: 2,
                counting: Counting::Persons,
                persons: vec![PERSONS[4].into(), PERSONS[5].into()],
                date: None,
                problem: None,
            },
            Accountability {
                kind: text("提醒谈话"),
                count: 3,
                counting: Counting::PersonTimes,
                persons: vec![],
                date: None,
                problem: None,
            },
        ],
        meetings: vec![
            Meeting {
                kind: text("专题民主生活会"),
                date: Some(date("2023-07-10")),
                title: None,
                decisions: vec![],
                problems: vec![],
            },
            Meeting {
                kind: text("党组会"),
                date: Some(date("2023-06-25")),
                title: None,
                decisions: vec![],
                problems: vec![],
            },
            Meeting {
                kind: text("党组会"),
                date: Some(date("2023-08-15")),
                title: None,
                decisions: vec![],
                problems: vec![],
            },
        ],
    };
    l.contacts = Contacts {
        phones: vec!["0000-1234567".into()],
        emails: vec!["xuncha@example.org".into()],
        addresses: vec!["某某县某某路1号".into()],
        postcodes: vec!["000000".into()],
    };
    l
}

/// A report parsed from text: one untitled aspect, numbers 1–4, no statuses.
pub fn flat_ledger() -> Ledger {
    let mut l = Ledger::empty();
    l.unit = Some("中共某某市某某办公室党组".into());
    l.report_date = Some(date("2024-05-08"));
    l.claimed.aspects = Some(2);
    l.claimed.measures = Some(9);
    l.aspects = vec![Aspect {
        number: None,
        title: None,
        problems: vec![
            problem("1", "专项规划尚未编制。", Status::Unknown, &["一是完成规划编制。", "二是报市政府审定。"]),
            problem("2", "宣传工作薄弱。", Status::Unknown, &["一是建设宣传示范点1个;", "二是发放资料500余份(含手册)"]),
            problem("3", "制度执行不严。", Status::Unknown, &["修订完善内部管理制度"]),
            problem("4", "档案管理不规范。", Status::Unknown, &["整理归档资料"]),
        ],
    }];
    l
}

/// `total` problems of which `completed` are completed and the rest in progress.
pub fn counted_ledger(total: usize, completed: usize) -> Ledger {
    let mut l = Ledger::empty();
    let problems = (0..total)
        .map(|i| {
            let status = if i < completed { Status::Completed } else { Status::InProgress };
            problem(&(i + 1).to_string(), &format!("针对第{}项问题", i + 1), status, &["落实整改"])
        })
        .collect();
    l.aspects = vec![Aspect { number: None, title: None, problems }];
    l
}
