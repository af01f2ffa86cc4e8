<?php

declare(strict_types=1);

use Brief\Runtime\BriefException;
use Brief\Runtime\Codec;
use PHPUnit\Framework\TestCase;

/**
 * golden/wire/codec.json against Codec and the generated classes of tests/fixtures/wire.
 * Cases with times below the microsecond are skipped: DateTimeImmutable holds microseconds
 * (a known limit of this slice, docs/php.md).
 */
final class CodecTest extends TestCase
{
    private static function vectors(): array
    {
        return json_decode((string) file_get_contents(__DIR__ . '/../../golden/wire/codec.json'), true);
    }

    /** A contract type expression as a codec descriptor. */
    public static function descriptor(string $t): string|array
    {
        if (str_starts_with($t, '?')) {
            return ['opt', self::descriptor(substr($t, 1))];
        }
        if (str_starts_with($t, '[]')) {
            return ['list', self::descriptor(substr($t, 2))];
        }
        if (preg_match('/^map\[(string|int)\](.+)$/', $t, $m) === 1) {
            return ['map', $m[1], self::descriptor($m[2])];
        }
        return match ($t) {
            'int', 'float', 'bool', 'string', 'bytes', 'time' => $t,
            'Color' => ['enum', \Wire\Generated\Color::class],
            'Empty' => ['msg', \Wire\Generated\EmptyMessage::class],
            default => ['msg', 'Wire\\Generated\\' . $t],
        };
    }

    /** A JSON value with numbers by value and objects unordered, for comparison. */
    private static function norm(mixed $v): mixed
    {
        if ($v instanceof \stdClass) {
            $a = [];
            foreach (get_object_vars($v) as $k => $x) {
                $a['k:' . $k] = self::norm($x);
            }
            ksort($a, SORT_STRING);
            return ['object' => $a];
        }
        if (is_array($v)) {
            return ['array' => array_map([self::class, 'norm'], $v)];
        }
        if (is_float($v) && floor($v) === $v && abs($v) < 2 ** 53) {
            return 'n:' . (int) $v;
        }
        if (is_int($v) || is_float($v)) {
            return 'n:' . json_encode($v);
        }
        return $v;
    }

    private static function subMicro(string $text): bool
    {
        return preg_match('/\.\d{6}[1-9]|\.\d{7}[1-9]|\.\d{8}[1-9]/', $text) === 1;
    }

    public function testCanonicalAcceptedAndRejected(): void
    {
        $checked = 0;
        foreach (self::vectors()['cases'] as $i => $case) {
            $d = self::descriptor($case['type']);
            $where = "case {$i} ({$case['type']})";
            if (isset($case['canonical'])) {
                if (self::subMicro($case['canonical'])) {
                    continue;
                }
                foreach (array_merge([$case['canonical']], $case['accept'] ?? []) as $in) {
                    $v = Codec::decode($d, Codec::parse($in), '$');
                    $out = Codec::json(Codec::encode($d, $v, '$'));
                    $this->assertEquals(
                        self::norm(Codec::parse($case['canonical'])),
                        self::norm(Codec::parse($out)),
                        "{$where}: {$in} gave {$out}"
                    );
                    $checked++;
                }
            }
            foreach ($case['reject'] ?? [] as $in) {
                $text = is_array($in) ? base64_decode($in['base64']) : $in;
                try {
                    Codec::decode($d, Codec::parse($text), '$');
                    $this->fail("{$where}: {$text} was accepted");
                } catch (BriefException $e) {
                    $this->assertSame('invalid_argument', $e->errorCode->value);
                    $checked++;
                }
            }
        }
        $this->assertGreaterThan(100, $checked);
    }

    public function testUnencodable(): void
    {
        foreach (self::vectors()['unencodable'] as $case) {
            $d = self::descriptor($case['type']);
            $v = match (true) {
                isset($case['float']) => ['NaN' => NAN, 'Infinity' => INF, '-Infinity' => -INF][$case['float']],
                isset($case['unix_seconds']) => (new \DateTimeImmutable('@' . $case['unix_seconds'])),
                default => null,
            };
            if ($v === null) {
                continue;
            }
            if (str_starts_with($case['type'], '[]')) {
                $v = [$v];
            }
            try {
                Codec::json(Codec::encode($d, $v, '$'));
                $this->fail('encoded ' . json_encode($case));
            } catch (BriefException $e) {
                $this->assertSame('invalid_argument', $e->errorCode->value);
            }
        }
    }
}
