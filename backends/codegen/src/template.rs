//! The minijinja environment every backend renders with: strict about undefined values (a typo
//! in a template is an error, not an empty string), no auto-escaping (the output is code, not
//! HTML), block tags that leave no blank lines (`trim_blocks`, `lstrip_blocks`) and the template's
//! trailing newline kept. Shared filters are registered here.
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, Error, UndefinedBehavior};
use serde::Serialize;

/// E0701 for a failure of the template engine in backend `backend` ("Go", "PHP"): a bug of
/// that backend, never of the project.
pub fn internal_error(backend: &str, e: &Error) -> compiler::Diagnostic {
    compiler::Diagnostic::new(
        compiler::codes::E0701,
        format!("the {backend} backend failed: {e}"),
    )
    .note("this is a bug of paasctl, not of the project; please report it")
}

/// An environment with the shared settings and `templates` (name, source) added.
pub fn environment(
    templates: &[(&'static str, &'static str)],
) -> Result<Environment<'static>, Error> {
    let mut env = Environment::new();
    let syntax = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()?;
    env.set_syntax(syntax);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    for (name, source) in templates {
        env.add_template(name, source)?;
    }
    Ok(env)
}

/// Renders template `name` with `vm`; the result ends with exactly one newline.
pub fn render(env: &Environment<'_>, name: &str, vm: &impl Serialize) -> Result<String, Error> {
    let s = env.get_template(name)?.render(Serde(vm))?;
    let mut s = s.trim_end().to_owned();
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Serialize)]
    struct Vm {
        items: Vec<&'static str>,
        html: &'static str,
    }

    #[test]
    fn shared_settings() {
        let env = environment(&[(
            "t",
            "{% for i in items %}\n  {% if true %}\n{{ i }}\n  {% endif %}\n{% endfor %}\n{{ html }}\n\n\n",
        )])
        .unwrap();
        let vm = Vm {
            items: vec!["a", "b"],
            html: "<&>",
        };
        assert_eq!(render(&env, "t", &vm).unwrap(), "a\nb\n<&>\n");
        let env = environment(&[("u", "{{ missing }}")]).unwrap();
        assert!(
            render(&env, "u", &vm).is_err(),
            "undefined values are errors"
        );
        assert!(environment(&[("bad", "{% if %}")]).is_err());
    }
}
