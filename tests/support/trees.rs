//! Generated trees of extreme shapes, shared by the whole-program tests and the benches.

// Each includer uses some of these.
#![allow(dead_code)]

use std::fmt::Write as _;

const HEAD: &str =
    "[tree]\ntitle = \"Generated\"\nversion = \"1\"\nstart = \"q0\"\ndisclaimer = \"A guide.\"\n";

const OUTCOMES: &str = "\n[[outcome]]\nid = \"support\"\nname = \"Support group\"\nsummary = \"People who share a problem help each other cope.\"\n\n[[outcome]]\nid = \"therapy\"\nname = \"Therapy group\"\nsummary = \"A therapist helps members change.\"\n";

/// A chain `depth` questions deep: at each, option `a` goes on to the next question and option
/// `b` scores `therapy = 2` and ends; `a` at the last question scores `support = 1` and ends.
///
/// With `stop_first`, `b` is listed before `a`, so that the first paths listed are the shortest.
pub fn chain(depth: usize, stop_first: bool) -> String {
    let mut text = String::with_capacity(depth * 120 + 400);
    text.push_str(HEAD);
    for q in 0..depth {
        let _ = write!(text, "\n[[question]]\nid = \"q{q}\"\ntext = \"Q{q}?\"\n");
        let go_on = if q + 1 < depth {
            format!(
                "[[question.option]]\nid = \"a\"\nlabel = \"On\"\nnext = \"q{}\"\n",
                q + 1
            )
        } else {
            "[[question.option]]\nid = \"a\"\nlabel = \"On\"\nscore = { support = 1 }\nreason = \"On.\"\n"
                .to_owned()
        };
        let stop = "[[question.option]]\nid = \"b\"\nlabel = \"Stop\"\nscore = { therapy = 2 }\nreason = \"Stop.\"\n";
        if stop_first {
            text.push_str(stop);
            text.push_str(&go_on);
        } else {
            text.push_str(&go_on);
            text.push_str(stop);
        }
    }
    text.push_str(OUTCOMES);
    text
}

/// A tree of `questions` questions in a row where both options of each go on to the next, so
/// that it has 2^`questions` paths; the last question's options end, one scoring for each
/// outcome.
pub fn doubling(questions: usize) -> String {
    let mut text = String::with_capacity(questions * 200 + 400);
    text.push_str(HEAD);
    for q in 0..questions {
        let _ = write!(text, "\n[[question]]\nid = \"q{q}\"\ntext = \"Q{q}?\"\n");
        for (option, outcome) in [("a", "support"), ("b", "therapy")] {
            let _ = write!(
                text,
                "[[question.option]]\nid = \"{option}\"\nlabel = \"{option}\"\n"
            );
            if q + 1 < questions {
                let _ = writeln!(text, "next = \"q{}\"", q + 1);
            } else {
                let _ = write!(text, "score = {{ {outcome} = 1 }}\nreason = \"Because.\"\n");
            }
        }
    }
    text.push_str(OUTCOMES);
    text
}
