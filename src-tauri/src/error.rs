//! Errors as the window receives them: `{code, message}`. Core errors keep
//! their stable code and message; storage and I/O failures become a
//! message a poll worker can act on instead of an internal one.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpcError {
    pub code: &'static str,
    pub message: String,
}

impl IpcError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        IpcError {
            code,
            message: message.into(),
        }
    }

    pub fn not_logged_in() -> Self {
        IpcError::new("not_logged_in", "Please log in as an official first.")
    }

    pub fn no_station() -> Self {
        IpcError::new(
            "no_station",
            "The election file is not open yet: unlock it first.",
        )
    }
}

impl From<votekiosk::Error> for IpcError {
    fn from(e: votekiosk::Error) -> Self {
        match e {
            votekiosk::Error::Storage(_) | votekiosk::Error::Io { .. } => IpcError::new(
                e.code(),
                "The kiosk could not read or write its election file. Nothing was changed. Ask an official to check the kiosk.",
            ),
            other => IpcError::new(other.code(), other.to_string()),
        }
    }
}

pub type IpcResult<T> = Result<T, IpcError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let e = IpcError::from(votekiosk::Error::CodeUsed);
        let json = serde_json::to_value(&e).expect("json");
        assert_eq!(
            json,
            serde_json::json!({"code": "code_used", "message": "this voter code has already been used to vote"})
        );
    }

    #[test]
    fn internal_failures_get_an_actionable_message() {
        let io = votekiosk::Error::Io {
            path: "/x".into(),
            source: std::io::Error::other("disk"),
        };
        let e = IpcError::from(io);
        assert_eq!(e.code, "io");
        assert!(e.message.contains("Ask an official"));
        assert!(!e.message.contains("/x"), "internal detail leaked: {}", e.message);
    }
}
