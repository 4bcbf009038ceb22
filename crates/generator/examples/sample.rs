//! Prints generated ledgers: `cargo run -p rectify-generator --example sample -- SEED UNITS [--compact]`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seed = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let units = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let compact = args.iter().any(|a| a == "--compact");
    let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 18).expect("a real date");
    for l in rectify_generator::generate(seed, units, today) {
        let text = if compact { serde_json::to_string(&l) } else { serde_json::to_string_pretty(&l) };
        println!("{}", text.expect("a ledger serialises"));
    }
}
