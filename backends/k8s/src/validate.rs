//! What Kubernetes itself limits in app.toml, checked where Kubernetes is known: here, not in
//! the compiler core. `paasctl` runs it with the compiler's checks, so users see one list.
use compiler::app::AppConfig;
use compiler::diagnostic::{codes, Diagnostic};
use compiler::spanned_toml::Locations;
use compiler::Output;

/// Kubernetes limits CronJob names to 52 characters; ours are `<service>-<cron>`.
pub const MAX_CRONJOB_NAME: usize = 52;

/// The problems of `app` that only Kubernetes makes problems, located in app.toml when
/// `locations` is given.
pub fn validate_app(app: &AppConfig, locations: Option<&Locations>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let service = &app.name;
    for (i, cron) in app.crons.iter().enumerate() {
        let full = service.len() + 1 + cron.name.len();
        if full > MAX_CRONJOB_NAME {
            let mut d = Diagnostic::new(
                codes::E0405,
                format!(
                    "the CronJob name `{service}-{}` is {full} characters long; the limit is {MAX_CRONJOB_NAME}",
                    cron.name
                ),
            );
            if let Some(l) = locations {
                d = d.primary(
                    l.value_span(&format!("crons.{i}.name")),
                    "shorten this name",
                );
            }
            diags.push(d);
        }
    }
    diags
}

/// Adds [`validate_app`]'s problems of the compiler's parsed app.toml to `output`, in order; an
/// IR is no longer handed out when they are errors (as for the compiler's own errors).
pub fn check_output(output: &mut Output) {
    let Some(app) = &output.app else { return };
    let found = validate_app(&app.config, Some(&app.locations));
    output.add_diagnostics(found);
}
