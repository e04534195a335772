//! The `resil` binary: forwards to `resil_cli::main_with`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let code = resil_cli::main_with(&args, &mut std::io::stdout(), &mut std::io::stderr());
    std::process::exit(code);
}
