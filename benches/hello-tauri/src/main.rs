//! hello-tauri: the floor that `benches/app.rs` measures votekiosk-app
//! against. One window the size of the kiosk's, one static page, one
//! command (`ping`, which adds one), and nothing else.

use tauri::{WebviewUrl, WebviewWindowBuilder};

#[tauri::command]
fn ping(n: u64) -> u64 {
    n + 1
}

fn main() {
    let result = tauri::Builder::default()
        .setup(|app| {
            WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
                .title("hello")
                .inner_size(1280.0, 800.0)
                .build()?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![ping])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("hello-tauri: {e}");
        std::process::exit(1);
    }
}
