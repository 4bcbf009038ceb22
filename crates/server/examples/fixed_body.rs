//! The ceiling of the load harness: an axum handler returning a fixed body of a given size, on
//! the same runtime and machine as the server it is compared with.
//!
//! `cargo run -p rectify-server --example fixed_body --release -- 127.0.0.1:9090 BYTES`

use std::net::SocketAddr;
use std::process::ExitCode;

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(addr), Some(bytes)) = (args.next(), args.next()) else {
        eprintln!("usage: fixed_body ADDR BYTES");
        return ExitCode::from(2);
    };
    let (Ok(addr), Ok(bytes)) = (addr.parse::<SocketAddr>(), bytes.parse::<usize>()) else {
        eprintln!("fixed_body: ADDR must be ip:port and BYTES a number");
        return ExitCode::from(2);
    };
    let body: &'static str = Box::leak("x".repeat(bytes).into_boxed_str());
    let app = Router::new().route("/", get(move || async move { body }));
    let Ok(listener) = tokio::net::TcpListener::bind(addr).await else {
        eprintln!("fixed_body: cannot listen on {addr}");
        return ExitCode::FAILURE;
    };
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fixed_body: {e}");
            ExitCode::FAILURE
        }
    }
}
