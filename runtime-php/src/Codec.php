<?php

declare(strict_types=1);

namespace Brief\Runtime;

use DateTimeImmutable;
use DateTimeZone;

/**
 * The JSON mapping of docs/protocol.md section 3. Generated classes describe each field with a
 * type descriptor: 'int', 'float', 'bool', 'string', 'bytes', 'time', ['list', T],
 * ['map', 'string'|'int', T], ['opt', T], ['msg', Class::class], ['enum', Enum::class].
 * JSON objects are handled as json_decode gives them (stdClass), arrays as lists.
 *
 * Known limit: DateTimeImmutable holds microseconds, so time digits 7-9 are dropped on decode.
 */
final class Codec
{
    /** Nesting deeper than this many arrays/objects is rejected (section 3.4). */
    public const MAX_DEPTH = 100;

    private const JSON_OUT = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION
        | JSON_THROW_ON_ERROR;

    private const TIME = '/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/';

    /**
     * Parses a JSON text (objects as stdClass).
     *
     * @throws BriefException invalid_argument
     */
    public static function parse(string $text): mixed
    {
        try {
            return json_decode($text, false, self::MAX_DEPTH + 1, JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw BriefException::invalidArgument('$: invalid JSON: ' . $e->getMessage());
        }
    }

    /**
     * Encodes a JSON-ready value (as encode() gives) as a JSON text.
     *
     * @throws BriefException invalid_argument when the value has no JSON text
     */
    public static function json(mixed $value): string
    {
        try {
            return json_encode($value, self::JSON_OUT);
        } catch (\JsonException $e) {
            throw BriefException::invalidArgument('cannot encode: ' . $e->getMessage());
        }
    }

    /** A message as a JSON text. */
    public static function encodeMessage(Message $m): string
    {
        return self::json((object) $m->toWire());
    }

    /**
     * The fields of a JSON object.
     *
     * @param array<string, mixed>|\stdClass|null $data
     * @return array<string, mixed>
     */
    public static function fields(array|\stdClass|null $data, string $path): array
    {
        if ($data === null) {
            return [];
        }
        if ($data instanceof \stdClass) {
            return get_object_vars($data);
        }
        if ($data !== [] && array_is_list($data)) {
            throw BriefException::invalidArgument("{$path}: expected an object, got an array");
        }
        return $data;
    }

    /**
     * Encoded fields without the absent optional ones (section 3.3).
     *
     * @param array<string, mixed> $fields
     * @return array<string, mixed>
     */
    public static function present(array $fields): array
    {
        return array_filter($fields, static fn (mixed $v): bool => $v !== null);
    }

    /**
     * Decodes a JSON value (null or missing: the zero value) as type `$t`.
     *
     * @param string|array<int, mixed> $t
     * @throws BriefException invalid_argument, naming the JSON path
     */
    public static function decode(string|array $t, mixed $v, string $path): mixed
    {
        if (is_array($t)) {
            return match ($t[0]) {
                'opt' => $v === null ? null : self::decode($t[1], $v, $path),
                'list' => self::decodeList($t[1], $v, $path),
                'map' => self::decodeMap($t[1], $t[2], $v, $path),
                'msg' => self::decodeMessage($t[1], $v, $path),
                'enum' => self::decodeEnum($t[1], $v, $path),
                default => throw new \LogicException("unknown type descriptor {$t[0]}"),
            };
        }
        return match ($t) {
            'int' => $v === null ? 0 : (is_int($v) ? $v : self::fail($path, 'an integer', $v)),
            'float' => self::decodeFloat($v, $path),
            'bool' => $v === null ? false : (is_bool($v) ? $v : self::fail($path, 'a boolean', $v)),
            'string' => $v === null ? '' : (is_string($v) ? $v : self::fail($path, 'a string', $v)),
            'bytes' => self::decodeBytes($v, $path),
            'time' => self::decodeTime($v, $path),
            default => throw new \LogicException("unknown type descriptor {$t}"),
        };
    }

    /**
     * Encodes a value of type `$t` as a JSON-ready value (null: an absent optional).
     *
     * @param string|array<int, mixed> $t
     * @throws BriefException invalid_argument when it cannot be encoded (NaN, a year out of range)
     */
    public static function encode(string|array $t, mixed $v, string $path): mixed
    {
        if (is_array($t)) {
            switch ($t[0]) {
                case 'opt':
                    return $v === null ? null : self::encode($t[1], $v, $path);
                case 'list':
                    $out = [];
                    foreach (array_values($v) as $i => $e) {
                        $out[] = self::encode($t[1], $e, "{$path}[{$i}]");
                    }
                    return $out;
                case 'map':
                    $out = [];
                    foreach ($v as $k => $e) {
                        $out[(string) $k] = self::encode($t[2], $e, "{$path}.{$k}");
                    }
                    ksort($out, $t[1] === 'int' ? SORT_NUMERIC : SORT_STRING);
                    return (object) $out;
                case 'msg':
                    return (object) $v->toWire();
                case 'enum':
                    return $v->value;
            }
            throw new \LogicException("unknown type descriptor {$t[0]}");
        }
        return match ($t) {
            'float' => is_finite($v)
                ? (float) $v
                : throw BriefException::invalidArgument("{$path}: {$v} is not encodable"),
            'bytes' => base64_encode($v),
            'time' => self::encodeTime($v, $path),
            default => $v,
        };
    }

    private static function fail(string $path, string $want, mixed $got): never
    {
        $desc = match (true) {
            $got instanceof \stdClass => 'an object',
            is_array($got) => 'an array',
            default => json_encode($got, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION)
                ?: gettype($got),
        };
        throw BriefException::invalidArgument("{$path}: expected {$want}, got {$desc}");
    }

    private static function decodeFloat(mixed $v, string $path): float
    {
        if ($v === null) {
            return 0.0;
        }
        if (!is_int($v) && !is_float($v)) {
            self::fail($path, 'a number', $v);
        }
        if (!is_finite((float) $v)) {
            throw BriefException::invalidArgument("{$path}: number out of range");
        }
        return (float) $v;
    }

    private static function decodeBytes(mixed $v, string $path): string
    {
        if ($v === null) {
            return '';
        }
        if (!is_string($v)) {
            self::fail($path, 'a base64 string', $v);
        }
        $b = base64_decode($v, true);
        if ($b === false || base64_encode($b) !== $v) {
            throw BriefException::invalidArgument("{$path}: invalid base64 (standard alphabet with padding)");
        }
        return $b;
    }

    /** The zero time, 0001-01-01T00:00:00Z. */
    public static function zeroTime(): DateTimeImmutable
    {
        return new DateTimeImmutable('0001-01-01T00:00:00Z');
    }

    private static function decodeTime(mixed $v, string $path): DateTimeImmutable
    {
        if ($v === null) {
            return self::zeroTime();
        }
        if (!is_string($v)) {
            self::fail($path, 'an RFC 3339 time string', $v);
        }
        if (preg_match(self::TIME, $v, $m) !== 1) {
            throw BriefException::invalidArgument("{$path}: invalid time " . json_encode($v));
        }
        [, $y, $mo, $d, $h, $mi, $s] = $m;
        $frac = $m[7] ?? '';
        $off = $m[8];
        $validOffset = $off === 'Z' || ((int) substr($off, 1, 2) <= 23 && (int) substr($off, 4, 2) <= 59);
        if (!self::validDate((int) $y, (int) $mo, (int) $d) || $h > 23 || $mi > 59 || $s > 59 || !$validOffset) {
            throw BriefException::invalidArgument("{$path}: invalid time " . json_encode($v));
        }
        $micro = substr(str_pad($frac, 6, '0'), 0, 6);
        $tz = $off === 'Z' ? '+00:00' : $off;
        $t = DateTimeImmutable::createFromFormat('Y-m-d\TH:i:s.uP', "{$y}-{$mo}-{$d}T{$h}:{$mi}:{$s}.{$micro}{$tz}");
        if ($t === false) {
            throw BriefException::invalidArgument("{$path}: invalid time " . json_encode($v));
        }
        $t = $t->setTimezone(new DateTimeZone('UTC'));
        $year = (int) $t->format('Y');
        if ($year < 0 || $year > 9999) {
            throw BriefException::invalidArgument("{$path}: time outside years 0000-9999");
        }
        return $t;
    }

    /** Whether the date exists in the proleptic Gregorian calendar (year 0 included). */
    private static function validDate(int $y, int $m, int $d): bool
    {
        if ($m < 1 || $m > 12 || $d < 1) {
            return false;
        }
        $leap = $y % 4 === 0 && ($y % 100 !== 0 || $y % 400 === 0);
        $days = [31, $leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][$m - 1];
        return $d <= $days;
    }

    private static function encodeTime(DateTimeImmutable $t, string $path): string
    {
        $u = $t->setTimezone(new DateTimeZone('UTC'));
        $year = (int) $u->format('Y');
        if ($year < 0 || $year > 9999) {
            throw BriefException::invalidArgument("{$path}: time outside years 0000-9999");
        }
        return sprintf('%04d', $year) . $u->format('-m-d\TH:i:s.u') . '000Z';
    }

    /**
     * @param string|array<int, mixed> $elem
     * @return list<mixed>
     */
    private static function decodeList(string|array $elem, mixed $v, string $path): array
    {
        if ($v === null) {
            return [];
        }
        if (!is_array($v)) {
            self::fail($path, 'an array', $v);
        }
        $out = [];
        foreach ($v as $i => $e) {
            $out[] = self::decode($elem, $e, "{$path}[{$i}]");
        }
        return $out;
    }

    /**
     * @param string|array<int, mixed> $value
     * @return array<int|string, mixed>
     */
    private static function decodeMap(string $key, string|array $value, mixed $v, string $path): array
    {
        if ($v === null) {
            return [];
        }
        if (!$v instanceof \stdClass) {
            self::fail($path, 'an object', $v);
        }
        $out = [];
        foreach (get_object_vars($v) as $k => $e) {
            $k = (string) $k;
            if ($key === 'int') {
                if (preg_match('/^(0|-?[1-9][0-9]*)$/', $k) !== 1 || (string) (int) $k !== $k) {
                    throw BriefException::invalidArgument("{$path}: invalid int key " . json_encode($k));
                }
                $k = (int) $k;
            }
            $out[$k] = self::decode($value, $e, "{$path}.{$k}");
        }
        return $out;
    }

    private static function decodeMessage(string $class, mixed $v, string $path): Message
    {
        if ($v !== null && !$v instanceof \stdClass) {
            self::fail($path, 'an object', $v);
        }
        return $class::fromWire($v, $path);
    }

    private static function decodeEnum(string $class, mixed $v, string $path): \BackedEnum
    {
        if ($v === null) {
            return \constant($class . '::FIRST');
        }
        if (!is_string($v)) {
            self::fail($path, 'an enum name', $v);
        }
        return $class::tryFrom($v) ?? throw BriefException::invalidArgument(
            "{$path}: unknown enum name " . json_encode($v)
        );
    }
}
