<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * Discovery of a dependency's base URL (docs/protocol.md section 8).
 */
final class Discovery
{
    /**
     * The variable a dependency's base URL is read from: ASCII letters upper-cased, digits kept,
     * every other code point `_` (`image-storage` -> SERVICE_IMAGE_STORAGE_URL), the rule of the
     * compiler's naming module.
     */
    public static function envVar(string $dependency): string
    {
        $out = '';
        foreach (mb_str_split($dependency, 1, 'UTF-8') as $c) {
            $out .= preg_match('/^[A-Za-z0-9]$/', $c) === 1 ? strtoupper($c) : '_';
        }
        return "SERVICE_{$out}_URL";
    }

    /**
     * The base URL of `$dependency`: `$explicit`, else its environment variable; trimmed, an
     * absolute http(s) URL with a host, no query or fragment, trailing `/` removed.
     *
     * @throws BriefException invalid_argument naming the variable
     */
    public static function resolve(string $dependency, ?string $explicit = null): string
    {
        $var = self::envVar($dependency);
        $raw = $explicit ?? (getenv($var) === false ? '' : (string) getenv($var));
        $url = trim($raw);
        $where = $explicit === null ? "environment variable {$var}" : 'base URL';
        if ($url === '') {
            throw BriefException::invalidArgument("{$where} is not set: the base URL of {$dependency}");
        }
        $p = parse_url($url);
        $ok = is_array($p) && in_array(strtolower($p['scheme'] ?? ''), ['http', 'https'], true)
            && ($p['host'] ?? '') !== '' && !isset($p['query']) && !isset($p['fragment'])
            && !str_contains($url, '?') && !str_contains($url, '#');
        if (!$ok) {
            throw BriefException::invalidArgument("{$where}: `{$url}` is not an absolute http(s) URL without query");
        }
        return rtrim($url, '/');
    }
}
