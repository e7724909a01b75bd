//! Helpers for the history module's unit tests: real git repositories in
//! temporary directories, with a pinned author and no user configuration.

use std::path::Path;

/// Runs git in `dir` as author `A <a@example.com>`; panics on failure.
pub(crate) fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "A")
        .env("GIT_AUTHOR_EMAIL", "a@example.com")
        .env("GIT_COMMITTER_NAME", "A")
        .env("GIT_COMMITTER_EMAIL", "a@example.com")
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Writes a file below `dir`, creating its folders.
pub(crate) fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// An empty evident.toml, action `a` (1 point) and template `t` whose one
/// control lists it.
pub(crate) fn one_action(dir: &Path) {
    write(dir, "evident.toml", "");
    write(
        dir,
        "actions/a.toml",
        "id = \"a\"\ntitle = \"A\"\nversion = 1\ncategory = \"control-access\"\naction_type = \"technical\"\ncontrol_type = \"detective\"\nmandatory = false\ntesting = \"manual\"\n",
    );
    write(
        dir,
        "templates/t.toml",
        "id = \"t\"\nname = \"t\"\nregulation = \"T\"\nversion = 1\n\n[[controls]]\nid = \"c\"\ntitle = \"c\"\nactions = [\"a\"]\n",
    );
}
