//! Second person into third, for the case record: "You want to change a pattern" becomes "The
//! caller wants to change a pattern".
//!
//! The tree speaks to the person answering, so its reasons, caveats and next steps say "you".
//! A case record is about the caller, so each sentence that opens with "You" gets the caller as
//! its subject (with the verb made to agree), and every other "you" and "your" becomes "they",
//! "them" or "their", which take the same verbs as "you".

/// Words after which "you" is the object ("help you", "for you"), so it becomes "them"; after
/// any other word it is a subject ("if you want", "someone you trust") and becomes "they".
const TAKES_OBJECT: &[&str] = &[
    "about", "against", "among", "around", "ask", "asks", "at", "behind", "beside", "between",
    "bring", "brings", "by", "call", "calls", "connect", "connects", "expect", "for", "from",
    "get", "gets", "give", "gives", "guide", "guides", "help", "helps", "hit", "hits", "in",
    "into", "invite", "keep", "keeps", "know", "knows", "let", "lets", "like", "make", "makes",
    "meet", "near", "of", "need", "needs", "offer", "offers", "on", "over", "put", "puts",
    "remind", "see", "send", "show", "shows", "suit", "suits", "support", "supports", "take",
    "takes", "teach", "teaches", "tell", "tells", "than", "through", "to", "toward", "towards",
    "treat", "treats", "under", "upon", "want", "wants", "welcome", "welcomes", "with", "without",
];

/// Words between a subject and its verb that leave the verb to agree: "You also want".
const ADVERBS: &[&str] = &[
    "already", "also", "just", "mainly", "often", "only", "really", "still", "usually",
];

/// Verbs that stay the same after "The caller": modals and past tenses.
const UNCHANGED: &[&str] = &[
    "can", "cannot", "could", "did", "felt", "had", "may", "might", "must", "said", "should",
    "told", "were", "will", "would",
];

/// The text in the third person, with `subject` (such as "The caller") for a sentence's "You".
pub fn third_person(text: &str, subject: &str) -> String {
    let tokens = tokens(text);
    let mut out = String::with_capacity(text.len() + 16);
    // The verb of a sentence whose "You" became the subject, waiting to agree with it.
    let mut agree = false;
    let mut sentence_start = true;
    let mut previous: Option<String> = None;
    for (i, token) in tokens.iter().enumerate() {
        let word = match token {
            Token::Word(word) => *word,
            Token::Other(other) => {
                if other.contains(['.', '!', '?', ':']) {
                    sentence_start = true;
                }
                out.push_str(other);
                continue;
            }
        };
        let lower = word.to_lowercase().replace('’', "'");
        let before = previous.replace(lower.clone());
        // "you" at the end of a clause ("who know you, will ...") is an object.
        let clause_ends = match tokens.get(i + 1) {
            None => true,
            Some(Token::Other(between)) => !between.chars().all(char::is_whitespace),
            Some(Token::Word(_)) => false,
        };
        let starts = sentence_start;
        sentence_start = false;
        if agree {
            if ADVERBS.contains(&lower.as_str()) {
                out.push_str(word);
                continue;
            }
            agree = false;
            out.push_str(&agreeing(word));
            continue;
        }
        let replaced = match lower.as_str() {
            "you" if starts => {
                agree = true;
                subject.to_owned()
            }
            "you" => {
                // After a past tense too: "it has affected you".
                let object = clause_ends
                    || before
                        .as_deref()
                        .is_some_and(|p| TAKES_OBJECT.contains(&p) || p.ends_with("ed"));
                if object { "them" } else { "they" }.to_owned()
            }
            "you're" if starts => format!("{subject} is"),
            "you'd" if starts => format!("{subject} would"),
            "you've" if starts => format!("{subject} has"),
            "you'll" if starts => format!("{subject} will"),
            "you're" => "they're".to_owned(),
            "you'd" => "they'd".to_owned(),
            "you've" => "they've".to_owned(),
            "you'll" => "they'll".to_owned(),
            "your" if starts => format!("{subject}'s"),
            "your" => "their".to_owned(),
            "yours" => "theirs".to_owned(),
            "yourself" | "yourselves" => "themselves".to_owned(),
            _ => {
                out.push_str(word);
                continue;
            }
        };
        out.push_str(&same_case(word, &replaced));
    }
    out
}

/// A verb made to agree with a singular subject: "want" → "wants", "are" → "is".
fn agreeing(word: &str) -> String {
    let lower = word.to_lowercase().replace('’', "'");
    let agreed = match lower.as_str() {
        "are" => "is".to_owned(),
        "were" => "was".to_owned(),
        "have" => "has".to_owned(),
        "do" => "does".to_owned(),
        "don't" => "doesn't".to_owned(),
        "go" => "goes".to_owned(),
        w if UNCHANGED.contains(&w) || w.ends_with("ed") => return word.to_owned(),
        w if w.ends_with(['s', 'x', 'z', 'o']) || w.ends_with("sh") || w.ends_with("ch") => {
            format!("{w}es")
        }
        w if w.ends_with('y') && !matches!(w.chars().rev().nth(1), Some('a' | 'e' | 'o' | 'u')) => {
            format!("{}ies", &w[..w.len() - 1])
        }
        w => format!("{w}s"),
    };
    same_case(word, &agreed)
}

/// `replacement` with a capital first letter when `original` has one and it is not one already.
fn same_case(original: &str, replacement: &str) -> String {
    if original.chars().next().is_some_and(char::is_uppercase) {
        let mut chars = replacement.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    } else {
        replacement.to_owned()
    }
}

enum Token<'a> {
    Word(&'a str),
    Other(&'a str),
}

/// Words (letters and apostrophes inside them) and the text between them.
fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut start = 0;
    let mut in_word = false;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let apostrophe_inside = matches!(c, '\'' | '’')
            && in_word
            && chars.get(k + 1).is_some_and(|&(_, n)| n.is_alphabetic());
        let wordy = c.is_alphabetic() || apostrophe_inside;
        if wordy != in_word {
            if i > start {
                let piece = &text[start..i];
                tokens.push(if in_word {
                    Token::Word(piece)
                } else {
                    Token::Other(piece)
                });
            }
            start = i;
            in_word = wordy;
        }
    }
    if start < text.len() {
        let piece = &text[start..];
        tokens.push(if in_word {
            Token::Word(piece)
        } else {
            Token::Other(piece)
        });
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(text: &str) -> String {
        third_person(text, "The caller")
    }

    #[test]
    fn a_sentence_about_you_is_about_the_caller() {
        assert_eq!(
            caller("You want to change a pattern that keeps coming back."),
            "The caller wants to change a pattern that keeps coming back."
        );
        assert_eq!(
            caller("You told us you are having thoughts of ending your life."),
            "The caller told us they are having thoughts of ending their life."
        );
        assert_eq!(
            caller("You are willing to try, and you do not know yet what you want."),
            "The caller is willing to try, and they do not know yet what they want."
        );
        assert_eq!(
            caller("You do not know yet. You also feel low, which groups help with."),
            "The caller does not know yet. The caller also feels low, which groups help with."
        );
        assert_eq!(
            caller("Your relationships keep going wrong in the same way."),
            "The caller's relationships keep going wrong in the same way."
        );
    }

    #[test]
    fn you_as_an_object_becomes_them() {
        assert_eq!(
            caller("A support group can help you through these months, with people who know you."),
            "A support group can help them through these months, with people who know them."
        );
        assert_eq!(
            caller("Ask your doctor before you join, and speak up for yourself."),
            "Ask their doctor before they join, and speak up for themselves."
        );
        assert_eq!(
            caller("It still weighs on you; you'd rather talk."),
            "It still weighs on them; they'd rather talk."
        );
    }

    #[test]
    fn text_without_you_is_left_as_it_is() {
        let text = "Therapy groups ask members not to meet outside sessions: 1-800-662-4357.";
        assert_eq!(caller(text), text);
        assert_eq!(caller(""), "");
        assert_eq!(
            caller("Young people, youth services."),
            "Young people, youth services."
        );
    }

    #[test]
    fn verbs_agree_with_the_caller() {
        assert_eq!(agreeing("want"), "wants");
        assert_eq!(agreeing("wish"), "wishes");
        assert_eq!(agreeing("try"), "tries");
        assert_eq!(agreeing("say"), "says");
        assert_eq!(agreeing("would"), "would");
        assert_eq!(agreeing("preferred"), "preferred");
        assert_eq!(agreeing("have"), "has");
    }

    proptest::proptest! {
        #[test]
        fn any_text_turns_without_panicking(text in "\\PC{0,60}") {
            let turned = caller(&text);
            if !text.to_lowercase().contains("you") {
                proptest::prop_assert_eq!(turned, text);
            }
        }
    }
}
