//! Every route of the real router (UI and API, every method) is named by the authorisation
//! matrix: a route added to a module without its matrix rows fails here.

use crate::authz_matrix::{covered_routes, template};

#[test]
fn the_matrix_names_every_route_of_the_router() {
    let covered = covered_routes();
    let missing: Vec<String> = grotius_web::route_table()
        .into_iter()
        .filter(|(method, path)| {
            !covered.contains(&(method.as_str().to_lowercase(), template(path)))
        })
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    assert!(
        missing.is_empty(),
        "{} routes not in the authorisation matrix:\n{}",
        missing.len(),
        missing.join("\n")
    );
}
