//! Start the planner web page: `cargo run --release --example serve -- [--port P] [--host H] [--open]`.
//! Prints `listening on http://HOST:PORT/` on standard output once bound (port 0 picks a free
//! port), so a test can start it and read the address.

use std::io::Write;

fn main() {
    let mut opts = trialsim::serve::ServeOptions::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => {
                opts.port = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "--host" => opts.host = args.next().unwrap_or_else(|| usage()),
            "--open" => opts.open = true,
            _ => usage(),
        }
    }
    let server = match trialsim::serve::bind(&opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    println!("listening on {}", server.url());
    std::io::stdout().flush().ok();
    if opts.open {
        let _ = std::process::Command::new("xdg-open")
            .arg(server.url())
            .spawn();
    }
    server.run();
}

fn usage() -> ! {
    eprintln!("usage: serve [--port P] [--host H] [--open]");
    std::process::exit(2);
}
