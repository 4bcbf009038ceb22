//! Reading a ledger from JSON: structure, values and the rules between values, each refused
//! with the JSON path of the first error.

use std::fmt;

use crate::date::PartialDate;
use crate::ledger::{Ledger, MeasureRef, ProblemRef};

/// Why a ledger was refused, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerError {
    /// JSON path of the offending value, e.g. `aspects[0].problems[2].measures[1].deadline`
    /// (`.` for the document itself).
    pub path: String,
    pub message: String,
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for LedgerError {}

impl LedgerError {
    fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into() }
    }
}

impl Ledger {
    /// Parses and checks a ledger JSON document. This is the only way in for outside data.
    pub fn from_json(text: &str) -> Result<Ledger, LedgerError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let ledger: Ledger = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let message = inner.to_string();
            LedgerError::at(if path.is_empty() { ".".to_string() } else { path }, message)
        })?;
        ledger.check()?;
        Ok(ledger)
    }

    /// Checks the rules that tie values together, and the length of every text (see
    /// [`crate::limits`]). Structural rules are enforced by the types.
    pub fn check(&self) -> Result<(), LedgerError> {
        self.check_text_limits()?;
        let insp = &self.inspection;
        if let (Some(s), Some(e)) = (insp.start, insp.end)
            && e.latest() < s.earliest()
        {
            return Err(LedgerError::at("inspection.end", format!("the inspection ends ({e}) before it starts ({s})")));
        }
        if let (Some(e), Some(f)) = (insp.end, insp.feedback_date)
            && f.latest() < e.earliest()
        {
            return Err(LedgerError::at(
                "inspection.feedback_date",
                format!("the feedback ({f}) comes before the inspection ends ({e})"),
            ));
        }
        if let Some(rate) = self.claimed.completion_rate_percent
            && !(0.0..=100.0).contains(&rate)
        {
            return Err(LedgerError::at(
                "claimed.completion_rate_percent",
                format!("a rate of {rate}% is not between 0 and 100"),
            ));
        }
        if self.policy.rate_decimals > crate::ledger::MAX_RATE_DECIMALS {
            return Err(LedgerError::at(
                "policy.rate_decimals",
                format!(
                    "a rate is printed with at most {} decimals, not {}",
                    crate::ledger::MAX_RATE_DECIMALS,
                    self.policy.rate_decimals
                ),
            ));
        }
        let lights = &self.policy.lights;
        if lights.yellow_within > 366 {
            return Err(LedgerError::at(
                "policy.lights.yellow_within",
                "a warning more than a year ahead is no warning",
            ));
        }
        if let Some(green) = lights.green_within
            && green < lights.yellow_within
        {
            return Err(LedgerError::at(
                "policy.lights.green_within",
                format!(
                    "the green warning ({green} days) must start before the yellow one ({} days)",
                    lights.yellow_within
                ),
            ));
        }
        let feedback = insp.feedback_date;
        for (ai, aspect) in self.aspects.iter().enumerate() {
            for (pi, problem) in aspect.problems.iter().enumerate() {
                for (mi, measure) in problem.measures.iter().enumerate() {
                    let here = format!("aspects[{ai}].problems[{pi}].measures[{mi}]");
                    if let (Some(deadline), Some(fb)) = (measure.deadline, feedback) {
                        check_not_before(&format!("{here}.deadline"), "deadline", deadline, fb)?;
                    }
                    for (ei, entry) in measure.progress.iter().enumerate() {
                        if let Some(prev) = ei.checked_sub(1).map(|i| measure.progress[i].date)
                            && entry.date < prev
                        {
                            return Err(LedgerError::at(
                                format!("{here}.progress[{ei}].date"),
                                format!("progress entries must be in date order; {} comes after {prev}", entry.date),
                            ));
                        }
                    }
                }
            }
        }
        for (i, rule) in self.outcomes.rules.iter().enumerate() {
            if let Some(r) = rule.measure {
                self.check_measure_ref(&format!("outcomes.rules[{i}].measure"), r)?;
            }
        }
        for (i, fund) in self.outcomes.funds.iter().enumerate() {
            if let Some(r) = fund.measure {
                self.check_measure_ref(&format!("outcomes.funds[{i}].measure"), r)?;
            }
        }
        for (i, a) in self.outcomes.accountability.iter().enumerate() {
            if let Some(r) = a.problem {
                self.check_problem_ref(&format!("outcomes.accountability[{i}].problem"), r)?;
            }
            if a.persons.len() > a.count as usize {
                return Err(LedgerError::at(
                    format!("outcomes.accountability[{i}].persons"),
                    format!("{} persons are named but the count is {}", a.persons.len(), a.count),
                ));
            }
        }
        for (i, m) in self.outcomes.meetings.iter().enumerate() {
            for (j, r) in m.problems.iter().enumerate() {
                self.check_problem_ref(&format!("outcomes.meetings[{i}].problems[{j}]"), *r)?;
            }
        }
        Ok(())
    }

    /// Every text of the ledger within its limit; the error names the first one over it.
    fn check_text_limits(&self) -> Result<(), LedgerError> {
        use crate::limits::{DESCRIPTION, Limit, MEASURE_TEXT, NAME, PROGRESS_TEXT, REASON, TITLE};
        fn one(path: impl FnOnce() -> String, limit: Limit, text: Option<&str>) -> Result<(), LedgerError> {
            limit.check_opt(text).map_err(|e| LedgerError::at(path(), e.to_string()))
        }
        fn each(path: &str, limit: Limit, texts: &[String]) -> Result<(), LedgerError> {
            for (i, text) in texts.iter().enumerate() {
                one(|| format!("{path}[{i}]"), limit, Some(text))?;
            }
            Ok(())
        }
        fn responsibility(path: &str, r: &crate::ledger::Responsibility) -> Result<(), LedgerError> {
            one(|| format!("{path}.first_responsible"), NAME, r.first_responsible.as_deref())?;
            one(|| format!("{path}.leader"), NAME, r.leader.as_deref())?;
            each(&format!("{path}.departments"), NAME, &r.departments)?;
            one(|| format!("{path}.liaison"), NAME, r.liaison.as_deref())
        }
        fn evidence(path: &str, list: &[crate::ledger::Evidence]) -> Result<(), LedgerError> {
            for (i, e) in list.iter().enumerate() {
                one(|| format!("{path}[{i}].title"), TITLE, Some(&e.title))?;
                one(|| format!("{path}[{i}].kind"), NAME, e.kind.as_deref())?;
                one(|| format!("{path}[{i}].media_type"), NAME, e.media_type.as_deref())?;
                one(|| format!("{path}[{i}].sha256"), NAME, e.sha256.as_deref())?;
            }
            Ok(())
        }
        one(|| "title".into(), TITLE, self.title.as_deref())?;
        one(|| "unit".into(), NAME, self.unit.as_deref())?;
        let insp = &self.inspection;
        one(|| "inspection.inspector".into(), NAME, insp.inspector.as_deref())?;
        one(|| "inspection.round".into(), NAME, insp.round.as_deref())?;
        one(|| "inspection.feedback_document".into(), TITLE, insp.feedback_document.as_deref())?;
        for (ai, aspect) in self.aspects.iter().enumerate() {
            let here = format!("aspects[{ai}]");
            one(|| format!("{here}.number"), NAME, aspect.number.as_deref())?;
            one(|| format!("{here}.title"), TITLE, aspect.title.as_deref())?;
            for (pi, problem) in aspect.problems.iter().enumerate() {
                let here = format!("{here}.problems[{pi}]");
                one(|| format!("{here}.number"), NAME, problem.number.as_deref())?;
                one(|| format!("{here}.title"), TITLE, Some(&problem.title))?;
                one(|| format!("{here}.category"), NAME, problem.category.as_deref())?;
                one(|| format!("{here}.description"), DESCRIPTION, problem.description.as_deref())?;
                responsibility(&format!("{here}.responsibility"), &problem.responsibility)?;
                for (mi, measure) in problem.measures.iter().enumerate() {
                    let here = format!("{here}.measures[{mi}]");
                    one(|| format!("{here}.text"), MEASURE_TEXT, Some(&measure.text))?;
                    each(&format!("{here}.documents"), TITLE, &measure.documents)?;
                    responsibility(&format!("{here}.responsibility"), &measure.responsibility)?;
                    for (ei, entry) in measure.progress.iter().enumerate() {
                        let here = format!("{here}.progress[{ei}]");
                        one(|| format!("{here}.text"), PROGRESS_TEXT, Some(&entry.text))?;
                        evidence(&format!("{here}.evidence"), &entry.evidence)?;
                    }
                    evidence(&format!("{here}.evidence"), &measure.evidence)?;
                }
            }
        }
        each("named_documents", TITLE, &self.named_documents)?;
        let c = &self.contacts;
        each("contacts.phones", NAME, &c.phones)?;
        each("contacts.emails", NAME, &c.emails)?;
        each("contacts.addresses", NAME, &c.addresses)?;
        each("contacts.postcodes", NAME, &c.postcodes)?;
        let org = &self.organisation;
        for (i, f) in org.former_names.iter().enumerate() {
            one(|| format!("organisation.former_names[{i}].name"), NAME, Some(&f.name))?;
        }
        for (list, members) in [("leading_group", &org.leading_group), ("work_team", &org.work_team)] {
            for (i, m) in members.iter().enumerate() {
                one(|| format!("organisation.{list}[{i}].role"), NAME, Some(&m.role))?;
                one(|| format!("organisation.{list}[{i}].name"), NAME, Some(&m.name))?;
            }
        }
        one(|| "organisation.liaison".into(), NAME, org.liaison.as_deref())?;
        let out = &self.outcomes;
        for (i, rule) in out.rules.iter().enumerate() {
            one(|| format!("outcomes.rules[{i}].title"), TITLE, Some(rule.title.as_str()))?;
        }
        for (i, fund) in out.funds.iter().enumerate() {
            one(|| format!("outcomes.funds[{i}].note"), REASON, fund.note.as_deref())?;
        }
        for (i, a) in out.accountability.iter().enumerate() {
            one(|| format!("outcomes.accountability[{i}].kind"), NAME, Some(&a.kind))?;
            each(&format!("outcomes.accountability[{i}].persons"), NAME, &a.persons)?;
        }
        for (i, m) in out.meetings.iter().enumerate() {
            one(|| format!("outcomes.meetings[{i}].kind"), NAME, Some(&m.kind))?;
            one(|| format!("outcomes.meetings[{i}].title"), TITLE, m.title.as_deref())?;
            each(&format!("outcomes.meetings[{i}].decisions"), REASON, &m.decisions)?;
        }
        Ok(())
    }

    fn check_problem_ref(&self, path: &str, r: ProblemRef) -> Result<(), LedgerError> {
        match self.problem(r) {
            Some(_) => Ok(()),
            None => Err(LedgerError::at(path, format!("there is no problem {} in aspect {}", r.problem, r.aspect))),
        }
    }

    fn check_measure_ref(&self, path: &str, r: MeasureRef) -> Result<(), LedgerError> {
        match self.measure(r) {
            Some(_) => Ok(()),
            None => Err(LedgerError::at(
                path,
                format!("there is no measure {} of problem {} in aspect {}", r.measure, r.problem, r.aspect),
            )),
        }
    }
}

fn check_not_before(path: &str, what: &str, date: PartialDate, feedback: PartialDate) -> Result<(), LedgerError> {
    if date.latest() < feedback.earliest() {
        Err(LedgerError::at(path, format!("the {what} {date} is before the feedback date {feedback}")))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> serde_json::Value {
        serde_json::json!({
            "title": "关于巡察整改进展情况的通报",
            "unit": "中共某某县某某局党组",
            "report_date": "2024-07-23",
            "inspection": { "inspector": "县委第二巡察组", "start": "2023-03-01", "end": "2023-04-30", "feedback_date": "2023-06-12" },
            "claimed": { "aspects": 1, "problems": 1, "measures": 1, "completed": null, "in_progress": null,
                         "completion_rate_percent": null, "rules_made_or_revised": null,
                         "funds_recovered_wan_yuan": null, "accountability": { "批评教育": 2 } },
            "aspects": [ { "number": "一", "title": "关于某方面的整改", "problems": [
                { "number": "1", "title": "针对学习不深入的问题", "status": "completed",
                  "measures": [ { "text": "一是制定学习制度。", "dates": ["2023-11"], "amounts_wan_yuan": [5.0], "documents": ["《学习制度》"] } ] } ] } ],
            "named_documents": ["《学习制度》"],
            "contacts": { "phones": [], "emails": [], "addresses": [], "postcodes": [] }
        })
    }

    fn error_of(v: serde_json::Value) -> LedgerError {
        Ledger::from_json(&v.to_string()).expect_err("must be refused")
    }

    #[test]
    fn contract_example_reads_and_writes_every_key() {
        let ledger = Ledger::from_json(&minimal().to_string()).unwrap();
        let out = serde_json::to_value(&ledger).unwrap();
        let m = &out["aspects"][0]["problems"][0]["measures"][0];
        assert_eq!(m["deadline"], serde_json::Value::Null);
        assert!(m.as_object().unwrap().contains_key("status"));
        assert_eq!(out["claimed"]["accountability"]["批评教育"], 2);
        assert_eq!(Ledger::from_json(&out.to_string()).unwrap(), ledger);
    }

    #[test]
    fn deadline_before_feedback_is_refused_with_its_path() {
        let mut v = minimal();
        v["aspects"][0]["problems"][0]["measures"][0]["deadline"] = "2023-05".into();
        let e = error_of(v);
        assert_eq!(e.path, "aspects[0].problems[0].measures[0].deadline");
        assert!(e.message.contains("before the feedback date"), "{}", e.message);
    }

    #[test]
    fn over_long_texts_are_refused_with_their_path() {
        use crate::limits::{MEASURE_TEXT, NAME, PROGRESS_TEXT, TITLE};
        let over = |limit: crate::limits::Limit| "字".repeat(limit.max_chars + 1);
        type Edit = Box<dyn Fn(&mut serde_json::Value)>;
        let cases: Vec<(&str, Edit)> = vec![
            (
                "aspects[0].problems[0].title",
                Box::new(move |v| v["aspects"][0]["problems"][0]["title"] = over(TITLE).into()),
            ),
            (
                "aspects[0].problems[0].measures[0].text",
                Box::new(move |v| v["aspects"][0]["problems"][0]["measures"][0]["text"] = over(MEASURE_TEXT).into()),
            ),
            (
                "aspects[0].problems[0].measures[0].progress[0].text",
                Box::new(move |v| {
                    v["aspects"][0]["problems"][0]["measures"][0]["progress"] =
                        serde_json::json!([{ "date": "2023-07-01", "text": over(PROGRESS_TEXT) }])
                }),
            ),
            (
                "aspects[0].problems[0].responsibility.departments[1]",
                Box::new(move |v| {
                    v["aspects"][0]["problems"][0]["responsibility"] =
                        serde_json::json!({ "departments": ["办公室", over(NAME)] })
                }),
            ),
            ("named_documents[0]", Box::new(move |v| v["named_documents"] = serde_json::json!([over(TITLE)]))),
            ("unit", Box::new(move |v| v["unit"] = over(NAME).into())),
        ];
        for (path, edit) in cases {
            let mut v = minimal();
            edit(&mut v);
            let e = error_of(v);
            assert_eq!(e.path, path);
            assert!(e.message.contains("at most"), "{}", e.message);
        }
        // At the limit exactly: accepted.
        let mut v = minimal();
        v["aspects"][0]["problems"][0]["title"] = "字".repeat(TITLE.max_chars).into();
        assert!(Ledger::from_json(&v.to_string()).is_ok());
    }

    #[test]
    fn deadline_in_the_feedback_month_is_accepted() {
        let mut v = minimal();
        v["aspects"][0]["problems"][0]["measures"][0]["deadline"] = "2023-06".into();
        assert!(Ledger::from_json(&v.to_string()).is_ok());
    }

    #[test]
    fn negative_amount_is_refused_with_its_path() {
        let mut v = minimal();
        v["aspects"][0]["problems"][0]["measures"][0]["amounts_wan_yuan"] = serde_json::json!([1.0, -2.5]);
        let e = error_of(v);
        assert_eq!(e.path, "aspects[0].problems[0].measures[0].amounts_wan_yuan[1]");
        assert!(e.message.contains("negative"), "{}", e.message);
    }

    #[test]
    fn unknown_status_is_refused_with_its_path() {
        let mut v = minimal();
        v["aspects"][0]["problems"][0]["status"] = "almost".into();
        let e = error_of(v);
        assert_eq!(e.path, "aspects[0].problems[0].status");
    }

    #[test]
    fn measure_without_text_is_refused() {
        let mut v = minimal();
        v["aspects"][0]["problems"][0]["measures"][0]["text"] = "  ".into();
        assert_eq!(error_of(v).path, "aspects[0].problems[0].measures[0].text");
        let mut v = minimal();
        v["aspects"][0]["problems"][0]["measures"][0].as_object_mut().unwrap().remove("text");
        assert_eq!(error_of(v).path, "aspects[0].problems[0].measures[0]");
    }

    #[test]
    fn dangling_reference_is_refused() {
        let mut v = minimal();
        v["outcomes"] = serde_json::json!({ "rules": [ { "title": "《学习制度》", "action": "made", "measure": { "aspect": 0, "problem": 3, "measure": 0 } } ] });
        assert_eq!(error_of(v).path, "outcomes.rules[0].measure");
    }

    #[test]
    fn absurd_rate_precision_is_refused() {
        let mut v = minimal();
        v["policy"] = serde_json::json!({ "long_term_counts_as_completed": false, "rate_decimals": 39 });
        assert_eq!(error_of(v).path, "policy.rate_decimals");
    }

    #[test]
    fn syntax_error_is_reported() {
        let e = Ledger::from_json("{ \"title\": ").unwrap_err();
        assert!(e.message.contains("EOF") || e.message.contains("line"), "{}", e.message);
    }
}
