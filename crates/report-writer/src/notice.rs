//! The supervision notice (督办单): the overdue and at-risk measures of a unit, sent by the
//! inspection office or the unit's leading group, printed as a GB/T 9704 document.

use chrono::NaiveDate;
use rectify_domain::calendar::CALENDAR;
use rectify_domain::supervision::{self, Light, LightPolicy};
use rectify_domain::{Ledger, PartialDate};

use crate::docx::blocks_to_docx;
use crate::{Block, WriteError};

/// One measure to chase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeItem {
    pub problem: String,
    pub measure: String,
    pub deadline: Option<PartialDate>,
    pub light: Light,
    /// Days left until the deadline; negative when overdue.
    pub days_left: Option<i64>,
    pub leader: Option<String>,
    pub departments: Vec<String>,
}

/// A 督办单 addressed to a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisionNotice {
    /// 督办编号, e.g. `〔2024〕3号`.
    pub serial: Option<String>,
    /// 主送: the unit that must act.
    pub unit: String,
    /// 督办单位: who sends it, e.g. 区委巡察办.
    pub issuer: String,
    pub date: NaiveDate,
    /// 反馈时限.
    pub reply_by: Option<NaiveDate>,
    pub items: Vec<NoticeItem>,
}

impl SupervisionNotice {
    /// The red and yellow measures of `ledger` on `today`, most urgent first; `None` when nothing
    /// needs chasing.
    pub fn from_ledger(ledger: &Ledger, today: NaiveDate, policy: &LightPolicy, issuer: &str) -> Option<Self> {
        let mut items: Vec<NoticeItem> = Vec::new();
        for problem in ledger.problems() {
            for m in &problem.measures {
                let status = m.status.or(Some(problem.status));
                let light = supervision::light(status, m.deadline, today, policy, &CALENDAR);
                if !matches!(light, Light::Red | Light::Yellow) {
                    continue;
                }
                let responsibility = m.effective_responsibility(problem);
                items.push(NoticeItem {
                    problem: problem.title.to_string(),
                    measure: crate::strip_measure_ordinal(&m.text).1.to_string(),
                    deadline: m.deadline,
                    light,
                    days_left: m.deadline.map(|d| supervision::days_left(d, today, policy, &CALENDAR)),
                    leader: responsibility.leader.map(str::to_owned),
                    departments: responsibility.departments.to_vec(),
                });
            }
        }
        if items.is_empty() {
            return None;
        }
        items.sort_by_key(|i| i.days_left.unwrap_or(i64::MAX));
        Some(SupervisionNotice {
            serial: None,
            unit: ledger.unit.clone().unwrap_or_else(|| "被巡察单位".to_string()),
            issuer: issuer.to_string(),
            date: today,
            reply_by: Some(CALENDAR.add_working_days(today, 5)),
            items,
        })
    }

    /// The notice as blocks: title, addressee, one numbered item per measure, the request, the
    /// issuer and the date.
    pub fn blocks(&self) -> Vec<Block> {
        let mut blocks = vec![Block::Title("巡察整改督办单".to_string())];
        if let Some(serial) = &self.serial {
            blocks.push(Block::Paragraph(format!("督办编号：{serial}")));
        }
        blocks.push(Block::Paragraph(format!("{}：", self.unit)));
        let overdue = self.items.iter().filter(|i| i.light == Light::Red).count();
        let at_risk = self.items.len() - overdue;
        let mut summary = String::from("经对照整改台账核查，");
        match (overdue, at_risk) {
            (0, n) => summary.push_str(&format!("你单位有{n}项整改措施临近完成时限")),
            (n, 0) => summary.push_str(&format!("你单位有{n}项整改措施已超过完成时限")),
            (o, r) => summary.push_str(&format!("你单位有{o}项整改措施已超过完成时限、{r}项临近完成时限")),
        }
        summary.push_str("，现予以督办。请对照以下事项抓紧推进，确保按期整改到位。");
        blocks.push(Block::Paragraph(summary));
        for (i, item) in self.items.iter().enumerate() {
            blocks.push(Block::Heading3(format!("{}.{}", i + 1, item.problem)));
            let mut facts = vec![format!("整改措施：{}", item.measure.trim_end_matches('。'))];
            if let Some(deadline) = item.deadline {
                facts.push(format!("完成时限：{}", deadline.to_chinese()));
            }
            facts.push(format!(
                "督办等级：{}",
                match (item.light, item.days_left) {
                    (Light::Red, Some(d)) => format!("红色（已逾期{}天）", -d),
                    (Light::Yellow, Some(d)) => format!("黄色（剩余{d}天）"),
                    (light, _) => light.label_zh().to_string(),
                }
            ));
            if let Some(leader) = &item.leader {
                facts.push(format!("责任领导：{leader}"));
            }
            if !item.departments.is_empty() {
                facts.push(format!("责任部门：{}", item.departments.join("、")));
            }
            blocks.push(Block::Paragraph(format!("{}。", facts.join("；"))));
        }
        if let Some(reply_by) = self.reply_by {
            blocks.push(Block::Paragraph(format!(
                "请于{}前将整改推进情况及佐证材料书面报送{}。逾期未完成的，须说明原因、提出完成时限，按程序申请延期。",
                PartialDate::from(reply_by).to_chinese(),
                self.issuer
            )));
        }
        blocks.push(Block::Signature(self.issuer.clone()));
        blocks.push(Block::Date(PartialDate::from(self.date).to_chinese()));
        blocks
    }
}

/// The notice as a .docx in the official layout of the progress report.
pub fn render_supervision_notice(notice: &SupervisionNotice) -> Result<Vec<u8>, WriteError> {
    blocks_to_docx(&notice.blocks())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rectify_domain::{Measure, NonEmptyText, Problem, Status};

    fn ledger() -> Ledger {
        let mut l = Ledger::empty();
        l.unit = Some("中共某某县某某局党组".into());
        let mut p =
            Problem::new(Some("1".into()), NonEmptyText::new("针对制度执行不严的问题").unwrap(), Status::InProgress);
        p.responsibility.leader = Some("王某".into());
        p.responsibility.departments = vec!["办公室".into()];
        for (text, deadline, status) in [
            ("一是修订议事规则。", "2024-05-31", Status::InProgress),
            ("二是开展专项检查。", "2024-06-25", Status::InProgress),
            ("三是建立台账。", "2024-12-31", Status::InProgress),
            ("四是完成清退。", "2024-05-01", Status::Completed),
        ] {
            let mut m = Measure::from_text(NonEmptyText::new(text).unwrap());
            m.deadline = deadline.parse().ok();
            m.status = Some(status);
            p.measures.push(m);
        }
        l.aspects.push(rectify_domain::Aspect { number: None, title: None, problems: vec![p] });
        l
    }

    #[test]
    fn chases_overdue_and_due_soon_measures_only() {
        let today = NaiveDate::from_ymd_opt(2024, 6, 20).unwrap();
        let n = SupervisionNotice::from_ledger(&ledger(), today, &LightPolicy::default(), "县委巡察办").unwrap();
        assert_eq!(n.items.len(), 2, "the completed and the far measure are not chased");
        assert_eq!(n.items[0].light, Light::Red);
        assert_eq!(n.items[0].days_left, Some(-20));
        assert_eq!(n.items[1].light, Light::Yellow);
        let text: Vec<String> = n.blocks().iter().map(|b| b.text().to_string()).collect();
        let all = text.join("\n");
        assert!(all.contains("1项整改措施已超过完成时限、1项临近完成时限"), "{all}");
        assert!(all.contains("整改措施：修订议事规则；完成时限：2024年5月31日；督办等级：红色（已逾期20天）；责任领导：王某；责任部门：办公室。"), "{all}");
        // Five working days after Thursday 20 June 2024.
        assert!(all.contains("请于2024年6月27日前"), "{all}");
        assert_eq!(text.last().map(String::as_str), Some("2024年6月20日"));
    }

    #[test]
    fn nothing_to_chase_gives_no_notice() {
        let today = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
        assert!(SupervisionNotice::from_ledger(&ledger(), today, &LightPolicy::default(), "县委巡察办").is_none());
    }

    #[test]
    fn the_notice_is_a_docx() {
        let today = NaiveDate::from_ymd_opt(2024, 6, 20).unwrap();
        let n = SupervisionNotice::from_ledger(&ledger(), today, &LightPolicy::default(), "县委巡察办").unwrap();
        let bytes = render_supervision_notice(&n).unwrap();
        assert!(bytes.starts_with(b"PK"));
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
        assert!(xml.contains("巡察整改督办单") && xml.contains("修订议事规则"));
    }
}
