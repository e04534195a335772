//! `resil serve CONFIG`: the live explorer. The study is prepared once; a small HTTP server
//! (tiny_http) on loopback serves one self-contained page and three JSON endpoints:
//! `GET /api/study` (method catalogue, the config's stages and run), `POST /api/score` (a
//! pipeline with some stages replaced -> scores, ranks, shifts, regions, maps) and
//! `POST /api/save` (writes `<config>-explored.toml` beside the config, never over a file).
//! Nothing else is served: no file paths come from requests. Bodies are bounded, re-scores run
//! on a fixed set of worker threads (so at most that many at once, the rest wait in the queue),
//! every request body is checked by the method tables with the CLI's messages, and Ctrl-C stops
//! the workers after the requests in hand.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use resil_pipeline::{Explorer, RunOptions};
use tiny_http::{Header, Method, Request, Response, Server};

/// The largest request body taken, in bytes: a pipeline with fixed weights for a few hundred
/// indicators fits many times over.
pub const MAX_BODY: usize = 256 * 1024;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The study's config.
    pub config: PathBuf,
    /// Port to listen on (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// Listen on this address instead of 127.0.0.1 (reachable by others: a warning is printed).
    #[arg(long)]
    pub host: Option<String>,
    /// Worker threads, 1 to 1024: the most re-scores at once.
    #[arg(long, default_value_t = 4, value_parser = crate::thread_count())]
    pub workers: usize,
    #[arg(long = "plugin-dir")]
    pub plugin_dirs: Vec<PathBuf>,
}

/// One answer: status, content type, body.
struct Answer(u16, &'static str, Vec<u8>);

impl Answer {
    fn json(status: u16, value: &serde_json::Value) -> Answer {
        Answer(status, "application/json", serde_json::to_vec(value).expect("JSON serialises"))
    }

    fn error(status: u16, message: impl Into<String>) -> Answer {
        Answer(status, "text/plain; charset=utf-8", message.into().into_bytes())
    }
}

/// Whether `host` names this machine only.
fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The request body's `pipeline` as a TOML table of stages; anything else is a 400.
fn overrides(body: &[u8]) -> Result<toml::Table, Answer> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| Answer::error(400, format!("request body: not JSON: {e}")))?;
    let object = value.as_object().ok_or_else(|| Answer::error(400, "request body: a JSON object is expected"))?;
    if let Some(key) = object.keys().find(|k| *k != "pipeline") {
        return Err(Answer::error(400, format!("request body: unknown key `{key}` (only `pipeline`)")));
    }
    match object.get("pipeline") {
        None => Ok(toml::Table::new()),
        Some(p) => toml::Table::try_from(p)
            .map_err(|e| Answer::error(400, format!("request body: `pipeline` is not a table of stages: {e}"))),
    }
}

/// Reads at most MAX_BODY bytes of the body; a longer one is a 413.
fn body(request: &mut Request) -> Result<Vec<u8>, Answer> {
    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        return Err(Answer::error(413, format!("request body over {MAX_BODY} bytes")));
    }
    let mut bytes = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Answer::error(400, format!("request body: {e}")))?;
    if bytes.len() > MAX_BODY {
        return Err(Answer::error(413, format!("request body over {MAX_BODY} bytes")));
    }
    Ok(bytes)
}

fn handle(explorer: &Explorer, page: &str, request: &mut Request) -> Answer {
    let path = request.url().split(['?', '#']).next().unwrap_or("").to_string();
    let method = request.method().clone();
    match (method, path.as_str()) {
        (Method::Get, "/") => Answer(200, "text/html; charset=utf-8", page.as_bytes().to_vec()),
        (Method::Get, "/api/study") => Answer::json(200, &resil_report::explorer_study(explorer)),
        (Method::Post, "/api/score") => {
            let table = match body(request).and_then(|b| overrides(&b)) {
                Ok(t) => t,
                Err(a) => return a,
            };
            match explorer.evaluate(&table) {
                Ok(view) => {
                    let maps = resil_report::explorer_maps(&view);
                    Answer::json(200, &serde_json::json!({ "view": view, "maps": maps }))
                }
                Err(e) => Answer::error(400, e.to_string()),
            }
        }
        (Method::Post, "/api/save") => {
            let table = match body(request).and_then(|b| overrides(&b)) {
                Ok(t) => t,
                Err(a) => return a,
            };
            match explorer.save(&table) {
                Ok(path) => Answer::json(200, &serde_json::json!({ "path": path.display().to_string() })),
                Err(e) => Answer::error(400, e.to_string()),
            }
        }
        (_, "/" | "/api/study" | "/api/score" | "/api/save") => Answer::error(405, "method not allowed"),
        _ => Answer::error(404, "not found: this server has one page and its /api endpoints"),
    }
}

fn respond(request: Request, answer: Answer) {
    let Answer(status, content_type, bytes) = answer;
    let header = |k: &str, v: &str| Header::from_bytes(k.as_bytes(), v.as_bytes()).expect("a valid header");
    // Always a Content-Length, never chunked: simple clients read simple answers.
    let response = Response::from_data(bytes)
        .with_chunked_threshold(usize::MAX)
        .with_status_code(status)
        .with_header(header("Content-Type", content_type))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        .with_header(header(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
        ));
    // A client that went away is not the server's problem.
    let _ = request.respond(response);
}

pub fn serve(args: &ServeArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<i32> {
    let started = std::time::Instant::now();
    let loaded = crate::load(&args.config, true, err)?;
    let options = RunOptions { strict: true, plugin_dirs: args.plugin_dirs.clone(), ..Default::default() };
    let explorer = Arc::new(Explorer::prepare(loaded, &options)?);
    let host = args.host.clone().unwrap_or_else(|| "127.0.0.1".into());
    let loopback = is_loopback(&host);
    if !loopback {
        writeln!(err, "warning: listening on {host}: anyone who can reach this address can use the explorer")?;
    }
    let server = Arc::new(
        Server::http((host.as_str(), args.port))
            .map_err(|e| anyhow::anyhow!("cannot listen on {host}:{}: {e}", args.port))?,
    );
    let address = server.server_addr().to_ip().context("the server has no IP address")?;
    let page = Arc::new(resil_report::explorer_page(explorer.study_name()));
    writeln!(err, "prepared {} in {:.2} s", explorer.config_path().display(), started.elapsed().as_secs_f64())?;
    writeln!(out, "serving http://{address}/ (Ctrl-C stops)")?;
    out.flush()?;
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst)).context("installing the Ctrl-C handler")?;
    }
    let workers: Vec<_> = (0..args.workers)
        .map(|_| {
            let (server, explorer, page, stop) = (server.clone(), explorer.clone(), page.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let Ok(Some(mut request)) = server.recv_timeout(Duration::from_millis(100)) else { continue };
                    // With loopback only, a request naming another host (DNS rebinding) is refused.
                    let host_ok = !loopback
                        || request.headers().iter().filter(|h| h.field.equiv("Host")).all(|h| {
                            let name = h.value.as_str();
                            let name = name.rsplit_once(':').map_or(name, |(n, _)| n);
                            is_loopback(name.trim_start_matches('[').trim_end_matches(']'))
                        });
                    let answer = if host_ok {
                        handle(&explorer, &page, &mut request)
                    } else {
                        Answer::error(403, "this explorer answers on its loopback address only")
                    };
                    respond(request, answer);
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    writeln!(err, "stopped")?;
    Ok(0)
}
