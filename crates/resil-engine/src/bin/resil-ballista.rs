//! `resil-ballista scheduler|executor`: the processes of a Ballista cluster that runs resil's
//! passes (`resil score --engine ballista://HOST:PORT`), with resil's functions registered.

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "resil-ballista", about = "A Ballista scheduler or executor that knows resil's functions")]
struct Cli {
    #[command(subcommand)]
    role: Role,
}

#[derive(Subcommand)]
enum Role {
    /// The scheduler: clients connect to it (`--engine ballista://HOST:PORT`).
    Scheduler {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:50050")]
        bind: std::net::SocketAddr,
    },
    /// An executor: it registers with the scheduler and runs the tasks it is given.
    Executor {
        /// The scheduler, HOST:PORT.
        #[arg(long, default_value = "localhost:50050", value_parser = host_port)]
        scheduler: (String, u16),
        /// The host to bind to and advertise to the scheduler and the other executors.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Arrow Flight port (results and shuffle data).
        #[arg(long, default_value_t = 50051)]
        flight_port: u16,
        /// gRPC port (tasks from the scheduler).
        #[arg(long, default_value_t = 50052)]
        grpc_port: u16,
        /// Tasks run at once (default: the core count).
        #[arg(long)]
        concurrent_tasks: Option<usize>,
        /// Folder for shuffle files (default: a temporary folder).
        #[arg(long)]
        work_dir: Option<String>,
    },
}

/// `HOST:PORT` as its two parts.
fn host_port(text: &str) -> Result<(String, u16), String> {
    let (host, port) = text.rsplit_once(':').ok_or_else(|| format!("`{text}`: expected HOST:PORT"))?;
    let port = port.parse().map_err(|_| format!("`{text}`: `{port}` is not a port"))?;
    Ok((host.to_string(), port))
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("resil-ballista: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.role {
            Role::Scheduler { bind } => resil_engine::cluster::run_scheduler(bind).await,
            Role::Executor { scheduler, host, flight_port, grpc_port, concurrent_tasks, work_dir } => {
                let (scheduler_host, scheduler_port) = scheduler;
                let options = resil_engine::cluster::ExecutorOptions {
                    scheduler_host,
                    scheduler_port,
                    host,
                    flight_port,
                    grpc_port,
                    concurrent_tasks,
                    work_dir,
                };
                resil_engine::cluster::run_executor(options).await
            }
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("resil-ballista: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
