//! Prints the prompt catalogue, one `language<TAB>name<TAB>text` line per prompt, for
//! `scripts/make-bundled-prompts.sh`.
#![allow(clippy::print_stdout)] // printing the list is the whole job

use media::prompt::Language;
use plateau::media::prompts::catalogue;

fn main() {
    for language in Language::ALL {
        for prompt in catalogue(language) {
            println!("{}\t{}\t{}", language.code(), prompt.name, prompt.text);
        }
    }
}
