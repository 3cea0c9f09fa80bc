//! The audio ballot's voice (`votekiosk::speech`): real eSpeak NG, real
//! WAV bytes read back for their length and loudness (nothing is listened
//! to). The text reaches eSpeak on its standard input only, is read aloud
//! rather than run, and a kiosk without eSpeak says so with a typed error.

use std::path::Path;

use votekiosk::definition::LangCode;
use votekiosk::speech::{self, Speech, Synthesizer, Wav, DEFAULT_RATE};
use votekiosk::Error;

fn demo() -> votekiosk::ElectionDefinition {
    votekiosk::demo::definition(chrono::Utc::now()).expect("demo definition")
}

fn lang(code: &str) -> LangCode {
    demo()
        .languages
        .iter()
        .find(|l| l.code.as_str() == code)
        .map(|l| l.code.clone())
        .unwrap_or_else(|| panic!("the demo election has {code}"))
}

fn say(language: &str, text: &str) -> Wav {
    let voice = speech::voice_for(language).expect("voice");
    Synthesizer::new()
        .synthesize(voice, DEFAULT_RATE, text)
        .unwrap_or_else(|e| panic!("speak {language}: {e}"))
}

/// A WAV a voter can hear: its header says how long it is, it lasts at
/// least `min_ms`, and it is not silence.
fn assert_audible(wav: &Wav, min_ms: u64, what: &str) {
    let b = wav.bytes();
    let riff = u32::from_le_bytes(b[4..8].try_into().expect("4 bytes")) as usize;
    assert_eq!(riff, b.len() - 8, "{what}: the RIFF size is the file's");
    let data_at = b.windows(4).position(|w| w == b"data").expect("data chunk");
    let data = u32::from_le_bytes(b[data_at + 4..data_at + 8].try_into().expect("4 bytes")) as usize;
    assert_eq!(
        data,
        b.len() - data_at - 8,
        "{what}: the data size is the samples'"
    );
    assert!(
        wav.duration_ms() >= min_ms,
        "{what}: {} ms of sound",
        wav.duration_ms()
    );
    assert!(wav.rms() > 0.02, "{what}: RMS {:.4} is near silence", wav.rms());
}

#[test]
fn every_contest_is_spoken_in_english_and_in_spanish() {
    let def = demo();
    for code in ["en", "es"] {
        let l = lang(code);
        for contest in &def.contests {
            let title = contest.title.get(&l);
            let wav = say(code, title);
            assert_audible(&wav, 300, &format!("{code}: {}", contest.id.as_str()));
            eprintln!(
                "speech {code} {:>12}: {:>5} ms, RMS {:.3}",
                contest.id.as_str(),
                wav.duration_ms(),
                wav.rms()
            );
        }
    }
    // The two voices differ: the same words are not the same sound.
    assert_ne!(say("en", "Mayor").bytes(), say("es", "Mayor").bytes());
}

#[test]
fn arabic_has_a_voice() {
    let wav = say("ar", "صوتك سري");
    assert_audible(&wav, 300, "ar");
}

#[test]
fn a_slower_rate_speaks_longer() {
    let text = "Vote for one candidate. You may still choose one more.";
    let voice = speech::voice_for("en").expect("English voice");
    let slow = Synthesizer::new().synthesize(voice, 100, text).expect("slow");
    let fast = Synthesizer::new().synthesize(voice, 300, text).expect("fast");
    assert!(
        slow.duration_ms() > fast.duration_ms() * 2,
        "100 wpm: {} ms, 300 wpm: {} ms",
        slow.duration_ms(),
        fast.duration_ms()
    );
}

#[test]
fn shell_metacharacters_are_read_aloud_never_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let marker = dir.path().join("ran");
    let m = marker.display();
    let text = format!(
        "Ana; touch {m} && echo $(touch {m}) `touch {m}` | tee {m} > {m} ' \" \\ * ? ~ # -v xx --stdout"
    );
    let wav = say("en", &text);
    assert!(!marker.exists(), "a metacharacter ran a command");
    // The whole line was spoken: far longer than the one word before it.
    let word = say("en", "Ana");
    assert!(
        wav.duration_ms() > word.duration_ms() * 5,
        "{} ms against {} ms for one word",
        wav.duration_ms(),
        word.duration_ms()
    );
    assert_audible(&wav, 2000, "metacharacters");
}

#[cfg(unix)]
#[test]
fn the_text_goes_to_standard_input_never_to_argv() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    // A stand-in eSpeak that notes its argv and stdin (in this test's
    // folder), then answers with a real WAV.
    let real = dir.path().join("real.wav");
    std::fs::write(&real, say("en", "ok").bytes()).expect("write wav");
    let fake = dir.path().join("espeak-ng");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{d}/argv'\ncat > '{d}/stdin'\ncat '{r}'\n",
            d = dir.path().display(),
            r = real.display()
        ),
    )
    .expect("write fake espeak-ng");
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let secret = "Write-in: Zelda Quintero";
    let wav = Synthesizer::with_program(&fake)
        .synthesize("es-419", 175, secret)
        .expect("fake espeak");
    assert_audible(&wav, 100, "fake");
    let argv = std::fs::read_to_string(dir.path().join("argv")).expect("argv noted");
    let stdin = std::fs::read_to_string(dir.path().join("stdin")).expect("stdin noted");
    assert!(!argv.contains("Zelda"), "the text is in argv: {argv:?}");
    assert_eq!(
        argv.lines().collect::<Vec<_>>(),
        ["--stdout", "-v", "es-419", "-s", "175", "-a", "100"]
    );
    assert_eq!(stdin.trim_end(), secret);
}

#[test]
fn a_kiosk_without_espeak_gets_a_typed_error_a_poll_worker_can_act_on() {
    let missing = Path::new("/nonexistent/votekiosk-test/espeak-ng");
    let err = Synthesizer::with_program(missing)
        .synthesize("en-us", 175, "hello")
        .expect_err("no espeak-ng");
    assert!(matches!(err, Error::SpeechUnavailable), "{err:?}");
    assert_eq!(err.code(), "speech_unavailable");
    let msg = err.to_string();
    assert!(
        msg.contains("espeak-ng") && msg.contains("Ask an official"),
        "{msg}"
    );
    // Through the cache too, and nothing is kept.
    let speech = Speech::new(Synthesizer::with_program(missing));
    let err = speech.warm("en", DEFAULT_RATE, ["Mayor"]).expect_err("warm");
    assert_eq!(err.code(), "speech_unavailable");
    assert_eq!(speech.stats().entries, 0);
}

#[test]
fn bad_input_is_refused_and_nothing_is_cached() {
    let speech = Speech::default();
    let no_voice = speech.speak("xx", DEFAULT_RATE, "hello").expect_err("no voice");
    assert_eq!(no_voice.code(), "speech_no_voice");
    assert!(no_voice.to_string().contains("\"xx\""));
    let empty = speech.speak("en", DEFAULT_RATE, "  \n").expect_err("empty");
    assert_eq!(empty.code(), "invalid_input");
    let long = "a ".repeat(speech::MAX_TEXT);
    assert_eq!(
        speech.speak("en", DEFAULT_RATE, &long).expect_err("long").code(),
        "invalid_input"
    );
    // eSpeak falls back to English for a voice it lacks; the kiosk asks
    // for the list first, so it knows.
    let synth = Synthesizer::new();
    assert!(!synth.has_voice("no-such-voice").expect("voices"));
    for voice in ["en-us", "es-419", "ar"] {
        assert!(synth.has_voice(voice).expect("voices"), "{voice}");
    }
    assert_eq!(speech.stats().entries, 0);
}

#[test]
fn the_cache_is_warmed_per_definition_and_keeps_no_voters_text() {
    let def = demo();
    let speech = Speech::default();
    let mut total = 0;
    for code in ["en", "es"] {
        let l = lang(code);
        let phrases = speech::definition_phrases(&def, &l);
        for c in &def.contests {
            assert!(
                phrases.iter().any(|p| p == c.title.get(&l)),
                "{code}: {}",
                c.id.as_str()
            );
            for cand in c.kind.candidates() {
                assert!(phrases.iter().any(|p| p == cand.name.get(&l)));
            }
        }
        let report = speech.warm(code, DEFAULT_RATE, &phrases).expect("warm");
        assert_eq!(report.phrases, phrases.len());
        assert_eq!(report.synthesized, phrases.len());
        total += phrases.len();
        eprintln!(
            "speech warm-up {code}: {} phrases in {} ms; cache {} entries, {} KiB",
            report.phrases,
            report.elapsed_ms,
            report.entries,
            report.bytes / 1024
        );
        // Warming again synthesises nothing.
        let again = speech.warm(code, DEFAULT_RATE, &phrases).expect("warm again");
        assert_eq!(again.synthesized, 0);
    }
    assert_eq!(speech.stats().entries, total);
    let title = def.contests[0].title.get(&lang("es")).to_string();
    assert!(speech.is_cached("es", DEFAULT_RATE, &title));
    let cached = speech.speak("es", DEFAULT_RATE, &title).expect("cached");
    assert_audible(&cached, 300, "cached");
    // A written-in name is spoken, then forgotten.
    let before = speech.stats();
    let wav = speech
        .speak("en", DEFAULT_RATE, "Zelda Quintero")
        .expect("write-in");
    assert_audible(&wav, 300, "write-in");
    assert_eq!(speech.stats(), before);
    assert!(!speech.is_cached("en", DEFAULT_RATE, "Zelda Quintero"));
    // Another speed of a warmed phrase is kept once heard.
    speech.speak("es", 120, &title).expect("slow");
    assert!(speech.is_cached("es", 120, &title));
}
