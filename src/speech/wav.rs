//! The WAV bytes eSpeak NG writes, read back: the format, the sample
//! data, its length and loudness. Written to a pipe, eSpeak cannot seek
//! back to fill in the RIFF and data sizes, so it leaves placeholders;
//! `Wav::parse` writes the true sizes so every player (the window's
//! `<audio>` included) knows where the sound ends.

use crate::error::{Error, Result};

/// A 16-bit PCM WAV held in memory.
#[derive(Clone, PartialEq, Eq)]
pub struct Wav {
    bytes: Vec<u8>,
    sample_rate: u32,
    channels: u16,
    data: std::ops::Range<usize>,
}

impl std::fmt::Debug for Wav {
    // Never the samples: they are the spoken words.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wav")
            .field("bytes", &self.bytes.len())
            .field("sample_rate", &self.sample_rate)
            .field("channels", &self.channels)
            .finish()
    }
}

fn bad(what: &str) -> Error {
    Error::SpeechFailed(format!("the speech engine wrote no usable WAV ({what})"))
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

impl Wav {
    /// Reads a RIFF/WAVE file of 16-bit PCM samples. A data chunk whose
    /// declared size runs past the end (eSpeak's placeholder) ends at the
    /// end of the bytes; the header's sizes are rewritten to match.
    pub fn parse(mut bytes: Vec<u8>) -> Result<Wav> {
        if bytes.get(0..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WAVE") {
            return Err(bad("no RIFF/WAVE header"));
        }
        let mut at = 12;
        let mut format: Option<(u16, u16, u32, u16)> = None;
        loop {
            let id = bytes.get(at..at + 4).ok_or_else(|| bad("no data chunk"))?;
            let size = u32_at(&bytes, at + 4).ok_or_else(|| bad("truncated chunk"))? as usize;
            let body = at + 8;
            if id == b"fmt " {
                let tag = u16_at(&bytes, body).ok_or_else(|| bad("short fmt"))?;
                let channels = u16_at(&bytes, body + 2).ok_or_else(|| bad("short fmt"))?;
                let rate = u32_at(&bytes, body + 4).ok_or_else(|| bad("short fmt"))?;
                let bits = u16_at(&bytes, body + 14).ok_or_else(|| bad("short fmt"))?;
                format = Some((tag, channels, rate, bits));
            } else if id == b"data" {
                let (tag, channels, sample_rate, bits) = format.ok_or_else(|| bad("data before fmt"))?;
                if tag != 1 || bits != 16 || channels == 0 || sample_rate == 0 {
                    return Err(bad("not 16-bit PCM"));
                }
                let end = body.saturating_add(size).min(bytes.len());
                let end = end - (end - body) % (2 * channels as usize);
                bytes.truncate(end);
                let data_len = (end - body) as u32;
                let riff_len = (end - 8) as u32;
                bytes[at + 4..at + 8].copy_from_slice(&data_len.to_le_bytes());
                bytes[4..8].copy_from_slice(&riff_len.to_le_bytes());
                return Ok(Wav {
                    bytes,
                    sample_rate,
                    channels,
                    data: body..end,
                });
            }
            at = body + size + (size & 1);
        }
    }

    /// The whole file, header included, as a player reads it.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    fn samples(&self) -> impl Iterator<Item = i16> + '_ {
        self.bytes[self.data.clone()]
            .chunks_exact(2)
            .map(|s| i16::from_le_bytes([s[0], s[1]]))
    }

    /// How long it plays, in milliseconds.
    pub fn duration_ms(&self) -> u64 {
        let frames = (self.data.len() / 2 / self.channels as usize) as u64;
        frames * 1000 / self.sample_rate as u64
    }

    /// Root mean square of the samples, as a fraction of full scale
    /// (0 is silence; a full-scale square wave is 1).
    pub fn rms(&self) -> f64 {
        let (mut sum, mut n) = (0f64, 0u64);
        for s in self.samples() {
            let x = s as f64 / 32768.0;
            sum += x * x;
            n += 1;
        }
        if n == 0 {
            0.0
        } else {
            (sum / n as f64).sqrt()
        }
    }
}
