//! Serves the built-in demo on a fresh SQLite database, for trying the API and for load tests.
//!
//! `cargo run -p rectify-server --example serve_demo --release -- 127.0.0.1:8080 [DB-FILE]`
//!
//! Without DB-FILE the database is a temporary file deleted on exit; an existing DB-FILE may
//! hold any number of inspections (`rectify import` more into it to test at scale). Evidence files go to a
//! temporary directory. Prints the demo logins (演示账号，仅供演示). Stops on Ctrl-C.

use std::net::SocketAddr;
use std::process::ExitCode;

use rectify_server::demo::demo_ledger;
use rectify_server::{AppState, seed_demo_users};
use rectify_storage::Store;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("serve_demo: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr: SocketAddr = args.next().as_deref().unwrap_or("127.0.0.1:8080").parse()?;
    let dir = tempfile::tempdir()?;
    let path = match args.next() {
        Some(p) => p.into(),
        None => dir.path().join("demo.sqlite"),
    };
    let store = Store::connect(&format!("sqlite:{}", path.display())).await?;
    if store.is_empty().await? {
        let today = chrono::Local::now().date_naive();
        let id = store.import_ledger(&demo_ledger(today)).await?;
        eprintln!("demo ledger imported as inspection {id}");
    }
    // The demo accounts are scoped to the first inspection (a database filled with more units,
    // e.g. for a load test at scale, keeps them; the inspection office sees every unit).
    let inspection = store.list_inspections().await?.first().map(|s| s.id).ok_or("the database holds no inspection")?;
    let logins = seed_demo_users(&store, inspection, &rectify_auth::SystemClock).await?;
    println!("演示账号（仅供演示）:");
    for login in &logins {
        println!("  {:<10} {}  {}", login.username, login.password, login.role_label);
    }
    eprintln!("serving http://{addr}/ (Ctrl-C stops)");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let state = AppState::new(store).with_evidence_dir(dir.path().join("evidence"));
    rectify_server::serve_state(state, addr, shutdown).await?;
    Ok(())
}
