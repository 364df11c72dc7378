//! `trialsim serve`: a local web server with one offline page for planners and a small JSON API
//! making the same [`crate::Study`] calls as the command line.
//!
//! Built on `tiny_http` (synchronous, no async runtime, few dependencies): the server handles
//! a handful of local requests, and every simulation runs on its own job thread anyway.
//!
//! Routes: `GET /` (the page, with `/app.js` and `/style.css`, all compiled into the binary),
//! `GET /api/scenarios`, `POST /api/validate`, `POST /api/power`, `POST /api/sample-size`,
//! `POST /api/report`, `GET /api/jobs/{id}`, `DELETE /api/jobs/{id}`.
//!
//! Safe by default: bound to 127.0.0.1, bodies and job sizes bounded ([`Limits`]), at most
//! [`Limits::max_jobs`] simulations at once (others refused with 429), no file is read but the
//! embedded page, a built-in scenario is named but never a path, and a panicking handler answers
//! 500 instead of taking the server down.
//!
//! ```no_run
//! let server = trialsim::serve::bind(&trialsim::serve::ServeOptions::default()).unwrap();
//! println!("{}", server.url());
//! server.run();
//! ```

pub mod api;
pub mod jobs;

use api::Ctx;
use jobs::{Failure, Jobs};
use serde_json::Value;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const INDEX_HTML: &str = include_str!("page/index.html");
const APP_JS: &str = include_str!("page/app.js");
const STYLE_CSS: &str = include_str!("page/style.css");

/// Bounds on what one request may ask for.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body in bytes (413 above).
    pub max_body: usize,
    /// Most trials per size.
    pub max_reps: u64,
    /// Most sizes in one grid.
    pub max_grid: usize,
    /// Largest total N of one size (and of a search).
    pub max_n: usize,
    /// Most simulations running at once (429 above).
    pub max_jobs: usize,
    /// Most worker threads one job may ask for.
    pub max_threads: usize,
    /// Worker threads of a job that asks for none.
    pub default_threads: usize,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Limits {
            max_body: 1 << 20,
            max_reps: 200_000,
            max_grid: 64,
            max_n: 5_000,
            max_jobs: 2,
            max_threads: cores,
            // Two jobs at once share the machine.
            default_threads: (cores / 2).max(1),
        }
    }
}

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to bind (default 127.0.0.1: only this machine can connect).
    pub host: String,
    /// Port (0: any free port).
    pub port: u16,
    /// Open the page in the default browser once listening.
    pub open: bool,
    /// Request and job bounds.
    pub limits: Limits,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            host: "127.0.0.1".into(),
            port: 8080,
            open: false,
            limits: Limits::default(),
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The address could not be bound (in use, not local, no permission).
    #[error("cannot listen on {addr}: {reason}")]
    Bind {
        /// `host:port` as asked.
        addr: String,
        /// Why not.
        reason: String,
    },
}

/// A bound server, not yet answering: [`Server::run`] or [`Server::spawn`] it.
pub struct Server {
    http: Arc<tiny_http::Server>,
    ctx: Arc<Ctx>,
    addr: SocketAddr,
    loopback: bool,
}

/// A server answering on a background thread; [`Running::stop`] ends it.
pub struct Running {
    http: Arc<tiny_http::Server>,
    thread: std::thread::JoinHandle<()>,
    addr: SocketAddr,
}

/// Bind the address (port 0 picks a free one; read it with [`Server::addr`]).
pub fn bind(opts: &ServeOptions) -> Result<Server, ServeError> {
    let want = format!("{}:{}", opts.host, opts.port);
    let fail = |reason: String| ServeError::Bind {
        addr: want.clone(),
        reason,
    };
    let http = tiny_http::Server::http(&want).map_err(|e| fail(e.to_string()))?;
    let addr = http
        .server_addr()
        .to_ip()
        .ok_or_else(|| fail("not an IP address".into()))?;
    Ok(Server {
        http: Arc::new(http),
        ctx: Arc::new(Ctx {
            jobs: Jobs::new(opts.limits.max_jobs, 64),
            limits: opts.limits.clone(),
        }),
        addr,
        loopback: addr.ip().is_loopback(),
    })
}

/// Bind, print the address, optionally open a browser, and answer until the process ends.
pub fn serve(opts: ServeOptions) -> Result<(), ServeError> {
    let server = bind(&opts)?;
    eprintln!("trialsim serve: {} (Ctrl-C stops)", server.url());
    if opts.open {
        open_browser(&server.url());
    }
    server.run();
    Ok(())
}

fn open_browser(url: &str) {
    // The URL is our own; nothing from a request is ever executed.
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener).arg(url).spawn() {
        eprintln!("could not open a browser ({opener}: {e}); open {url} yourself");
    }
}

impl Server {
    /// The address listened on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's URL.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Answer requests on this thread, each on a thread of its own, until the server is stopped.
    pub fn run(self) {
        let active = Arc::new(AtomicUsize::new(0));
        for req in self.http.incoming_requests() {
            // Bound the handler threads: a flood gets 503s, not a thousand threads.
            if active.load(Ordering::Relaxed) >= 32 {
                respond(req, 503, "application/json", busy_body());
                continue;
            }
            active.fetch_add(1, Ordering::Relaxed);
            let ctx = self.ctx.clone();
            let active2 = active.clone();
            let loopback = self.loopback;
            let spawned = std::thread::Builder::new()
                .name("trialsim-http".into())
                .spawn(move || {
                    handle(&ctx, loopback, req);
                    active2.fetch_sub(1, Ordering::Relaxed);
                });
            if spawned.is_err() {
                active.fetch_sub(1, Ordering::Relaxed);
            }
        }
    }

    /// Answer on a background thread (for tests and embedding).
    pub fn spawn(self) -> Running {
        let http = self.http.clone();
        let addr = self.addr;
        let thread = std::thread::spawn(move || self.run());
        Running { http, thread, addr }
    }
}

impl Running {
    /// The address listened on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stop accepting requests and wait for the accept loop to end.
    pub fn stop(self) {
        self.http.unblock();
        let _ = self.thread.join();
    }
}

fn busy_body() -> String {
    r#"{"ok":false,"error":"the server is handling too many requests; try again"}"#.into()
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("ASCII header")
}

fn respond(req: tiny_http::Request, status: u16, content_type: &str, body: String) {
    // Bodies are in memory: always send a Content-Length, never chunks (simpler clients).
    let resp = tiny_http::Response::from_string(body)
        .with_chunked_threshold(usize::MAX)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        .with_header(header(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        ));
    // The client may have gone; nothing to do about it.
    let _ = req.respond(resp);
}

/// Read the body, refusing more than `max` bytes.
fn read_body(req: &mut tiny_http::Request, max: usize) -> Result<Vec<u8>, Failure> {
    let too_large = || Failure::new(413, format!("the request body is larger than {max} bytes"));
    if req.body_length().is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    req.as_reader()
        .take(max as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| Failure::new(400, format!("cannot read the request body: {e}")))?;
    if body.len() > max {
        return Err(too_large());
    }
    Ok(body)
}

/// A page or API answer.
enum Reply {
    Static(&'static str, &'static str),
    Json(u16, Value),
}

fn handle(ctx: &Ctx, loopback: bool, mut req: tiny_http::Request) {
    let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        route(ctx, loopback, &mut req)
    }))
    .unwrap_or_else(|_| {
        Err(Failure::new(
            500,
            "internal error while handling the request",
        ))
    });
    match reply {
        Ok(Reply::Static(ct, body)) => respond(req, 200, ct, body.to_string()),
        Ok(Reply::Json(status, v)) => respond(req, status, "application/json", v.to_string()),
        Err(f) => respond(req, f.status, "application/json", f.body.to_string()),
    }
}

fn route(ctx: &Ctx, loopback: bool, req: &mut tiny_http::Request) -> Result<Reply, Failure> {
    use tiny_http::Method::{Delete, Get, Post};
    // A page on another site must not drive a local server through the browser (DNS
    // rebinding): on a loopback address only loopback host names are answered.
    if loopback {
        let host = req
            .headers()
            .iter()
            .find(|h| h.field.equiv("Host"))
            .map(|h| h.value.as_str().to_string())
            .unwrap_or_default();
        let name = host.rsplit_once(':').map_or(host.as_str(), |(h, _)| h);
        if !matches!(name, "127.0.0.1" | "localhost" | "[::1]") {
            return Err(Failure::new(
                403,
                format!("host {host:?} refused: this server answers only on localhost"),
            ));
        }
    }
    let url = req.url().to_string();
    let path = url.split(['?', '#']).next().unwrap_or("");
    let method = req.method().clone();
    let json = |a: api::Answer| a.map(|(s, v)| Reply::Json(s, v));
    let body = |req: &mut tiny_http::Request| read_body(req, ctx.limits.max_body);
    match (&method, path) {
        (Get, "/" | "/index.html") => Ok(Reply::Static("text/html; charset=utf-8", INDEX_HTML)),
        (Get, "/app.js") => Ok(Reply::Static("text/javascript; charset=utf-8", APP_JS)),
        (Get, "/style.css") => Ok(Reply::Static("text/css; charset=utf-8", STYLE_CSS)),
        (Get, "/api/scenarios") => json(api::scenarios()),
        (Post, "/api/validate") => json(api::validate(&body(req)?)),
        (Post, "/api/power") => json(api::power(ctx, &body(req)?)),
        (Post, "/api/sample-size") => json(api::sample_size(ctx, &body(req)?)),
        (Post, "/api/report") => json(api::report(ctx, &body(req)?)),
        (_, p) if p.starts_with("/api/jobs/") => {
            let id: u64 = p["/api/jobs/".len()..]
                .parse()
                .map_err(|_| Failure::new(404, format!("no such job: {p}")))?;
            match method {
                Get => json(api::job_status(ctx, id)),
                Delete => json(api::job_cancel(ctx, id)),
                _ => Err(Failure::new(405, "use GET or DELETE on a job")),
            }
        }
        (
            _,
            "/" | "/index.html" | "/app.js" | "/style.css" | "/api/scenarios" | "/api/validate"
            | "/api/power" | "/api/sample-size" | "/api/report",
        ) => Err(Failure::new(
            405,
            format!("{method} is not allowed on {path}"),
        )),
        _ => Err(Failure::new(
            404,
            format!("no such page or API route: {path}"),
        )),
    }
}
