// mimalloc: the history and loading passes allocate millions of small strings, a third of
// their time under the system allocator. It reserves address space lazily, so every command
// still runs within a 4 GB `ulimit -v` (bench/history.sh checks it).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    evident::cli::main()
}
