//! Property tests of the domain's parsers and rules.

use proptest::prelude::*;
use rectify_domain::arbitrary;
use rectify_domain::{Ledger, PartialDate, Status, WanYuan};

proptest! {
    #[test]
    fn dates_print_and_read_back(d in arbitrary::partial_date()) {
        prop_assert_eq!(d.to_string().parse::<PartialDate>().unwrap(), d);
        prop_assert!(d.earliest() <= d.latest());
    }

    #[test]
    fn date_parser_never_panics(s in "\\PC{0,12}") {
        let _ = s.parse::<PartialDate>();
    }

    #[test]
    fn amounts_print_and_read_back(w in arbitrary::wan_yuan()) {
        let printed = w.format_number();
        let back = WanYuan::parse_wan_yuan(&printed).unwrap();
        prop_assert_eq!(back.fen(), w.fen());
        prop_assert_eq!(back.to_string(), w.to_string());
        let via_json: WanYuan = serde_json::from_str(&serde_json::to_string(&w).unwrap()).unwrap();
        prop_assert_eq!(via_json.fen(), w.fen());
    }

    #[test]
    fn ledgers_round_trip_through_json(l in arbitrary::ledger()) {
        let text = serde_json::to_string(&l).unwrap();
        let back = Ledger::from_json(&text).unwrap();
        prop_assert_eq!(&back, &l);
    }

    #[test]
    fn statistics_recount(l in arbitrary::ledger()) {
        let s = l.statistics();
        let p = s.problems;
        prop_assert_eq!(p.total as usize, l.problems().count());
        prop_assert_eq!(
            p.completed + p.in_progress + p.not_started + p.basically_completed + p.pending_verification
                + p.extended + p.long_term + p.not_done + p.unknown,
            p.total
        );
        let completed = l.problems().filter(|x| x.status == Status::Completed).count() as u32;
        let long_term = l.problems().filter(|x| x.status == Status::LongTerm).count() as u32;
        let expected = completed + if l.policy.long_term_counts_as_completed { long_term } else { 0 };
        prop_assert_eq!(s.completion.numerator, expected);
        prop_assert!(s.completion.numerator <= s.completion.denominator);
        prop_assert_eq!(s.measures_total as usize, l.measures().count());
    }
}
