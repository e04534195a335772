//! `resil serve` as a real process on loopback: its baseline is the config's own run, an explored
//! pipeline saved as a config is reproduced by `resil run` to the bit, bad and oversized requests
//! get clear 4xx answers, a burst of 200 concurrent re-scores is answered right with flat memory,
//! Ctrl-C stops it cleanly, and a worker count out of range is refused.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "../../../tests/support/plugins.rs"]
mod plugin_build;

fn root() -> PathBuf {
    plugin_build::repo_root()
}

/// A copy of the flagship config in a temporary folder whose `data` and `target` lead to the
/// repository's, so that relative paths resolve and explored configs land in the copy.
fn flagship_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("configs")).unwrap();
    for d in ["data", "target"] {
        std::os::unix::fs::symlink(root().join(d), dir.path().join(d)).unwrap();
    }
    let config = dir.path().join("configs/border-cities.toml");
    std::fs::copy(root().join("configs/border-cities.toml"), &config).unwrap();
    (dir, config)
}

/// A running `resil serve` and its address.
struct Served {
    child: Child,
    addr: String,
}

impl Served {
    fn start(config: &Path) -> Served {
        Served::start_with(config, &[])
    }

    fn start_with(config: &Path, extra: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_resil"))
            .args(["serve"])
            .arg(config)
            .args(extra)
            .args(["--port", "0", "--plugin-dir"])
            .arg(plugin_build::plugin_dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in `{line}`"))
            .to_string();
        Served { child, addr }
    }

    /// One HTTP/1.1 request; (status, body).
    fn request(&self, method: &str, path: &str, body: &[u8], host: Option<&str>) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            host.unwrap_or(&self.addr),
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        // A server may answer (413) before reading an oversized body: ignore a broken pipe.
        let _ = stream.write_all(body);
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response).to_string();
        let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = text.split_once("\r\n\r\n").map_or(String::new(), |(_, b)| b.to_string());
        (status, body)
    }

    fn score(&self, pipeline: serde_json::Value) -> (u16, String) {
        self.request("POST", "/api/score", serde_json::json!({ "pipeline": pipeline }).to_string().as_bytes(), None)
    }

    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(config: &Path, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_resil"))
        .args(["run"])
        .arg(config)
        .args(["--strict", "--plugin-dir"])
        .arg(plugin_build::plugin_dir())
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

/// (unit, period) -> (score, rank, grade) of a run's scores.csv.
fn run_scores(out: &Path) -> std::collections::BTreeMap<(String, i32), (f64, f64, usize)> {
    let mut reader = csv::Reader::from_path(out.join("scores.csv")).unwrap();
    let h = reader.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (u, p, s, r, g) = (col("unit"), col("period"), col("score"), col("rank"), col("grade"));
    reader
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            (
                (rec[u].to_string(), rec[p].parse().unwrap()),
                (rec[s].parse().unwrap(), rec[r].parse().unwrap(), rec[g].parse().unwrap()),
            )
        })
        .collect()
}

fn view_scores(view: &serde_json::Value) -> std::collections::BTreeMap<(String, i32), (f64, f64, usize)> {
    view["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                (r["unit"].as_str().unwrap().to_string(), r["period"].as_i64().unwrap() as i32),
                (r["score"].as_f64().unwrap(), r["rank"].as_f64().unwrap(), r["grade"].as_u64().unwrap() as usize),
            )
        })
        .collect()
}

#[test]
fn explored_pipelines_are_what_resil_run_gives_and_save_reproduces_them() {
    let (dir, config) = flagship_copy();
    let served = Served::start(&config);
    // The baseline is the config's own run, to the bit.
    let (status, study) = served.request("GET", "/api/study", b"", None);
    assert_eq!(status, 200, "{study}");
    let study: serde_json::Value = serde_json::from_str(&study).unwrap();
    let own = dir.path().join("own");
    run(&config, &own);
    assert_eq!(view_scores(&study["view"]), run_scores(&own));
    assert!(study["view"]["synthetic"].as_array().unwrap().len() > 10, "the view says the data are synthetic");
    // Another scorer, critic weights with a parameter, per-period ideals, one weight fixed.
    let explored = serde_json::json!({
        "rank": { "method": "vikor", "v": 0.3, "scope": "per-period" },
        "weight": { "method": "critic", "correlation": "spearman" },
    });
    let (status, body) = served.score(explored.clone());
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    let view = &answer["view"];
    assert_eq!(view["lower_is_better"], true);
    assert!(view["rows"].as_array().unwrap().iter().any(|r| r["shift"].as_f64().unwrap() != 0.0));
    assert_eq!(answer["maps"].as_object().unwrap().len(), 3);
    assert_eq!(view["diff"].as_array().unwrap().len(), 2, "{}", view["diff"]);
    assert_eq!(view["grade_labels"], study["view"]["grade_labels"], "the config's classes, the config's labels");
    // Another classifier replaces the config's with its labels: the page had shown the config's
    // five labels over three classes, where the saved config's run has none.
    let (status, body) = served.score(serde_json::json!({ "classify": { "method": "quantile", "k": 3 } }));
    assert_eq!(status, 200, "{body}");
    let other: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (other["view"]["k"].as_u64(), other["view"]["grade_labels"].as_array().map(Vec::len)),
        (Some(3), Some(0))
    );
    // Saved as a config beside the original (never over it), `resil run` reproduces the view.
    let original = std::fs::read(&config).unwrap();
    let (status, saved) =
        served.request("POST", "/api/save", serde_json::json!({ "pipeline": explored }).to_string().as_bytes(), None);
    assert_eq!(status, 200, "{saved}");
    let path = PathBuf::from(serde_json::from_str::<serde_json::Value>(&saved).unwrap()["path"].as_str().unwrap());
    assert_eq!(path, dir.path().join("configs/border-cities-explored.toml"));
    assert_eq!(std::fs::read(&config).unwrap(), original, "the original config is untouched");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("[[indicator]]") && text.contains("# "), "the rest of the config and its comments are kept");
    // Its tables in the config's order, the explored stages where [pipeline] was, in pipeline
    // order (they had been spread between [study], [[source]] and [[indicator]] tables).
    let headers = |text: &str| -> Vec<String> {
        text.lines().filter(|l| l.starts_with('[')).map(str::to_string).collect::<Vec<_>>()
    };
    let (before, after) = (headers(&String::from_utf8(original.clone()).unwrap()), headers(&text));
    let stage = |h: &String| h.starts_with("[pipeline") || h.starts_with("[[pipeline");
    let others = |hs: &[String]| hs.iter().filter(|h| !stage(h)).cloned().collect::<Vec<_>>();
    assert_eq!(others(&before), others(&after));
    let first = after.iter().position(stage).unwrap();
    let stages: Vec<&str> = after.iter().skip(first).take_while(|h| stage(h)).map(String::as_str).collect();
    assert_eq!(
        stages,
        [
            "[pipeline.impute]",
            "[[pipeline.normalize]]",
            "[[pipeline.normalize]]",
            "[pipeline.weight]",
            "[pipeline.rank]",
            "[pipeline.classify]"
        ]
    );
    assert_eq!(after[first - 1], before[before.iter().position(stage).unwrap() - 1], "where [pipeline] was");
    assert!(text.contains("\n\n[pipeline.rank]\nmethod = \"vikor\"\n"), "{text}");
    // The stages left alone keep the config's own text, comments and all.
    let own = String::from_utf8(original.clone()).unwrap();
    let impute =
        |t: &str| t[t.find("[pipeline.impute]").unwrap()..t.find("[[pipeline.normalize]]").unwrap()].to_string();
    assert_eq!(impute(&text), impute(&own));
    assert!(impute(&text).contains("# North Korea has no HDI"));
    let again = dir.path().join("again");
    run(&path, &again);
    assert_eq!(view_scores(view), run_scores(&again), "resil run of the saved config gives the explored view");
    // A second save takes the next name.
    let (_, second) = served.request("POST", "/api/save", b"{\"pipeline\": {}}", None);
    assert!(second.contains("border-cities-explored-2.toml"), "{second}");
}

#[test]
fn bad_requests_get_clear_4xx_answers_and_a_burst_is_answered_with_flat_memory() {
    let (_dir, config) = flagship_copy();
    let served = Served::start(&config);
    for (method, path, body, host, status, says) in [
        ("POST", "/api/score", &b"{not json"[..], None, 400, "not JSON"),
        ("POST", "/api/score", &b"[1, 2]"[..], None, 400, "a JSON object is expected"),
        ("POST", "/api/score", &b"{\"pipe\": {}}"[..], None, 400, "unknown key `pipe`"),
        ("POST", "/api/score", &b"{\"pipeline\": {\"output\": {}}}"[..], None, 400, "`pipeline.output`: not a stage"),
        (
            "POST",
            "/api/score",
            &b"{\"pipeline\": {\"rank\": {\"method\": \"vikor\", \"w\": 1}}}"[..],
            None,
            400,
            "`pipeline.rank.w`: vikor has no parameter `w`; it takes: v",
        ),
        (
            "POST",
            "/api/score",
            &b"{\"pipeline\": {\"rank\": {\"method\": \"topsys\"}}}"[..],
            None,
            400,
            "unknown method `topsys`",
        ),
        ("POST", "/api/score", &b"{\"pipeline\": {\"rank\": null}}"[..], None, 400, "not a table of stages"),
        // The pipeline's own rules, as for a config (an empty chain was scored unnormalised).
        (
            "POST",
            "/api/score",
            &b"{\"pipeline\": {\"normalize\": []}}"[..],
            None,
            400,
            "`pipeline.normalize`: at least one normalisation step is needed",
        ),
        ("GET", "/api/score", &b""[..], None, 405, "method not allowed"),
        ("GET", "/../../etc/passwd", &b""[..], None, 404, "not found"),
        ("GET", "/configs/border-cities.toml", &b""[..], None, 404, "not found"),
        ("GET", "/api/study", &b""[..], Some("evil.example"), 403, "loopback address only"),
    ] {
        let (got, text) = served.request(method, path, body, host);
        assert_eq!(got, status, "{method} {path}: {text}");
        assert!(text.contains(says), "{method} {path}: `{says}` not in {text}");
    }
    let big = vec![b' '; 300 * 1024];
    assert_eq!(served.request("POST", "/api/score", &big, None).0, 413);
    // 200 concurrent re-scores, two pipelines: each answer is its pipeline's, memory stays flat.
    let (_, a) = served.score(serde_json::json!({ "rank": { "method": "gra" } }));
    let (_, b) = served.score(serde_json::json!({ "classify": { "method": "quantile", "k": 4 } }));
    let before = served.rss_kib();
    let answers: Vec<(usize, u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..200)
            .map(|i| {
                let served = &served;
                s.spawn(move || {
                    let pipeline = if i % 2 == 0 {
                        serde_json::json!({ "rank": { "method": "gra" } })
                    } else {
                        serde_json::json!({ "classify": { "method": "quantile", "k": 4 } })
                    };
                    let (status, body) = served.score(pipeline);
                    (i, status, body)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (i, status, body) in answers {
        assert_eq!(status, 200, "request {i}: {body}");
        assert_eq!(&body, if i % 2 == 0 { &a } else { &b }, "request {i} got another pipeline's answer");
    }
    let after = served.rss_kib();
    assert!(after < before + 64 * 1024, "memory grew from {before} KiB to {after} KiB over the burst");
}

#[test]
fn ctrl_c_stops_the_server_cleanly_and_other_hosts_are_warned_of() {
    let (_dir, config) = flagship_copy();
    let mut served = Served::start_with(&config, &["--host", "0.0.0.0"]);
    assert_eq!(served.request("GET", "/", b"", None).0, 200);
    let status = Command::new("kill").args(["-INT", &served.child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let started = Instant::now();
    let code = loop {
        if let Some(code) = served.child.try_wait().unwrap() {
            break code;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "still running 10 s after Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(code.success(), "{code}");
    let mut err = String::new();
    served.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(err.contains("stopped"), "{err}");
    assert!(err.contains("warning: listening on 0.0.0.0: anyone who can reach this address"), "{err}");
}

#[test]
fn worker_counts_outside_1_to_1024_are_refused_before_listening() {
    // 2^40 workers had been spawned one by one without end.
    for (workers, want) in [("0", "0 is not in 1..=1024"), ("1099511627776", "1099511627776 is not in 1..=1024")] {
        let done = Command::new(env!("CARGO_BIN_EXE_resil"))
            .args(["serve", "no-such.toml", "--port", "0", "--workers", workers])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(2), "{err}");
        assert!(err.contains(want), "{err}");
    }
}

#[path = "../../../tests/support/chromium.rs"]
mod find;

/// Evaluates `js` in the tab and returns its value as JSON (the script returns a JSON string).
fn page_json(tab: &headless_chrome::Tab, js: &str) -> serde_json::Value {
    let value = tab.evaluate(js, false).unwrap().value.unwrap_or_else(|| panic!("no value from {js}"));
    serde_json::from_str(value.as_str().unwrap()).unwrap()
}

/// Waits until the page has shown the answer to a request later than `seq`; returns the new one.
fn next_view(tab: &headless_chrome::Tab, seq: u64) -> u64 {
    let started = Instant::now();
    loop {
        let now = page_json(tab, "JSON.stringify(Number(document.body.dataset.seq || -1))").as_i64().unwrap();
        if now > seq as i64 {
            return now as u64;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the page did not update");
        std::thread::sleep(Duration::from_millis(50));
    }
}

const RANKS_JS: &str = "JSON.stringify([...document.querySelectorAll('#ranks tbody tr')].map(r => [r.dataset.unit, Number(r.children[3].textContent), r.children[5].textContent]))";
const MAP_JS: &str =
    "JSON.stringify(document.querySelector('#map svg') ? document.querySelector('#map svg').innerHTML : '')";

#[test]
fn the_explorer_works_in_headless_chromium() {
    let Some(browser_path) = find::chromium() else { return };
    let (dir, config) = flagship_copy();
    let served = Served::start(&config);
    let options = headless_chrome::LaunchOptions::default_builder()
        .path(Some(browser_path))
        .sandbox(false)
        .window_size(Some((1400, 1100)))
        .idle_browser_timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let browser = headless_chrome::Browser::new(options).unwrap();
    let tab = browser.new_tab().unwrap();
    tab.navigate_to(&format!("http://{}/", served.addr)).unwrap().wait_until_navigated().unwrap();
    tab.wait_for_element("#ranks tbody tr").unwrap();
    // The page marks each view it shows with a sequence number, 0 for the config's own.
    let started = Instant::now();
    while page_json(&tab, "JSON.stringify(document.body.dataset.seq === undefined)") == serde_json::json!(true) {
        assert!(started.elapsed() < Duration::from_secs(30), "the page never showed the config's run");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut seq = 0;
    let first = page_json(&tab, RANKS_JS);
    let first_map = page_json(&tab, MAP_JS);
    assert_eq!(first.as_array().unwrap().len(), 41, "{first}");
    assert!(first_map.as_str().unwrap().contains("<circle"), "the map shows the units");

    // Move a slider: FDI (X23) to a weight of 0.4; the ranks and the map change.
    tab.evaluate(
        "(() => { const r = document.querySelector('input[type=range][data-id=\"X23\"]'); r.value = '0.4'; \
         r.dispatchEvent(new Event('input')); r.dispatchEvent(new Event('change')); })()",
        false,
    )
    .unwrap();
    seq = next_view(&tab, seq);
    let moved = page_json(&tab, RANKS_JS);
    assert_ne!(moved, first, "moving a weight changed no rank");
    assert_ne!(page_json(&tab, MAP_JS), first_map, "moving a weight left the map as it was");
    let hash = page_json(&tab, "JSON.stringify(decodeURIComponent(location.hash.slice(1)))");
    assert!(hash.as_str().unwrap().contains("\"fixed\""), "the URL carries the state: {hash}");

    // Pick another scorer, then save: `resil run` of the saved config gives the page's ranks.
    tab.evaluate(
        "(() => { const s = document.getElementById('m-rank'); s.value = 'vikor'; s.dispatchEvent(new Event('change')); })()",
        false,
    )
    .unwrap();
    next_view(&tab, seq);
    let vikor = page_json(&tab, RANKS_JS);
    assert_ne!(vikor, moved, "another scorer changed no rank");
    tab.evaluate("document.getElementById('save').click()", false).unwrap();
    let started = Instant::now();
    let saved = dir.path().join("configs/border-cities-explored.toml");
    while !saved.exists() {
        assert!(started.elapsed() < Duration::from_secs(30), "the page saved no config");
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = dir.path().join("saved-run");
    run(&saved, &out);
    let cli = run_scores(&out);
    for row in vikor.as_array().unwrap() {
        let (unit, rank) = (row[0].as_str().unwrap(), row[1].as_f64().unwrap());
        assert_eq!(cli[&(unit.to_string(), 2020)].1, rank, "{unit}: the page and resil run disagree");
    }
    let errors = page_json(&tab, "JSON.stringify(window.__errors)");
    assert_eq!(errors, serde_json::json!([]), "the page logged errors");

    // The screenshot of docs/explorer.md (written there with RESIL_UPDATE_SCREENSHOT=1).
    let png = tab
        .capture_screenshot(headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    assert!(png.len() > 10_000, "a blank screenshot");
    let target = if std::env::var_os("RESIL_UPDATE_SCREENSHOT").is_some() {
        root().join("docs/explorer.png")
    } else {
        dir.path().join("explorer.png")
    };
    std::fs::write(target, png).unwrap();

    // The URL is the state: a colleague opening it sees the same view and controls.
    let href = page_json(&tab, "JSON.stringify(location.href)");
    let shared = browser.new_tab().unwrap();
    shared.navigate_to(href.as_str().unwrap()).unwrap().wait_until_navigated().unwrap();
    shared.wait_for_element("#ranks tbody tr").unwrap();
    next_view(&shared, 0);
    assert_eq!(page_json(&shared, RANKS_JS), vikor, "the shared URL shows another view");
    assert_eq!(page_json(&shared, "JSON.stringify(document.getElementById('m-rank').value)"), "vikor");
    assert_eq!(page_json(&shared, "JSON.stringify(window.__errors)"), serde_json::json!([]));
}

/// Serves a copy of `configs/<name>.toml` (beside the flagship's), explores `explored`, saves
/// it, and checks that `resil run` of the saved config gives the view; (the original text, the
/// saved text).
fn explore_and_save(name: &str, explored: serde_json::Value) -> (String, String) {
    let (dir, _) = flagship_copy();
    let config = dir.path().join(format!("configs/{name}.toml"));
    std::fs::copy(root().join(format!("configs/{name}.toml")), &config).unwrap();
    let served = Served::start(&config);
    let (status, body) = served.score(explored.clone());
    assert_eq!(status, 200, "{body}");
    let view = serde_json::from_str::<serde_json::Value>(&body).unwrap()["view"].clone();
    let body = serde_json::json!({ "pipeline": explored }).to_string();
    let (status, saved) = served.request("POST", "/api/save", body.as_bytes(), None);
    assert_eq!(status, 200, "{saved}");
    let path = dir.path().join(format!("configs/{name}-explored.toml"));
    let again = dir.path().join("again");
    run(&path, &again);
    assert_eq!(view_scores(&view), run_scores(&again), "resil run of the saved config gives the explored view");
    (std::fs::read_to_string(&config).unwrap(), std::fs::read_to_string(&path).unwrap())
}

#[test]
fn a_config_without_its_own_pipeline_gets_the_changed_stages_after_its_last_table() {
    // border-cities-xlsx.toml takes its [pipeline] from border-cities.toml (`extends`).
    let (original, text) =
        explore_and_save("border-cities-xlsx", serde_json::json!({ "rank": { "method": "vikor", "v": 0.3 } }));
    // The config's own text, then the one stage that changed: the others still come from the
    // config it extends (they had all been written out, between its tables).
    assert!(text.starts_with(original.trim_end()), "the config's own text comes first, unchanged");
    assert_eq!(&text[original.trim_end().len()..], "\n\n[pipeline.rank]\nmethod = \"vikor\"\nv = 0.3\n");
}

#[test]
fn a_pipeline_written_inline_keeps_its_unchanged_stages_as_written() {
    // hdi.toml writes its stages inline under [pipeline] (`weight = { method = "equal" }`), with
    // comments: they had all been rewritten as tables, their comments lost.
    let (original, text) = explore_and_save("hdi", serde_json::json!({ "classify": { "method": "quantile", "k": 4 } }));
    let cut = original.find("# The HDR's development groups.").unwrap();
    assert_eq!(&text[..cut], &original[..cut], "everything before the changed stage, comments included");
    let rest = &original[original.find("\n[output]").unwrap()..];
    assert_eq!(&text[cut..], format!("\n[pipeline.classify]\nmethod = \"quantile\"\nk = 4\n{rest}"));
}
