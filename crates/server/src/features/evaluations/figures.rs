//! What the API and the pages both say about an evaluation: the round id from the path, points
//! as people read them, the counted detail of each indicator and deduction.

use rectify_domain::evaluation::{DeductionKind, DeductionScore, IndicatorKind, IndicatorScore, Points};

/// Signed tenths as a number (`-15` → -1.5).
pub(super) fn signed(tenths: i32) -> f64 {
    f64::from(tenths) / 10.0
}

/// Signed tenths as people write them: `+1.5`, `-2`, `0`.
pub(super) fn signed_text(tenths: i32) -> String {
    let magnitude = Points::from_tenths(tenths.unsigned_abs());
    match tenths.signum() {
        1 => format!("+{magnitude}"),
        -1 => format!("-{magnitude}"),
        _ => "0".to_owned(),
    }
}

/// Signed points typed by a person (`1.5`, `-2`, `+0.5`) as tenths; one decimal at most.
pub(super) fn parse_signed(text: &str) -> Option<i32> {
    let text = text.trim();
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let tenths = i32::try_from(Points::parse(rest).ok()?.tenths()).ok()?;
    Some(if negative { -tenths } else { tenths })
}

/// What an indicator counted, e.g. `已销号18个／反馈问题20个（90.00%）`.
pub(super) fn indicator_detail(i: &IndicatorScore) -> String {
    let rate = rectify_domain::Rate { numerator: i.achieved, denominator: i.out_of }
        .percent(2)
        .map_or_else(|| "无应计事项，按满分计".to_owned(), |p| format!("{p}%"));
    let (done, all) = match i.kind {
        IndicatorKind::CompletionRate => ("已销号问题", "反馈问题"),
        IndicatorKind::MeasuresOnTime => ("未逾期措施", "整改措施"),
        IndicatorKind::LookbackConsolidated => ("已巩固问题", "回头看复查问题"),
        IndicatorKind::FeedbackAnswered => ("已答复意见", "群众意见"),
    };
    format!("{done}{}个／{all}{}个（{rate}）", i.achieved, i.out_of)
}

/// What a deduction counted, e.g. `2项`.
pub(super) fn deduction_detail(d: &DeductionScore) -> String {
    let unit = match d.kind {
        DeductionKind::OverdueMeasure => "项",
        DeductionKind::Relapse | DeductionKind::UnansweredFeedback => "个",
        DeductionKind::SentBack => "次",
    };
    format!("{}{unit}", d.count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_points_read_and_print_as_people_write_them() {
        assert_eq!(parse_signed("1.5"), Some(15));
        assert_eq!(parse_signed("-2"), Some(-20));
        assert_eq!(parse_signed(" +0.5 "), Some(5));
        for bad in ["", "--1", "1.25", "abc", "-", "101"] {
            assert_eq!(parse_signed(bad), None, "{bad:?}");
        }
        assert_eq!((signed_text(15), signed_text(-20), signed_text(0)), ("+1.5".into(), "-2".into(), "0".into()));
    }
}
