<?php

// The interop matrix's scenarios (docs/interop.md) with the generated PHP client against one
// server; one JSON line per scenario: {"scenario", "ok", "detail"}.
// Usage: php client.php SERVER FINAL PUBLISHER CODEC_JSON VALUES_JSON [micro]
// FINAL is where the middle service (SERVER) relays the deadline call; PUBLISHER the server asked
// to publish the event SERVER must have consumed; `micro` skips vectors with sub-microsecond
// times (kept to microseconds by runtime-php, docs/php.md).

declare(strict_types=1);

require __DIR__ . '/bootstrap.php';

use Brief\Runtime\BriefException;
use Brief\Runtime\Client;
use Brief\Runtime\Codec;
use Brief\Runtime\Context;
use Brief\Runtime\Message;
use Matrix\Generated\AllTypes;
use Matrix\Generated\ConsumedIn;
use Matrix\Generated\EmptyMessage;
use Matrix\Generated\Everything;
use Matrix\Generated\FailIn;
use Matrix\Generated\FlakyIn;
use Matrix\Generated\Item;
use Matrix\Generated\MatrixClient;
use Matrix\Generated\NotFoundException;
use Matrix\Generated\PublishIn;
use Matrix\Generated\RelayIn;
use Matrix\Generated\SlowIn;
use Matrix\Generated\Tree;

[, $server, $final, $publisher, $codecPath, $valuesPath] = $argv;
$micro = ($argv[6] ?? '') === 'micro';

function report(string $scenario, bool $ok, string $detail): void
{
    echo json_encode(['scenario' => $scenario, 'ok' => $ok, 'detail' => $detail], JSON_UNESCAPED_SLASHES), "\n";
}

/** Semantic JSON equality of golden/wire/README.md: numbers by value, objects unordered. */
function same_json(mixed $a, mixed $b): bool
{
    if (is_array($a) && is_array($b)) {
        if (count($a) !== count($b) || array_is_list($a) !== array_is_list($b)) {
            return false;
        }
        foreach ($a as $k => $v) {
            if (!array_key_exists($k, $b) || !same_json($v, $b[$k])) {
                return false;
            }
        }
        return true;
    }
    if (is_numeric($a) && is_numeric($b) && !is_string($a) && !is_string($b)) {
        return is_int($a) && is_int($b) ? $a === $b : (float) $a === (float) $b;
    }
    if (is_string($a) && is_string($b) && preg_match('/^-?\d+$/', $a) && preg_match('/^-?\d+$/', $b)) {
        return $a === $b; // big integers kept as strings
    }
    return $a === $b;
}

function parse(string $text): mixed
{
    return json_decode($text, true, 512, JSON_BIGINT_AS_STRING | JSON_THROW_ON_ERROR);
}

$c = new MatrixClient(new Client($server, 'matrix-client-php'));
$echo = [
    'Item' => fn (string $t) => $c->echoItem(Item::fromWire(Codec::parse($t))),
    'Everything' => fn (string $t) => $c->echoEverything(Everything::fromWire(Codec::parse($t))),
    'Tree' => fn (string $t) => $c->echoTree(Tree::fromWire(Codec::parse($t))),
    'Empty' => fn (string $t) => $c->echoEmpty(EmptyMessage::fromWire(Codec::parse($t))),
    'AllTypes' => fn (string $t) => $c->echoAll(AllTypes::fromWire(Codec::parse($t))),
];

function vectors(string $scenario, string $path, array $echo, bool $micro): void
{
    $file = json_decode((string) file_get_contents($path), true, 512, JSON_THROW_ON_ERROR);
    $ran = 0;
    $skipped = 0;
    foreach ($file['cases'] as $v) {
        if (!isset($v['canonical']) || !isset($echo[$v['type']])) {
            continue;
        }
        if ($micro && preg_match('/\.\d{6}(\d*[1-9]\d*)Z/', $v['canonical'])) {
            $skipped++;
            continue;
        }
        foreach (array_merge([$v['canonical']], $v['accept'] ?? []) as $in) {
            try {
                $out = Codec::encodeMessage(($echo[$v['type']])($in));
            } catch (\Throwable $e) {
                report($scenario, false, "{$v['type']} {$in}: " . $e->getMessage());
                return;
            }
            if (!same_json(parse($out), parse($v['canonical']))) {
                report($scenario, false, "{$v['type']} {$in}: echoed {$out}, want {$v['canonical']}");
                return;
            }
            $ran++;
        }
    }
    report($scenario, $ran > 0, "{$ran} texts echoed and re-encoded canonically ({$skipped} sub-microsecond skipped)");
}

vectors('wire vectors', $codecPath, $echo, $micro);
vectors('every type', $valuesPath, $echo, $micro);

try {
    $c->fail(new FailIn('NotFound', 7));
    report('typed error', false, 'no error');
} catch (NotFoundException $e) {
    report('typed error', $e->id === 7, "NotFound{id: {$e->id}}");
} catch (\Throwable $e) {
    report('typed error', false, get_class($e) . ': ' . $e->getMessage());
}

try {
    $c->fail(new FailIn('permission_denied'));
    report('transport error', false, 'no error');
} catch (BriefException $e) {
    report('transport error', $e->errorCode->value === 'permission_denied', "-> {$e->errorCode->value}");
}

$start = microtime(true);
try {
    $c->slow(new SlowIn(1500));
    report('@timeout', false, 'answered');
} catch (BriefException $e) {
    $took = (int) ((microtime(true) - $start) * 1000);
    report('@timeout', $e->errorCode->value === 'deadline_exceeded' && $took < 1200, "slow(1500 ms), @timeout 300ms -> {$e->errorCode->value} after {$took} ms");
}

try {
    $out = $c->relay(new RelayIn($final), new Context(microtime(true) + 1.5));
    report('deadline via middle', $out->remainingMs > 0 && $out->remainingMs <= 1500, "1500 ms budget, the final server had {$out->remainingMs} ms left");
} catch (\Throwable $e) {
    report('deadline via middle', false, $e->getMessage());
}

try {
    $out = $c->flaky(new FlakyIn('php-' . bin2hex(random_bytes(6)), 2));
    report('retry idempotent', $out->attempts === 3, "2 failures, then {$out->attempts} attempts");
} catch (\Throwable $e) {
    report('retry idempotent', false, $e->getMessage());
}

try {
    $note = 'php-client-' . bin2hex(random_bytes(6));
    (new MatrixClient(new Client($publisher, 'matrix-client-php')))->publish(new PublishIn($note));
    $n = 0;
    for ($end = microtime(true) + 15; microtime(true) < $end && $n === 0; usleep(50000)) {
        $n = $c->consumed(new ConsumedIn($note))->count;
    }
    report('event', $n === 1, "published by {$publisher}, consumed {$n} time(s)");
} catch (\Throwable $e) {
    report('event', false, $e->getMessage());
}
