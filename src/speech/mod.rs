//! The audio ballot's voice: text to speech with eSpeak NG, offline.
//!
//! `Synthesizer` runs `espeak-ng --stdout -v VOICE -s WPM -a AMPLITUDE`
//! with the text on its standard input (a voter's choices are secret:
//! never in argv, where any process could read them) and reads the WAV
//! back from its standard output into memory. No shell is involved, so a
//! text such as `$(rm -rf ~)` is read aloud, never run. Nothing is written
//! to a file.
//!
//! `Speech` adds the cache: the phrases every voter hears (the election's
//! title, each contest, option and party, the screens' fixed words) are
//! synthesised once per definition, when the kiosk opens its election
//! (`warm`), so the first voter does not wait. Only phrases warmed that
//! way are kept; anything else (a written-in name) is synthesised, handed
//! back and forgotten. The cache is a memory buffer and never leaves it.

mod wav;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub use wav::Wav;

use crate::definition::{ContestKind, ElectionDefinition, LangCode};
use crate::error::{Error, Result};

/// eSpeak NG's default speed, in words per minute.
pub const DEFAULT_RATE: u32 = 175;
/// The slowest and fastest speeds a voter may choose.
pub const MIN_RATE: u32 = 80;
pub const MAX_RATE: u32 = 450;
/// eSpeak's amplitude (0–200; 100 is its default). The voter's volume is
/// the player's, so every cached phrase has the same amplitude.
pub const AMPLITUDE: u32 = 100;
/// The longest text spoken at once (a contest's description is long;
/// nothing on a ballot screen comes near this).
pub const MAX_TEXT: usize = 4000;

/// The eSpeak NG voice for a language code (`es-MX` reads as `es`). The
/// voices shipped by Debian's `espeak-ng-data`.
pub fn voice_for(language: &str) -> Result<&'static str> {
    let primary = language
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let voice = match primary.as_str() {
        "en" => "en-us",
        "es" => "es-419",
        "ar" => "ar",
        "fr" => "fr",
        "pt" => "pt-br",
        "de" => "de",
        "it" => "it",
        "vi" => "vi",
        "zh" => "cmn",
        "ko" => "ko",
        "ru" => "ru",
        "hi" => "hi",
        _ => return Err(Error::SpeechNoVoice(language.to_string())),
    };
    Ok(voice)
}

fn spawn_error(e: std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => Error::SpeechUnavailable,
        _ => Error::SpeechFailed(format!("cannot start espeak-ng: {e}")),
    }
}

/// Runs eSpeak NG.
#[derive(Debug, Clone)]
pub struct Synthesizer {
    program: PathBuf,
}

impl Default for Synthesizer {
    fn default() -> Self {
        Synthesizer::new()
    }
}

impl Synthesizer {
    /// `espeak-ng` from `PATH`.
    pub fn new() -> Self {
        Synthesizer::with_program("espeak-ng")
    }

    /// A given eSpeak NG binary (tests point it at one that is missing).
    pub fn with_program(program: impl Into<PathBuf>) -> Self {
        Synthesizer {
            program: program.into(),
        }
    }

    /// Whether eSpeak NG has `voice` (a language name of `espeak-ng
    /// --voices`). eSpeak itself falls back to English, silently, for a
    /// voice it lacks, so the kiosk asks first.
    pub fn has_voice(&self, voice: &str) -> Result<bool> {
        let out = Command::new(&self.program)
            .arg("--voices")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map_err(spawn_error)?;
        let list = String::from_utf8_lossy(&out.stdout);
        Ok(list
            .lines()
            .skip(1)
            .any(|l| l.split_whitespace().nth(1) == Some(voice)))
    }

    /// `text` spoken by `voice` at `rate` words per minute, as WAV bytes.
    pub fn synthesize(&self, voice: &str, rate: u32, text: &str) -> Result<Wav> {
        if text.trim().is_empty() {
            return Err(Error::InvalidInput("there is nothing to say".into()));
        }
        if text.len() > MAX_TEXT {
            return Err(Error::InvalidInput(format!(
                "a text to speak is at most {MAX_TEXT} bytes"
            )));
        }
        let rate = rate.clamp(MIN_RATE, MAX_RATE);
        let mut child = Command::new(&self.program)
            .args([
                "--stdout",
                "-v",
                voice,
                "-s",
                &rate.to_string(),
                "-a",
                &AMPLITUDE.to_string(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(spawn_error)?;
        // Written from another thread: a long text's sound fills the
        // stdout pipe before eSpeak has read all of its input.
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let owned = text.to_string();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(owned.as_bytes());
            let _ = stdin.write_all(b"\n");
        });
        let out = child
            .wait_with_output()
            .map_err(|e| Error::SpeechFailed(format!("espeak-ng: {e}")))?;
        let _ = writer.join();
        if !out.status.success() {
            // eSpeak's own message (a missing voice, say), never the text.
            let why = String::from_utf8_lossy(&out.stderr);
            let why = why.lines().next().unwrap_or("").trim();
            return Err(Error::SpeechFailed(format!(
                "espeak-ng {} ({})",
                out.status,
                if why.is_empty() { "no message" } else { why }
            )));
        }
        Wav::parse(out.stdout)
    }
}

/// Every phrase of a definition a voter may hear in `lang`: the title,
/// each contest's title and description, every option, party and
/// yes/no label; each once.
pub fn definition_phrases(def: &ElectionDefinition, lang: &LangCode) -> Vec<String> {
    let mut out = BTreeSet::new();
    out.insert(def.title.get(lang).to_string());
    for contest in &def.contests {
        out.insert(contest.title.get(lang).to_string());
        if let Some(d) = &contest.description {
            out.insert(d.get(lang).to_string());
        }
        for cand in contest.kind.candidates() {
            out.insert(cand.name.get(lang).to_string());
            if let Some(p) = &cand.party {
                out.insert(p.get(lang).to_string());
            }
        }
        if let ContestKind::YesNo {
            yes_label, no_label, ..
        } = &contest.kind
        {
            for l in [yes_label, no_label].into_iter().flatten() {
                out.insert(l.get(lang).to_string());
            }
        }
    }
    out.into_iter().filter(|s| !s.trim().is_empty()).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    language: String,
    voice: &'static str,
    rate: u32,
    text: String,
}

#[derive(Default)]
struct Cache {
    entries: HashMap<Key, Arc<Wav>>,
    /// (language, text) of every warmed phrase: the only ones kept.
    known: HashSet<(String, String)>,
    bytes: usize,
    /// Voices already looked up in `espeak-ng --voices`.
    voices: HashMap<&'static str, bool>,
}

/// What a warm-up did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct WarmReport {
    /// Phrases asked for (each once).
    pub phrases: usize,
    /// Of those, synthesised now (the rest were cached already).
    pub synthesized: usize,
    /// The whole cache after the warm-up.
    pub entries: usize,
    pub bytes: usize,
    pub elapsed_ms: u64,
}

/// The cache's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct CacheStats {
    pub entries: usize,
    pub bytes: usize,
}

/// A synthesiser with its in-memory cache per (language, voice, rate, text).
#[derive(Default)]
pub struct Speech {
    synth: Synthesizer,
    cache: Mutex<Cache>,
}

impl Speech {
    pub fn new(synth: Synthesizer) -> Self {
        Speech {
            synth,
            cache: Mutex::default(),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `text` in `language` at `rate`: from the cache, or synthesised now
    /// (and kept only if it is a warmed phrase). The lock is not held
    /// while eSpeak runs.
    pub fn speak(&self, language: &str, rate: u32, text: &str) -> Result<Arc<Wav>> {
        let key = Key {
            language: language.to_string(),
            voice: voice_for(language)?,
            rate: rate.clamp(MIN_RATE, MAX_RATE),
            text: text.trim().to_string(),
        };
        if let Some(hit) = self.cache().entries.get(&key) {
            return Ok(hit.clone());
        }
        self.require_voice(language, key.voice)?;
        let wav = Arc::new(self.synth.synthesize(key.voice, key.rate, &key.text)?);
        let mut cache = self.cache();
        if cache.known.contains(&(key.language.clone(), key.text.clone())) {
            cache.bytes += wav.bytes().len();
            if let Some(old) = cache.entries.insert(key, wav.clone()) {
                cache.bytes -= old.bytes().len();
            }
        }
        Ok(wav)
    }

    fn require_voice(&self, language: &str, voice: &'static str) -> Result<()> {
        let known = self.cache().voices.get(voice).copied();
        let present = match known {
            Some(p) => p,
            None => {
                let p = self.synth.has_voice(voice)?;
                self.cache().voices.insert(voice, p);
                p
            }
        };
        if present {
            Ok(())
        } else {
            Err(Error::SpeechNoVoice(language.to_string()))
        }
    }

    /// Synthesises every phrase of `texts` in `language` at `rate` that is
    /// not cached yet, and keeps them. A phrase eSpeak refuses fails the
    /// warm-up (the kiosk should know before a voter does).
    pub fn warm<I, S>(&self, language: &str, rate: u32, texts: I) -> Result<WarmReport>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let start = Instant::now();
        voice_for(language)?;
        let phrases: BTreeSet<String> = texts
            .into_iter()
            .map(|t| t.as_ref().trim().to_string())
            .filter(|t| !t.is_empty() && t.len() <= MAX_TEXT)
            .collect();
        {
            let mut cache = self.cache();
            for p in &phrases {
                cache.known.insert((language.to_string(), p.clone()));
            }
        }
        let before = self.stats().entries;
        for p in &phrases {
            self.speak(language, rate, p)?;
        }
        let stats = self.stats();
        Ok(WarmReport {
            phrases: phrases.len(),
            synthesized: stats.entries - before,
            entries: stats.entries,
            bytes: stats.bytes,
            elapsed_ms: start.elapsed().as_millis() as u64,
        })
    }

    pub fn stats(&self) -> CacheStats {
        let cache = self.cache();
        CacheStats {
            entries: cache.entries.len(),
            bytes: cache.bytes,
        }
    }

    /// Whether `text` in `language` at `rate` is cached (for tests).
    pub fn is_cached(&self, language: &str, rate: u32, text: &str) -> bool {
        let Ok(voice) = voice_for(language) else {
            return false;
        };
        self.cache().entries.contains_key(&Key {
            language: language.to_string(),
            voice,
            rate: rate.clamp(MIN_RATE, MAX_RATE),
            text: text.trim().to_string(),
        })
    }
}
