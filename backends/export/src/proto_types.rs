//! proto3 names and types for the contract's: top-level names claimed once (user types first,
//! then wrapper messages), and the field type of every brief type, with a wrapper message where
//! proto3 has no direct form (`[]?T`, `?[]T`, lists of lists, maps of lists or maps).
use brief_codegen::naming::{lower_snake, upper_camel, Digits};
use brief_codegen::scope::Scope;
use compiler::ir::{MapKey, Type};
use std::collections::BTreeMap;

/// Takes `base` in `scope`, or `base<sep>2`, `base<sep>3`, ... whichever is free first.
pub fn claim(scope: &mut Scope, base: &str, sep: &str) -> String {
    let mut name = base.to_owned();
    let mut n = 2;
    while scope.contains(&name) {
        name = format!("{base}{sep}{n}");
        n += 1;
    }
    scope.reserve(&[&name]);
    name
}

/// `UpperCamel` of a contract name (a message, enum, rpc); `X` in front when it would not start
/// with a letter.
pub fn pascal(name: &str) -> String {
    let n = upper_camel(name, Digits::FollowCase);
    if n.starts_with(|c: char| c.is_ascii_alphabetic()) {
        n
    } else {
        format!("X{n}")
    }
}

/// `lower_snake` of a contract name (a field, a package element); `field_` in front when it
/// would not start with a letter.
pub fn snake(name: &str) -> String {
    let n = lower_snake(name, Digits::FollowCase);
    if n.starts_with(|c: char| c.is_ascii_alphabetic()) {
        n
    } else if n.is_empty() {
        "field".to_owned()
    } else {
        format!("field_{n}")
    }
}

/// A message wrapping one value of a type proto3 has no direct form for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapper {
    pub name: String,
    /// The wrapped type as the contract spells it: `[]?int`.
    pub brief: String,
    /// Its one field's label and type: `repeated OptionalInt64`.
    pub decl: String,
    /// Its one field's name: `value`, `values` or `entries`.
    pub field: &'static str,
}

/// A type as the contract spells it.
pub fn spelling(ty: &Type) -> String {
    match ty {
        Type::Int => "int".to_owned(),
        Type::Float => "float".to_owned(),
        Type::Bool => "bool".to_owned(),
        Type::String => "string".to_owned(),
        Type::Bytes => "bytes".to_owned(),
        Type::Time => "time".to_owned(),
        Type::Message { name } | Type::Enum { name } => name.clone(),
        Type::List { elem } => format!("[]{}", spelling(elem)),
        Type::Optional { inner } => format!("?{}", spelling(inner)),
        Type::Map { key, value } => {
            let k = match key {
                MapKey::String => "string",
                MapKey::Int => "int",
            };
            format!("map[{k}]{}", spelling(value))
        }
    }
}

/// The package's top-level names and the wrapper messages made so far.
#[derive(Debug, Default)]
pub struct Types {
    pub scope: Scope,
    /// Contract type name -> proto name.
    pub names: BTreeMap<String, String>,
    /// Wrapper key (its type spelled out) -> proto name.
    wrapper_names: BTreeMap<String, String>,
    /// Wrapper messages in the order they were made.
    pub wrappers: Vec<Wrapper>,
    /// Whether some field is a `time` (google.protobuf.Timestamp is imported).
    pub uses_time: bool,
}

impl Types {
    /// Claims the proto name of contract type `name`.
    pub fn declare(&mut self, name: &str) -> String {
        let p = claim(&mut self.scope, &pascal(name), "");
        self.names.insert(name.to_owned(), p.clone());
        p
    }

    /// The proto name of contract type `name` (declared before, else its plain UpperCamel).
    pub fn named(&self, name: &str) -> String {
        self.names
            .get(name)
            .cloned()
            .unwrap_or_else(|| pascal(name))
    }

    /// The field declaration's label and type of a field of type `ty`: `optional int64`,
    /// `repeated Item`, `map<string, ListOfInt64>`, ...
    pub fn field(&mut self, ty: &Type) -> String {
        match ty {
            Type::Optional { inner } if simple(inner) => format!("optional {}", self.simple(inner)),
            Type::Optional { inner } => self.wrapper(inner),
            Type::List { elem } => format!("repeated {}", self.element(elem)),
            Type::Map { key, value } => {
                let k = match key {
                    MapKey::String => "string",
                    MapKey::Int => "int64",
                };
                format!("map<{k}, {}>", self.element(value))
            }
            _ => self.simple(ty),
        }
    }

    /// The type of a list or map element: itself when simple, else a wrapper message.
    fn element(&mut self, ty: &Type) -> String {
        if simple(ty) {
            self.simple(ty)
        } else {
            self.wrapper(ty)
        }
    }

    fn simple(&mut self, ty: &Type) -> String {
        match ty {
            Type::Int => "int64".to_owned(),
            Type::Float => "double".to_owned(),
            Type::Bool => "bool".to_owned(),
            Type::String => "string".to_owned(),
            Type::Bytes => "bytes".to_owned(),
            Type::Time => {
                self.uses_time = true;
                "google.protobuf.Timestamp".to_owned()
            }
            Type::Message { name } | Type::Enum { name } => self.named(name),
            other => self.wrapper(other),
        }
    }

    /// The wrapper message holding one value of the non-simple type `ty` (made once per type).
    fn wrapper(&mut self, ty: &Type) -> String {
        let key = self.spelled(ty);
        if let Some(n) = self.wrapper_names.get(&key) {
            return n.clone();
        }
        let (decl, field) = match ty {
            Type::Optional { inner } if simple(inner) => {
                (format!("optional {}", self.simple(inner)), "value")
            }
            Type::Optional { inner } => (self.wrapper(inner), "value"),
            Type::List { .. } => (self.field(ty), "values"),
            _ => (self.field(ty), "entries"),
        };
        let name = claim(&mut self.scope, &key, "");
        self.wrapper_names.insert(key, name.clone());
        self.wrappers.push(Wrapper {
            name: name.clone(),
            brief: spelling(ty),
            decl,
            field,
        });
        name
    }

    /// A type spelled as a wrapper name: `ListOfOptionalInt64`, `MapStringToListOfDouble`.
    fn spelled(&self, ty: &Type) -> String {
        match ty {
            Type::Int => "Int64".to_owned(),
            Type::Float => "Double".to_owned(),
            Type::Bool => "Bool".to_owned(),
            Type::String => "String".to_owned(),
            Type::Bytes => "Bytes".to_owned(),
            Type::Time => "Timestamp".to_owned(),
            Type::Message { name } | Type::Enum { name } => self.named(name),
            Type::List { elem } => format!("ListOf{}", self.spelled(elem)),
            Type::Optional { inner } => format!("Optional{}", self.spelled(inner)),
            Type::Map { key, value } => {
                let k = match key {
                    MapKey::String => "String",
                    MapKey::Int => "Int64",
                };
                format!("Map{k}To{}", self.spelled(value))
            }
        }
    }
}

/// A scalar, enum or message: a type proto3 fields, list elements and map values take as is.
fn simple(ty: &Type) -> bool {
    !matches!(
        ty,
        Type::List { .. } | Type::Map { .. } | Type::Optional { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(t: Type) -> Type {
        Type::List { elem: Box::new(t) }
    }
    fn opt(t: Type) -> Type {
        Type::Optional { inner: Box::new(t) }
    }

    #[test]
    fn field_types_and_wrappers() {
        let mut t = Types::default();
        assert_eq!(t.declare("func"), "Func");
        assert_eq!(t.declare("Func2"), "Func2");
        assert_eq!(t.field(&opt(Type::Int)), "optional int64");
        assert_eq!(t.field(&list(opt(Type::Int))), "repeated OptionalInt64");
        assert_eq!(t.field(&opt(list(Type::Int))), "ListOfInt64");
        assert_eq!(t.field(&list(list(Type::Float))), "repeated ListOfDouble");
        let m = Type::Map {
            key: MapKey::Int,
            value: Box::new(list(opt(Type::Message {
                name: "func".to_owned(),
            }))),
        };
        assert_eq!(t.field(&m), "map<int64, ListOfOptionalFunc>");
        let made: Vec<&str> = t.wrappers.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(
            made,
            [
                "OptionalInt64",
                "ListOfInt64",
                "ListOfDouble",
                "OptionalFunc",
                "ListOfOptionalFunc"
            ]
        );
        assert_eq!(t.wrappers[4].brief, "[]?func");
        assert!(!t.uses_time);
        assert_eq!(snake("_1"), "field_1");
        assert_eq!(snake("userId"), "user_id");
        assert_eq!(pascal("get_item"), "GetItem");
    }
}
