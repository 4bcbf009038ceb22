//! Prints the outline (or with `--json`, the ledger) of a report: `cargo run --example outline -- FILE`.

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: outline FILE [--json]");
        std::process::exit(2);
    };
    match rectify_report_reader::parse_file(std::path::Path::new(&path)) {
        Ok(parsed) if args.next().as_deref() == Some("--json") => {
            println!("{}", serde_json::to_string_pretty(&parsed.ledger).unwrap_or_default());
        }
        Ok(parsed) => print!("{}", rectify_report_reader::outline(&parsed)),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
}
