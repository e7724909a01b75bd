//! The markers of `list actions` ("(stale)", "(overdue)") in every format that shows statuses.

use crate::automation::aging_repo;

#[test]
fn markdown_keeps_the_stale_marker_of_the_human_table() {
    // Tested 2026-01-02, valid for 30 days; today is 2026-11-23: stale.
    let repo = aging_repo("manual = \"30d\"");
    for extra in [&[][..], &["--per-assessment"]] {
        let mut args = vec!["list", "actions"];
        args.extend_from_slice(extra);
        let human = repo.run(&args);
        assert!(human.stdout.contains("passed (stale)"), "{}", human.all());
        args.extend_from_slice(&["--format", "markdown"]);
        let md = repo.run(&args);
        assert_eq!(md.code, 0, "{}", md.all());
        assert!(md.stdout.contains("| passed (stale) |"), "{args:?}: {}", md.stdout);
    }
}
