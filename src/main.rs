//! Entry point: mounts the app on `<body>`.

fn main() {
    // A panic must at least say where in the console; the app is written not to panic.
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(groups_console::App);
}
