fn main() -> std::process::ExitCode {
    evident::cli::main()
}
