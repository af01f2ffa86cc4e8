//! The starting code of a new PHP service for `paasctl service create`: the front controller
//! (`public/index.php`), the implementation of the contract (`src/Service.php`), one PHPUnit
//! test per rpc, `bootstrap.php` (composer's autoloader, or runtime-php's without composer),
//! composer.json, phpunit.xml, and a Dockerfile with the php-fpm + nginx configs it runs (the
//! tests run the same configs). Class names come from the same view-models as the generated code.
use crate::model::{self, Body};
use crate::{dependency_namespace, names, Php};
use brief_codegen::plan;
use brief_codegen::scaffold::{render_files, Scaffold};
use compiler::ir::Ir;
use compiler::{codes, Diagnostic};
use serde::Serialize;

/// Where `paasctl codegen` writes in a new PHP service.
pub const GENERATED_DIR: &str = "gen";

/// Options of a new PHP service.
#[derive(Debug, Clone)]
pub struct ScaffoldOptions<'a> {
    /// runtime-php's version to require in composer.json.
    pub runtime_version: &'a str,
    /// A local runtime-php directory (a checkout of paasctl's `runtime-php`): composer's path
    /// repository, and the autoloader `bootstrap.php` falls back to.
    pub runtime_dir: Option<&'a str>,
    /// The example rpc whose unit test checks a concrete answer (`hello`).
    pub example_rpc: &'a str,
}

#[derive(Serialize)]
struct Vm {
    service: String,
    description: String,
    description_json: String,
    ns: String,
    ns_json: String,
    gen_ns: String,
    gen_ns_json: String,
    tests_ns_json: String,
    ns_prefix_php: String,
    gen_prefix_php: String,
    tests_prefix_php: String,
    runtime_version: String,
    runtime_dir_json: Option<String>,
    runtime_autoload: String,
    unimplemented: String,
    server: String,
    publisher: Option<PublisherVm>,
    rpcs: Vec<RpcVm>,
    deps: Vec<DepVm>,
    service_uses: Vec<String>,
    index_uses: Vec<String>,
    test_uses: Vec<String>,
}

#[derive(Serialize)]
struct PublisherVm {
    class: String,
    method: String,
    message: String,
    topic: String,
}

#[derive(Serialize)]
struct RpcVm {
    method: String,
    test: String,
    input: String,
    output: String,
    example: bool,
}

#[derive(Serialize)]
struct DepVm {
    name: String,
    class: String,
    var: String,
    import: String,
}

const TEMPLATES: &[(&str, &str)] = &[
    (
        "composer.json",
        include_str!("templates/scaffold/composer.json.jinja"),
    ),
    (
        "bootstrap.php",
        include_str!("templates/scaffold/bootstrap.php.jinja"),
    ),
    (
        "public/index.php",
        include_str!("templates/scaffold/index.php.jinja"),
    ),
    (
        "src/Service.php",
        include_str!("templates/scaffold/Service.php.jinja"),
    ),
    (
        "tests/ServiceTest.php",
        include_str!("templates/scaffold/ServiceTest.php.jinja"),
    ),
    (
        "tests/RecordingTransport.php",
        include_str!("templates/scaffold/RecordingTransport.php.jinja"),
    ),
    (
        "phpunit.xml",
        include_str!("templates/scaffold/phpunit.xml.jinja"),
    ),
    (
        "Dockerfile",
        include_str!("templates/scaffold/Dockerfile.jinja"),
    ),
    (
        "docker/nginx.conf",
        include_str!("templates/scaffold/nginx.conf.jinja"),
    ),
    (
        "docker/php-fpm.conf",
        include_str!("templates/scaffold/php-fpm.conf.jinja"),
    ),
];

/// A new PHP service for the checked `ir` (its own contract and dependencies).
pub fn scaffold(ir: &Ir, opts: &ScaffoldOptions<'_>) -> Result<Scaffold, Diagnostic> {
    let (Some(app), Some(own)) = (&ir.app, &ir.service) else {
        return Err(Diagnostic::new(
            codes::E0501,
            "a new PHP service needs app.toml and service.brief",
        ));
    };
    let ns = names::upper(&own.name);
    let gen_ns = vm_gen_ns(&own.name);
    Php::new(&gen_ns).map_err(|e| Diagnostic::new(codes::E0405, e))?;
    let vm_own = model::contract(own, true, true, &own.name)?;
    let class_of = |want: fn(&Body) -> bool| {
        vm_own
            .bodies
            .iter()
            .find(|(_, b, _)| want(b))
            .map(|(class, _, _)| class.clone())
    };
    let missing = || {
        Diagnostic::new(
            codes::E0701,
            "the PHP backend has no handler for the service",
        )
    };
    let unimplemented = class_of(|b| matches!(b, Body::Unimplemented(_))).ok_or_else(missing)?;
    let server = class_of(|b| matches!(b, Body::Server(_))).ok_or_else(missing)?;
    let publisher = vm_own.bodies.iter().find_map(|(class, b, _)| match b {
        Body::Publisher(p) => p.events.first().map(|e| PublisherVm {
            class: class.clone(),
            method: e.method.clone(),
            message: e.message.clone(),
            topic: e.topic.clone(),
        }),
        _ => None,
    });
    let rpcs: Vec<RpcVm> = vm_own
        .bodies
        .iter()
        .find_map(|(_, b, _)| match b {
            Body::Handler(h) => Some(h),
            _ => None,
        })
        .ok_or_else(missing)?
        .rpcs
        .iter()
        .zip(&own.rpcs)
        .map(|(r, ir_rpc)| RpcVm {
            method: r.method.clone(),
            test: names::upper(&ir_rpc.name),
            input: r.input.clone(),
            output: r.output.clone(),
            example: ir_rpc.name == opts.example_rpc,
        })
        .collect();
    let mut deps = Vec::new();
    for u in plan::dependencies(ir, dependency_namespace) {
        let vm = model::contract(u.contract, false, false, &own.name)?;
        let client = vm
            .bodies
            .iter()
            .find(|(_, b, _)| matches!(b, Body::Client(_)))
            .map(|(class, _, _)| class.clone())
            .ok_or_else(missing)?;
        deps.push(DepVm {
            name: u.contract.name.clone(),
            var: names::lower(&u.contract.name),
            class: client.clone(),
            import: format!("{gen_ns}\\{}\\{client}", u.name),
        });
    }
    let gen = |class: &str| format!("{gen_ns}\\{class}");
    let mut service_uses = vec!["Brief\\Runtime\\Context".to_owned(), gen(&unimplemented)];
    let mut index_uses = vec![
        "Brief\\Runtime\\Server".to_owned(),
        gen(&server),
        format!("{ns}\\Service"),
    ];
    let mut test_uses = vec![
        "Brief\\Runtime\\Client".to_owned(),
        "Brief\\Runtime\\Context".to_owned(),
        "PHPUnit\\Framework\\TestCase".to_owned(),
        format!("{ns}\\Service"),
    ];
    for r in &rpcs {
        service_uses.extend([gen(&r.input), gen(&r.output)]);
        test_uses.push(gen(&r.input));
    }
    if let Some(p) = &publisher {
        service_uses.extend([gen(&p.class), gen(&p.message)]);
        index_uses.push(gen(&p.class));
        test_uses.extend([gen(&p.class), "Brief\\Runtime\\Publisher".to_owned()]);
    }
    for d in &deps {
        service_uses.push(d.import.clone());
        index_uses.push(d.import.clone());
        test_uses.push(d.import.clone());
    }
    for list in [&mut service_uses, &mut index_uses, &mut test_uses] {
        list.sort();
        list.dedup();
    }
    let runtime_autoload = match opts.runtime_dir {
        Some(d) => names::quote(&format!("{d}/autoload.php")),
        None => "__DIR__ . '/vendor/brief-paas/runtime-php/autoload.php'".to_owned(),
    };
    let vm = Vm {
        service: own.name.clone(),
        description: app.description.clone(),
        ns_json: json_string(&format!("{ns}\\")),
        gen_ns_json: json_string(&format!("{gen_ns}\\")),
        tests_ns_json: json_string(&format!("{ns}\\Tests\\")),
        ns_prefix_php: names::quote(&format!("{ns}\\")),
        gen_prefix_php: names::quote(&format!("{gen_ns}\\")),
        tests_prefix_php: names::quote(&format!("{ns}\\Tests\\")),
        description_json: json_string(&app.description),
        runtime_dir_json: opts.runtime_dir.map(json_string),
        ns,
        gen_ns,
        runtime_version: opts.runtime_version.to_owned(),
        runtime_autoload,
        unimplemented,
        server,
        publisher,
        rpcs,
        deps,
        service_uses,
        index_uses,
        test_uses,
    };
    Ok(Scaffold {
        files: render_files("PHP", TEMPLATES, &vm)?,
        generated_dir: GENERATED_DIR.to_owned(),
        codegen_args: vec![
            "--lang".into(),
            "php".into(),
            "--php-namespace".into(),
            vm_gen_ns(&own.name),
        ],
        build: vec!["find src public tests bootstrap.php -name '*.php' -exec php -l {} \\;".into()],
        test: vec!["phpunit".into()],
        run: "php -S 127.0.0.1:8080 public/index.php".into(),
    })
}

/// The generated namespace of a new service: `<Service>\Generated`.
fn vm_gen_ns(service: &str) -> String {
    format!("{}\\Generated", names::upper(service))
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
