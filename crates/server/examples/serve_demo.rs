//! Serves the built-in demo on a fresh SQLite database, for trying the API and for load tests.
//!
//! `cargo run -p rectify-server --example serve_demo --release -- 127.0.0.1:8080 [DB-FILE]`
//!
//! Without DB-FILE the database is a temporary file deleted on exit. Stops on Ctrl-C.

use std::net::SocketAddr;
use std::process::ExitCode;

use rectify_server::demo::demo_ledger;
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
    eprintln!("serving http://{addr}/ (Ctrl-C stops)");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    rectify_server::serve(store, addr, shutdown).await?;
    Ok(())
}
