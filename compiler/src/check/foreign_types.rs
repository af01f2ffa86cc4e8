//! Type names of other languages (`int64`, `timestamp`, `String`, ...) and the .brief built-in
//! each one is written as, for the hint of an unknown type (E0201).

/// The built-in that `name`, a type name of another language, is written as in .brief.
pub(super) fn builtin_for(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let builtin = match lower.as_str() {
        "int8" | "int16" | "int32" | "int64" | "uint" | "uint8" | "uint16" | "uint32"
        | "uint64" | "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "isize"
        | "usize" | "integer" | "long" | "short" | "sint32" | "sint64" | "fixed32" | "fixed64"
        | "sfixed32" | "sfixed64" | "bigint" | "number" => "int",
        "float32" | "float64" | "f32" | "f64" | "double" | "decimal" | "real" => "float",
        "boolean" => "bool",
        "str" | "text" | "varchar" | "char" | "uuid" => "string",
        "timestamp" | "datetime" | "date" | "instant" | "timestamptz" | "zoneddatetime"
        | "offsetdatetime" | "localdatetime" => "time",
        "byte" | "blob" | "bytea" | "bytearray" | "buffer" => "bytes",
        _ => return None,
    };
    Some(builtin)
}

/// The hint for an unknown type `name` that is another language's spelling of `builtin`.
pub(super) fn hint(name: &str, builtin: &str) -> String {
    format!(
        "`{name}` is written `{builtin}` in .brief (see the built-in types in docs/language.md)"
    )
}

#[cfg(test)]
mod tests {
    use super::builtin_for;

    #[test]
    fn other_languages_names_map_to_builtins() {
        assert_eq!(builtin_for("int64"), Some("int"));
        assert_eq!(builtin_for("Timestamp"), Some("time"));
        assert_eq!(builtin_for("boolean"), Some("bool"));
        assert_eq!(builtin_for("double"), Some("float"));
        assert_eq!(builtin_for("Order"), None);
    }
}
