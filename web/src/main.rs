//! The console's entry point (Trunk builds this binary): see the library.

fn main() {
    kiln_web::start();
}
