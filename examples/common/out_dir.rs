//! The output folder of the examples: it must not exist or be empty, unless `--force` asks to
//! replace a previous output (each example then deletes only what it writes).

use std::path::Path;

/// Whether `dir` holds a previous output to clear first: `false` when it does not exist or is
/// empty, `true` when it is not empty and `force` is set. Exit code 2 (with the message) when it
/// is not a folder, or not empty without `force`; 1 when it cannot be read.
pub fn needs_clearing(dir: &Path, force: bool) -> Result<bool, (u8, String)> {
    if !dir.exists() {
        return Ok(false);
    }
    if !dir.is_dir() {
        return Err((2, format!("`{}` exists and is not a directory", dir.display())));
    }
    let non_empty = std::fs::read_dir(dir)
        .map_err(|e| (1, format!("cannot read `{}`: {e}", dir.display())))?
        .next()
        .is_some();
    if non_empty && !force {
        return Err((
            2,
            format!(
                "`{}` is not empty; choose another --out or pass --force to replace a previous output",
                dir.display()
            ),
        ));
    }
    Ok(non_empty)
}
