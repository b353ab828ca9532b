//! Whole-program tests of the commands that need no terminal: check, paths, answer, plain mode
//! (with intake: notes, autosave, resume and export), completions and the man page.

// Test helpers outside #[test] functions unwrap too: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

#[path = "support/trees.rs"]
mod trees;

fn groupfit() -> Command {
    let mut cmd = Command::cargo_bin("groupfit").unwrap();
    cmd.env_remove("GROUPFIT_QUESTIONS").env_remove("NO_COLOR");
    cmd
}

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

fn fixture(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
        .display()
        .to_string()
}

#[test]
fn every_valid_fixture_passes_check() {
    for file in fixtures("valid") {
        groupfit()
            .args(["check", "--strict"])
            .arg(&file)
            .assert()
            .success()
            .stdout(contains("no problems"));
    }
}

#[test]
fn check_warns_where_the_case_record_has_no_words_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/valid/fallback_and_routes.toml"),
    )
    .unwrap()
    .replace("record = \"Whether the caller is safe\"\n", "")
    .replace("  intake_label = \"The caller is safe\"\n", "");
    let file = dir.path().join("unworded.toml");
    fs::write(&file, text).unwrap();
    let shown = file.display().to_string();
    groupfit()
        .args(["check", "--strict"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout(contains(format!(
            "{shown}:11:1: warning: question 'safe' has read-aloud 'intake' wording but no 'record' wording"
        )))
        .stdout(contains(
            "warning: option 'yes' of question 'safe' has no 'intake_label', so the case record quotes its label \"Yes\"",
        ))
        .stdout(contains("option 'no' of question 'safe' has no").not());
}

/// Each invalid fixture starts with `# line N: words of the message`.
#[test]
fn every_invalid_fixture_is_refused_with_a_located_message() {
    for file in fixtures("invalid") {
        let text = fs::read_to_string(&file).unwrap();
        let header = text.lines().next().unwrap();
        let (line, words) = header
            .strip_prefix("# line ")
            .and_then(|rest| rest.split_once(": "))
            .unwrap_or_else(|| panic!("{} has no '# line N: message' header", file.display()));
        let expected = format!("{}:{line}:", file.display());
        let output = groupfit().arg("check").arg(&file).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{}", file.display());
        let stdout = String::from_utf8(output.stdout).unwrap();
        let found = stdout
            .lines()
            .find(|l| l.contains(words))
            .unwrap_or_else(|| {
                panic!("{}: no message with {words:?} in\n{stdout}", file.display())
            });
        assert!(
            found.starts_with(&expected),
            "{}: expected {expected} in {found}",
            file.display()
        );
        assert!(found.contains(": error: "), "{found}");
    }
}

#[test]
fn every_problem_is_reported_at_once_in_file_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.toml");
    fs::write(
        &path,
        r#"[tree]
title = "t"
version = "1"
strat = "a"
disclaimer = "d"

[[question]]
id = "a"
txt = "?"
  [[question.option]]
  id = "x"
  label = "X"
  nxt = "b"
  [[question.option]]
  id = "y"
  label = "Y"
  score = { suport = 1 }
"#,
    )
    .unwrap();
    let output = groupfit().arg("check").arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<usize> = stdout
        .lines()
        .filter(|l| l.contains(": error: "))
        .map(|l| l.split(':').nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(lines.len() >= 4, "{stdout}");
    assert!(
        lines.windows(2).all(|w| w[0] <= w[1]),
        "sorted by position: {stdout}"
    );
    for words in [
        "did you mean 'start'?",
        "did you mean 'text'?",
        "did you mean 'next'?",
    ] {
        assert!(stdout.contains(words), "{words} in {stdout}");
    }
}

#[test]
fn check_json_lists_located_diagnostics() {
    let output = groupfit()
        .args([
            "check",
            "--format",
            "json",
            &fixture("invalid/unknown_key.toml"),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = &json["diagnostics"][0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["line"], 21);
    assert_eq!(first["column"], 3);
    assert!(first["message"].as_str().unwrap().contains("'nxt'"));
    assert_eq!(json["errors"], 1);
}

/// A valid fixture with `remove` taken out must pass `check` with every one of `warnings`
/// printed, and fail `check --strict`.
fn assert_only_warns(fixture_name: &str, remove: &str, warnings: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("warn.toml");
    let text = fs::read_to_string(fixture(fixture_name)).unwrap();
    assert!(text.contains(remove), "{fixture_name} lacks {remove:?}");
    fs::write(&path, text.replace(remove, "")).unwrap();
    let mut passes = groupfit().arg("check").arg(&path).assert().success();
    for warning in warnings {
        passes = passes.stdout(contains(*warning));
    }
    groupfit()
        .args(["check", "--strict"])
        .arg(&path)
        .assert()
        .code(1);
}

#[test]
fn warnings_pass_unless_strict() {
    assert_only_warns(
        "valid/minimal.toml",
        "reason = \"You want to cope.\"\n",
        &["scores for 'support' but has no 'reason'"],
    );
}

#[test]
fn a_tree_that_does_not_say_what_provisional_means_is_warned() {
    assert_only_warns(
        "valid/minimal.toml",
        "provisional = \"Provisional means a first suggestion.\"\n",
        &[":3:1: warning: [tree] has no 'provisional' sentence"],
    );
}

#[test]
fn an_urgent_outcome_without_staff_guidance_is_a_warning() {
    assert_only_warns(
        "valid/fallback_and_routes.toml",
        "guidance = \"Stay on the line.\"\n",
        &[
            ":56:1: warning: urgent outcome",
            "has no 'guidance' for intake staff",
        ],
    );
}

#[test]
fn path_checks_say_when_they_stop_early() {
    groupfit()
        .args(["check", "--max-paths", "1", &fixture("valid/minimal.toml")])
        .assert()
        .success()
        .stdout(contains("stopped early: checked 1 of 3 paths"));
}

#[test]
fn unreadable_empty_and_garbage_files_are_refused_plainly() {
    let dir = tempfile::tempdir().unwrap();
    groupfit()
        .args(["check", "/nonexistent/questions.toml"])
        .assert()
        .code(1)
        .stderr(contains("cannot read the file"));
    let empty = dir.path().join("empty.toml");
    fs::write(&empty, "").unwrap();
    groupfit()
        .arg("check")
        .arg(&empty)
        .assert()
        .code(1)
        .stdout(contains("no [tree] table"));
    let binary = dir.path().join("binary.toml");
    fs::write(&binary, [0u8, 159, 146, 150, 255]).unwrap();
    groupfit()
        .arg("check")
        .arg(&binary)
        .assert()
        .code(1)
        .stderr(contains("not UTF-8"));
    groupfit()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(contains("cannot read"));
}

#[test]
fn a_huge_file_is_checked_without_trouble() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.toml");
    let mut text = fs::read_to_string(fixture("valid/minimal.toml")).unwrap();
    text.push_str(&format!("# {}\n", "x".repeat(5_000_000)));
    fs::write(&path, text).unwrap();
    groupfit().arg("check").arg(&path).assert().success();
}

#[test]
fn usage_errors_exit_2() {
    groupfit().arg("frobnicate").assert().code(2);
    groupfit().args(["answer"]).assert().code(2);
    groupfit()
        .args(["answer", "--answer", "want"])
        .assert()
        .code(2)
        .stderr(contains("QUESTION_ID=OPTION_ID"));
}

#[test]
fn answer_explains_the_recommendation() {
    groupfit()
        .args([
            "answer",
            "--questions",
            &fixture("valid/minimal.toml"),
            "--answer",
            "safety=none",
            "--answer",
            "want=cope",
        ])
        .assert()
        .success()
        .stdout(contains("Provisional recommendation: Support group"))
        .stdout(contains("You want to cope."))
        .stdout(contains("A guide, not a diagnosis."));
}

#[test]
fn answer_formats() {
    let tree = fixture("valid/fallback_and_routes.toml");
    groupfit()
        .args([
            "answer", "-q", &tree, "--answer", "safe=yes", "--answer", "mood=bad", "--format",
            "markdown",
        ])
        .assert()
        .success()
        .stdout(contains("# Provisional recommendation: Therapy group"))
        .stdout(contains("## Keep in mind"));
    let output = groupfit()
        .args([
            "answer", "-q", &tree, "--answer", "safe=no", "--format", "json",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["outcome"]["id"], "crisis");
    assert_eq!(json["outcome"]["urgent"], true);
    assert_eq!(json["also_consider"], serde_json::Value::Null);
    assert_eq!(json["tree"]["version"], "2");
}

#[test]
fn the_fallback_is_explained() {
    groupfit()
        .args([
            "answer",
            "-q",
            &fixture("valid/fallback_and_routes.toml"),
            "--answer",
            "safe=yes",
            "--answer",
            "mood=meh",
        ])
        .assert()
        .success()
        .stdout(contains(
            "None of your answers pointed clearly to one kind of group",
        ));
}

#[test]
fn missing_and_unknown_answers_name_the_question_and_its_options() {
    let tree = fixture("valid/fallback_and_routes.toml");
    groupfit()
        .args(["answer", "-q", &tree, "--answer", "safe=yes"])
        .assert()
        .code(1)
        .stderr(contains("no answer for question 'mood'"))
        .stderr(contains("meh, bad"));
    groupfit()
        .args([
            "answer", "-q", &tree, "--answer", "safe=yes", "--answer", "mood=bda",
        ])
        .assert()
        .code(1)
        .stderr(contains(
            "question 'mood' has no option 'bda'; did you mean 'bad'?",
        ));
    groupfit()
        .args(["answer", "-q", &tree, "--answer", "saf=yes"])
        .assert()
        .code(1)
        .stderr(contains(
            "'saf' is not a question in this tree; did you mean 'safe'?",
        ));
    groupfit()
        .args([
            "answer", "-q", &tree, "--answer", "safe=no", "--answer", "mood=bad",
        ])
        .assert()
        .success()
        .stderr(contains("the answer to 'mood' was not used"));
}

#[test]
fn answers_files_in_toml_and_json_replay_to_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let tree = fixture("valid/fallback_and_routes.toml");
    let toml_file = dir.path().join("answers.toml");
    fs::write(&toml_file, "[answers]\nsafe = \"yes\"\nmood = \"bad\"\n").unwrap();
    let first = groupfit()
        .args(["answer", "-q", &tree, "--format", "json", "--answers"])
        .arg(&toml_file)
        .output()
        .unwrap();
    assert!(first.status.success());
    let json_file = dir.path().join("result.json");
    fs::write(&json_file, &first.stdout).unwrap();
    let second = groupfit()
        .args(["answer", "-q", &tree, "--format", "json", "--answers"])
        .arg(&json_file)
        .output()
        .unwrap();
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn a_bad_answers_file_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let tree = fixture("valid/fallback_and_routes.toml");
    let file = dir.path().join("answers.toml");
    fs::write(&file, "[answers]\nsafe = \"yes\"\nmood = \"bda\"\n").unwrap();
    groupfit()
        .args(["answer", "-q", &tree, "--answers"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(contains(format!(
            "{}:3:1: error: question 'mood' has no option 'bda'",
            file.display()
        )));
    fs::write(&file, "[answers]\nsafe = yes\n").unwrap();
    groupfit()
        .args(["answer", "-q", &tree, "--answers"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(contains(format!("{}:2:", file.display())));
}

#[test]
fn a_broken_tree_is_refused_before_answering() {
    groupfit()
        .args([
            "answer",
            "-q",
            &fixture("invalid/unknown_key.toml"),
            "--answer",
            "want=cope",
        ])
        .assert()
        .code(1)
        .stderr(contains("unknown key 'nxt'"))
        .stdout(predicate::str::is_empty());
}

#[test]
fn paths_lists_every_path_in_three_formats() {
    let tree = fixture("valid/fallback_and_routes.toml");
    groupfit()
        .args(["paths", &tree])
        .assert()
        .success()
        .stdout(contains("crisis"))
        .stdout(contains("safe=yes mood=bad"))
        .stdout(contains("3 path(s), all listed"));
    groupfit()
        .args(["paths", &tree, "--format", "markdown"])
        .assert()
        .success()
        .stdout(contains("| # | Answers | Recommendation |"))
        .stdout(contains("Reviewed by:"));
    let output = groupfit()
        .args(["paths", &tree, "--format", "json", "--max-paths", "2"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["total"], 3);
    assert_eq!(json["complete"], false);
    assert_eq!(json["paths"].as_array().unwrap().len(), 2);
    assert_eq!(json["paths"][0]["outcome"], "crisis");
    assert_eq!(json["paths"][0]["answers"][0]["question"], "safe");
}

#[test]
fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        groupfit()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(contains("groupfit"));
    }
    groupfit()
        .arg("man")
        .assert()
        .success()
        .stdout(contains(".TH groupfit"));
}

#[test]
fn plain_mode_walks_goes_back_and_reports() {
    let tree = fixture("valid/fallback_and_routes.toml");
    groupfit()
        .args(["--plain", "-q", &tree])
        .write_stdin("2\nb\n2\n?\nnine\n2\n")
        .assert()
        .success()
        .stdout(contains("Question 1 of at most 2"))
        .stdout(contains("This is the first question").not())
        .stdout(contains("Please type a number from 1 to 2"))
        .stdout(contains("Provisional recommendation: Therapy group"))
        .stdout(contains("\u{1b}").not());
}

#[test]
fn plain_mode_goes_back_to_a_numbered_question_and_enter_keeps_each_earlier_answer() {
    let direct = groupfit()
        .arg("--plain")
        .write_stdin("8\n2\n1\n7\n5\n3\n1\n1\n1\n")
        .output()
        .unwrap();
    assert!(direct.status.success());
    let direct = String::from_utf8(direct.stdout).unwrap();
    let report = |out: &str| out[out.find("Provisional recommendation").unwrap()..].to_owned();
    // Eight answers, back to question 2, Enter seven times, and the last answer.
    let again = groupfit()
        .arg("--plain")
        .write_stdin("8\n2\n1\n7\n5\n3\n1\n1\nb 2\n\n\n\n\n\n\n\n1\n")
        .output()
        .unwrap();
    assert!(again.status.success());
    let again = String::from_utf8(again.stdout).unwrap();
    assert_eq!(again.matches(", Enter keeps ").count(), 7, "{again}");
    assert!(again.contains("(your earlier answer: Enter keeps it)"));
    assert!(
        again.contains("Your answer (1-2, Enter keeps 2, b, ?, q, !): "),
        "{again}"
    );
    assert_eq!(
        report(&again),
        report(&direct),
        "the same answers, the same report"
    );
    groupfit()
        .arg("--plain")
        .write_stdin("8\nb 5\nq\n")
        .assert()
        .stdout(contains(
            "Question 5 is not behind you: type b and a number from 1 to 1.",
        ));
}

#[test]
fn plain_mode_is_used_when_input_is_not_a_terminal() {
    groupfit()
        .args(["-q", &fixture("valid/fallback_and_routes.toml")])
        .write_stdin("1\n")
        .assert()
        .success()
        .stdout(contains("Get help now\n============\n"))
        .stdout(contains("!!").not());
}

#[test]
fn plain_mode_end_of_input_is_an_error() {
    groupfit()
        .args(["--plain", "-q", &fixture("valid/fallback_and_routes.toml")])
        .write_stdin("2\n")
        .assert()
        .code(1)
        .stderr(contains(
            "input ended before the questions were finished (at the question \"How is it?\")",
        ));
    groupfit()
        .args(["--plain", "-q", &fixture("valid/fallback_and_routes.toml")])
        .write_stdin("")
        .assert()
        .code(1);
}

#[test]
fn plain_mode_quit_stops_without_a_report() {
    groupfit()
        .args(["--plain", "-q", &fixture("valid/fallback_and_routes.toml")])
        .write_stdin("b\nq\n")
        .assert()
        .success()
        .stdout(contains("This is the first question"))
        .stdout(contains("Stopped."))
        .stdout(contains("Provisional").not());
}

#[test]
fn the_environment_variable_names_the_tree() {
    groupfit()
        .env("GROUPFIT_QUESTIONS", fixture("valid/minimal.toml"))
        .args([
            "answer",
            "--answer",
            "safety=none",
            "--answer",
            "want=change",
        ])
        .assert()
        .success()
        .stdout(contains("Therapy group"));
}

#[test]
fn the_built_in_tree_passes_a_strict_check() {
    groupfit()
        .args(["check", "--strict"])
        .assert()
        .success()
        .stdout(contains("no problems"));
}

#[test]
fn every_danger_sign_in_the_built_in_tree_leads_to_its_own_urgent_help_and_no_group() {
    let source = groupfit::source::Source::builtin();
    let (tree, _) = groupfit::tree::Tree::load(&source).unwrap();
    let first = &tree.questions[tree.start];
    assert_eq!(first.id, "safety", "the crisis screen comes first");
    let safety = tree
        .safety
        .expect("the built-in tree names its safety screen");
    assert_eq!(safety.question, tree.start);
    let dangers: Vec<(&str, usize)> = first
        .choices
        .iter()
        .filter_map(|c| match c.step {
            groupfit::tree::Step::Outcome(o) => Some((c.id.as_str(), o)),
            _ => None,
        })
        .collect();
    assert_eq!(dangers.len(), first.choices.len() - 1, "all but 'none'");
    let mut seen = Vec::new();
    for (id, outcome) in dangers {
        assert!(tree.outcomes[outcome].urgent, "{id}");
        assert!(
            !seen.contains(&outcome),
            "{id} shares its help with another danger"
        );
        seen.push(outcome);
        let output = groupfit()
            .args([
                "answer",
                "--format",
                "json",
                "--answer",
                &format!("safety={id}"),
            ])
            .output()
            .unwrap();
        assert!(output.status.success());
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(json["outcome"]["id"], tree.outcomes[outcome].id, "{id}");
        assert_eq!(json["outcome"]["urgent"], true, "{id}");
        assert_eq!(json["also_consider"], serde_json::Value::Null, "{id}");
        assert!(
            !json["why"].as_array().unwrap().is_empty(),
            "{id} has its own reason"
        );
        assert!(
            !json["urgent_help"][0]["steps"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{id} says what to do now"
        );
        let text = groupfit()
            .args(["answer", "--answer", &format!("safety={id}")])
            .output()
            .unwrap();
        let text = String::from_utf8(text.stdout).unwrap();
        assert!(!text.contains("!!"), "{id}: {text}");
        assert!(!text.to_lowercase().contains("provisional"), "{id}: {text}");
        assert!(!text.contains(&tree.disclaimer), "{id}: {text}");
    }
}

#[test]
fn more_than_one_danger_gets_the_help_for_each_most_urgent_first() {
    let output = groupfit()
        .args([
            "answer",
            "--format",
            "json",
            "--answer",
            "safety=withdrawal",
            "--answer",
            "safety=suicide",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["outcome"]["id"], "crisis");
    let help: Vec<&str> = json["urgent_help"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(help, ["crisis", "withdrawal"]);
    let signs = json["safety_screen"].as_array().unwrap();
    let answer = |option: &str| {
        signs
            .iter()
            .find(|s| s["option"] == option)
            .map(|s| s["answer"].as_str().unwrap().to_owned())
    };
    assert_eq!(answer("suicide").as_deref(), Some("yes"));
    assert_eq!(answer("withdrawal").as_deref(), Some("yes"));
    assert_eq!(answer("unsafe_now").as_deref(), Some("not_answered"));
}

/// Every path `paths` lists replays through `answer` to the same outcome: all of them in
/// process, and a spread of them through the program itself.
#[test]
fn every_listed_path_replays_to_the_same_outcome() {
    let output = groupfit()
        .args(["paths", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let listing: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(listing["complete"], true);
    let paths = listing["paths"].as_array().unwrap();
    assert_eq!(paths.len() as u64, listing["total"].as_u64().unwrap());

    let source = groupfit::source::Source::builtin();
    let (tree, _) = groupfit::tree::Tree::load(&source).unwrap();
    let given = |path: &serde_json::Value| -> Vec<groupfit::answers::GivenAnswer> {
        path["answers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| groupfit::answers::GivenAnswer {
                question: a["question"].as_str().unwrap().to_owned(),
                option: a["option"].as_str().unwrap().to_owned(),
                span: None,
            })
            .collect()
    };
    for path in paths {
        let replayed = groupfit::answers::replay(&tree, &given(path)).unwrap();
        let explanation = groupfit::explain::Explanation::of(&replayed.walk).unwrap();
        assert_eq!(explanation.outcome.id, path["outcome"].as_str().unwrap());
        assert_eq!(explanation.outcome.tie, path["tie"].as_bool().unwrap());
    }

    let step = (paths.len() / 40).max(1);
    for path in paths.iter().step_by(step) {
        let mut cmd = groupfit();
        cmd.args(["answer", "--format", "json"]);
        for answer in given(path) {
            cmd.arg("--answer")
                .arg(format!("{}={}", answer.question, answer.option));
        }
        let output = cmd.output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(json["outcome"]["id"], path["outcome"]);
    }
}

#[test]
fn intake_wording_and_staff_guidance_in_plain_mode() {
    let state = tempfile::tempdir().unwrap();
    groupfit()
        .env("XDG_STATE_HOME", state.path())
        .args(["--intake", "--plain"])
        .write_stdin("1\n")
        .assert()
        .success()
        .stdout(contains(
            "for the\n   caller, or for anyone they are calling about",
        ))
        .stdout(contains("For staff: Ask about the caller and about anyone"))
        .stdout(contains("For staff: Stay on the line"));
}

/// The lines that answer the built-in tree by option ids, for plain mode's standard input.
fn typed_answers(answers: &[(&str, &str)]) -> String {
    let tree = groupfit::tree::Tree::load(&groupfit::source::Source::builtin())
        .unwrap()
        .0;
    let mut lines = String::new();
    for (question, option) in answers {
        let q = tree.question_ix(question).unwrap();
        lines.push_str(&(tree.choice_ix(q, option).unwrap() + 1).to_string());
        lines.push('\n');
    }
    lines
}

const THERAPY: &[(&str, &str)] = &[
    ("safety", "none"),
    ("age", "adult"),
    ("who", "myself"),
    ("want", "pattern"),
    ("pattern_what", "relationships"),
    ("shared", "mix"),
    ("feedback", "welcome"),
    ("peers", "no"),
    ("leader", "professional"),
    ("commitment", "months"),
    ("outside", "separate"),
    ("cost", "can_pay"),
];

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn plain_intake_takes_notes_exports_at_the_end_and_the_json_replays() {
    let state = tempfile::tempdir().unwrap();
    let exports = tempfile::tempdir().unwrap();
    let mut input = typed_answers(&THERAPY[..3]);
    input.push_str("n\nCaller prefers evenings.\n");
    input.push_str(&typed_answers(&THERAPY[3..]));
    // A last note after the result is read out, then Enter on its own to finish.
    input.push_str("Sent the list of local groups.\n\n");
    // The record's fields: staff initials and the caller's reference.
    input.push_str("JM\nC-7\n");
    groupfit()
        .env("XDG_STATE_HOME", state.path())
        .args(["--intake", "--plain", "--export-dir"])
        .arg(exports.path())
        .write_stdin(input)
        .assert()
        .success()
        .stdout(contains("Note added."))
        .stdout(contains("Provisional recommendation: Therapy group"))
        .stdout(contains("Add a note before finishing"))
        .stdout(contains(
            "Notes\n  Caller prefers evenings.\n  Sent the list of local groups.",
        ))
        .stdout(contains("For the record, your name or initials"))
        .stdout(contains(
            "Summary of the call with caller reference \"C-7\" (started at ",
        ))
        .stdout(contains(") written to:\n  /"));
    let files = files_in(exports.path());
    assert_eq!(files.len(), 2, "{files:?}");
    let (json, markdown) = (&files[0], &files[1]);
    assert!(markdown.to_string_lossy().ends_with(".md"));
    #[cfg(unix)]
    {
        assert_eq!(mode(markdown), 0o600);
        assert_eq!(mode(json), 0o600);
    }
    let text = fs::read_to_string(markdown).unwrap();
    assert!(
        text.contains("> Caller prefers evenings.  \n> Sent the list of local groups."),
        "{text}"
    );
    assert!(!text.contains("Caller chose"), "{text}");
    assert!(
        text.contains("- **Staff:** JM\n- **Caller reference:** C-7"),
        "{text}"
    );
    assert!(text.contains("**Answer:** 18 or older"), "{text}");
    assert!(text.contains("## Recommendation: Therapy group"), "{text}");
    assert!(
        !state.path().join("groupfit/session.json").exists(),
        "an exported call is not kept"
    );

    let replayed = groupfit()
        .args(["answer", "--format", "json", "--answers"])
        .arg(json)
        .output()
        .unwrap();
    assert!(replayed.status.success());
    let replayed: serde_json::Value = serde_json::from_slice(&replayed.stdout).unwrap();
    let exported: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(replayed["outcome"]["id"], "therapy");
    assert_eq!(replayed["why"], exported["why"]);
    assert_eq!(
        exported["notes"],
        "Caller prefers evenings.\nSent the list of local groups."
    );
}

#[test]
fn a_persons_own_export_is_a_personal_summary_named_by_its_absolute_path() {
    let here = tempfile::tempdir().unwrap();
    let output = groupfit()
        .current_dir(here.path())
        .args(["--plain", "--export-dir", ".", "--export-format", "md"])
        .write_stdin(typed_answers(THERAPY))
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let files = files_in(here.path());
    assert_eq!(files.len(), 1, "{files:?}");
    let shown = fs::canonicalize(&files[0]).unwrap();
    let line = stdout
        .lines()
        .skip_while(|l| *l != "Your summary written to:")
        .nth(1)
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.trim().starts_with('/'), "{stdout}");
    assert_eq!(fs::canonicalize(line.trim()).unwrap(), shown);
    let text = fs::read_to_string(&files[0]).unwrap();
    for never in [
        "Call started",
        "Caller chose",
        "No notes were taken",
        "Intake",
    ] {
        assert!(!text.contains(never), "holds {never:?}:\n{text}");
    }
    assert!(text.starts_with("# Your summary\n"), "{text}");
    assert!(text.contains("- You want to change a pattern"), "{text}");
}

#[test]
fn plain_intake_of_an_urgent_call_asks_what_was_done_and_records_every_sign() {
    let state = tempfile::tempdir().unwrap();
    let exports = tempfile::tempdir().unwrap();
    // Someone else in danger, nothing else on the list, no last note; the caller reference
    // left out; what was done asked again until it is written.
    let input = "4\n8\n\n\n\nWarm transfer to 988.\n";
    groupfit()
        .env("XDG_STATE_HOME", state.path())
        .args([
            "--intake",
            "--plain",
            "--staff",
            "AB",
            "--export-format",
            "txt",
            "--export-dir",
        ])
        .arg(exports.path())
        .write_stdin(input)
        .assert()
        .success()
        .stdout(contains("What was done on this call"))
        .stdout(contains("The record of an urgent call says what was done"))
        .stdout(contains(" written to:\n  /"))
        .stdout(predicates::function::function(|out: &str| {
            out.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .contains("(no caller reference given) written to: /")
        }))
        .stdout(contains("your name or initials").not());
    let files = files_in(exports.path());
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].to_string_lossy().ends_with(".txt"));
    let text = fs::read_to_string(&files[0]).unwrap();
    for expected in [
        "Staff: AB\n",
        "What was done\n-------------\n\nWarm transfer to 988.\n",
        "- Someone the caller is worried about may be thinking of suicide, or is in danger right now — answer: Yes",
        "- The caller is having thoughts of ending their life or of not wanting to be alive, or has been getting ready to (for example, saving up pills) — answer: No",
    ] {
        assert!(text.contains(expected), "lacks {expected:?}:\n{text}");
    }
    assert!(
        !text.contains("**") && !text.contains("Caller reference"),
        "{text}"
    );
}

#[test]
fn plain_intake_keeps_a_dropped_call_and_resumes_it() {
    let state = tempfile::tempdir().unwrap();
    let saved = state.path().join("groupfit/session.json");
    let mut input = typed_answers(&THERAPY[..2]);
    input.push_str("n\nLives alone.\n");
    // The input ends mid-call, as when a connection drops.
    groupfit()
        .env("XDG_STATE_HOME", state.path())
        .args(["--intake", "--plain"])
        .write_stdin(input)
        .assert()
        .code(1)
        .stderr(contains("input ended"));
    let text = fs::read_to_string(&saved).unwrap();
    assert!(
        text.contains("\"adult\"") && text.contains("Lives alone."),
        "{text}"
    );

    // Quitting at the offer leaves it alone.
    let offered = groupfit()
        .env("XDG_STATE_HOME", state.path())
        .args(["--intake", "--plain"])
        .write_stdin("q\n")
        .output()
        .unwrap();
    assert!(offered.status.success());
    let words = String::from_utf8_lossy(&offered.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        words.contains("with 2 answers and 1 line of notes."),
        "{words}"
    );
    assert!(words.contains("still saved"), "{words}");
    assert_eq!(fs::read_to_string(&saved).unwrap(), text);

    let mut input = "r\n".to_owned();
    input.push_str(&typed_answers(&THERAPY[2..]));
    groupfit()
        .env("XDG_STATE_HOME", state.path())
        .args(["--intake", "--plain"])
        .write_stdin(input)
        .assert()
        .success()
        .stdout(contains(
            "Resumed the call: 2 answers and the notes are back.",
        ))
        .stdout(contains("Answers so far:\n1. "))
        .stdout(contains("\n2. "))
        .stdout(contains("Question 3 of at most"))
        .stdout(contains("Provisional recommendation: Therapy group"))
        .stdout(contains("Lives alone."))
        .stdout(contains("The call is saved in"));
    // Not exported, so still kept; deleting it asks first.
    assert!(saved.exists());
    groupfit()
        .env("XDG_STATE_HOME", state.path())
        .args(["--intake", "--plain"])
        .write_stdin("d\nn\nq\n")
        .assert()
        .success();
    assert!(saved.exists(), "answering no to the confirmation keeps it");
    groupfit()
        .env("XDG_STATE_HOME", state.path())
        .args(["--intake", "--plain"])
        .write_stdin("d\ny\nq\n")
        .assert()
        .success()
        .stdout(contains("The unfinished call was deleted."));
    assert!(!saved.exists());
}

#[test]
fn a_saved_call_that_cannot_be_read_is_located_and_kept() {
    let state = tempfile::tempdir().unwrap();
    let dir = state.path().join("groupfit");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("session.json"), "{ not json").unwrap();
    groupfit()
        .env("XDG_STATE_HOME", state.path())
        .args(["--intake", "--plain"])
        .write_stdin("1\n")
        .assert()
        .code(1)
        .stderr(contains(
            "session.json:1:3: error: the saved call cannot be read",
        ))
        .stderr(contains("move it somewhere else"));
    assert_eq!(
        fs::read_to_string(dir.join("session.json")).unwrap(),
        "{ not json"
    );
}

#[test]
fn a_missing_export_folder_is_refused_before_any_question() {
    let state = tempfile::tempdir().unwrap();
    groupfit()
        .env("XDG_STATE_HOME", state.path())
        .args(["--intake", "--plain", "--export-dir", "/no/such/folder"])
        .write_stdin("1\n")
        .assert()
        .code(1)
        .stdout("")
        .stderr(contains("--export-dir '/no/such/folder' cannot be used"));
}

#[test]
fn outside_intake_nothing_is_written_unless_asked() {
    let state = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    groupfit()
        .env("XDG_STATE_HOME", state.path())
        .current_dir(work.path())
        .arg("--plain")
        .write_stdin(typed_answers(&THERAPY[..2]))
        .assert()
        .code(1);
    assert!(files_in(state.path()).is_empty());
    assert!(files_in(work.path()).is_empty());

    groupfit()
        .env("XDG_STATE_HOME", state.path())
        .args(["--plain", "--save"])
        .write_stdin(typed_answers(&THERAPY[..2]))
        .assert()
        .code(1);
    let saved = state.path().join("groupfit/answers.json");
    assert!(saved.exists());

    // Carrying on to the end: the answers are kept only until the recommendation.
    let mut input = "r\n".to_owned();
    input.push_str(&typed_answers(&THERAPY[2..]));
    groupfit()
        .env("XDG_STATE_HOME", state.path())
        .args(["--plain", "--save"])
        .write_stdin(input)
        .assert()
        .success()
        .stdout(contains("Type r to carry on from them"))
        .stdout(contains("Your answers so far:\n1. "))
        .stdout(contains(
            "Carrying on where you left off: 2 answers are back.",
        ))
        .stdout(contains("Provisional recommendation: Therapy group"))
        .stdout(contains("notes").not());
    assert!(!saved.exists());
}

/// The minimal tree with terminal control sequences in its text: an OSC title, a screen clear,
/// a C1 CSI, a bell and a carriage return.
fn hostile_tree(dir: &Path) -> PathBuf {
    let text = fs::read_to_string(fixture("valid/minimal.toml"))
        .unwrap()
        .replace(
            "What do you want most?",
            r"What do you want\u001B]0;PWNED\u0007 most?\u001B[2J",
        )
        .replace("To cope", r"To cope\u009B31m\r")
        .replace(
            "People who share one issue",
            r"People\u001B[2J who share one issue",
        );
    let path = dir.join("hostile.toml");
    fs::write(&path, text).unwrap();
    path
}

/// No raw control character but newline and tab in what was printed.
fn assert_no_control(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let found: Vec<char> = text
        .chars()
        .filter(|&c| c.is_control() && c != '\n' && c != '\t')
        .collect();
    assert!(found.is_empty(), "{what} printed {found:?} raw:\n{text}");
}

#[test]
fn control_characters_in_a_tree_are_printed_visibly() {
    let dir = tempfile::tempdir().unwrap();
    let tree = hostile_tree(dir.path());
    let tree = tree.to_str().unwrap();

    let answer = groupfit()
        .args([
            "answer",
            "-q",
            tree,
            "--answer",
            "safety=none",
            "--answer",
            "want=cope",
            "--answer",
            "safety=none",
        ])
        .output()
        .unwrap();
    assert!(answer.status.success());
    assert_no_control("answer", &answer.stdout);
    let text = String::from_utf8(answer.stdout).unwrap();
    assert!(text.contains(r"People\u001B[2J who share"), "{text}");

    for args in [
        &["paths", tree][..],
        &["check", tree],
        &[
            "answer",
            "-q",
            tree,
            "--answer",
            "want=cope",
            "--answer",
            "safety=none",
            "--format",
            "json",
        ],
        &["paths", tree, "--format", "json"],
        &["check", tree, "--format", "json"],
    ] {
        let out = groupfit().args(args).output().unwrap();
        assert_no_control(&format!("{args:?}"), &out.stdout);
        assert_no_control(&format!("{args:?}"), &out.stderr);
    }
    // JSON keeps the text exactly, as escapes.
    let json = groupfit()
        .args([
            "answer",
            "-q",
            tree,
            "--answer",
            "want=cope",
            "--answer",
            "safety=none",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["answers"][1]["option_label"], "To cope\u{9b}31m\r");
    // Markdown into a pipe is a file's text, kept exactly.
    let markdown = groupfit()
        .args([
            "answer",
            "-q",
            tree,
            "--answer",
            "want=cope",
            "--answer",
            "safety=none",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    let markdown = String::from_utf8(markdown.stdout).unwrap();
    assert!(markdown.contains("People\u{1b}"), "{markdown}");

    // Plain mode shows the question and the report escaped.
    let plain = groupfit()
        .args(["--plain", "-q", tree])
        .write_stdin("2\n1\n")
        .output()
        .unwrap();
    assert_no_control("plain mode", &plain.stdout);
    let text = String::from_utf8(plain.stdout).unwrap();
    assert!(text.contains(r"want\u001B]0;PWNED\u0007 most?"), "{text}");
}

#[test]
fn control_characters_in_keys_and_arguments_are_printed_visibly() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("keys.toml");
    let text = fs::read_to_string(fixture("valid/minimal.toml")).unwrap();
    fs::write(
        &tree,
        format!("\"\\u001B]0;PWNED\\u0007\\u001B[2J\" = 1\n{text}"),
    )
    .unwrap();
    let check = groupfit().arg("check").arg(&tree).output().unwrap();
    assert_eq!(check.status.code(), Some(1));
    assert_no_control("check", &check.stdout);
    let shown = String::from_utf8(check.stdout).unwrap();
    assert!(
        shown.contains(r"'\u001B]0;PWNED\u0007\u001B[2J'"),
        "{shown}"
    );

    let answer = groupfit()
        .args(["answer", "-q", &fixture("valid/minimal.toml")])
        .args(["--answer", "safety=none", "--answer", "want=\u{1b}[2Jcope"])
        .output()
        .unwrap();
    assert_eq!(answer.status.code(), Some(1));
    assert_no_control("answer", &answer.stderr);
    assert!(String::from_utf8_lossy(&answer.stderr).contains(r"\u001B[2Jcope"));

    let usage = groupfit()
        .args(["paths", "--format", "\u{1b}]0;PWNED\u{7}"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
    assert_no_control("a usage error", &usage.stderr);
    assert!(String::from_utf8_lossy(&usage.stderr).contains(r"\u001B]0;PWNED\u0007"));
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "mkfifo {}: {}",
        path.display(),
        String::from_utf8_lossy(&made.stderr)
    );
}

#[test]
#[cfg(target_os = "linux")]
fn a_named_pipe_or_a_device_is_refused_as_a_tree() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.toml");
    mkfifo(&fifo);
    let zero = dir.path().join("zero.toml");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    for (path, what) in [(&fifo, "a named pipe (FIFO)"), (&zero, "a device")] {
        for args in [
            &["check"][..],
            &["paths"],
            &["--plain", "-q"],
            &["answer", "--answer", "want=cope", "-q"],
        ] {
            groupfit()
                .args(args)
                .arg(path)
                .timeout(std::time::Duration::from_secs(10))
                .assert()
                .code(1)
                .stderr(contains(format!(
                    "{}: cannot read the file: it is {what}, not a regular file",
                    path.display()
                )));
        }
    }
    groupfit()
        .args(["answer", "--answers"])
        .arg(&zero)
        .timeout(std::time::Duration::from_secs(10))
        .assert()
        .code(1)
        .stderr(contains("it is a device, not a regular file"));
}

#[test]
fn a_tree_larger_than_the_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.toml");
    let file = fs::File::create(&big).unwrap();
    file.set_len(groupfit::files::SOURCE_LIMIT + 1).unwrap();
    groupfit()
        .arg("check")
        .arg(&big)
        .assert()
        .code(1)
        .stderr(contains("more than the 64 MiB groupfit reads"));
}

#[test]
#[cfg(target_os = "linux")]
fn a_saved_call_or_lock_that_is_not_a_regular_file_is_refused() {
    let tree = fixture("valid/minimal.toml");
    let run = |state: &Path| {
        groupfit()
            .args(["--plain", "--intake", "-q", &tree])
            .env("XDG_STATE_HOME", state)
            .write_stdin("1\n")
            .timeout(std::time::Duration::from_secs(10))
            .assert()
            .code(1)
    };
    // The saved call as a named pipe, and as a link to /dev/zero.
    let state = tempfile::tempdir().unwrap();
    let folder = state.path().join("groupfit");
    fs::create_dir(&folder).unwrap();
    mkfifo(&folder.join("session.json"));
    run(state.path()).stderr(contains(
        "session.json:1:1: error: the saved call cannot be read: it is a named pipe (FIFO), not a regular file",
    ));
    fs::remove_file(folder.join("session.json")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", folder.join("session.json")).unwrap();
    run(state.path()).stderr(contains(
        "the saved call cannot be read: it is a symbolic link",
    ));
    fs::remove_file(folder.join("session.json")).unwrap();

    // The lock as a named pipe, and as a link to somewhere that does not exist yet.
    assert!(
        !folder.join("session.lock").exists(),
        "the lock file stays after groupfit exits"
    );
    mkfifo(&folder.join("session.lock"));
    run(state.path()).stderr(contains(
        "session.lock' as the lock for saved calls: it is a named pipe (FIFO), not a regular file; remove it",
    ));
    fs::remove_file(folder.join("session.lock")).unwrap();
    let target = state.path().join("planted");
    std::os::unix::fs::symlink(&target, folder.join("session.lock")).unwrap();
    run(state.path()).stderr(contains("it is a symbolic link"));
    assert!(!target.exists(), "the lock link was followed");
}

/// A small tmpfs of its own, for a disk that fills up; unmounted when dropped. Mounting needs
/// root (as on CI); elsewhere the test says it is skipped.
#[cfg(target_os = "linux")]
struct SmallDisk {
    dir: tempfile::TempDir,
}

#[cfg(target_os = "linux")]
impl SmallDisk {
    fn mount(test: &str, size: &str) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .is_ok_and(|out| out.status.success());
        if !mounted {
            eprintln!("skipping {test}: cannot mount a small tmpfs (this needs root)");
            return None;
        }
        Some(SmallDisk { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

#[cfg(target_os = "linux")]
impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

#[test]
#[cfg(target_os = "linux")]
fn plain_intake_does_not_say_saved_after_a_failed_save() {
    let Some(disk) = SmallDisk::mount("plain_intake_does_not_say_saved_after_a_failed_save", "8k")
    else {
        return;
    };
    // The first answer fits on the disk; the note after it is too large to be saved.
    let note = "x".repeat(12 * 1024);
    let out = groupfit()
        .args([
            "--plain",
            "--intake",
            "-q",
            &fixture("valid/fallback_and_routes.toml"),
        ])
        .env("XDG_STATE_HOME", disk.path())
        .write_stdin(format!("2\nn\n{note}\nq\n"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("The call could NOT be saved"), "{text}");
    assert!(!text.contains("The call is saved"), "{text}");
    assert!(
        text.contains("The last changes could NOT be saved. What is saved is older"),
        "{text}"
    );
    let saved = fs::read_to_string(disk.path().join("groupfit/session.json")).unwrap();
    assert!(!saved.contains(&note), "the note was saved after all");
}

#[test]
#[cfg(target_os = "linux")]
fn a_full_export_folder_is_refused_before_any_question() {
    let Some(disk) = SmallDisk::mount("a_full_export_folder_is_refused_before_any_question", "16k")
    else {
        return;
    };
    groupfit()
        .args(["--plain", "--export-dir"])
        .arg(disk.path())
        .args(["-q", &fixture("valid/minimal.toml")])
        .write_stdin("1\n")
        .assert()
        .code(1)
        .stderr(contains("cannot be written to"))
        .stderr(contains("No space left on device"))
        .stdout(contains("What do you want most?").not());
    assert_eq!(files_in(disk.path()).len(), 0, "the check left a file");
}

#[test]
#[cfg(unix)]
fn a_state_folder_others_may_use_is_made_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let state = tempfile::tempdir().unwrap();
    let folder = state.path().join("groupfit");
    fs::create_dir(&folder).unwrap();
    fs::set_permissions(&folder, fs::Permissions::from_mode(0o777)).unwrap();
    groupfit()
        .args(["--plain", "--intake", "-q", &fixture("valid/minimal.toml")])
        .env("XDG_STATE_HOME", state.path())
        .write_stdin("1\n\n")
        .assert()
        .success();
    assert_eq!(mode(&folder), 0o700);
}

/// Kills plain intake at spread-out moments around its export, hundreds of times, then starts
/// it once more: every summary must be a whole pair, and no temporary file may be left.
#[test]
#[cfg(unix)]
#[ignore = "a soak test of about a minute: cargo test --test cli -- --ignored sigkill"]
fn sigkill_around_export_leaves_whole_pairs_and_no_temporary_files() {
    use std::io::Write as _;
    use std::process::Stdio;
    use std::time::{Duration, Instant, SystemTime};

    let state = tempfile::tempdir().unwrap();
    let exports = tempfile::tempdir().unwrap();
    let mut input = typed_answers(THERAPY);
    input.push('\n');
    let start = || {
        // A fresh call each time: a call left by a killed run would be offered for resume.
        let _ = fs::remove_file(state.path().join("groupfit/session.json"));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_groupfit"))
            .env_remove("GROUPFIT_QUESTIONS")
            .env("XDG_STATE_HOME", state.path())
            .args(["--intake", "--plain", "--export-dir"])
            .arg(exports.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
        child
    };
    // How long a whole run takes, so the kills can be spread over it and a little past it.
    let timed = Instant::now();
    assert!(start().wait().unwrap().success());
    let whole = timed.elapsed();
    let runs = 600;
    for i in 0..runs {
        let mut child = start();
        // Spread evenly, in a shuffled order, over 0–120 % of a run.
        let at = whole.mul_f64(f64::from((i * 7919) % runs) / f64::from(runs) * 1.2);
        std::thread::sleep(at);
        let _ = child.kill();
        let _ = child.wait();
    }
    // Time passes (the tidying leaves files young enough to belong to a running groupfit), and
    // groupfit starts once more.
    let old = SystemTime::now() - groupfit::session::STALE_AFTER - Duration::from_secs(1);
    let halves = files_in(exports.path())
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "md") && !f.with_extension("json").exists())
        .count();
    let mut left = 0;
    for dir in [exports.path(), &state.path().join("groupfit")] {
        for file in files_in(dir) {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with(".groupfit-") {
                left += 1;
                let file = fs::File::options().append(true).open(&file).unwrap();
                file.set_modified(old).unwrap();
            }
        }
    }
    let mut child = start();
    assert!(child.wait().unwrap().success());

    let mut markdown = 0;
    for file in files_in(exports.path()) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!name.starts_with('.'), "left behind: {name}");
        if let Some(stem) = name.strip_suffix(".md") {
            markdown += 1;
            let json = exports.path().join(format!("{stem}.json"));
            let text = fs::read_to_string(&json)
                .unwrap_or_else(|e| panic!("{name} has no JSON beside it: {e}"));
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(value["outcome"]["id"], "therapy", "{stem}.json");
        } else {
            let stem = name.strip_suffix(".json").unwrap();
            assert!(
                exports.path().join(format!("{stem}.md")).exists(),
                "{name} alone"
            );
        }
    }
    for file in files_in(&state.path().join("groupfit")) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            !name.starts_with(".groupfit-"),
            "left behind in the state folder: {name}"
        );
    }
    eprintln!(
        "{runs} kills over {whole:?} runs left {halves} Markdown halves and {left} temporary files; afterwards {markdown} whole summaries and none left"
    );
}

#[test]
fn a_path_count_too_large_to_hold_says_more_than() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "[tree]\ntitle = \"Wide\"\nversion = \"1\"\nstart = \"q0\"\ndisclaimer = \"A guide.\"\nfallback = \"support\"\n",
    );
    // 2^66 paths: two answers to each of 66 questions in a row.
    for i in 0..66 {
        text.push_str(&format!(
            "[[question]]\nid = \"q{i}\"\ntext = \"Question {i}?\"\n"
        ));
        for option in ["a", "b"] {
            text.push_str(&format!(
                "[[question.option]]\nid = \"{option}\"\nlabel = \"{option}\"\n"
            ));
            if i < 65 {
                text.push_str(&format!("next = \"q{}\"\n", i + 1));
            }
        }
    }
    text.push_str("[[outcome]]\nid = \"support\"\nname = \"Support group\"\nsummary = \"s\"\n");
    let tree = dir.path().join("wide.toml");
    fs::write(&tree, text).unwrap();
    let more = "of more than 18446744073709551614 path(s)";
    groupfit()
        .args(["paths", "--max-paths", "3"])
        .arg(&tree)
        .assert()
        .success()
        .stdout(contains(format!("3 {more} listed")));
    groupfit()
        .args(["check", "--max-paths", "3"])
        .arg(&tree)
        .assert()
        .success()
        .stdout(contains(format!("3 {more} checked")));
}

/// Each edit that would break the built-in safety screen is refused by `check`.
#[test]
fn check_refuses_edits_that_break_the_built_in_safety_screen() {
    let builtin = groupfit::source::Source::builtin().text().to_owned();
    let crisis = builtin.find("id = \"crisis\"").unwrap();
    let urgent = crisis + builtin[crisis..].find("urgent = true\n").unwrap();
    let mut not_urgent = builtin.clone();
    not_urgent.replace_range(urgent..urgent + "urgent = true\n".len(), "");
    let edits = [
        (not_urgent, "but it is not urgent"),
        (
            builtin.replacen("safety = \"safety\"\n", "", 1),
            "names no safety screen",
        ),
        (
            builtin.replacen("start = \"safety\"", "start = \"who\"", 1),
            "must be the first question asked",
        ),
        (
            builtin.replacen("  outcome = \"harm_others\"\n", "  next = \"who\"\n", 1),
            "more than one option of the safety screen goes on",
        ),
        (
            builtin.replacen("  outcome = \"rather_not_say\"\n", "", 1),
            "option 'rather_not_say' of the safety screen does not end at an urgent outcome",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, (text, words)) in edits.iter().enumerate() {
        assert_ne!(text, &builtin, "edit {i} changed nothing");
        let path = dir.path().join(format!("edit{i}.toml"));
        fs::write(&path, text).unwrap();
        groupfit()
            .arg("check")
            .arg(&path)
            .assert()
            .code(1)
            .stdout(contains(*words))
            .stdout(contains(": error: "));
        // A tree that fails the check is never walked either.
        groupfit()
            .args(["--plain", "-q"])
            .arg(&path)
            .write_stdin("1\n")
            .assert()
            .code(1);
    }
}

/// No urgent result says anything that belongs to another danger: each topic's words appear only
/// in the help for that topic (and in "rather not say", which opens every door on purpose).
#[test]
fn each_urgent_result_holds_no_advice_of_another_danger() {
    let source = groupfit::source::Source::builtin();
    let (tree, _) = groupfit::tree::Tree::load(&source).unwrap();
    let topics: &[(&str, &[&str])] = &[
        ("crisis", &["end your life", "ending your life"]),
        (
            "harm_others",
            &["thinking of hurting", "keep everyone safe"],
        ),
        ("unsafe", &["Domestic Violence Hotline", "hurting you"]),
        ("someone_else", &["worried about"]),
        ("withdrawal", &["alcohol", "drinking", "SAMHSA"]),
        ("reality", &["voices", "losing touch", "without sleep"]),
    ];
    for outcome in tree.outcomes.iter().filter(|o| o.urgent) {
        if outcome.id == "rather_not_say" {
            continue;
        }
        let said = [
            Some(outcome.name.as_str()),
            Some(outcome.summary.as_str()),
            outcome.when_you_call.as_deref(),
            outcome.next_steps.as_deref(),
        ]
        .into_iter()
        .flatten()
        .chain(outcome.steps.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("\n");
        assert!(
            topics.iter().any(|(id, _)| *id == outcome.id),
            "no topic for urgent outcome {}",
            outcome.id
        );
        for (other, words) in topics.iter().filter(|(id, _)| *id != outcome.id) {
            for word in *words {
                assert!(
                    !said.contains(word),
                    "'{}' says {word:?}, which belongs to '{other}':\n{said}",
                    outcome.id
                );
            }
        }
    }
}

#[test]
fn plain_mode_raises_the_safety_screen_at_a_later_question_and_keeps_the_answers() {
    let source = groupfit::source::Source::builtin();
    let (tree, _) = groupfit::tree::Tree::load(&source).unwrap();
    let safety = &tree.questions[tree.start];
    let none = safety.choices.iter().position(|c| c.id == "none").unwrap() + 1;
    let someone = safety
        .choices
        .iter()
        .position(|c| c.id == "someone_else")
        .unwrap()
        + 1;
    // None of these; the first answer to "who"; then "!" and the danger to someone else. Input
    // ends at the follow-up ("anything else?"): the help is settled, so it is shown all the same.
    let typed = format!("{none}\n1\n!\n{someone}\n");
    let output = groupfit()
        .arg("--plain")
        .write_stdin(typed)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("Safety questions again: your answers so far are kept."),
        "{stdout}"
    );
    assert!(
        stdout.contains("How to help the person you are worried about\n"),
        "{stdout}"
    );
    let answers = &stdout[stdout.find("Your answers").unwrap()..];
    assert!(answers.contains("How old are you?"), "{answers}");
    assert!(
        answers.contains("→ Someone I am worried about"),
        "{answers}"
    );
    assert!(!stdout.contains("Provisional"), "{stdout}");
}

/// A phone number is never broken across lines, in the report or in plain mode.
#[test]
fn phone_numbers_are_never_broken_across_lines() {
    let source = groupfit::source::Source::builtin();
    let (tree, _) = groupfit::tree::Tree::load(&source).unwrap();
    let safety = &tree.questions[tree.start];
    let dangers = safety
        .choices
        .iter()
        .filter(|c| matches!(c.step, groupfit::tree::Step::Outcome(_)));
    for choice in dangers {
        let output = groupfit()
            .args(["answer", "--answer", &format!("safety={}", choice.id)])
            .output()
            .unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains("call"), "{text}");
        for line in text.lines() {
            let end = line.trim_end();
            let broken = end
                .strip_suffix('-')
                .is_some_and(|rest| rest.ends_with(|c: char| c.is_ascii_digit()));
            assert!(
                !broken,
                "a number is broken at the end of {line:?}:\n{text}"
            );
        }
    }
}

#[test]
fn check_with_no_file_names_the_built_in_tree_and_warns_of_a_differing_local_copy() {
    let dir = tempfile::tempdir().unwrap();
    // No questions.toml here: the built-in tree is checked, and said to be.
    let output = groupfit()
        .current_dir(dir.path())
        .args(["check", "--strict"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("Checked the built-in tree, version "),
        "{stdout}"
    );
    assert!(stdout.contains("no problems"), "{stdout}");

    // A broken copy in the folder is not silently passed over.
    fs::write(dir.path().join("questions.toml"), "[tree\n").unwrap();
    let output = groupfit()
        .current_dir(dir.path())
        .arg("check")
        .output()
        .unwrap();
    assert!(output.status.success(), "only a warning without --strict");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("warning: this checked the built-in tree, not the file 'questions.toml'"),
        "{stdout}"
    );
    assert!(
        stdout.contains("run 'groupfit check questions.toml'"),
        "{stdout}"
    );
    groupfit()
        .current_dir(dir.path())
        .args(["check", "--strict"])
        .assert()
        .code(1);
    let output = groupfit()
        .current_dir(dir.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["builtin"], true);
    assert!(
        json["checked"]
            .as_str()
            .unwrap()
            .starts_with("the built-in tree, version ")
    );
    assert_ne!(json["file"], "questions.toml");
    assert_eq!(json["warnings"], 1);

    // An identical copy is the built-in tree: nothing to warn of.
    fs::write(
        dir.path().join("questions.toml"),
        groupfit::source::BUILTIN_TREE,
    )
    .unwrap();
    groupfit()
        .current_dir(dir.path())
        .args(["check", "--strict"])
        .assert()
        .success();

    // A named file is named.
    groupfit()
        .current_dir(dir.path())
        .args(["check", "questions.toml"])
        .assert()
        .stdout(contains("Checked questions.toml, version "));
}

#[test]
fn paths_names_the_tree_and_offers_no_signature_when_cut_short() {
    let tree = fixture("valid/fallback_and_routes.toml");
    let output = groupfit()
        .args(["paths", &tree, "--format", "markdown", "--max-paths", "1"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(!text.contains("Reviewed by"), "{text}");
    assert!(text.contains("cannot be signed off"), "{text}");
    let json: serde_json::Value = serde_json::from_slice(
        &groupfit()
            .args(["paths", "--format", "json", "--max-paths", "1"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        json["tree"]
            .as_str()
            .unwrap()
            .starts_with("the built-in tree")
    );
    assert_eq!(json["sha256"].as_str().unwrap().len(), 64);
}

fn graph_of(tree: &str, extra: &[&str]) -> String {
    let output = groupfit()
        .arg("graph")
        .arg(tree)
        .args(extra)
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}

/// Node ids declared in a DOT picture, and the arrows between them, read back line by line.
fn read_dot(text: &str) -> (Vec<String>, Vec<(String, String)>) {
    let body = text
        .trim_end()
        .strip_prefix("digraph tree {\n")
        .and_then(|t| t.strip_suffix('}'))
        .expect("one digraph");
    let mut nodes = Vec::new();
    let mut arrows = Vec::new();
    for line in body.lines().map(str::trim).filter(|l| !l.starts_with("//")) {
        assert!(line.ends_with(';'), "{line}");
        let head = line.split(" [").next().unwrap().trim_end_matches(';');
        if let Some((from, to)) = head.split_once(" -> ") {
            arrows.push((from.to_owned(), to.to_owned()));
        } else if !head.contains('=') && !["node", "edge"].contains(&head) {
            nodes.push(head.to_owned());
        }
    }
    (nodes, arrows)
}

#[test]
fn graph_draws_every_question_option_and_outcome() {
    let tree = fixture("valid/fallback_and_routes.toml");
    let dot = graph_of(&tree, &["--format", "dot"]);
    let (nodes, arrows) = read_dot(&dot);
    assert_eq!(nodes, ["q0", "q1", "o0", "o1", "o2", "scores"]);
    for (from, to) in &arrows {
        assert!(nodes.contains(from) && nodes.contains(to), "{from} -> {to}");
    }
    assert!(
        arrows.contains(&("q0".into(), "o2".into())),
        "No ends at crisis"
    );
    assert!(dot.contains("o2 [shape=doubleoctagon, style=bold, label=\"URGENT: Get help now"));
    assert!(dot.contains("label=\"Meh\\nBad (therapy +1)\""), "{dot}");

    let mermaid = graph_of(&tree, &[]);
    assert!(mermaid.starts_with("flowchart TD\n"));
    assert!(mermaid.contains("  q0 -->|\"No\"| o2\n"));
    assert!(mermaid.contains("o2{{\"URGENT: Get help now"));
    insta::assert_snapshot!(
        "graph_mermaid",
        mermaid.replace(&tree, "fallback_and_routes.toml")
    );
    insta::assert_snapshot!("graph_dot", dot.replace(&tree, "fallback_and_routes.toml"));
}

#[test]
fn graph_depth_keeps_a_large_tree_readable() {
    let full = graph_of("questions.toml", &["--format", "dot"]);
    let cut = graph_of("questions.toml", &["--format", "dot", "--depth", "1"]);
    let (all_nodes, _) = read_dot(&full);
    let (nodes, arrows) = read_dot(&cut);
    assert!(
        nodes.len() < all_nodes.len() / 3,
        "{} of {}",
        nodes.len(),
        all_nodes.len()
    );
    for (from, to) in &arrows {
        assert!(nodes.contains(from) && nodes.contains(to), "{from} -> {to}");
    }
    assert!(cut.contains("deeper: not drawn"));
    assert!(cut.contains("question(s) deeper than --depth are not drawn"));
}

fn diff_of(old: &str, new: &str, format: &str) -> (Option<i32>, String) {
    let output = groupfit()
        .args(["diff", &fixture(old), &fixture(new), "--format", format])
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn diff_counts_answers_that_move_between_outcomes() {
    let (code, text) = diff_of("diff/old.toml", "diff/moved.toml", "text");
    assert_eq!(code, Some(3), "an outcome changed: {text}");
    assert!(
        text.contains("warning: the content changed but 'version' is still \"2\""),
        "{text}"
    );
    assert!(
        text.contains("option 'mood.meh' rescored: scored nothing; now therapy +2"),
        "{text}"
    );
    assert!(
        text.contains("1 combination(s) of answers now end at a different outcome (all 3"),
        "{text}"
    );
    assert!(
        text.contains("  support → therapy: 1; for example:\n      safe=yes, mood=meh\n"),
        "{text}"
    );
    assert!(text.contains("scenario 'nothing scores' changed"), "{text}");

    let (code, json) = diff_of("diff/old.toml", "diff/moved.toml", "json");
    assert_eq!(code, Some(3));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["changed"], 1);
    assert_eq!(json["complete"], true);
    assert_eq!(json["version_not_bumped"], true);
    assert_eq!(json["moved"][0]["from"], "support");
    assert_eq!(json["moved"][0]["to"], "therapy");
    assert_eq!(json["moved"][0]["examples"][0][1]["option"], "meh");
}

#[test]
fn diff_of_wording_only_changes_no_outcome() {
    let (code, text) = diff_of("diff/old.toml", "diff/wording.toml", "markdown");
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("No answers end at a different outcome (all 3 combinations"),
        "{text}"
    );
    assert!(text.contains("| question | `mood` | reworded | text was \"How is it?\", now \"How have things been lately?\" |"), "{text}");
    assert!(
        text.contains("| option | `mood.meh` | reworded | label was \"Meh\", now \"So-so\" |"),
        "{text}"
    );
    assert!(!text.contains("Warning"), "the version was changed: {text}");
    let (code, text) = diff_of("diff/old.toml", "diff/old.toml", "text");
    assert_eq!(code, Some(0));
    assert!(text.contains("The content is the same."), "{text}");
}

#[test]
fn review_is_a_readable_sign_off_document() {
    let tree = fixture("valid/fallback_and_routes.toml");
    let output = groupfit().args(["review", &tree]).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let sha = groupfit::source::Source::read(Path::new(&tree))
        .unwrap()
        .sha256();
    insta::assert_snapshot!(
        "review_markdown",
        text.replace(&tree, "fallback_and_routes.toml")
    );
    for words in [
        "# Sign-off review: Routes",
        "- Version: **2**",
        &format!("- SHA-256: `{sha}`"),
        "| No | **ends: Get help now (urgent)** |",
        "### `mood`: How is it?",
        "| Bad | ends; the totals decide | therapy +1 |",
        "| Support group | 1 | `mood` *Meh* (100%)",
        "1. **Therapy group** 1 ahead of Support group 0 (lead 1): `safe` *Yes* · `mood` *Bad*",
        "| nothing scores | Support group | passes |",
        "Reviewed by: ____",
    ] {
        assert!(text.contains(words), "{words:?} in:\n{text}");
    }

    let cut = groupfit()
        .args(["review", &tree, "--max-paths", "1"])
        .output()
        .unwrap();
    let cut = String::from_utf8(cut.stdout).unwrap();
    assert!(cut.contains("**Stopped early:** 1 of 3 paths"), "{cut}");
    assert!(!cut.contains("Reviewed by"), "{cut}");
    assert!(cut.contains("not every path was visited"), "{cut}");
}

#[test]
fn review_of_a_tree_with_a_failing_scenario_offers_no_signature() {
    let tree = fixture("invalid/scenario_mismatch.toml");
    let output = groupfit().args(["review", &tree]).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("**fails**: scenario '"), "{text}");
    assert!(!text.contains("Reviewed by"), "{text}");
    assert!(text.contains("cannot be signed off"), "{text}");
}

#[test]
fn a_misnamed_table_is_one_error_not_a_cascade() {
    let output = groupfit()
        .args(["check", "--format", "json"])
        .arg(fixture("invalid/misnamed_questions.toml"))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["errors"], 1, "{json}");
    assert_eq!(json["warnings"], 0, "{json}");
}

#[test]
fn slips_in_an_answers_file_are_put_in_words_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    for (text, words) in [
        (
            "[answers]\nsafety = none\n",
            "2:10: error: 'none' is not in quotes",
        ),
        (
            "[answers]\nsafety = \u{201c}none\u{201d}\n",
            "2:10: error: text must be in straight double quotes",
        ),
        (
            "[answers]\nsafety = \"none\"\nsafety = \"none\"\n",
            "3:1: error: question 'safety' is answered twice",
        ),
    ] {
        let path = dir.path().join("answers.toml");
        fs::write(&path, text).unwrap();
        let output = groupfit()
            .args(["answer", "--answers"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(words), "{words:?} in {stderr}");
        assert!(stderr.contains(" | "), "the line is shown: {stderr}");
    }
}

#[test]
fn knock_on_scenario_problems_are_grouped_under_their_cause() {
    let output = groupfit()
        .args(["check", "--format", "json"])
        .arg(fixture("invalid/knock_on_scenarios.toml"))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["errors"], 1, "one error for both scenarios: {json}");
    assert_eq!(json["warnings"], 1, "one warning for coverage: {json}");
    let warning = json["diagnostics"][0]["message"].as_str().unwrap();
    assert!(warning.contains("fix those first"), "{warning}");
}

/// `check` and `answer` on a chain 100,000 questions deep: nothing recurses on the depth, so
/// neither overflows its stack, and the deepest walk is replayed and explained.
#[test]
fn a_chain_100000_questions_deep_is_checked_and_answered() {
    let dir = tempfile::tempdir().unwrap();
    let chain = dir.path().join("chain.toml");
    fs::write(&chain, trees::chain(100_000, false)).unwrap();
    groupfit()
        .arg("check")
        .arg(&chain)
        .assert()
        .success()
        .stdout(contains("0 error(s)").and(contains("100000 questions")));

    // The deepest path: on at every question, then stop at the last.
    let mut answers = String::from("[answers]\n");
    for q in 0..99_999 {
        answers.push_str(&format!("q{q} = \"a\"\n"));
    }
    answers.push_str("q99999 = \"b\"\n");
    let file = dir.path().join("answers.toml");
    fs::write(&file, answers).unwrap();
    let output = groupfit()
        .args(["answer", "--format", "json", "--questions"])
        .arg(&chain)
        .arg("--answers")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(result["outcome"]["id"], "therapy");
    assert_eq!(result["answers"].as_array().unwrap().len(), 100_000);
    assert_eq!(result["why"], serde_json::json!(["Stop."]));
}

/// On very long paths, `review` and `diff` stop at their budget, in time linear in it, and say so.
#[test]
fn review_and_diff_of_a_deep_chain_stop_at_the_budget_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let chain = dir.path().join("chain.toml");
    let text = trees::chain(20_000, false);
    fs::write(&chain, &text).unwrap();
    let changed = dir.path().join("changed.toml");
    fs::write(&changed, text.replacen("therapy = 2", "therapy = 3", 1)).unwrap();
    let output = groupfit()
        .args(["review", "--max-paths", "100"])
        .arg(&chain)
        .output()
        .unwrap();
    assert!(output.status.success());
    let review = String::from_utf8(output.stdout).unwrap();
    assert!(review.contains("**Stopped early:**"), "{review}");
    assert!(!review.contains("Reviewed by"), "{review}");
    let output = groupfit()
        .args(["diff", "--max-paths", "100"])
        .arg(&chain)
        .arg(&changed)
        .output()
        .unwrap();
    let diff = String::from_utf8(output.stdout).unwrap();
    assert!(diff.contains("stopped early"), "{diff}");
    assert!(diff.contains("option 'q0.b' rescored"), "{diff}");
}

const GENERATED_HEADER: &str =
    "[tree]\ntitle = \"Generated\"\nversion = \"1\"\nstart = \"q0\"\ndisclaimer = \"A guide.\"\n";

/// `n` questions whose first option goes on to the question `next(q)` names, which does not exist.
fn tree_with_missing_questions(n: usize, next: impl Fn(usize) -> String) -> String {
    let mut text = GENERATED_HEADER.to_owned();
    for q in 0..n {
        text.push_str(&format!(
            "\n[[question]]\nid = \"q{q}\"\ntext = \"Question {q}?\"\n  [[question.option]]\n  id = \"a\"\n  label = \"A\"\n  next = \"{}\"\n  [[question.option]]\n  id = \"b\"\n  label = \"B\"\n  outcome = \"x\"\n",
            next(q)
        ));
    }
    text.push_str("\n[[outcome]]\nid = \"x\"\nname = \"X\"\nsummary = \"About x.\"\n");
    text
}

/// The lines of a report that are problems or counts, without the lines of the file shown under
/// each problem (`12 |   next = "x"` and the caret under it).
fn problem_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| {
            !line
                .trim_start()
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start()
                .starts_with('|')
        })
        .collect()
}

// 8,000 missing questions once took 18 seconds, every one compared with every question id.
#[test]
fn thousands_of_missing_questions_are_suggested_for_and_the_list_is_cut() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("elsewhere.toml");
    fs::write(
        &path,
        tree_with_missing_questions(8_000, |_| "elsewhere".to_owned()),
    )
    .unwrap();
    let output = groupfit().arg("check").arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    let lines = problem_lines(&text);
    // The first 100 problems, the line counting the rest, and the summary.
    assert_eq!(lines.len(), 102, "{text}");
    assert!(lines[0].ends_with(
        "elsewhere.toml:13:10: error: 'next' names question 'elsewhere', but there is no such question; the questions are 'q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8', 'q9' and 7990 more"
    ));
    assert!(lines[100].ends_with(
        "elsewhere.toml: and 7900 more error(s) not listed (only the first 100 are); fix those above and run it again"
    ));
    assert!(lines[101].contains("8000 error(s), 0 warning(s)"), "{text}");

    // Each name misspelt differently still gets its suggestion among thousands of ids.
    fs::write(
        &path,
        tree_with_missing_questions(8_000, |q| format!("q{}x", q + 1)),
    )
    .unwrap();
    let output = groupfit().arg("check").arg(&path).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(problem_lines(&text).len(), 102, "{text}");
    assert!(
        text.contains(":25:10: error: 'next' names question 'q2x', but there is no such question; did you mean 'q2'?"),
        "{text}"
    );

    let output = groupfit()
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["errors"], 8000);
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 100);
    assert_eq!(json["omitted"], 7900);
}

// 640,000 of these once took 26 seconds and printed 960,002 lines: each column was counted from
// the start of the line.
#[test]
fn a_long_line_of_syntax_errors_is_located_quickly_and_the_list_is_cut() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("line.toml");
    fs::write(&path, format!("x = {{{}\n", "1,".repeat(100_000))).unwrap();
    let output = groupfit().arg("check").arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    let lines = problem_lines(&text);
    assert_eq!(lines.len(), 102, "{text}");
    assert!(
        lines[1].contains("line.toml:1:7: error: TOML syntax:"),
        "{text}"
    );
    assert!(
        lines[100].contains("more error(s) not listed (only the first 100 are)"),
        "{text}"
    );
    assert!(lines[101].contains("150001 error(s)"), "{text}");

    let output = groupfit()
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 100);
    assert_eq!(json["errors"], 150_001);
    assert_eq!(json["omitted"], 149_901);
    // Columns far along the line are still right.
    let last = &diagnostics[99];
    assert_eq!(last["line"], 1);
    assert!(last["column"].as_u64().unwrap() > 100, "{last}");
}

#[test]
fn thousands_of_unknown_answers_are_listed_a_hundred_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let tree = fixture("valid/fallback_and_routes.toml");
    let file = dir.path().join("answers.toml");
    let mut text = String::from("[answers]\n");
    for q in 0..5_000 {
        text.push_str(&format!("mood{q} = \"bad\"\n"));
    }
    fs::write(&file, text).unwrap();
    let output = groupfit()
        .args(["answer", "-q", &tree, "--answers"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines = problem_lines(&stderr);
    assert_eq!(lines.len(), 101, "{stderr}");
    assert!(
        lines[0]
            .ends_with(":2:1: error: 'mood0' is not a question in this tree; did you mean 'mood'?"),
        "{stderr}"
    );
    assert!(
        lines[100].ends_with("and 4900 more error(s) not listed (only the first 100 are); fix those above and run it again"),
        "{stderr}"
    );

    let mut pairs = vec!["answer".to_owned(), "-q".to_owned(), tree.clone()];
    for q in 0..150 {
        pairs.push(format!("--answer=mood{q}=bad"));
    }
    let output = groupfit().args(&pairs).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 101, "{stderr}");
    assert!(
        stderr.starts_with("error: 'mood0' is not a question"),
        "{stderr}"
    );
}
