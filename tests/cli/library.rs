//! `evident library list|add` and `evident init --template`: the templates
//! built into the binary, and a drift check that each bundled zip is exactly
//! what evident's importers write today from the sources in tests/data.

use std::io::Read;
use std::path::PathBuf;

use crate::support::TestRepo;

fn bundled(id: &str) -> Vec<(String, String)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("src/library/data/{id}.zip"));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        out.push((f.name().to_owned(), text));
    }
    out.sort();
    out
}

fn written(repo: &TestRepo) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in ["templates", "actions"] {
        for e in std::fs::read_dir(repo.path().join(dir)).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".toml") {
                let rel = format!("{dir}/{name}");
                out.push((rel.clone(), repo.read(&rel)));
            }
        }
    }
    out.sort();
    out
}

fn data(path: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(path).to_string_lossy().into_owned()
}

/// The bundled files are what the import writes now; on a deliberate change,
/// regenerate them with `scripts/build-library.sh`.
#[test]
fn bundled_templates_match_a_fresh_import() {
    let cases: &[(&str, Vec<&str>)] = &[
        ("dora", vec!["import", "ciso-assistant", "ciso/dora.yaml"]),
        ("finma-2023-01", vec!["import", "ciso-assistant", "ciso/finma-2023-01.yaml"]),
        ("cisa-cpg-2.0", vec!["import", "ciso-assistant", "ciso/cisa-cpg-2.0.yaml"]),
        (
            "nist-800-53-rev5",
            vec![
                "import",
                "oscal",
                "--template",
                "nist-800-53-rev5",
                "--catalog",
                "oscal/NIST_SP-800-53_rev5_catalog.json",
            ],
        ),
        (
            "nist-800-53-rev5-low",
            vec![
                "import",
                "oscal",
                "--template",
                "nist-800-53-rev5-low",
                "--catalog",
                "oscal/NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json",
            ],
        ),
    ];
    for (id, args) in cases {
        let repo = TestRepo::new();
        let args: Vec<String> =
            args.iter().map(|a| if a.contains('/') { data(a) } else { (*a).to_owned() }).collect();
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = repo.run(&refs);
        assert_eq!(run.code, 0, "{}", run.all());
        assert!(
            written(&repo) == bundled(id),
            "src/library/data/{id}.zip is stale: run scripts/build-library.sh (see its header)"
        );
    }
}

#[test]
fn list_names_source_version_and_licence() {
    let repo = TestRepo::new();
    let run = repo.run(&["library", "list", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let list = run.json();
    crate::output_schemas::assert_conforms("library-list", &list);
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "nist-800-53-rev5",
            "nist-800-53-rev5-low",
            "nist-800-53-rev5-moderate",
            "nist-800-53-rev5-high",
            "dora",
            "finma-2023-01",
            "cisa-cpg-2.0"
        ]
    );
    for e in list.as_array().unwrap() {
        for key in ["name", "source", "version", "licence"] {
            assert!(!e[key].as_str().unwrap().is_empty(), "{e}");
        }
    }
}

#[test]
fn init_with_a_template_starts_a_valid_repository() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("c");
    let run = crate::support::run({
        let mut cmd = crate::support::evident();
        cmd.arg("init").arg(&target).args(["--no-git", "--template", "nist-800-53-rev5-high"]);
        cmd
    });
    assert_eq!(run.code, 0, "{}", run.all());
    let t: toml::Table = toml::from_str(
        &std::fs::read_to_string(target.join("templates/nist-800-53-rev5-high.toml")).unwrap(),
    )
    .unwrap();
    assert_eq!(t["controls"].as_array().unwrap().len(), 370);
    let repo_arg = target.to_string_lossy().into_owned();
    let run = crate::support::run({
        let mut cmd = crate::support::evident();
        cmd.args(["--repo", &repo_arg, "validate"]);
        cmd
    });
    assert_eq!(run.code, 0, "{}", run.all());
    // An unknown id is refused before anything is created.
    let other = dir.path().join("d");
    let run = crate::support::run({
        let mut cmd = crate::support::evident();
        cmd.arg("init").arg(&other).args(["--no-git", "--template", "nist-800-53-rev5-hihg"]);
        cmd
    });
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stderr.contains("nist-800-53-rev5-high"), "{}", run.all());
    assert!(!other.exists());
}

/// `init --template` into a directory whose files clash with the template's: nothing of the
/// template is written and the run fails (it exited 0).
#[test]
fn init_with_a_template_that_clashes_fails() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(dir.path().join("templates/cisa-cpg-2.0.toml"), "# mine\n").unwrap();
    let run = crate::support::run({
        let mut cmd = crate::support::evident();
        cmd.arg("init").arg(dir.path()).args(["--no-git", "--template", "cisa-cpg-2.0"]);
        cmd
    });
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("already exist"), "{}", run.all());
    assert!(!dir.path().join("actions/cisa-cpg-2.0-rc-01.toml").exists());
    // The template is checked before anything is written: init's own files are not there either.
    assert!(!dir.path().join("evident.toml").exists(), "{}", run.all());
    assert!(!run.stderr.contains("Next:"), "{}", run.all());
}

#[test]
fn a_fifo_where_a_file_would_go_is_a_clash_not_a_hang() {
    let repo = TestRepo::new();
    std::fs::create_dir_all(repo.path().join("templates")).unwrap();
    let fifo = repo.path().join("templates/cisa-cpg-2.0.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available: skipped");
        return;
    }
    let mut cmd = crate::support::evident();
    cmd.arg("--repo").arg(repo.path()).args(["library", "add", "cisa-cpg-2.0"]);
    let run = crate::support::run_within(cmd, 30);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("1 file of `cisa-cpg-2.0` already exists"), "{}", run.all());
}

#[test]
fn add_writes_a_template_under_a_new_id_and_never_overwrites() {
    let repo = TestRepo::new();
    let run = repo.run(&["library", "add", "cisa-cpg-2.0", "--template", "cpg"]);
    assert_eq!(run.code, 0, "{}", run.all());
    let t: toml::Table = toml::from_str(&repo.read("templates/cpg.toml")).unwrap();
    assert_eq!((t["id"].as_str(), t["controls"].as_array().unwrap().len()), (Some("cpg"), 34));
    assert_eq!(repo.run(&["validate"]).code, 0);
    // Again: the same content is left as it is, and the message says so.
    let again = repo.run(&["library", "add", "cisa-cpg-2.0", "--template", "cpg"]);
    assert_eq!(again.code, 0, "{}", again.all());
    assert!(again.stderr.contains("template `cpg` ("), "{}", again.stderr);
    assert!(again.stderr.contains("is already present; nothing was written"), "{}", again.stderr);
    assert!(!again.stderr.contains("Added"), "{}", again.stderr);
    // Other content is never overwritten.
    repo.write("actions/cisa-cpg-2.0-rc-01.toml", repo.read("actions/cisa-cpg-2.0-rc-01.toml") + "# mine\n");
    let before = repo.snapshot_files();
    let run = repo.run(&["library", "add", "cisa-cpg-2.0"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("actions/cisa-cpg-2.0-rc-01.toml"), "{}", run.all());
    assert!(before == repo.snapshot_files());
}

/// A hand-written file that is not UTF-8 could not be read as text and was
/// taken for absent: `library add` overwrote it.
#[test]
fn add_never_overwrites_a_file_it_cannot_read() {
    let repo = TestRepo::new();
    let mine: &[u8] = b"id = \"cisa-cpg-2.0-rc-01\"\ntitle = \"caf\xe9\"\n";
    repo.write("actions/cisa-cpg-2.0-rc-01.toml", mine);
    let run = repo.run(&["library", "add", "cisa-cpg-2.0"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("actions/cisa-cpg-2.0-rc-01.toml"), "{}", run.all());
    assert_eq!(std::fs::read(repo.path().join("actions/cisa-cpg-2.0-rc-01.toml")).unwrap(), mine);
    assert!(!repo.path().join("templates/cisa-cpg-2.0.toml").exists());
}

/// A repository whose template file declares another id (an id-mismatch error) already has
/// template `cisa-cpg-2.0`: adding it would make a duplicate id.
#[test]
fn add_refuses_an_id_the_repository_already_declares() {
    let repo = TestRepo::new();
    assert_eq!(repo.run(&["library", "add", "cisa-cpg-2.0"]).code, 0);
    std::fs::rename(repo.path().join("templates/cisa-cpg-2.0.toml"), repo.path().join("templates/cpg.toml"))
        .unwrap();
    assert_eq!(repo.run(&["validate"]).code, 1, "the repository has an error already");
    let before = repo.snapshot_files();
    let run = repo.run(&["library", "add", "cisa-cpg-2.0"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(
        run.stderr
            .contains("would duplicate ids the repository already has: `cisa-cpg-2.0` in templates/cpg.toml"),
        "{}",
        run.all()
    );
    assert!(
        run.stderr.contains("nothing was written") && run.stderr.contains("--template NEW-ID"),
        "{}",
        run.all()
    );
    assert!(before == repo.snapshot_files());
    // A template file that does not parse and may declare it: refused too.
    repo.write("templates/cpg.toml", "id = \"cisa-cpg-2.0\"\nname = [broken\n");
    let run = repo.run(&["library", "add", "cisa-cpg-2.0"]);
    assert_eq!(run.code, 1, "{}", run.all());
    assert!(run.stderr.contains("`templates/cpg.toml` cannot be read"), "{}", run.all());
    assert!(!repo.path().join("templates/cisa-cpg-2.0.toml").exists());
    // Under another id it is fine.
    repo.remove("templates/cpg.toml");
    assert_eq!(repo.run(&["library", "add", "cisa-cpg-2.0", "--template", "cpg2"]).code, 0);
}
